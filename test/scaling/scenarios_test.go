package scaling

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flow-builder/infra/config"
)

// released loads each environment's released application stack (the golden
// files stacks/synth_test.go maintains) with its environment file.
func released(t *testing.T) []struct {
	env   *config.Environment
	stack *Stack
} {
	t.Helper()
	envs, err := config.LoadAll("../../environments")
	require.NoError(t, err)
	var out []struct {
		env   *config.Environment
		stack *Stack
	}
	for _, env := range envs {
		s, err := LoadFile(filepath.Join("..", "..", "stacks", "testdata", "released", config.Project+"-"+env.Name+".json"))
		require.NoError(t, err)
		out = append(out, struct {
			env   *config.Environment
			stack *Stack
		}{env, s})
	}
	require.Len(t, out, 3)
	return out
}

// each runs fn per environment as a subtest and prints the timeline with -v.
func each(t *testing.T, sc func(env *config.Environment) Scenario, check func(t *testing.T, env *config.Environment, s *Stack, r *Result)) {
	for _, e := range released(t) {
		t.Run(e.env.Name, func(t *testing.T) {
			r, err := Run(e.stack, sc(e.env))
			require.NoError(t, err)
			t.Logf("%s, %s:\n%s", r.Scenario.Name, e.env.Name, r.Table())
			check(t, e.env, e.stack, r)
		})
	}
}

func always(n int) func(int) int { return func(int) int { return n } }

func peak(r *Result, svc string) int {
	p := 0
	for _, row := range r.Rows {
		p = max(p, row.Desired[svc])
	}
	return p
}

func TestIdleDay(t *testing.T) {
	each(t, func(*config.Environment) Scenario {
		return Scenario{Name: "idle for a day", Minutes: 24 * 60, Idle: true}
	}, func(t *testing.T, env *config.Environment, s *Stack, r *Result) {
		for _, row := range r.Rows {
			require.Equal(t, env.Services.API.MinCount, row.Desired["api"], "minute %d", row.Minute)
			require.Equal(t, env.Services.Worker.MinCount, row.Desired["worker"], "minute %d", row.Minute)
		}
		if env.Name == "dev" {
			assert.Zero(t, env.Services.API.MinCount+env.Services.Worker.MinCount, "dev idles at 0 tasks")
		}
	})
}

// WakeUpBudgetSeconds is what the README promises for the first request
// after idle: the api serves within 3 minutes.
const WakeUpBudgetSeconds = 180

func TestFirstRequestAfterIdle(t *testing.T) {
	const start, busy = 5, 60 // requests from minute 5 for an hour
	each(t, func(env *config.Environment) Scenario {
		return Scenario{
			Name: "first request after idle", Minutes: start + busy + env.Services.IdleScaleInMinutes + 15, Idle: true,
			Requests: func(m int) int {
				if m >= start && m < start+busy {
					return 2
				}
				return 0
			},
		}
	}, func(t *testing.T, env *config.Environment, s *Stack, r *Result) {
		if env.Services.API.MinCount > 0 {
			assert.Equal(t, r.FirstRequest, r.FirstServed, "an api with a minimum serves at once")
			for _, row := range r.Rows {
				assert.Zero(t, row.Rejected, "minute %d", row.Minute)
			}
			return
		}
		require.GreaterOrEqual(t, r.FirstServed, 0, "the api woke up")
		wake := r.FirstServed - r.FirstRequest
		t.Logf("measured wake-up (%s): %d s from the first request to the first served", env.Name, wake)
		assert.LessOrEqual(t, wake, WakeUpBudgetSeconds)
		for _, row := range r.Rows {
			if 60*row.Minute > r.FirstServed && row.Minute < start+busy {
				assert.Zero(t, row.Rejected, "minute %d: still serving while requests continue", row.Minute)
				assert.GreaterOrEqual(t, row.Ready["api"], 1, "minute %d", row.Minute)
			}
			if row.Minute >= start && row.Minute <= start+busy {
				assert.False(t, row.Lowered["api"], "minute %d: no scale-in while requests arrive (%v)", row.Minute, row.Activities)
			}
		}
		last := start + busy - 1
		zeroAt := -1
		for _, row := range r.Rows[last:] {
			if row.Desired["api"] == 0 {
				zeroAt = row.Minute
				break
			}
		}
		require.GreaterOrEqual(t, zeroAt, 0, "back to 0 after idle")
		t.Logf("measured sleep (%s): 0 tasks %d minutes after the last request", env.Name, zeroAt-last)
		assert.GreaterOrEqual(t, zeroAt-last, env.Services.IdleScaleInMinutes, "not before idle_scale_in_minutes")
		assert.LessOrEqual(t, zeroAt-last, env.Services.IdleScaleInMinutes+2)
	})
}

