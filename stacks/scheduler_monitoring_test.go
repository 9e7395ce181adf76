package stacks

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flow-builder/infra/config"
)

func TestSchedulerFunction(t *testing.T) {
	eachEnv(t, func(t *testing.T, env *config.Environment, s stackJSON) {
		fnName, fn := findNamed(t, s.resources("aws_lambda_function"), "function_name", env.Prefix()+"-scheduler")
		assert.Equal(t, "provided.al2023", fn["runtime"])
		assert.Equal(t, []any{"arm64"}, fn["architectures"])
		assert.Equal(t, "Active", dig(fn, "tracing_config", "mode"))
		assert.Equal(t, float64(env.Scheduler.TimeoutSeconds), fn["timeout"])
		assert.Equal(t, float64(env.Scheduler.MemoryMiB), fn["memory_size"])
		if env.Scheduler.ReservedConcurrency > 0 {
			assert.Equal(t, float64(env.Scheduler.ReservedConcurrency), fn["reserved_concurrent_executions"])
		} else {
			assert.Nil(t, fn["reserved_concurrent_executions"], "0 leaves the function unreserved")
		}
		// Deterministic asset path: named by the source hash, no absolute path.
		assert.Regexp(t, `^assets/scheduler_code_[0-9A-F]+/[0-9a-f]{32}/scheduler\.zip$`, fn["filename"])
		// Outside the VPC: it only calls SQS, so it has no path to the
		// database and no network interfaces to wait for at destroy.
		assert.Nil(t, fn["vpc_config"], "the scheduler runs outside the VPC")
		assert.NotEmpty(t, fn["depends_on"], "created after its role's policies")

		lg := findBy(t, s.resources("aws_cloudwatch_log_group"), "name", "/aws/lambda/"+env.Prefix()+"-scheduler")
		assert.Equal(t, float64(env.Logs.RetentionDays), lg["retention_in_days"])

		dlqName, _ := findNamed(t, s.resources("aws_sqs_queue"), "name", env.Prefix()+"-scheduler-dlq")
		dlqArn := "${aws_sqs_queue." + dlqName + ".arn}"
		inv := s.only(t, "aws_lambda_function_event_invoke_config")
		assert.Equal(t, dlqArn, dig(inv, "destination_config", "on_failure", "destination"))

		sched := s.only(t, "aws_scheduler_schedule")
		assert.Equal(t, env.Scheduler.ScheduleExpression, sched["schedule_expression"])
		assert.Equal(t, env.Scheduler.Timezone, sched["schedule_expression_timezone"])
		assert.Equal(t, "${aws_lambda_function."+fnName+".arn}", dig(sched, "target", "arn"))
		assert.Equal(t, dlqArn, dig(sched, "target", "dead_letter_config", "arn"))
		assert.NotNil(t, dig(sched, "target", "retry_policy", "maximum_retry_attempts"))
		assert.Contains(t, dig(sched, "target", "input"), "<aws.scheduler.scheduled-time>")

		// The function may send to the jobs queue and its DLQ, nothing else of SQS.
		for name, rp := range s.resources("aws_iam_role_policy") {
			if !strings.HasPrefix(name, "scheduler_function-role_") {
				continue
			}
			for _, st := range policyDoc(t, rp["policy"]).statements() {
				for _, a := range st["Action"].([]any) {
					assert.NotContains(t, []any{"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:PurgeQueue"}, a, name)
					assert.False(t, strings.HasPrefix(a.(string), "ec2:"), "%s: no network interface permissions outside a VPC: %s", name, a)
				}
			}
		}
		// The schedule role may only invoke this function (and dead-letter).
		invoke := findBy(t, s.resources("aws_iam_role_policy"), "name", "invoke-function")
		assert.Equal(t, []any{"${aws_lambda_function." + fnName + ".arn}"}, policyDoc(t, invoke["policy"]).statement(t, "InvokeFunction")["Resource"])
	})
}

func TestAlertsTopic(t *testing.T) {
	eachEnv(t, func(t *testing.T, env *config.Environment, s stackJSON) {
		topic := s.only(t, "aws_sns_topic")
		assert.Contains(t, topic["kms_master_key_id"], "${aws_kms_key.key_")
		subs := s.resources("aws_sns_topic_subscription")
		var emails []any
		for _, sub := range subs {
			assert.Equal(t, "email", sub["protocol"])
			emails = append(emails, sub["endpoint"])
		}
		want := []any{}
		for _, e := range env.Alarms.Emails {
			want = append(want, e)
		}
		assert.ElementsMatch(t, want, emails)
		// Without this grant in the key policy, encrypted alarm notifications are dropped.
		key := policyDoc(t, s.only(t, "aws_kms_key")["policy"]).statement(t, "CloudWatchAlarmsPublishToEncryptedTopics")
		assert.Equal(t, "Allow", key["Effect"])
		tp := policyDoc(t, s.only(t, "aws_sns_topic_policy")["policy"]).statement(t, "CloudWatchAlarmsPublish")
		assert.Equal(t, "cloudwatch.amazonaws.com", dig(tp, "Principal", "Service"))
	})
}

