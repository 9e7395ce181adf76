package scaling

import (
	"fmt"
	"strings"
)

// WakeAndSleep is the scenario the docs picture: an api at 0 tasks gets 2
// requests a minute for 15 minutes from minute 5, then nothing.
func WakeAndSleep(s *Stack) Scenario {
	idle := 0
	for _, a := range s.Alarms {
		if strings.HasSuffix(a.Name, "-api-idle") {
			idle = a.EvaluationPeriods
		}
	}
	return Scenario{
		Name: "first request after idle", Minutes: 20 + idle + 5, Idle: true,
		Requests: func(m int) int {
			if m >= 5 && m < 20 {
				return 2
			}
			return 0
		},
	}
}

// DocsSection renders the "How dev wakes and sleeps" section of
// docs/environments.md from the released dev stack's JSON.
func DocsSection(devStack []byte) (string, error) {
	s, err := Load(devStack)
	if err != nil {
		return "", err
	}
	r, err := Run(s, WakeAndSleep(s))
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString("\n## How dev wakes and sleeps\n\n")
	b.WriteString("Replayed by `test/scaling` from the released dev stack (`stacks/testdata/released/flow-builder-dev.json`):\n")
	b.WriteString("the api sits at 0 tasks; from minute 5 it gets 2 requests a minute for 15 minutes, then none.\n")
	fmt.Fprintf(&b, "The first request was answered %d s after it arrived; the api was back at 0 tasks at minute %d.\n", r.FirstServed-r.FirstRequest, zeroAfter(r, 20))
	b.WriteString("Assumed: Fargate needs 60 s from a new desired count to a running container; CloudWatch evaluates each minute's datapoints at the start of the next.\n\n")
	fmt.Fprintf(&b, "```mermaid\n%s```\n", r.Mermaid("dev api: first request after idle (minutes from the start)"))
	return b.String(), nil
}

// zeroAfter is the first minute from `from` on at which the api's desired count is 0.
func zeroAfter(r *Result, from int) int {
	for _, row := range r.Rows[from:] {
		if row.Desired["api"] == 0 {
			return row.Minute
		}
	}
	return -1
}
