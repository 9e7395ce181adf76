// Package monitoring is the environment's alerting and overview: an encrypted
// SNS alerts topic with email subscriptions, a CloudWatch dashboard of every
// service, and alarms tiered by environment.
package monitoring

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchdashboard"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatcheventrule"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatcheventtarget"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchmetricalarm"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/snstopic"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/snstopicpolicy"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/snstopicsubscription"

	"github.com/flow-builder/infra/config"
	"github.com/flow-builder/infra/constructs/database"
	"github.com/flow-builder/infra/constructs/encryption"
	"github.com/flow-builder/infra/constructs/queue"
	"github.com/flow-builder/infra/constructs/scheduler"
	"github.com/flow-builder/infra/constructs/service"
	"github.com/flow-builder/infra/internal/iam"
	"github.com/flow-builder/infra/internal/tf"
)

// Props configures monitoring.
type Props struct {
	// Name prefixes alarm, topic and dashboard names. Required.
	Name string
	// Region and AccountID for the dashboard and the topic policy. Required.
	Region, AccountID string
	// Alarms holds the emails, the tier (Full) and the thresholds. Required.
	Alarms config.Alarms
	// NotifyRecovery also sends OK transitions to the topic. Default: off.
	NotifyRecovery bool
	// Key encrypts the topic; its policy must let CloudWatch use it
	// (encryption.CloudWatchAlarmsStatement). Required.
	Key *encryption.Key
	// The monitored resources. Required.
	Platform  *service.Platform
	Jobs      *queue.Queue
	Database  *database.Database
	Scheduler *scheduler.Scheduler
}

// Monitoring is the created topic and alarm names.
type Monitoring struct {
	// TopicArn is the alerts topic.
	TopicArn string
	// Alarms are the alarm names, in creation order.
	Alarms []string
}

// alarm is one CloudWatch alarm on one metric.
type alarm struct {
	id, description     string
	namespace, metric   string
	dims                map[string]string
	stat                string // Sum, Average, Maximum, Minimum or pNN
	period, evaluations int
	// datapoints is M of an "M out of N" alarm; 0 means all N (evaluations).
	datapoints int
	threshold  float64
	op         string
	missing    string
}