// wantAlarms is the alarm set per tier (names without the prefix).
var (
	baseAlarms = []string{"jobs-dlq-not-empty", "scheduler-errors", "scheduler-heartbeat",
		"scheduler-target-errors", "scheduler-ticks-dropped", "scheduler-dlq-delivery-failed", "scheduler-dlq-not-empty"}
	fullAlarms = append(append([]string{}, baseAlarms...),
		"alb-5xx", "alb-latency-p95", "alb-unhealthy-targets",
		"api-cpu-high", "api-memory-high", "worker-cpu-high", "worker-memory-high",
		"jobs-oldest-message", "db-cpu-high", "db-free-storage-low", "db-freeable-memory-low", "db-connections-high",
		"scheduler-throttles")
	scalingAlarms = []string{"worker-backlog", "worker-idle"}
	scaleToZero   = []string{"api-wake-up", "api-idle"}
)

func TestAlarmsPerEnvironment(t *testing.T) {
	eachEnv(t, func(t *testing.T, env *config.Environment, s stackJSON) {
		topicName, _ := findNamed(t, s.resources("aws_sns_topic"), "name", env.Prefix()+"-alerts")
		topic := "${aws_sns_topic." + topicName + ".arn}"
		want := baseAlarms
		if env.Alarms.Full {
			want = fullAlarms
		}
		want = append(append([]string{}, want...), scalingAlarms...)
		if env.Services.API.MinCount == 0 {
			want = append(want, scaleToZero...)
		}
		var got []string
		for name, a := range s.resources("aws_cloudwatch_metric_alarm") {
			short := strings.TrimPrefix(a["alarm_name"].(string), env.Prefix()+"-")
			got = append(got, short)
			actions, _ := a["alarm_actions"].([]any)
			require.NotEmpty(t, actions, "every alarm has an action: %s", name)
			if strings.HasPrefix(name, "monitoring_") {
				assert.Equal(t, []any{topic}, actions, name)
				if env.Alarms.NotifyRecovery {
					assert.Equal(t, []any{topic}, a["ok_actions"], name)
				} else {
					assert.Nil(t, a["ok_actions"], name)
				}
			}
		}
		assert.ElementsMatch(t, want, got)
	})
	assert.True(t, envs[2].Alarms.NotifyRecovery, "prod also mails recoveries")
	assert.False(t, envs[0].Alarms.Full, "dev keeps only the essential alarms")
}

