package scaling

import "fmt"

// State is a CloudWatch alarm state.
type State string

// The three alarm states.
const (
	OK               State = "OK"
	InAlarm          State = "ALARM"
	InsufficientData State = "INSUFFICIENT_DATA"
	breaching, fine        = 1, 0
	missingPoint           = -1
)

// Metrics answers a statistic of one metric over the one-minute period
// `minute` (nil: no datapoint published for it).
type Metrics interface {
	Stat(m MetricStat, minute int) *float64
	// AnyData reports whether any of the metrics has a datapoint in minute.
	AnyData(ms []MetricStat, minute int) bool
}

// value is the alarm's watched value in one period: the single metric's
// statistic, or the metric math query with return_data.
func (a *Alarm) value(src Metrics, minute int) (*float64, error) {
	vars := map[string]*float64{}
	var stats []MetricStat
	for _, q := range a.Queries {
		if q.Metric != nil {
			vars[q.ID] = src.Stat(*q.Metric, minute)
			stats = append(stats, *q.Metric)
		}
	}
	any := src.AnyData(stats, minute)
	for _, q := range a.Queries {
		if q.Expression != "" {
			v, err := evalExpr(q.Expression, vars, any)
			if err != nil {
				return nil, fmt.Errorf("alarm %s: %w", a.Name, err)
			}
			vars[q.ID] = v
		}
	}
	for _, q := range a.Queries {
		if q.ReturnData {
			return vars[q.ID], nil
		}
	}
	return nil, fmt.Errorf("alarm %s: no query returns data", a.Name)
}

// breaches compares a datapoint with the threshold (the statistic is the
// first operand).
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html (ComparisonOperator)
func breaches(op string, v, threshold float64) (bool, error) {
	switch op {
	case "GreaterThanOrEqualToThreshold":
		return v >= threshold, nil
	case "GreaterThanThreshold":
		return v > threshold, nil
	case "LessThanThreshold":
		return v < threshold, nil
	case "LessThanOrEqualToThreshold":
		return v <= threshold, nil
	}
	return false, fmt.Errorf("comparison operator %q is not replayed", op)
}

// nextState evaluates the alarm over its evaluation range: the last
// EvaluationPeriods datapoints, newest last, nil where none was published.
//
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-evaluation.html
//   - the alarm goes to ALARM when at least DatapointsToAlarm (M) of the last
//     EvaluationPeriods (N) datapoints breach; otherwise to OK.
//
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html
//   - notBreaching: a missing datapoint counts as within the threshold;
//   - breaching: a missing datapoint counts as breaching;
//   - ignore: the current state is kept while every datapoint is missing;
//   - missing (default): if every datapoint in the range is missing the
//     alarm goes to INSUFFICIENT_DATA.
//
// Assumption: with missing/ignore and only some datapoints missing, the
// present ones decide (ALARM if at least M breach, else OK); CloudWatch may
// look further back, which the replay does not.
func nextState(current State, points []*float64, op string, threshold float64, treat string, m int) (State, error) {
	nBreach, nPresent := 0, 0
	for _, p := range points {
		kind := missingPoint
		if p != nil {
			b, err := breaches(op, *p, threshold)
			if err != nil {
				return current, err
			}
			kind = fine
			if b {
				kind = breaching
			}
		} else {
			switch treat {
			case "breaching":
				kind = breaching
			case "notBreaching":
				kind = fine
			case "missing", "ignore":
			default:
				return current, fmt.Errorf("treat_missing_data %q is not replayed", treat)
			}
		}
		if kind != missingPoint {
			nPresent++
		}
		if kind == breaching {
			nBreach++
		}
	}
	switch {
	case nPresent == 0 && treat == "ignore":
		return current, nil
	case nPresent == 0:
		return InsufficientData, nil
	case nBreach >= m:
		return InAlarm, nil
	}
	return OK, nil
}
