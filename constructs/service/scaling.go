package service

import (
	"fmt"

	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/appautoscalingpolicy"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchmetricalarm"

	"github.com/flow-builder/infra/internal/tf"
)

// The scalable dimension every policy here acts on.
const (
	scalingNamespace  = "ecs"
	scalableDimension = "ecs:service:DesiredCount"
)

// MaxBacklogSteps bounds the worker's backlog bands (AWS allows 20 step
// adjustments per policy); beyond them the last band runs max_count tasks.
const MaxBacklogSteps = 10

// scaleAPI: target tracking on CPU and memory; where the minimum is 0, a
// wake-up path (a request that found no healthy task) and an idle scale-in.
func scaleAPI(p Props, out *Platform, lb *loadBalancer) {
	api := out.API
	for _, m := range []struct {
		id, metric string
		target     int
	}{
		{"cpu", "ECSServiceAverageCPUUtilization", p.Services.API.CPUTargetPercent},
		{"memory", "ECSServiceAverageMemoryUtilization", p.Services.API.MemoryTargetPercent},
	} {
		appautoscalingpolicy.NewAppautoscalingPolicy(api.scope, tf.S("scale-on-"+m.id), &appautoscalingpolicy.AppautoscalingPolicyConfig{
			Name:              tf.S(api.Name + "-" + m.id + "-target"),
			PolicyType:        tf.S("TargetTrackingScaling"),
			ServiceNamespace:  tf.S(scalingNamespace),
			ResourceId:        api.scalingTarget.ResourceId(),
			ScalableDimension: tf.S(scalableDimension),
			TargetTrackingScalingPolicyConfiguration: &appautoscalingpolicy.AppautoscalingPolicyTargetTrackingScalingPolicyConfiguration{
				TargetValue:      tf.N(m.target),
				ScaleInCooldown:  tf.N(300),
				ScaleOutCooldown: tf.N(60),
				PredefinedMetricSpecification: &appautoscalingpolicy.AppautoscalingPolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecification{
					PredefinedMetricType: tf.S(m.metric),
				},
			},
		})
	}
	if api.MinCount > 0 {
		return
	}
	// Wake-up: with no task registered the ALB answers 503 itself
	// (HTTPCode_ELB_503_Count); one such minute starts one task. The cooldown
	// covers a task's start so a burst does not add a task per minute.
	wake := stepPolicy(api, "wake", "ChangeInCapacity", 240, []step{{lower: "0", adjustment: 1}})
	cloudwatchmetricalarm.NewCloudwatchMetricAlarm(api.scope, tf.S("wake-alarm"), &cloudwatchmetricalarm.CloudwatchMetricAlarmConfig{
		AlarmName:          tf.S(api.Name + "-wake-up"),
		AlarmDescription:   tf.S("Requests reached the load balancer while the api had no task: start one"),
		Namespace:          tf.S("AWS/ApplicationELB"),
		MetricName:         tf.S("HTTPCode_ELB_503_Count"),
		Dimensions:         tf.Tags(map[string]string{"LoadBalancer": lb.arnSuffix}),
		Statistic:          tf.S("Sum"),
		Period:             tf.N(60),
		EvaluationPeriods:  tf.N(1),
		Threshold:          tf.N(1),
		ComparisonOperator: tf.S("GreaterThanOrEqualToThreshold"),
		TreatMissingData:   tf.S("notBreaching"),
		AlarmActions:       tf.Ss(wake),
	})
	// Idle: no request for idle_scale_in_minutes scales back to zero. A
	// request counts whether a task answered it (RequestCount) or the load
	// balancer rejected it for want of a task (HTTPCode_ELB_503_Count, which
	// RequestCount does not include): otherwise the idle alarm stays in ALARM
	// while the api wakes, and re-invokes its policy every minute, setting
	// the count back to 0. Missing data means no traffic, so it counts as idle.
	idle := stepPolicy(api, "idle", "ExactCapacity", 60, []step{{upper: "0", adjustment: 0}})
	lbMetric := func(id, name string) *cloudwatchmetricalarm.CloudwatchMetricAlarmMetricQuery {
		return &cloudwatchmetricalarm.CloudwatchMetricAlarmMetricQuery{
			Id: tf.S(id),
			Metric: &cloudwatchmetricalarm.CloudwatchMetricAlarmMetricQueryMetric{
				Namespace: tf.S("AWS/ApplicationELB"), MetricName: tf.S(name),
				Dimensions: tf.Tags(map[string]string{"LoadBalancer": lb.arnSuffix}),
				Stat:       tf.S("Sum"), Period: tf.N(60),
			},
		}
	}
	cloudwatchmetricalarm.NewCloudwatchMetricAlarm(api.scope, tf.S("idle-alarm"), &cloudwatchmetricalarm.CloudwatchMetricAlarmConfig{
		AlarmName:          tf.S(api.Name + "-idle"),
		AlarmDescription:   tf.S(fmt.Sprintf("No request (answered or rejected) for %d minutes: scale the api to zero", p.Services.IdleScaleInMinutes)),
		EvaluationPeriods:  tf.N(p.Services.IdleScaleInMinutes),
		Threshold:          tf.N(1),
		ComparisonOperator: tf.S("LessThanThreshold"),
		TreatMissingData:   tf.S("breaching"),
		AlarmActions:       tf.Ss(idle),
		MetricQuery: []*cloudwatchmetricalarm.CloudwatchMetricAlarmMetricQuery{
			lbMetric("answered", "RequestCount"),
			lbMetric("rejected", "HTTPCode_ELB_503_Count"),
			{Id: tf.S("requests"), Expression: tf.S("FILL(answered, 0) + FILL(rejected, 0)"), Label: tf.S("Requests answered or rejected"), ReturnData: tf.B(true)},
		},
	})
}