// TestSchedulerAlarms: every environment, dev too, notices a scheduler that
// stopped ticking and EventBridge Scheduler failing to deliver ticks.
func TestSchedulerAlarms(t *testing.T) {
	eachEnv(t, func(t *testing.T, env *config.Environment, s stackJSON) {
		topicName, _ := findNamed(t, s.resources("aws_sns_topic"), "name", env.Prefix()+"-alerts")
		topic := []any{"${aws_sns_topic." + topicName + ".arn}"}
		alarms := s.resources("aws_cloudwatch_metric_alarm")
		byName := func(short string) map[string]any { return findBy(t, alarms, "alarm_name", env.Prefix()+"-"+short) }
		fn := env.Prefix() + "-scheduler"

		// Heartbeat: fewer than one invocation in each of 3 schedule periods.
		sched, err := config.ParseSchedule(env.Scheduler.ScheduleExpression)
		require.NoError(t, err)
		hb := byName("scheduler-heartbeat")
		assert.Equal(t, "AWS/Lambda", hb["namespace"])
		assert.Equal(t, "Invocations", hb["metric_name"])
		assert.Equal(t, map[string]any{"FunctionName": fn}, hb["dimensions"])
		assert.Equal(t, "Sum", hb["statistic"])
		assert.Equal(t, sched.Every.Seconds(), hb["period"], "one period per tick")
		assert.Equal(t, float64(config.HeartbeatTicks), hb["evaluation_periods"])
		assert.Equal(t, float64(config.HeartbeatTicks), hb["datapoints_to_alarm"])
		assert.Equal(t, "LessThanThreshold", hb["comparison_operator"])
		assert.Equal(t, float64(1), hb["threshold"])
		assert.Equal(t, "breaching", hb["treat_missing_data"], "Lambda publishes nothing when nothing runs")
		assert.Equal(t, topic, hb["alarm_actions"])
		if env.Scheduler.ScheduleExpression == "rate(15 minutes)" {
			assert.Equal(t, float64(900), hb["period"])
			assert.Contains(t, hb["alarm_description"], "not invoked for 45 minutes although it should run every 15 minutes")
		}

		// EventBridge Scheduler's own failures, for the group that holds only this schedule.
		groupName, group := findNamed(t, s.resources("aws_scheduler_schedule_group"), "name", fn)
		assert.Equal(t, "${aws_scheduler_schedule_group."+groupName+".name}", s.only(t, "aws_scheduler_schedule")["group_name"])
		for short, metric := range map[string]string{
			"scheduler-target-errors":       "TargetErrorCount",
			"scheduler-ticks-dropped":       "InvocationDroppedCount",
			"scheduler-dlq-delivery-failed": "InvocationsFailedToBeSentToDeadLetterCount",
		} {
			a := byName(short)
			assert.Equal(t, "AWS/Scheduler", a["namespace"], short)
			assert.Equal(t, metric, a["metric_name"], short)
			assert.Equal(t, map[string]any{"ScheduleGroup": group["name"]}, a["dimensions"], short)
			assert.Equal(t, "Sum", a["statistic"], short)
			assert.Equal(t, "GreaterThanOrEqualToThreshold", a["comparison_operator"], short)
			assert.Equal(t, float64(1), a["threshold"], short)
			assert.Equal(t, "notBreaching", a["treat_missing_data"], short)
			assert.Equal(t, topic, a["alarm_actions"], short)
		}

		// The scheduler DLQ alarm is on in every tier.
		dlq := byName("scheduler-dlq-not-empty")
		assert.Equal(t, map[string]any{"QueueName": fn + "-dlq"}, dlq["dimensions"])
		assert.Equal(t, topic, dlq["alarm_actions"])
	})
}

// TestAlarmDescriptionsMatchWindows: a description that names an "M of N"
// window names the configured one, and M never exceeds N.
func TestAlarmDescriptionsMatchWindows(t *testing.T) {
	window := regexp.MustCompile(`(\d+) of the last (\d+) minutes`)
	eachEnv(t, func(t *testing.T, env *config.Environment, s stackJSON) {
		for name, a := range s.resources("aws_cloudwatch_metric_alarm") {
			n := a["evaluation_periods"].(float64)
			m, ok := a["datapoints_to_alarm"].(float64)
			if !ok {
				m = n // CloudWatch's default: every period breaches
			}
			assert.LessOrEqual(t, m, n, name)
			desc, _ := a["alarm_description"].(string)
			if got := window.FindStringSubmatch(desc); got != nil {
				assert.Equal(t, fmt.Sprint(m), got[1], "%s: %q", name, desc)
				assert.Equal(t, fmt.Sprint(n*a["period"].(float64)/60), got[2], "%s: %q", name, desc)
			}
		}
	})
}

func TestAlarmThresholdsFromConfig(t *testing.T) {
	synthAll(t)
	prod := envs[2]
	s := app(t, prod)
	alarms := s.resources("aws_cloudwatch_metric_alarm")
	byName := func(short string) map[string]any { return findBy(t, alarms, "alarm_name", prod.Prefix()+"-"+short) }
	assert.Equal(t, float64(prod.Alarms.LatencyP95Millis)/1000, byName("alb-latency-p95")["threshold"])
	assert.Equal(t, "p95", byName("alb-latency-p95")["extended_statistic"])
	assert.Equal(t, float64(prod.Alarms.ALB5xxPerMinute), byName("alb-5xx")["threshold"])
	assert.Equal(t, float64(prod.Alarms.QueueAgeSeconds), byName("jobs-oldest-message")["threshold"])
	assert.Equal(t, float64(prod.Alarms.DBFreeStorageGB)*1e9, byName("db-free-storage-low")["threshold"])
	// The 5xx description states the window the alarm is configured with.
	a5xx := byName("alb-5xx")
	assert.Equal(t, float64(5), a5xx["evaluation_periods"])
	assert.Equal(t, float64(3), a5xx["datapoints_to_alarm"])
	assert.Equal(t, float64(60), a5xx["period"])
	assert.Equal(t, fmt.Sprintf("The api answered >= %d 5xx per minute in 3 of the last 5 minutes", prod.Alarms.ALB5xxPerMinute), a5xx["alarm_description"])
	// Service metrics stop when tasks scale to zero: missing data is not a breach.
	assert.Equal(t, "notBreaching", byName("api-cpu-high")["treat_missing_data"])
}