// New creates the topic, the dashboard and the alarms for the tier.
func New(scope constructs.Construct, id string, p Props) *Monitoring {
	if p.Name == "" || p.Region == "" || p.AccountID == "" || p.Key == nil || p.Platform == nil || p.Jobs == nil || p.Jobs.DeadLetter == nil || p.Database == nil || p.Scheduler == nil {
		panic("monitoring.New: Name, Region, AccountID, Key, Platform, Jobs (with a DLQ), Database and Scheduler are required")
	}
	c := constructs.NewConstruct(scope, &id)
	topic := snstopic.NewSnsTopic(c, tf.S("alerts"), &snstopic.SnsTopicConfig{
		Name:           tf.S(p.Name + "-alerts"),
		KmsMasterKeyId: tf.S(p.Key.Arn),
	})
	topicArn := *topic.Arn()
	// ECS reports a rollout the circuit breaker gave up on as
	// SERVICE_DEPLOYMENT_FAILED ("ECS Deployment State Change" events).
	deployFailed := cloudwatcheventrule.NewCloudwatchEventRule(c, tf.S("deployment-failed"), &cloudwatcheventrule.CloudwatchEventRuleConfig{
		Name:        tf.S(p.Name + "-deployment-failed"),
		Description: tf.S("An ECS service deployment of " + p.Name + " failed and was rolled back"),
		EventPattern: tf.S(mustJSON(map[string]any{
			"source":      []string{"aws.ecs"},
			"detail-type": []string{"ECS Deployment State Change"},
			"resources": []any{map[string]string{
				"prefix": fmt.Sprintf("arn:aws:ecs:%s:%s:service/%s/", p.Region, p.AccountID, p.Platform.ClusterName),
			}},
			"detail": map[string]any{"eventName": []string{"SERVICE_DEPLOYMENT_FAILED"}},
		})),
	})
	cloudwatcheventtarget.NewCloudwatchEventTarget(c, tf.S("deployment-failed-target"), &cloudwatcheventtarget.CloudwatchEventTargetConfig{
		Rule: deployFailed.Name(),
		Arn:  topic.Arn(),
	})
	snstopicpolicy.NewSnsTopicPolicy(c, tf.S("alerts-policy"), &snstopicpolicy.SnsTopicPolicyConfig{
		Arn: topic.Arn(),
		Policy: tf.S(iam.Document(
			iam.Statement{
				Sid: "CloudWatchAlarmsPublish", Effect: "Allow",
				Principal: map[string]any{"Service": "cloudwatch.amazonaws.com"},
				Action:    []string{"sns:Publish"}, Resource: []string{topicArn},
				Condition: map[string]map[string]any{"StringEquals": {"aws:SourceAccount": p.AccountID}},
			},
			iam.Statement{
				Sid: "DeploymentFailuresPublish", Effect: "Allow",
				Principal: map[string]any{"Service": "events.amazonaws.com"},
				Action:    []string{"sns:Publish"}, Resource: []string{topicArn},
				Condition: map[string]map[string]any{"ArnEquals": {"aws:SourceArn": *deployFailed.Arn()}},
			},
			iam.Statement{
				Sid: "AccountManagesTopic", Effect: "Allow",
				Principal: map[string]any{"AWS": "arn:aws:iam::" + p.AccountID + ":root"},
				Action:    []string{"sns:GetTopicAttributes", "sns:ListSubscriptionsByTopic", "sns:Publish", "sns:SetTopicAttributes", "sns:Subscribe"},
				Resource:  []string{topicArn},
			},
			iam.Statement{
				Sid: "DenyInsecureTransport", Effect: "Deny", Principal: map[string]any{"AWS": "*"},
				Action: []string{"sns:Publish"}, Resource: []string{topicArn},
				Condition: map[string]map[string]any{"Bool": {"aws:SecureTransport": "false"}},
			},
		)),
	})
	for i, email := range p.Alarms.Emails {
		snstopicsubscription.NewSnsTopicSubscription(c, tf.S(fmt.Sprintf("email-%d", i)), &snstopicsubscription.SnsTopicSubscriptionConfig{
			TopicArn: topic.Arn(), Protocol: tf.S("email"), Endpoint: tf.S(email),
		})
	}

	m := &Monitoring{TopicArn: topicArn}
	for _, a := range alarms(p) {
		cfg := &cloudwatchmetricalarm.CloudwatchMetricAlarmConfig{
			AlarmName:          tf.S(p.Name + "-" + a.id),
			AlarmDescription:   tf.S(a.description),
			Namespace:          tf.S(a.namespace),
			MetricName:         tf.S(a.metric),
			Dimensions:         tf.Tags(a.dims),
			Period:             tf.N(a.period),
			EvaluationPeriods:  tf.N(a.evaluations),
			DatapointsToAlarm:  tf.N(a.datapointsToAlarm()),
			Threshold:          tf.N(a.threshold),
			ComparisonOperator: tf.S(a.op),
			TreatMissingData:   tf.S(a.missing),
			AlarmActions:       tf.Ss(topicArn),
		}
		if a.stat[0] == 'p' {
			cfg.ExtendedStatistic = tf.S(a.stat)
		} else {
			cfg.Statistic = tf.S(a.stat)
		}
		if p.NotifyRecovery {
			cfg.OkActions = tf.Ss(topicArn)
		}
		cloudwatchmetricalarm.NewCloudwatchMetricAlarm(c, tf.S(a.id), cfg)
		m.Alarms = append(m.Alarms, p.Name+"-"+a.id)
	}

	cloudwatchdashboard.NewCloudwatchDashboard(c, tf.S("dashboard"), &cloudwatchdashboard.CloudwatchDashboardConfig{
		DashboardName: tf.S(p.Name),
		DashboardBody: tf.S(dashboard(p)),
	})
	return m
}