func TestBurstOfJobs(t *testing.T) {
	const jobs = 1000
	each(t, func(env *config.Environment) Scenario {
		return Scenario{Name: "a burst of 1,000 jobs (10 s each)", Minutes: 240, Idle: true,
			Jobs: func(m int) int {
				if m == 0 {
					return jobs
				}
				return 0
			}}
	}, func(t *testing.T, env *config.Environment, s *Stack, r *Result) {
		w := env.Services.Worker
		bound := min(w.MaxCount, int(math.Ceil(float64(jobs)/float64(w.MessagesPerTask))))
		assert.Equal(t, bound, peak(r, "worker"), "scales out to min(max_count, backlog / messages_per_task)")
		assert.Equal(t, jobs, r.Done, "every job processed")
		assert.Zero(t, r.Interrupted+r.Redelivered+r.DeadLettered)
		drained := -1
		for _, row := range r.Rows {
			if row.Visible+row.InFlight == 0 && row.Minute > 0 {
				drained = row.Minute
				break
			}
		}
		require.GreaterOrEqual(t, drained, 0, "drains")
		t.Logf("measured drain (%s): %d jobs gone after %d minutes at %d tasks", env.Name, jobs, drained, bound)
		final := r.Rows[len(r.Rows)-1]
		assert.Equal(t, w.MinCount, final.Desired["worker"], "scales back in")
	})
}

func TestSteadyTrickle(t *testing.T) {
	each(t, func(env *config.Environment) Scenario {
		return Scenario{Name: "one job a minute", Minutes: 8 * 60, Idle: true, Jobs: always(1)}
	}, func(t *testing.T, env *config.Environment, s *Stack, r *Result) {
		small := max(env.Services.Worker.MinCount, 1)
		assert.LessOrEqual(t, peak(r, "worker"), small, "no ratchet towards max_count")
		for _, row := range r.Rows[15:] {
			require.Equal(t, small, row.Desired["worker"], "stable from minute 15 (minute %d)", row.Minute)
		}
		assert.Zero(t, r.Interrupted+r.Redelivered+r.DeadLettered)
	})
}

func TestNeverBelowMinimum(t *testing.T) {
	each(t, func(env *config.Environment) Scenario {
		return Scenario{Name: "quiet, busy, quiet", Minutes: 6 * 60, Idle: true,
			Requests: func(m int) int {
				if m >= 60 && m < 180 {
					return 30
				}
				return 0
			},
			Jobs: func(m int) int {
				if m >= 60 && m < 120 {
					return 20
				}
				return 0
			}}
	}, func(t *testing.T, env *config.Environment, s *Stack, r *Result) {
		for _, row := range r.Rows {
			require.GreaterOrEqual(t, row.Desired["api"], env.Services.API.MinCount, "minute %d", row.Minute)
			require.GreaterOrEqual(t, row.Desired["worker"], env.Services.Worker.MinCount, "minute %d", row.Minute)
			require.GreaterOrEqual(t, row.Ready["api"], min(env.Services.API.MinCount, row.Desired["api"]), "minute %d", row.Minute)
		}
	})
}

// TestNoMessageLostToScaleIn: jobs that take the longest the environment
// allows (half the visibility timeout) and a fleet that scales in while they
// run: a stopped task finishes its message within the stop timeout, so no
// message is interrupted, received twice or dead-lettered.
func TestNoMessageLostToScaleIn(t *testing.T) {
	each(t, func(env *config.Environment) Scenario {
		return Scenario{Name: "longest jobs while scaling in", Minutes: 6 * 60, Idle: true,
			JobSeconds: env.Queue.WorkerProcessingSeconds,
			Jobs: func(m int) int {
				if m < 30 {
					return 4
				}
				return 0
			}}
	}, func(t *testing.T, env *config.Environment, s *Stack, r *Result) {
		assert.Equal(t, 120, r.Done)
		assert.Zero(t, r.Interrupted, "no task stopped before it finished its message")
		assert.Zero(t, r.Redelivered)
		assert.Zero(t, r.DeadLettered)
	})
}
