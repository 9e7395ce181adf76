package scaling

import (
	"fmt"
	"math"
)

// capacity is what Application Auto Scaling keeps per scalable target: the
// desired count and each policy's cooldowns (times in seconds).
type capacity struct {
	target  *Target
	desired int
	// per policy: scale-out cooldown end and the capacity before the
	// activity that started it; scale-in cooldown end.
	outUntil, inUntil map[*Policy]int
	outBase           map[*Policy]int
}

func newCapacity(t *Target, desired int) *capacity {
	return &capacity{target: t, desired: clamp(desired, t.Min, t.Max),
		outUntil: map[*Policy]int{}, inUntil: map[*Policy]int{}, outBase: map[*Policy]int{}}
}

// clamp keeps a capacity within the scalable target's bounds.
// https://docs.aws.amazon.com/autoscaling/application/APIReference/API_RegisterScalableTarget.html
// (MinCapacity/MaxCapacity: scaling policies never go below the minimum or above the maximum)
func clamp(n, lo, hi int) int { return max(lo, min(hi, n)) }

// pickStep finds the step adjustment whose interval holds the breach delta
// (metric value minus the alarm threshold).
//
// https://docs.aws.amazon.com/autoscaling/application/APIReference/API_StepAdjustment.html
//   - bounds are relative to the alarm threshold; a null lower bound is
//     negative infinity, a null upper bound positive infinity;
//   - above the threshold the lower bound is inclusive and the upper bound
//     exclusive; below it the lower bound is exclusive and the upper bound
//     inclusive.
func pickStep(steps []Step, delta float64) (Step, bool) {
	for _, s := range steps {
		lo, hi := math.Inf(-1), math.Inf(1)
		if s.Lower != nil {
			lo = *s.Lower
		}
		if s.Upper != nil {
			hi = *s.Upper
		}
		if delta >= 0 && delta >= lo && delta < hi || delta < 0 && delta > lo && delta <= hi {
			return s, true
		}
	}
	return Step{}, false
}

// missingStep is the step used when the alarm is in ALARM because missing
// data is treated as breaching, so there is no value to compare.
//
// Assumption (AWS documents no value for this case): the step adjacent to
// the threshold on the breaching side, i.e. the smallest breach.
func missingStep(steps []Step, op string) (Step, bool) {
	below := op == "LessThanThreshold" || op == "LessThanOrEqualToThreshold"
	if below {
		return pickStep(steps, -1e-9)
	}
	return pickStep(steps, 0)
}

// adjusted computes the new capacity a step adjustment asks for.
//
// https://docs.aws.amazon.com/autoscaling/application/APIReference/API_StepScalingPolicyConfiguration.html
//   - ChangeInCapacity adds the adjustment, ExactCapacity sets it,
//     PercentChangeInCapacity adds that percentage of the current capacity:
//     a result above 1 is rounded down, between 0 and 1 becomes 1, between
//     0 and -1 becomes -1, below -1 is rounded up;
//   - MinAdjustmentMagnitude: a PercentChangeInCapacity change is at least
//     this many units.
func adjusted(cfg *StepConfig, current, adjustment int) (int, error) {
	switch cfg.AdjustmentType {
	case "ChangeInCapacity":
		return current + adjustment, nil
	case "ExactCapacity":
		return adjustment, nil
	case "PercentChangeInCapacity":
		change := float64(current) * float64(adjustment) / 100
		var n int
		switch {
		case change > 1:
			n = int(math.Floor(change))
		case change > 0:
			n = 1
		case change < -1:
			n = int(math.Ceil(change))
		case change < 0:
			n = -1
		}
		if mag := cfg.MinAdjustmentMagnitude; mag > 0 && n != 0 && abs(n) < mag {
			n = mag * n / abs(n)
		}
		return current + n, nil
	}
	return current, fmt.Errorf("adjustment type %q is not replayed", cfg.AdjustmentType)
}

func abs(n int) int { return max(n, -n) }

