package config

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseSchedule(t *testing.T) {
	cases := []struct {
		expr        string
		every       time.Duration
		cron        bool
		period      time.Duration
		evaluations int
	}{
		{"rate(1 minute)", time.Minute, false, time.Minute, 3},
		{"rate(5 minutes)", 5 * time.Minute, false, 5 * time.Minute, 3},
		{"rate(15 minutes)", 15 * time.Minute, false, 900 * time.Second, 3},
		{"rate(1 hour)", time.Hour, false, time.Hour, 3},
		{"rate(6 hours)", 6 * time.Hour, false, 6 * time.Hour, 3},
		{"rate(1 day)", 24 * time.Hour, false, 24 * time.Hour, 3},
		// Longer than a day: day-long periods covering at least three ticks.
		{"rate(25 hours)", 25 * time.Hour, false, 24 * time.Hour, 4},
		{"rate(2 days)", 48 * time.Hour, false, 24 * time.Hour, 6},
		// cron: assumed (and checked) to tick at least hourly.
		{"cron(0/15 * * * ? *)", time.Hour, true, time.Hour, 3},
		{"cron(0 * ? * * *)", time.Hour, true, time.Hour, 3},
	}
	for _, c := range cases {
		t.Run(c.expr, func(t *testing.T) {
			s, err := ParseSchedule(c.expr)
			require.NoError(t, err)
			assert.Equal(t, c.every, s.Every)
			assert.Equal(t, c.cron, s.Cron)
			h := s.Heartbeat()
			assert.Equal(t, c.period, h.Period)
			assert.Equal(t, c.evaluations, h.Evaluations)
			// CloudWatch periods are multiples of 60 s; the window covers 3 ticks.
			assert.Zero(t, h.Period%time.Minute)
			assert.GreaterOrEqual(t, h.Window(), HeartbeatTicks*s.Every)
		})
	}
}

func TestParseScheduleFails(t *testing.T) {
	for expr, want := range map[string]string{
		"":                        "must be rate(N minutes|hours|days) or cron(...)",
		"every 15 minutes":        "must be rate(",
		"rate(0 minutes)":         "must be rate(",
		"rate(5 weeks)":           "must be rate(",
		"rate(-1 hours)":          "must be rate(",
		"rate(1.5 hours)":         "must be rate(",
		"cron(0 * * *)":           "must have six cron fields",
		"cron(0 9 * * ? *)":       "must tick at least every hour",
		"cron(0 * ? * MON-FRI *)": "must tick at least every hour",
		"cron(0 * 1 * ? *)":       "must tick at least every hour",
	} {
		_, err := ParseSchedule(expr)
		if assert.Error(t, err, expr) {
			assert.Contains(t, err.Error(), want, expr)
		}
	}
}

// The heartbeat of the slowest accepted schedule fits CloudWatch's look-back;
// one step slower is refused by the loader.
func TestHeartbeatWindowLimit(t *testing.T) {
	for _, expr := range []string{"rate(2 days)", "rate(56 hours)"} {
		s, err := ParseSchedule(expr)
		require.NoError(t, err)
		assert.LessOrEqual(t, s.Heartbeat().Window(), MaxHeartbeatWindow, expr)
	}
	for _, expr := range []string{"rate(3 days)", "rate(57 hours)"} {
		s, err := ParseSchedule(expr)
		require.NoError(t, err)
		assert.Greater(t, s.Heartbeat().Window(), MaxHeartbeatWindow, expr)
	}
}
