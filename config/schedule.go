package config

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Schedule is a parsed scheduler.schedule_expression: how often the
// scheduler ticks, which is what its heartbeat alarm watches.
type Schedule struct {
	// Every is the longest gap between two ticks: the rate of a rate()
	// expression, one hour for a cron() expression (see ParseSchedule).
	Every time.Duration
	// Cron says the expression was cron(...), not rate(...).
	Cron bool
}

// HeartbeatTicks is how many ticks in a row may go missing before the
// heartbeat alarm fires: one late or merged tick is not an outage.
const HeartbeatTicks = 3

// MaxHeartbeatWindow is the longest time a CloudWatch alarm can look back
// (Period x EvaluationPeriods <= 604,800 s; PutMetricAlarm), so the longest
// schedule the heartbeat can watch is a third of it.
const MaxHeartbeatWindow = 7 * 24 * time.Hour

var (
	reRate = regexp.MustCompile(`^rate\(([1-9][0-9]*) (minute|minutes|hour|hours|day|days)\)$`)
	reCron = regexp.MustCompile(`^cron\(([^()]+)\)$`)
)

// ParseSchedule reads an EventBridge Scheduler rate() or cron() expression.
//
// A rate(N unit) ticks every N units. A cron() expression has no single
// interval, and working one out would need a cron engine; instead the
// heartbeat assumes a cron schedule ticks at least every hour, and
// ParseSchedule accepts only cron expressions that do: the hours field is *
// and the day, month and year fields are wildcards (the minutes field is
// free, e.g. cron(0/10 * * * ? *)). Slower schedules are written as rate().
func ParseSchedule(expr string) (Schedule, error) {
	if m := reRate.FindStringSubmatch(expr); m != nil {
		n, err := strconv.Atoi(m[1])
		if err != nil || n > 1_000_000 {
			return Schedule{}, fmt.Errorf("has a rate value out of range")
		}
		unit := map[string]time.Duration{"minute": time.Minute, "hour": time.Hour, "day": 24 * time.Hour}[strings.TrimSuffix(m[2], "s")]
		return Schedule{Every: time.Duration(n) * unit}, nil
	}
	if m := reCron.FindStringSubmatch(expr); m != nil {
		f := strings.Fields(m[1])
		if len(f) != 6 {
			return Schedule{}, fmt.Errorf("must have six cron fields (minutes hours day-of-month month day-of-week year), not %d", len(f))
		}
		wild := func(v string, allowed ...string) bool {
			for _, a := range allowed {
				if v == a {
					return true
				}
			}
			return false
		}
		if f[1] != "*" || !wild(f[2], "*", "?") || f[3] != "*" || !wild(f[4], "*", "?") || f[5] != "*" {
			return Schedule{}, fmt.Errorf("must tick at least every hour (hours, day, month and year fields *, e.g. cron(0/15 * * * ? *)) so the scheduler heartbeat alarm can watch it; write slower schedules as rate(N hours|days)")
		}
		return Schedule{Every: time.Hour, Cron: true}, nil
	}
	return Schedule{}, fmt.Errorf("must be rate(N minutes|hours|days) or cron(...)")
}

// Heartbeat is the alarm window that notices the scheduler stopped ticking:
// Evaluations periods of Period in a row without an invocation.
type Heartbeat struct {
	Period      time.Duration
	Evaluations int
}

// Heartbeat sizes the window to HeartbeatTicks ticks. A period is one tick
// (each period then holds exactly one invocation), at most a day; a slower
// schedule uses day-long periods covering at least HeartbeatTicks ticks. CloudWatch takes periods in multiples of 60 s, which every rate and
// cron schedule is.
func (s Schedule) Heartbeat() Heartbeat {
	period := s.Every
	if period > 24*time.Hour {
		period = 24 * time.Hour
	}
	n := HeartbeatTicks * s.Every
	return Heartbeat{Period: period, Evaluations: int((n + period - 1) / period)}
}

// Window is how long the scheduler has been quiet when the alarm fires.
func (h Heartbeat) Window() time.Duration { return time.Duration(h.Evaluations) * h.Period }