// applyStep runs a step policy at time now (seconds) for a datapoint value
// (nil: missing data treated as breaching). It returns the activity, if any.
//
// Cooldowns, https://docs.aws.amazon.com/autoscaling/application/APIReference/API_StepScalingPolicyConfiguration.html (Cooldown)
// and https://docs.aws.amazon.com/autoscaling/application/userguide/step-scaling-policy-overview.html:
//   - scale-out: while the cooldown is in effect the capacity added by the
//     activity that started it counts as part of the desired capacity for
//     the next scale-out, so the policy only raises capacity further when a
//     larger scale-out is asked for;
//   - scale-in: blocked until the cooldown has expired; but a scale-out
//     during a scale-in cooldown happens immediately and ends that cooldown.
func (c *capacity) applyStep(p *Policy, a *Alarm, value *float64, now int) (string, error) {
	var s Step
	var ok bool
	if value == nil {
		s, ok = missingStep(p.Step.Steps, a.Comparison)
	} else {
		s, ok = pickStep(p.Step.Steps, *value-a.Threshold)
	}
	if !ok {
		return "", nil // no step holds the breach: no activity
	}
	base := c.desired
	inOutCooldown := now < c.outUntil[p]
	if inOutCooldown {
		base = c.outBase[p]
	}
	want, err := adjusted(p.Step, base, s.Adjustment)
	if err != nil {
		return "", err
	}
	want = clamp(want, c.target.Min, c.target.Max)
	if inOutCooldown && want <= c.desired {
		// Not a larger scale-out: judge it against the current capacity
		// (a scale-in is only subject to the scale-in cooldown).
		if want, err = adjusted(p.Step, c.desired, s.Adjustment); err != nil {
			return "", err
		}
		want = min(clamp(want, c.target.Min, c.target.Max), c.desired)
	}
	switch {
	case want > c.desired:
		if !inOutCooldown {
			c.outBase[p] = c.desired
			c.outUntil[p] = now + p.Step.Cooldown
		}
		c.endScaleIn()
	case want < c.desired:
		if now < c.inUntil[p] {
			return "", nil
		}
		c.inUntil[p] = now + p.Step.Cooldown
	default:
		return "", nil
	}
	msg := fmt.Sprintf("%s: %d -> %d", p.Name, c.desired, want)
	c.desired = want
	return msg, nil
}

// endScaleIn ends every scale-in cooldown of the target (a scale-out happened).
func (c *capacity) endScaleIn() {
	for p := range c.inUntil {
		delete(c.inUntil, p)
	}
}

// Target tracking: the alarms Application Auto Scaling creates for a policy.
//
// https://docs.aws.amazon.com/autoscaling/application/userguide/target-tracking-scaling-policy-overview.html
// and https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-autoscaling-targettracking.html:
//   - the scale-out alarm goes to ALARM after 3 consecutive one-minute
//     datapoints above the target value, the scale-in alarm after 15
//     consecutive one-minute datapoints below 90% of it;
//   - with insufficient data (e.g. a service with no running task publishes
//     no utilization) the policy does not scale;
//   - capacity changes in proportion to the metric: current × metric / target,
//     rounded up (scale out fast, scale in conservatively);
//   - with several target-tracking policies the target scales out if any of
//     them wants to, and scales in only if all of them (with scale-in enabled)
//     want to.
const (
	trackOutPoints = 3
	trackInPoints  = 15
	trackInRatio   = 0.9
)

// trackAlarms returns the states of a policy's scale-out and scale-in
// alarms over the newest-last one-minute datapoints.
func trackAlarms(p *Policy, points []*float64) (out, in State) {
	last := func(n int) []*float64 {
		if len(points) < n {
			return append(make([]*float64, n-len(points)), points...)
		}
		return points[len(points)-n:]
	}
	out, _ = nextState(InsufficientData, last(trackOutPoints), "GreaterThanThreshold", p.Track.Value, "missing", trackOutPoints)
	in, _ = nextState(InsufficientData, last(trackInPoints), "LessThanThreshold", trackInRatio*p.Track.Value, "missing", trackInPoints)
	return out, in
}

// proportional is the capacity a target-tracking policy asks for.
func proportional(current int, metric, target float64) int {
	return int(math.Ceil(float64(current) * metric / target))
}

// applyTracking runs every target-tracking policy of the target at time now.
// points holds each policy's metric, newest last.
func (c *capacity) applyTracking(points map[*Policy][]*float64, now int) string {
	outWant, inWant, inVotes, voters := c.desired, 0, 0, 0
	var outBy, inBy []*Policy
	for _, p := range c.target.Policies {
		if p.Track == nil {
			continue
		}
		pts := points[p]
		outState, inState := trackAlarms(p, pts)
		latest := pts[len(pts)-1]
		if !p.Track.DisableScaleIn {
			voters++
		}
		switch {
		case outState == InAlarm && latest != nil && now >= c.outUntil[p]:
			if w := proportional(c.desired, *latest, p.Track.Value); w > outWant {
				outWant = w
				outBy = append(outBy, p)
			}
		case inState == InAlarm && latest != nil && !p.Track.DisableScaleIn && now >= c.inUntil[p]:
			inVotes++
			inWant = max(inWant, proportional(c.desired, *latest, p.Track.Value))
			inBy = append(inBy, p)
		}
	}
	if outWant = clamp(outWant, c.target.Min, c.target.Max); outWant > c.desired {
		for _, p := range outBy {
			c.outUntil[p] = now + p.Track.ScaleOutCooldown
		}
		c.endScaleIn()
		msg := fmt.Sprintf("target tracking: %d -> %d", c.desired, outWant)
		c.desired = outWant
		return msg
	}
	if inVotes > 0 && inVotes == voters {
		if inWant = clamp(inWant, c.target.Min, c.target.Max); inWant < c.desired {
			for _, p := range inBy {
				c.inUntil[p] = now + p.Track.ScaleInCooldown
			}
			msg := fmt.Sprintf("target tracking: %d -> %d", c.desired, inWant)
			c.desired = inWant
			return msg
		}
	}
	return ""
}
