package scaling

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
)

// Stack is the scaling-relevant part of one synthesized application stack.
type Stack struct {
	// Targets by service name ("api", "worker").
	Targets map[string]*Target
	// Alarms in logical-name order (deterministic evaluation order).
	Alarms []*Alarm
	// Queue is the jobs queue the worker consumes.
	Queue Queue
	// HealthCheck is the api target group's health check.
	HealthCheck HealthCheck
	// StopTimeout is each service's container stopTimeout in seconds.
	StopTimeout map[string]int
}

// Target is an aws_appautoscaling_target with the policies acting on it.
type Target struct {
	Service  string
	Min, Max int
	Policies []*Policy
}

// Policy is an aws_appautoscaling_policy.
type Policy struct {
	Name   string
	Target *Target
	Step   *StepConfig
	Track  *TrackConfig
}

// StepConfig is a step_scaling_policy_configuration.
type StepConfig struct {
	AdjustmentType         string
	Cooldown               int
	MinAdjustmentMagnitude int
	Steps                  []Step
}

// Step is one step_adjustment; nil bounds are infinite.
type Step struct {
	Lower, Upper *float64
	Adjustment   int
}

// TrackConfig is a target_tracking_scaling_policy_configuration with a
// predefined metric.
type TrackConfig struct {
	Metric                            string
	Value                             float64
	ScaleInCooldown, ScaleOutCooldown int
	DisableScaleIn                    bool
}

// Queue is the jobs queue.
type Queue struct {
	Name              string
	VisibilitySeconds int
	MaxReceiveCount   int
}

// HealthCheck is the target group's health check.
type HealthCheck struct {
	IntervalSeconds, HealthyThreshold int
}

// MetricStat names one CloudWatch metric and the statistic an alarm reads.
type MetricStat struct {
	Namespace, Name, Stat string
	Dimensions            map[string]string
	Period                int
}

// Query is one metric_query of a metric math alarm (or the single metric of
// a plain alarm, with ID "m").
type Query struct {
	ID         string
	Metric     *MetricStat
	Expression string
	ReturnData bool
}

// Alarm is an aws_cloudwatch_metric_alarm.
type Alarm struct {
	Name                                         string
	Queries                                      []Query
	Period, EvaluationPeriods, DatapointsToAlarm int
	Threshold                                    float64
	Comparison                                   string
	TreatMissingData                             string
	AlarmActions, OKActions                      []*Policy
}

