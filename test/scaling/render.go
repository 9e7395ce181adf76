package scaling

import (
	"fmt"
	"strings"
)

// abbrev shortens an alarm state for the table.
var abbrev = map[State]string{OK: "ok", InAlarm: "ALARM", InsufficientData: "-"}

// Table renders the timeline: one line per minute in which anything changed
// (and the first and last minute).
func (r *Result) Table() string {
	var b strings.Builder
	short := make([]string, len(r.Alarms))
	for i, a := range r.Alarms {
		short[i] = a[strings.Index(a, "-api")+1:]
		if j := strings.Index(a, "-worker"); j >= 0 {
			short[i] = a[j+1:]
		}
	}
	fmt.Fprintf(&b, "%6s %9s %9s %5s %5s %7s %8s  %s\n", "minute", "api d/r", "worker d/r", "req", "503", "visible", "inflight", strings.Join(short, " "))
	prev := ""
	for i, row := range r.Rows {
		var st []string
		for j, a := range r.Alarms {
			st = append(st, fmt.Sprintf("%*s", len(short[j]), abbrev[row.States[a]]))
		}
		line := fmt.Sprintf("%9s %10s %5d %5d %7d %8d  %s",
			fmt.Sprintf("%d/%d", row.Desired["api"], row.Ready["api"]), fmt.Sprintf("%d/%d", row.Desired["worker"], row.Ready["worker"]),
			row.Requests, row.Rejected, row.Visible, row.InFlight, strings.Join(st, " "))
		if line != prev || i == len(r.Rows)-1 || len(row.Activities) > 0 {
			fmt.Fprintf(&b, "%6d %s", row.Minute, line)
			if len(row.Activities) > 0 {
				fmt.Fprintf(&b, "   %s", strings.Join(row.Activities, "; "))
			}
			b.WriteString("\n")
		}
		prev = line
	}
	return b.String()
}

// Mermaid renders the api's timeline as a Mermaid gantt chart: what the
// clients got, how many tasks ran, and when each alarm was in ALARM.
func (r *Result) Mermaid(title string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "gantt\n    title %s\n    dateFormat X\n    axisFormat %%H:%%M\n", title)
	type seg struct {
		label      string
		start, end int
		crit       bool
	}
	runs := func(f func(Row) (string, bool)) []seg {
		var out []seg
		for _, row := range r.Rows {
			label, crit := f(row)
			if n := len(out); n > 0 && out[n-1].label == label {
				out[n-1].end = row.Minute + 1
				continue
			}
			out = append(out, seg{label, row.Minute, row.Minute + 1, crit})
		}
		return out
	}
	section := func(name string, segs []seg) {
		fmt.Fprintf(&b, "    section %s\n", name)
		for _, s := range segs {
			if s.label == "" {
				continue
			}
			tag := ""
			if s.crit {
				tag = "crit, "
			}
			fmt.Fprintf(&b, "    %s (min %d-%d) :%s%d, %d\n", s.label, s.start, s.end, tag, 60*s.start, 60*s.end)
		}
	}
	section("clients", runs(func(row Row) (string, bool) {
		switch {
		case row.Rejected > 0:
			return "503 from the load balancer", true
		case row.Served > 0:
			return "served", false
		}
		return "", false
	}))
	section("api tasks", runs(func(row Row) (string, bool) {
		d, ready := row.Desired["api"], row.Ready["api"]
		switch {
		case d == 0 && ready == 0:
			return "0 tasks", false
		case ready < d:
			return "starting", true
		}
		return fmt.Sprintf("%d serving", ready), false
	}))
	for _, a := range r.Alarms {
		if !strings.Contains(a, "-api-") {
			continue
		}
		name := a[strings.Index(a, "-api-")+1:]
		section(name+" alarm", runs(func(row Row) (string, bool) {
			if row.States[a] == InAlarm {
				return "ALARM", false
			}
			return "", false
		}))
	}
	return b.String()
}
