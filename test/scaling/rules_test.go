package scaling

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func pts(vs ...any) []*float64 {
	var out []*float64
	for _, v := range vs {
		if v == nil {
			out = append(out, nil)
		} else {
			out = append(out, ptr(float64(v.(int))))
		}
	}
	return out
}

func TestRuleMOfN(t *testing.T) {
	st, _ := nextState(OK, pts(5, 0, 5), "GreaterThanOrEqualToThreshold", 1, "missing", 2)
	assert.Equal(t, InAlarm, st, "2 of 3 breach")
	st, _ = nextState(InAlarm, pts(5, 0, 0), "GreaterThanOrEqualToThreshold", 1, "missing", 2)
	assert.Equal(t, OK, st)
}

func TestRuleTreatMissingData(t *testing.T) {
	all := pts(nil, nil, nil)
	for treat, want := range map[string]State{"breaching": InAlarm, "notBreaching": OK, "missing": InsufficientData, "ignore": InAlarm} {
		st, err := nextState(InAlarm, all, "LessThanThreshold", 1, treat, 3)
		require.NoError(t, err)
		assert.Equal(t, want, st, treat)
	}
}

func TestRuleComparison(t *testing.T) {
	for op, want := range map[string]bool{"GreaterThanOrEqualToThreshold": true, "GreaterThanThreshold": false, "LessThanThreshold": false, "LessThanOrEqualToThreshold": true} {
		got, err := breaches(op, 1, 1)
		require.NoError(t, err)
		assert.Equal(t, want, got, op)
	}
}

func TestRuleMetricMathFill(t *testing.T) {
	v, err := evalExpr("FILL(a, 0) + FILL(b, 0)", map[string]*float64{"a": ptr(2), "b": nil}, true)
	require.NoError(t, err)
	assert.Equal(t, 2.0, *v)
	v, _ = evalExpr("a + b", map[string]*float64{"a": ptr(2), "b": nil}, true)
	assert.Nil(t, v, "arithmetic with a missing value has none")
	v, _ = evalExpr("FILL(a, 0) + FILL(b, 0)", map[string]*float64{"a": nil, "b": nil}, false)
	assert.Nil(t, v, "no timestamp to fill")
	v, _ = evalExpr("(a - 1) * 2 / b", map[string]*float64{"a": ptr(3), "b": ptr(4)}, true)
	assert.Equal(t, 1.0, *v)
}

func f(x float64) *float64 { return &x }

func TestRuleStepBounds(t *testing.T) {
	steps := []Step{{Upper: f(0), Adjustment: -1}, {Lower: f(0), Upper: f(10), Adjustment: 1}, {Lower: f(10), Adjustment: 2}}
	for delta, want := range map[float64]int{0: 1, 9.9: 1, 10: 2, -0.5: -1} {
		s, ok := pickStep(steps, delta)
		require.True(t, ok)
		assert.Equal(t, want, s.Adjustment, "delta %v", delta)
	}
	below := []Step{{Lower: f(-10), Upper: f(0), Adjustment: -1}}
	_, ok := pickStep(below, -10)
	assert.False(t, ok, "below the threshold the lower bound is exclusive")
}

func TestRuleAdjustmentTypes(t *testing.T) {
	n, _ := adjusted(&StepConfig{AdjustmentType: "ChangeInCapacity"}, 3, 2)
	assert.Equal(t, 5, n)
	n, _ = adjusted(&StepConfig{AdjustmentType: "ExactCapacity"}, 3, 7)
	assert.Equal(t, 7, n)
	n, _ = adjusted(&StepConfig{AdjustmentType: "PercentChangeInCapacity"}, 10, 25)
	assert.Equal(t, 12, n, "2.5 rounds down")
	n, _ = adjusted(&StepConfig{AdjustmentType: "PercentChangeInCapacity"}, 2, 10)
	assert.Equal(t, 3, n, "0.2 becomes 1")
	n, _ = adjusted(&StepConfig{AdjustmentType: "PercentChangeInCapacity"}, 2, -10)
	assert.Equal(t, 1, n, "-0.2 becomes -1")
	n, _ = adjusted(&StepConfig{AdjustmentType: "PercentChangeInCapacity"}, 10, -25)
	assert.Equal(t, 8, n, "-2.5 rounds up")
	n, _ = adjusted(&StepConfig{AdjustmentType: "PercentChangeInCapacity", MinAdjustmentMagnitude: 3}, 10, 10)
	assert.Equal(t, 13, n, "at least 3")
}

