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

// MaxBacklogSteps bounds the worker's scale-out steps (AWS allows 20).
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
	// Idle: no request for idle_scale_in_minutes scales back to zero. Missing
	// data means no traffic, so it counts as idle.
	idle := stepPolicy(api, "idle", "ExactCapacity", 60, []step{{upper: "0", adjustment: 0}})
	cloudwatchmetricalarm.NewCloudwatchMetricAlarm(api.scope, tf.S("idle-alarm"), &cloudwatchmetricalarm.CloudwatchMetricAlarmConfig{
		AlarmName:          tf.S(api.Name + "-idle"),
		AlarmDescription:   tf.S(fmt.Sprintf("No request for %d minutes: scale the api to zero", p.Services.IdleScaleInMinutes)),
		Namespace:          tf.S("AWS/ApplicationELB"),
		MetricName:         tf.S("RequestCount"),
		Dimensions:         tf.Tags(map[string]string{"LoadBalancer": lb.arnSuffix}),
		Statistic:          tf.S("Sum"),
		Period:             tf.N(60),
		EvaluationPeriods:  tf.N(p.Services.IdleScaleInMinutes),
		Threshold:          tf.N(1),
		ComparisonOperator: tf.S("LessThanThreshold"),
		TreatMissingData:   tf.S("breaching"),
		AlarmActions:       tf.Ss(idle),
	})
}

// scaleWorker scales on the queue, not on CPU:
//   - out: while messages wait (ApproximateNumberOfMessagesVisible >= 1) add
//     one task per messages_per_task waiting, from zero on the first message;
//   - in: only when nothing is waiting AND nothing is in flight
//     (Visible + NotVisible == 0) for idle_scale_in_minutes, back to the minimum.
//
// It never scales in while a message is being processed.
func scaleWorker(p Props, out *Platform) {
	w := out.Worker
	perTask := p.Services.Worker.MessagesPerTask
	steps := backlogSteps(perTask, w.MaxCount)
	outPolicy := stepPolicy(w, "backlog", "ChangeInCapacity", 120, steps)
	queue := map[string]string{"QueueName": p.Queue.Name}
	cloudwatchmetricalarm.NewCloudwatchMetricAlarm(w.scope, tf.S("backlog-alarm"), &cloudwatchmetricalarm.CloudwatchMetricAlarmConfig{
		AlarmName:          tf.S(w.Name + "-backlog"),
		AlarmDescription:   tf.S(fmt.Sprintf("Jobs are waiting: add a worker task per %d waiting messages", perTask)),
		Namespace:          tf.S("AWS/SQS"),
		MetricName:         tf.S("ApproximateNumberOfMessagesVisible"),
		Dimensions:         tf.Tags(queue),
		Statistic:          tf.S("Maximum"),
		Period:             tf.N(60),
		EvaluationPeriods:  tf.N(1),
		Threshold:          tf.N(1),
		ComparisonOperator: tf.S("GreaterThanOrEqualToThreshold"),
		TreatMissingData:   tf.S("notBreaching"),
		AlarmActions:       tf.Ss(outPolicy),
	})
	inPolicy := stepPolicy(w, "idle", "ExactCapacity", 60, []step{{upper: "0", adjustment: w.MinCount}})
	metric := func(id, name string) *cloudwatchmetricalarm.CloudwatchMetricAlarmMetricQuery {
		return &cloudwatchmetricalarm.CloudwatchMetricAlarmMetricQuery{
			Id: tf.S(id),
			Metric: &cloudwatchmetricalarm.CloudwatchMetricAlarmMetricQueryMetric{
				Namespace: tf.S("AWS/SQS"), MetricName: tf.S(name), Dimensions: tf.Tags(queue),
				Stat: tf.S("Maximum"), Period: tf.N(60),
			},
		}
	}
	cloudwatchmetricalarm.NewCloudwatchMetricAlarm(w.scope, tf.S("idle-alarm"), &cloudwatchmetricalarm.CloudwatchMetricAlarmConfig{
		AlarmName:          tf.S(w.Name + "-idle"),
		AlarmDescription:   tf.S(fmt.Sprintf("No job waiting or in flight for %d minutes: scale the worker to its minimum", p.Services.IdleScaleInMinutes)),
		EvaluationPeriods:  tf.N(p.Services.IdleScaleInMinutes),
		Threshold:          tf.N(1),
		ComparisonOperator: tf.S("LessThanThreshold"),
		TreatMissingData:   tf.S("breaching"),
		AlarmActions:       tf.Ss(inPolicy),
		MetricQuery: []*cloudwatchmetricalarm.CloudwatchMetricAlarmMetricQuery{
			metric("visible", "ApproximateNumberOfMessagesVisible"),
			metric("inflight", "ApproximateNumberOfMessagesNotVisible"),
			{Id: tf.S("backlog"), Expression: tf.S("FILL(visible, 0) + FILL(inflight, 0)"), Label: tf.S("Messages waiting or in flight"), ReturnData: tf.B(true)},
		},
	})
}

type step struct {
	lower, upper string
	adjustment   int
}

// backlogSteps maps visible messages to tasks to add: 1..perTask waiting adds
// one task, each further perTask adds one more, up to maxCount (at most
// MaxBacklogSteps steps). Bounds are relative to the alarm threshold of 1.
func backlogSteps(perTask, maxCount int) []step {
	n := min(max(maxCount, 1), MaxBacklogSteps)
	var steps []step
	for k := 0; k < n; k++ {
		s := step{lower: fmt.Sprint(k * perTask), adjustment: k + 1}
		if k < n-1 {
			s.upper = fmt.Sprint((k + 1) * perTask)
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