// alarms is the alarm set of the environment's tier: without Alarms.Full
// only the dead letters and the scheduler's health (every environment must
// notice that the scheduler stopped ticking); with it, the whole set. Missing
// data is "not breaching" for metrics that stop when a service scales to
// zero or that AWS publishes only when something went wrong.
func alarms(p Props) []alarm {
	a := p.Alarms
	jobsDLQ := map[string]string{"QueueName": p.Jobs.DeadLetter.Name}
	fn := map[string]string{"FunctionName": p.Scheduler.FunctionName}
	// AWS/Scheduler metrics exist per schedule group; the group holds only
	// this schedule. Names and dimension as documented in
	// https://docs.aws.amazon.com/scheduler/latest/UserGuide/monitoring-cloudwatch.html
	group := map[string]string{"ScheduleGroup": p.Scheduler.ScheduleGroup}
	sched := p.Scheduler.Schedule
	beat := sched.Heartbeat()
	always := []alarm{
		{id: "jobs-dlq-not-empty", description: "Jobs failed max_receive_count times and wait in the dead-letter queue",
			namespace: "AWS/SQS", metric: "ApproximateNumberOfMessagesVisible", dims: jobsDLQ, stat: "Maximum",
			period: 60, evaluations: 1, threshold: 1, op: "GreaterThanOrEqualToThreshold", missing: "notBreaching"},
		{id: "scheduler-errors", description: "The scheduler function failed: ticks may be missing",
			namespace: "AWS/Lambda", metric: "Errors", dims: fn, stat: "Sum",
			period: 300, evaluations: 1, threshold: 1, op: "GreaterThanOrEqualToThreshold", missing: "notBreaching"},
		// Lambda publishes Invocations only for periods with invocations, so
		// a silent scheduler is missing data, which must count as breaching.
		{id: "scheduler-heartbeat", description: fmt.Sprintf("The scheduler function was not invoked for %s although it should run every %s: the schedule stopped or cannot invoke it, so no ticks reach the jobs queue",
			span(beat.Window()), span(sched.Every)),
			namespace: "AWS/Lambda", metric: "Invocations", dims: fn, stat: "Sum",
			period: int(beat.Period.Seconds()), evaluations: beat.Evaluations, threshold: 1, op: "LessThanThreshold", missing: "breaching"},
		{id: "scheduler-target-errors", description: "EventBridge Scheduler could not invoke the scheduler function (it retries, then dead-letters the tick)",
			namespace: "AWS/Scheduler", metric: "TargetErrorCount", dims: group, stat: "Sum",
			period: 300, evaluations: 1, threshold: 1, op: "GreaterThanOrEqualToThreshold", missing: "notBreaching"},
		{id: "scheduler-ticks-dropped", description: "EventBridge Scheduler gave up on a tick after its retries: check the scheduler dead-letter queue",
			namespace: "AWS/Scheduler", metric: "InvocationDroppedCount", dims: group, stat: "Sum",
			period: 300, evaluations: 1, threshold: 1, op: "GreaterThanOrEqualToThreshold", missing: "notBreaching"},
		{id: "scheduler-dlq-delivery-failed", description: "EventBridge Scheduler could not write a failed tick to the scheduler dead-letter queue: the tick is lost",
			namespace: "AWS/Scheduler", metric: "InvocationsFailedToBeSentToDeadLetterCount", dims: group, stat: "Sum",
			period: 300, evaluations: 1, threshold: 1, op: "GreaterThanOrEqualToThreshold", missing: "notBreaching"},
		{id: "scheduler-dlq-not-empty", description: "Scheduled invocations failed and wait in the scheduler dead-letter queue",
			namespace: "AWS/SQS", metric: "ApproximateNumberOfMessagesVisible", dims: map[string]string{"QueueName": p.Scheduler.DeadLetter.Name}, stat: "Maximum",
			period: 60, evaluations: 1, threshold: 1, op: "GreaterThanOrEqualToThreshold", missing: "notBreaching"},
	}
	if !a.Full {
		return always
	}
	lb := map[string]string{"LoadBalancer": p.Platform.LoadBalancerArnSuffix}
	tg := map[string]string{"LoadBalancer": p.Platform.LoadBalancerArnSuffix, "TargetGroup": p.Platform.TargetGroupArnSuffix}
	svc := func(s *service.Service) map[string]string {
		return map[string]string{"ClusterName": p.Platform.ClusterName, "ServiceName": s.Name}
	}
	jobs := map[string]string{"QueueName": p.Jobs.Name}
	db := map[string]string{"DBInstanceIdentifier": p.Database.Identifier}
	// 3 bad minutes out of 5, not 3 in a row: one good minute in a burst of
	// errors does not reset the count. The description is written from the
	// same numbers.
	alb5xx := alarm{id: "alb-5xx",
		namespace: "AWS/ApplicationELB", metric: "HTTPCode_Target_5XX_Count", dims: lb, stat: "Sum",
		period: 60, evaluations: 5, datapoints: 3, threshold: float64(a.ALB5xxPerMinute), op: "GreaterThanOrEqualToThreshold", missing: "notBreaching"}
	alb5xx.description = fmt.Sprintf("The api answered >= %d 5xx per %s in %d of the last %s",
		a.ALB5xxPerMinute, per(time.Duration(alb5xx.period)*time.Second), alb5xx.datapoints, span(time.Duration(alb5xx.period*alb5xx.evaluations)*time.Second))
	full := []alarm{
		alb5xx,
		{id: "alb-latency-p95", description: fmt.Sprintf("p95 api response time above %d ms", a.LatencyP95Millis),
			namespace: "AWS/ApplicationELB", metric: "TargetResponseTime", dims: lb, stat: "p95",
			period: 60, evaluations: 5, threshold: float64(a.LatencyP95Millis) / 1000, op: "GreaterThanThreshold", missing: "notBreaching"},
		{id: "alb-unhealthy-targets", description: "An api task fails its health check",
			namespace: "AWS/ApplicationELB", metric: "UnHealthyHostCount", dims: tg, stat: "Maximum",
			period: 60, evaluations: 3, threshold: 1, op: "GreaterThanOrEqualToThreshold", missing: "notBreaching"},
		{id: "api-cpu-high", description: fmt.Sprintf("api CPU above %d%%", a.CPUPercent),
			namespace: "AWS/ECS", metric: "CPUUtilization", dims: svc(p.Platform.API), stat: "Average",
			period: 60, evaluations: 5, threshold: float64(a.CPUPercent), op: "GreaterThanThreshold", missing: "notBreaching"},
		{id: "api-memory-high", description: fmt.Sprintf("api memory above %d%%", a.MemoryPercent),
			namespace: "AWS/ECS", metric: "MemoryUtilization", dims: svc(p.Platform.API), stat: "Average",
			period: 60, evaluations: 5, threshold: float64(a.MemoryPercent), op: "GreaterThanThreshold", missing: "notBreaching"},
		{id: "worker-cpu-high", description: fmt.Sprintf("worker CPU above %d%%", a.CPUPercent),
			namespace: "AWS/ECS", metric: "CPUUtilization", dims: svc(p.Platform.Worker), stat: "Average",
			period: 60, evaluations: 5, threshold: float64(a.CPUPercent), op: "GreaterThanThreshold", missing: "notBreaching"},
		{id: "worker-memory-high", description: fmt.Sprintf("worker memory above %d%%", a.MemoryPercent),
			namespace: "AWS/ECS", metric: "MemoryUtilization", dims: svc(p.Platform.Worker), stat: "Average",
			period: 60, evaluations: 5, threshold: float64(a.MemoryPercent), op: "GreaterThanThreshold", missing: "notBreaching"},
		{id: "jobs-oldest-message", description: fmt.Sprintf("A job has waited more than %d s: the worker is not keeping up", a.QueueAgeSeconds),
			namespace: "AWS/SQS", metric: "ApproximateAgeOfOldestMessage", dims: jobs, stat: "Maximum",
			period: 60, evaluations: 5, threshold: float64(a.QueueAgeSeconds), op: "GreaterThanThreshold", missing: "notBreaching"},
		{id: "db-cpu-high", description: fmt.Sprintf("Database CPU above %d%%", a.CPUPercent),
			namespace: "AWS/RDS", metric: "CPUUtilization", dims: db, stat: "Average",
			period: 300, evaluations: 3, threshold: float64(a.CPUPercent), op: "GreaterThanThreshold", missing: "missing"},
		{id: "db-free-storage-low", description: fmt.Sprintf("Database free storage below %d GB", a.DBFreeStorageGB),
			namespace: "AWS/RDS", metric: "FreeStorageSpace", dims: db, stat: "Minimum",
			period: 300, evaluations: 1, threshold: float64(a.DBFreeStorageGB) * 1e9, op: "LessThanThreshold", missing: "missing"},
		{id: "db-freeable-memory-low", description: fmt.Sprintf("Database freeable memory below %d MiB", a.DBFreeMemoryMiB),
			namespace: "AWS/RDS", metric: "FreeableMemory", dims: db, stat: "Average",
			period: 300, evaluations: 3, threshold: float64(a.DBFreeMemoryMiB) * 1024 * 1024, op: "LessThanThreshold", missing: "missing"},
		{id: "db-connections-high", description: fmt.Sprintf("More than %d database connections", a.DBConnections),
			namespace: "AWS/RDS", metric: "DatabaseConnections", dims: db, stat: "Maximum",
			period: 300, evaluations: 2, threshold: float64(a.DBConnections), op: "GreaterThanThreshold", missing: "missing"},
		{id: "scheduler-throttles", description: "The scheduler function was throttled",
			namespace: "AWS/Lambda", metric: "Throttles", dims: fn, stat: "Sum",
			period: 300, evaluations: 1, threshold: 1, op: "GreaterThanOrEqualToThreshold", missing: "notBreaching"},
	}
	return append(always, full...)
}

func mustJSON(v any) string {
	out, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(out)
}

// datapointsToAlarm is M of "M out of N": datapoints, or all evaluations.
func (a alarm) datapointsToAlarm() int {
	if a.datapoints == 0 {
		return a.evaluations
	}
	return a.datapoints
}

// per is span without the "1 ": "minute", "5 minutes".
func per(d time.Duration) string {
	return strings.TrimPrefix(span(d), "1 ")
}

// span writes a whole number of minutes, hours or days for a description.
func span(d time.Duration) string {
	n, unit := int(d/time.Minute), "minute"
	switch {
	case d%(24*time.Hour) == 0:
		n, unit = int(d/(24*time.Hour)), "day"
	case d%time.Hour == 0:
		n, unit = int(d/time.Hour), "hour"
	}
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