func TestRuleClampToBounds(t *testing.T) {
	tg := &Target{Min: 1, Max: 3}
	p := &Policy{Name: "p", Target: tg, Step: &StepConfig{AdjustmentType: "ExactCapacity", Steps: []Step{{Lower: f(0), Adjustment: 9}}}}
	c := newCapacity(tg, 1)
	_, _ = c.applyStep(p, &Alarm{Threshold: 1, Comparison: "GreaterThanOrEqualToThreshold"}, ptr(5), 0)
	assert.Equal(t, 3, c.desired)
}

func TestRuleCooldowns(t *testing.T) {
	tg := &Target{Min: 0, Max: 10}
	out := &Policy{Name: "out", Target: tg, Step: &StepConfig{AdjustmentType: "ChangeInCapacity", Cooldown: 300, Steps: []Step{{Lower: f(0), Upper: f(10), Adjustment: 2}, {Lower: f(10), Adjustment: 3}}}}
	in := &Policy{Name: "in", Target: tg, Step: &StepConfig{AdjustmentType: "ChangeInCapacity", Cooldown: 300, Steps: []Step{{Upper: f(0), Adjustment: -1}}}}
	hi := &Alarm{Threshold: 1, Comparison: "GreaterThanOrEqualToThreshold"}
	lo := &Alarm{Threshold: 1, Comparison: "LessThanThreshold"}
	c := newCapacity(tg, 0)
	_, _ = c.applyStep(out, hi, ptr(1), 0)
	assert.Equal(t, 2, c.desired)
	_, _ = c.applyStep(out, hi, ptr(1), 60)
	assert.Equal(t, 2, c.desired, "same step during the scale-out cooldown: the 2 already added count")
	_, _ = c.applyStep(out, hi, ptr(20), 120)
	assert.Equal(t, 3, c.desired, "a larger step adds only the difference")
	_, _ = c.applyStep(in, lo, ptr(0), 600)
	assert.Equal(t, 2, c.desired)
	_, _ = c.applyStep(in, lo, ptr(0), 660)
	assert.Equal(t, 2, c.desired, "scale-in blocked during its cooldown")
	_, _ = c.applyStep(out, hi, ptr(1), 700)
	assert.Equal(t, 4, c.desired, "scale-out happens during a scale-in cooldown")
	_, _ = c.applyStep(in, lo, ptr(0), 760)
	assert.Equal(t, 3, c.desired, "and ends it")
}

func TestRuleTargetTrackingAlarms(t *testing.T) {
	p := &Policy{Track: &TrackConfig{Value: 50}}
	out, _ := trackAlarms(p, pts(80, 80))
	assert.NotEqual(t, InAlarm, out, "2 datapoints above are not enough")
	out, _ = trackAlarms(p, pts(80, 80, 80))
	assert.Equal(t, InAlarm, out, "3 consecutive above")
	_, in := trackAlarms(p, pts(40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40))
	assert.Equal(t, InAlarm, in, "15 below 90% of the target")
	_, in = trackAlarms(p, pts(46, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40))
	assert.NotEqual(t, InAlarm, in, "46 is above 90% of 50")
	out, in = trackAlarms(p, pts(nil, nil, nil))
	assert.Equal(t, InsufficientData, out)
	assert.Equal(t, InsufficientData, in)
	assert.Equal(t, 4, proportional(2, 80, 50))
}

func TestRuleTargetTrackingScalesInOnlyWhenAllAgree(t *testing.T) {
	tg := &Target{Min: 1, Max: 10}
	cpu := &Policy{Target: tg, Track: &TrackConfig{Value: 50}}
	mem := &Policy{Target: tg, Track: &TrackConfig{Value: 50}}
	tg.Policies = []*Policy{cpu, mem}
	low := pts(10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10)
	mid := pts(48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48)
	c := newCapacity(tg, 4)
	c.applyTracking(map[*Policy][]*float64{cpu: low, mem: mid}, 0)
	assert.Equal(t, 4, c.desired)
	c.applyTracking(map[*Policy][]*float64{cpu: low, mem: low}, 0)
	assert.Equal(t, 1, c.desired)
}