// scaleWorker scales on the queue, not on CPU:
//   - capacity follows the backlog: while any message waits or is in flight
//     (Visible + NotVisible >= 1) the backlog alarm sets the count to
//     ceil(backlog / messages_per_task) tasks (ExactCapacity bands, capped at
//     max_count). The alarm re-invokes the policy every minute it stays in
//     ALARM, so the count tracks the backlog instead of ratcheting up;
//   - to the minimum only when nothing was sent, waits or is in flight for
//     idle_scale_in_minutes.
//
// A band lower than the current count stops tasks while messages may be in
// flight; a stopped worker finishes its message within the stop timeout,
// which config requires to cover queue.worker_processing_seconds.
func scaleWorker(p Props, out *Platform) {
	w := out.Worker
	perTask := p.Services.Worker.MessagesPerTask
	queue := map[string]string{"QueueName": p.Queue.Name}
	metric := func(id, name, stat string) *cloudwatchmetricalarm.CloudwatchMetricAlarmMetricQuery {
		return &cloudwatchmetricalarm.CloudwatchMetricAlarmMetricQuery{
			Id: tf.S(id),
			Metric: &cloudwatchmetricalarm.CloudwatchMetricAlarmMetricQueryMetric{
				Namespace: tf.S("AWS/SQS"), MetricName: tf.S(name), Dimensions: tf.Tags(queue),
				Stat: tf.S(stat), Period: tf.N(60),
			},
		}
	}
	outPolicy := stepPolicy(w, "backlog", "ExactCapacity", 60, backlogSteps(perTask, w.MaxCount))
	cloudwatchmetricalarm.NewCloudwatchMetricAlarm(w.scope, tf.S("backlog-alarm"), &cloudwatchmetricalarm.CloudwatchMetricAlarmConfig{
		AlarmName:          tf.S(w.Name + "-backlog"),
		AlarmDescription:   tf.S(fmt.Sprintf("Jobs are waiting or in flight: run one worker task per %d of them", perTask)),
		EvaluationPeriods:  tf.N(1),
		Threshold:          tf.N(1),
		ComparisonOperator: tf.S("GreaterThanOrEqualToThreshold"),
		TreatMissingData:   tf.S("notBreaching"),
		AlarmActions:       tf.Ss(outPolicy),
		MetricQuery: []*cloudwatchmetricalarm.CloudwatchMetricAlarmMetricQuery{
			metric("visible", "ApproximateNumberOfMessagesVisible", "Maximum"),
			metric("inflight", "ApproximateNumberOfMessagesNotVisible", "Maximum"),
			{Id: tf.S("backlog"), Expression: tf.S("FILL(visible, 0) + FILL(inflight, 0)"), Label: tf.S("Messages waiting or in flight"), ReturnData: tf.B(true)},
		},
	})
	// Idle: the queue metrics are one sample a minute, so a short job can
	// come and go between samples; NumberOfMessagesSent (a sum over the
	// minute) sees it, so a steady trickle never looks idle.
	inPolicy := stepPolicy(w, "idle", "ExactCapacity", 60, []step{{upper: "0", adjustment: w.MinCount}})
	cloudwatchmetricalarm.NewCloudwatchMetricAlarm(w.scope, tf.S("idle-alarm"), &cloudwatchmetricalarm.CloudwatchMetricAlarmConfig{
		AlarmName:          tf.S(w.Name + "-idle"),
		AlarmDescription:   tf.S(fmt.Sprintf("No job sent, waiting or in flight for %d minutes: scale the worker to its minimum", p.Services.IdleScaleInMinutes)),
		EvaluationPeriods:  tf.N(p.Services.IdleScaleInMinutes),
		Threshold:          tf.N(1),
		ComparisonOperator: tf.S("LessThanThreshold"),
		TreatMissingData:   tf.S("breaching"),
		AlarmActions:       tf.Ss(inPolicy),
		MetricQuery: []*cloudwatchmetricalarm.CloudwatchMetricAlarmMetricQuery{
			metric("visible", "ApproximateNumberOfMessagesVisible", "Maximum"),
			metric("inflight", "ApproximateNumberOfMessagesNotVisible", "Maximum"),
			metric("sent", "NumberOfMessagesSent", "Sum"),
			{Id: tf.S("activity"), Expression: tf.S("FILL(visible, 0) + FILL(inflight, 0) + FILL(sent, 0)"), Label: tf.S("Messages sent, waiting or in flight"), ReturnData: tf.B(true)},
		},
	})
}