// TestDashboard: valid JSON, every graph names only metrics of this stack's resources.
func TestDashboard(t *testing.T) {
	eachEnv(t, func(t *testing.T, env *config.Environment, s stackJSON) {
		d := s.only(t, "aws_cloudwatch_dashboard")
		var body struct {
			Widgets []struct {
				Properties struct {
					Title   string  `json:"title"`
					Region  string  `json:"region"`
					Metrics [][]any `json:"metrics"`
				} `json:"properties"`
			} `json:"widgets"`
		}
		require.NoError(t, json.Unmarshal([]byte(d["dashboard_body"].(string)), &body))
		require.GreaterOrEqual(t, len(body.Widgets), 9)
		known := knownDimensionValues(t, s)
		seen := map[string]bool{}
		for _, w := range body.Widgets {
			assert.Equal(t, env.Region, w.Properties.Region)
			for _, m := range w.Properties.Metrics {
				ns, name := m[0].(string), m[1].(string)
				seen[ns+" "+name] = true
				opts, _ := m[len(m)-1].(map[string]any)
				assert.NotEqual(t, "SampleCount", opts["stat"], "%s: %s SampleCount is not a count of anything useful", w.Properties.Title, name)
				for i := 2; i+1 < len(m); i += 2 {
					dim, val := m[i].(string), m[i+1].(string)
					assert.True(t, known[dim][val], "%s: %s %s=%s is not a resource of this stack", w.Properties.Title, name, dim, val)
				}
			}
		}
		for _, want := range []string{
			"AWS/ApplicationELB RequestCount", "AWS/ApplicationELB HTTPCode_Target_5XX_Count", "AWS/ApplicationELB TargetResponseTime",
			"AWS/ECS CPUUtilization", "AWS/ECS MemoryUtilization",
			"AWS/SQS ApproximateNumberOfMessagesVisible", "AWS/SQS ApproximateAgeOfOldestMessage",
			"AWS/RDS CPUUtilization", "AWS/RDS DatabaseConnections", "AWS/RDS FreeStorageSpace", "AWS/RDS FreeableMemory",
			"AWS/Lambda Invocations", "AWS/Lambda Errors", "AWS/Lambda Throttles",
		} {
			assert.True(t, seen[want], "dashboard shows %s", want)
		}
		// Running tasks come from Container Insights, where it is on.
		assert.Equal(t, env.Features.ContainerInsights, seen["ECS/ContainerInsights RunningTaskCount"], "running tasks graphed iff Container Insights is on")
	})
}

// knownDimensionValues lists, per CloudWatch dimension, the values that name
// a resource of the stack.
func knownDimensionValues(t *testing.T, s stackJSON) map[string]map[string]bool {
	t.Helper()
	known := map[string]map[string]bool{}
	add := func(dim, val string) {
		if known[dim] == nil {
			known[dim] = map[string]bool{}
		}
		known[dim][val] = true
	}
	for _, q := range s.resources("aws_sqs_queue") {
		add("QueueName", q["name"].(string))
	}
	for _, c := range s.resources("aws_ecs_cluster") {
		add("ClusterName", c["name"].(string))
	}
	for _, svc := range s.resources("aws_ecs_service") {
		add("ServiceName", svc["name"].(string))
	}
	for _, db := range s.resources("aws_db_instance") {
		add("DBInstanceIdentifier", db["identifier"].(string))
	}
	for _, fn := range s.resources("aws_lambda_function") {
		add("FunctionName", fn["function_name"].(string))
	}
	for name := range s.resources("aws_lb") {
		add("LoadBalancer", fmt.Sprintf("${aws_lb.%s.arn_suffix}", name))
	}
	for name := range s.resources("aws_lb_target_group") {
		add("TargetGroup", fmt.Sprintf("${aws_lb_target_group.%s.arn_suffix}", name))
	}
	return known
}

func TestLogRetentionPerTier(t *testing.T) {
	synthAll(t)
	for _, env := range envs {
		s := app(t, env)
		groups := s.resources("aws_cloudwatch_log_group")
		require.NotEmpty(t, groups)
		for name, g := range groups {
			days := g["retention_in_days"].(float64)
			assert.Equal(t, float64(env.Logs.RetentionDays), days, name)
			assert.NotEmpty(t, g["kms_key_id"], name)
			switch env.Name {
			case "dev":
				assert.LessOrEqual(t, days, 7.0, name)
			case "prod":
				assert.GreaterOrEqual(t, days, 30.0, name)
			}
		}
	}
}