// testStack is a small stack: a wake alarm on 503s and the api.
func testStack(actions bool) *Stack {
	api := &Target{Service: "api", Min: 0, Max: 2}
	wake := &Policy{Name: "wake", Target: api, Step: &StepConfig{AdjustmentType: "ChangeInCapacity", Cooldown: 0, Steps: []Step{{Lower: f(0), Adjustment: 1}}}}
	api.Policies = []*Policy{wake}
	a := &Alarm{Name: "x-api-wake", Period: 60, EvaluationPeriods: 1, DatapointsToAlarm: 1, Threshold: 1, Comparison: "GreaterThanOrEqualToThreshold", TreatMissingData: "notBreaching",
		Queries: []Query{{ID: "m", ReturnData: true, Metric: &MetricStat{Namespace: "AWS/ApplicationELB", Name: "HTTPCode_ELB_503_Count", Stat: "Sum", Period: 60}}}}
	if actions {
		a.AlarmActions = []*Policy{wake}
	}
	return &Stack{
		Targets: map[string]*Target{"api": api, "worker": {Service: "worker"}}, Alarms: []*Alarm{a},
		Queue: Queue{Name: "q", VisibilitySeconds: 30, MaxReceiveCount: 2}, HealthCheck: HealthCheck{IntervalSeconds: 15, HealthyThreshold: 2},
		StopTimeout: map[string]int{"api": 30, "worker": 120},
	}
}

func TestRuleScalingActionsRepeatWhileInAlarm(t *testing.T) {
	r, err := Run(testStack(true), Scenario{Minutes: 5, Requests: always(1), StartupSeconds: 600})
	require.NoError(t, err)
	// Task never becomes healthy within 5 minutes: 503s every minute, the
	// alarm stays in ALARM and adds a task every minute (no cooldown).
	assert.Equal(t, 2, r.Rows[3].Desired["api"])
}

func TestRuleALB503UntilHealthy(t *testing.T) {
	r, err := Run(testStack(true), Scenario{Minutes: 4, Requests: always(60)})
	require.NoError(t, err)
	// Desired 1 at 60 s; running at 120 s; two health checks 15 s apart: serves from 150 s.
	assert.Equal(t, 150, r.FirstServed)
	assert.Equal(t, 60, r.Rows[0].Rejected+0*r.Rows[1].Rejected)
	assert.Equal(t, 30, r.Rows[2].Rejected)
}

func TestRuleVisibilityAndDeadLetter(t *testing.T) {
	s := testStack(false)
	s.Targets["worker"] = &Target{Service: "worker", Min: 3, Max: 3}
	// Jobs longer than the visibility timeout: received again when it ends,
	// dead-lettered once received more than maxReceiveCount times.
	r, err := Run(s, Scenario{Minutes: 5, Jobs: func(m int) int { return map[int]int{0: 1}[m] }, JobSeconds: 1000})
	require.NoError(t, err)
	assert.Equal(t, 1, r.Redelivered)
	assert.Equal(t, 1, r.DeadLettered)
}

func TestRuleStopTimeoutInterruptsLongJobs(t *testing.T) {
	s := testStack(false)
	wt := &Target{Service: "worker", Min: 0, Max: 1}
	idle := &Policy{Name: "idle", Target: wt, Step: &StepConfig{AdjustmentType: "ExactCapacity", Steps: []Step{{Upper: f(0), Adjustment: 0}}}}
	wt.Policies = []*Policy{idle}
	s.Targets["worker"] = wt
	s.Alarms = append(s.Alarms, &Alarm{Name: "x-worker-idle", Period: 60, EvaluationPeriods: 1, DatapointsToAlarm: 1, Threshold: 1, Comparison: "LessThanThreshold", TreatMissingData: "breaching", AlarmActions: []*Policy{idle},
		Queries: []Query{{ID: "m", ReturnData: true, Metric: &MetricStat{Namespace: "AWS/SQS", Name: "NumberOfMessagesSent", Stat: "Sum", Period: 60}}}})
	// A 600 s job (as 21,600 s processing once allowed) and a scale-in a
	// minute later: the 120 s stop timeout kills it.
	r, err := Run(s, Scenario{Minutes: 4, Initial: map[string]int{"worker": 1}, Jobs: func(m int) int { return map[int]int{0: 1}[m] }, JobSeconds: 600})
	require.NoError(t, err)
	assert.Equal(t, 1, r.Interrupted)
}

func TestRuleSQSMetricsStopWhenInactive(t *testing.T) {
	// No worker polls: one message at minute 0, then six quiet hours.
	r, err := Run(testStack(false), Scenario{Minutes: 7 * 60, Jobs: func(m int) int { return map[int]int{0: 1}[m] }})
	require.NoError(t, err)
	visible := MetricStat{Namespace: "AWS/SQS", Name: "ApproximateNumberOfMessagesVisible", Stat: "Maximum", Dimensions: map[string]string{"QueueName": "q"}}
	assert.Equal(t, 1.0, *r.world.Stat(visible, 60))
	assert.Nil(t, r.world.Stat(visible, 6*60+1), "asleep after six hours without activity")
}