type step struct {
	lower, upper string
	adjustment   int
}

// backlogSteps maps the backlog b (waiting + in flight) to an exact task
// count: 1..perTask is one task, perTask+1..2*perTask two, and so on; the
// last band (at most MaxBacklogSteps) is open-ended and runs maxCount tasks.
// Bounds are relative to the alarm threshold of 1, so band k (k tasks) is
// b-1 in [(k-1)*perTask, k*perTask).
func backlogSteps(perTask, maxCount int) []step {
	n := min(max(maxCount, 1), MaxBacklogSteps)
	var steps []step
	for k := 1; k <= n; k++ {
		s := step{lower: fmt.Sprint((k - 1) * perTask), adjustment: k}
		if k < n {
			s.upper = fmt.Sprint(k * perTask)
		} else {
			s.adjustment = max(maxCount, 1)
		}
		steps = append(steps, s)
	}
	return steps
}

// stepPolicy creates a step-scaling policy on svc and returns its ARN.
func stepPolicy(svc *Service, id, adjustment string, cooldown int, steps []step) string {
	var adj []*appautoscalingpolicy.AppautoscalingPolicyStepScalingPolicyConfigurationStepAdjustment
	for _, s := range steps {
		a := &appautoscalingpolicy.AppautoscalingPolicyStepScalingPolicyConfigurationStepAdjustment{ScalingAdjustment: tf.N(s.adjustment)}
		if s.lower != "" {
			a.MetricIntervalLowerBound = tf.S(s.lower)
		}
		if s.upper != "" {
			a.MetricIntervalUpperBound = tf.S(s.upper)
		}
		adj = append(adj, a)
	}
	pol := appautoscalingpolicy.NewAppautoscalingPolicy(svc.scope, tf.S(id+"-policy"), &appautoscalingpolicy.AppautoscalingPolicyConfig{
		Name:              tf.S(svc.Name + "-" + id),
		PolicyType:        tf.S("StepScaling"),
		ServiceNamespace:  tf.S(scalingNamespace),
		ResourceId:        svc.scalingTarget.ResourceId(),
		ScalableDimension: tf.S(scalableDimension),
		StepScalingPolicyConfiguration: &appautoscalingpolicy.AppautoscalingPolicyStepScalingPolicyConfiguration{
			AdjustmentType:        tf.S(adjustment),
			Cooldown:              tf.N(cooldown),
			MetricAggregationType: tf.S("Maximum"),
			StepAdjustment:        adj,
		},
	})
	return *pol.Arn()
}