// LoadFile reads a synthesized stack from a JSON file.
func LoadFile(path string) (*Stack, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	s, err := Load(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

type raw = map[string]any

// Load decodes the scaling wiring of a synthesized stack.
func Load(data []byte) (*Stack, error) {
	var doc struct {
		Resource map[string]map[string]raw `json:"resource"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	s := &Stack{Targets: map[string]*Target{}, StopTimeout: map[string]int{}}
	byLogical := map[string]*Target{}
	for _, name := range sortedKeys(doc.Resource["aws_appautoscaling_target"]) {
		r := doc.Resource["aws_appautoscaling_target"][name]
		svc := serviceOf(str(r["resource_id"]))
		if svc == "" {
			return nil, fmt.Errorf("scalable target %s: resource_id %q names no known service", name, str(r["resource_id"]))
		}
		t := &Target{Service: svc, Min: num(r["min_capacity"]), Max: num(r["max_capacity"])}
		s.Targets[svc] = t
		byLogical[name] = t
	}
	policies := map[string]*Policy{}
	for _, name := range sortedKeys(doc.Resource["aws_appautoscaling_policy"]) {
		r := doc.Resource["aws_appautoscaling_policy"][name]
		ref := str(r["resource_id"]) // ${aws_appautoscaling_target.X.resource_id}
		t := byLogical[between(ref, "aws_appautoscaling_target.", ".resource_id")]
		if t == nil {
			return nil, fmt.Errorf("policy %s: resource_id %q is no scalable target of the stack", name, ref)
		}
		p := &Policy{Name: str(r["name"]), Target: t}
		switch str(r["policy_type"]) {
		case "StepScaling":
			c := obj(r["step_scaling_policy_configuration"])
			p.Step = &StepConfig{AdjustmentType: str(c["adjustment_type"]), Cooldown: num(c["cooldown"]), MinAdjustmentMagnitude: num(c["min_adjustment_magnitude"])}
			for _, a := range list(c["step_adjustment"]) {
				a := obj(a)
				p.Step.Steps = append(p.Step.Steps, Step{Lower: bound(a["metric_interval_lower_bound"]), Upper: bound(a["metric_interval_upper_bound"]), Adjustment: num(a["scaling_adjustment"])})
			}
		case "TargetTrackingScaling":
			c := obj(r["target_tracking_scaling_policy_configuration"])
			p.Track = &TrackConfig{
				Metric: str(obj(c["predefined_metric_specification"])["predefined_metric_type"]), Value: flt(c["target_value"]),
				ScaleInCooldown: num(c["scale_in_cooldown"]), ScaleOutCooldown: num(c["scale_out_cooldown"]),
				DisableScaleIn: c["disable_scale_in"] == true,
			}
			if p.Track.Metric == "" {
				return nil, fmt.Errorf("policy %s: only predefined target-tracking metrics are replayed", name)
			}
		default:
			return nil, fmt.Errorf("policy %s: unknown policy_type %v", name, r["policy_type"])
		}
		t.Policies = append(t.Policies, p)
		policies[name] = p
	}
	for _, name := range sortedKeys(doc.Resource["aws_cloudwatch_metric_alarm"]) {
		r := doc.Resource["aws_cloudwatch_metric_alarm"][name]
		a := &Alarm{
			Name: str(r["alarm_name"]), Period: num(r["period"]), EvaluationPeriods: num(r["evaluation_periods"]),
			DatapointsToAlarm: num(r["datapoints_to_alarm"]), Threshold: flt(r["threshold"]),
			Comparison: str(r["comparison_operator"]), TreatMissingData: str(r["treat_missing_data"]),
		}
		if a.TreatMissingData == "" {
			a.TreatMissingData = "missing" // the provider's and CloudWatch's default
		}
		if a.DatapointsToAlarm == 0 {
			a.DatapointsToAlarm = a.EvaluationPeriods
		}
		if qs := list(r["metric_query"]); len(qs) > 0 {
			for _, q := range qs {
				q := obj(q)
				query := Query{ID: str(q["id"]), Expression: str(q["expression"]), ReturnData: q["return_data"] == true}
				if m := obj(q["metric"]); m != nil {
					query.Metric = &MetricStat{Namespace: str(m["namespace"]), Name: str(m["metric_name"]), Stat: str(m["stat"]), Dimensions: dims(m["dimensions"]), Period: num(m["period"])}
					if a.Period == 0 {
						a.Period = query.Metric.Period
					}
				}
				a.Queries = append(a.Queries, query)
			}
		} else {
			a.Queries = []Query{{ID: "m", ReturnData: true, Metric: &MetricStat{
				Namespace: str(r["namespace"]), Name: str(r["metric_name"]), Stat: str(r["statistic"]), Dimensions: dims(r["dimensions"]), Period: a.Period,
			}}}
		}
		scaling := false
		for field, dst := range map[string]*[]*Policy{"alarm_actions": &a.AlarmActions, "ok_actions": &a.OKActions} {
			for _, act := range list(r[field]) {
				if p := policies[between(str(act), "aws_appautoscaling_policy.", ".arn")]; p != nil {
					*dst = append(*dst, p)
					scaling = true
				}
			}
		}
		if scaling { // alarms that only notify do not change capacity
			s.Alarms = append(s.Alarms, a)
		}
	}
	for _, name := range sortedKeys(doc.Resource["aws_sqs_queue"]) {
		r := doc.Resource["aws_sqs_queue"][name]
		var redrive struct {
			MaxReceiveCount int `json:"maxReceiveCount"`
		}
		if rp := str(r["redrive_policy"]); rp != "" && !strings.HasSuffix(str(r["name"]), "-dlq") && strings.HasSuffix(str(r["name"]), "-jobs") {
			if err := json.Unmarshal([]byte(rp), &redrive); err != nil {
				return nil, fmt.Errorf("queue %s: redrive_policy: %w", name, err)
			}
			s.Queue = Queue{Name: str(r["name"]), VisibilitySeconds: num(r["visibility_timeout_seconds"]), MaxReceiveCount: redrive.MaxReceiveCount}
		}
	}
	for _, name := range sortedKeys(doc.Resource["aws_lb_target_group"]) {
		hc := obj(doc.Resource["aws_lb_target_group"][name]["health_check"])
		s.HealthCheck = HealthCheck{IntervalSeconds: num(hc["interval"]), HealthyThreshold: num(hc["healthy_threshold"])}
	}
	for _, name := range sortedKeys(doc.Resource["aws_ecs_task_definition"]) {
		var defs []struct {
			Name        string `json:"name"`
			StopTimeout int    `json:"stopTimeout"`
		}
		if err := json.Unmarshal([]byte(str(doc.Resource["aws_ecs_task_definition"][name]["container_definitions"])), &defs); err != nil {
			return nil, fmt.Errorf("task definition %s: %w", name, err)
		}
		for _, d := range defs {
			s.StopTimeout[d.Name] = d.StopTimeout
		}
	}
	if s.Queue.Name == "" || s.HealthCheck.IntervalSeconds == 0 || s.Targets["api"] == nil || s.Targets["worker"] == nil {
		return nil, fmt.Errorf("stack lacks the jobs queue, the api target group or a scalable target")
	}
	return s, nil
}

// serviceOf maps "service/<cluster>/${aws_ecs_service.platform_api_service_X.name}" to "api".
func serviceOf(resourceID string) string {
	for _, svc := range []string{"api", "worker"} {
		if strings.Contains(resourceID, "_"+svc+"_service") {
			return svc
		}
	}
	return ""
}

func between(s, from, to string) string {
	i := strings.Index(s, from)
	if i < 0 {
		return ""
	}
	rest := s[i+len(from):]
	j := strings.Index(rest, to)
	if j < 0 {
		return ""
	}
	return rest[:j]
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func str(v any) string { s, _ := v.(string); return s }
func obj(v any) raw {
	if l, ok := v.([]any); ok && len(l) == 1 {
		v = l[0]
	}
	o, _ := v.(raw)
	return o
}
func list(v any) []any {
	if o, ok := v.(raw); ok {
		return []any{o}
	}
	l, _ := v.([]any)
	return l
}
func flt(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case string:
		f, _ := strconv.ParseFloat(x, 64)
		return f
	}
	return 0
}
func num(v any) int { return int(flt(v)) }
func bound(v any) *float64 {
	if v == nil || v == "" {
		return nil
	}
	f := flt(v)
	return &f
}
func dims(v any) map[string]string {
	out := map[string]string{}
	for k, x := range obj(v) {
		out[k] = str(x)
	}
	return out
}
