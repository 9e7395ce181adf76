package stacks

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flow-builder/infra/config"

	"github.com/flow-builder/infra/constructs/service"
)

func TestRegistry(t *testing.T) {
	eachEnv(t, func(t *testing.T, env *config.Environment, s stackJSON) {
		repos := s.resources("aws_ecr_repository")
		require.Len(t, repos, 2)
		want := "MUTABLE"
		if env.Registry.ImmutableTags {
			want = "IMMUTABLE"
		}
		for name, r := range repos {
			assert.Equal(t, true, dig(r, "image_scanning_configuration", "scan_on_push"), name)
			assert.Equal(t, "KMS", dig(r, "encryption_configuration", "encryption_type"), name)
			assert.Contains(t, dig(r, "encryption_configuration", "kms_key"), "${aws_kms_key.key_", name)
			assert.Equal(t, want, r["image_tag_mutability"], name)
		}
		for _, lp := range s.resources("aws_ecr_lifecycle_policy") {
			var doc struct {
				Rules []struct {
					Selection struct {
						TagStatus   string `json:"tagStatus"`
						CountType   string `json:"countType"`
						CountNumber int    `json:"countNumber"`
					} `json:"selection"`
				} `json:"rules"`
			}
			require.NoError(t, json.Unmarshal([]byte(lp["policy"].(string)), &doc))
			require.Len(t, doc.Rules, 2)
			assert.Equal(t, "untagged", doc.Rules[0].Selection.TagStatus)
			assert.Equal(t, env.Registry.UntaggedExpiryDays, doc.Rules[0].Selection.CountNumber)
			assert.Equal(t, "imageCountMoreThan", doc.Rules[1].Selection.CountType)
			assert.Equal(t, env.Registry.KeepReleaseImages, doc.Rules[1].Selection.CountNumber)
		}
	})
}

func TestJobsQueue(t *testing.T) {
	eachEnv(t, func(t *testing.T, env *config.Environment, s stackJSON) {
		queues := s.resources("aws_sqs_queue")
		main := findBy(t, queues, "name", env.Prefix()+"-jobs")
		dlq := findBy(t, queues, "name", env.Prefix()+"-jobs-dlq")
		for _, q := range []map[string]any{main, dlq} {
			assert.Contains(t, q["kms_master_key_id"], "${aws_kms_key.key_")
		}
		var redrive map[string]any
		require.NoError(t, json.Unmarshal([]byte(main["redrive_policy"].(string)), &redrive))
		assert.Equal(t, float64(env.Queue.MaxReceiveCount), redrive["maxReceiveCount"])
		assert.Contains(t, redrive["deadLetterTargetArn"], "aws_sqs_queue.jobs_dlq_queue")
		assert.Equal(t, 14.0*86400, dlq["message_retention_seconds"])
		assert.Greater(t, main["visibility_timeout_seconds"], float64(env.Queue.WorkerProcessingSeconds))

		policies := s.resources("aws_sqs_queue_policy")
		assert.GreaterOrEqual(t, len(policies), 2, "main and DLQ")
		for _, p := range policies {
			st := policyDoc(t, p["policy"]).statement(t, "DenyInsecureTransport")
			assert.Equal(t, "Deny", st["Effect"])
		}
	})
}

func TestClusterAndLoadBalancer(t *testing.T) {
	eachEnv(t, func(t *testing.T, env *config.Environment, s stackJSON) {
		insights := "disabled"
		if env.Features.ContainerInsights {
			insights = "enabled"
		}
		assert.Equal(t, insights, dig(s.only(t, "aws_ecs_cluster"), "setting", "value"))

		lb := s.only(t, "aws_lb")
		assert.Equal(t, true, lb["drop_invalid_header_fields"])
		assert.Contains(t, []any{"defensive", "strictest"}, lb["desync_mitigation_mode"])
		assert.Equal(t, env.Features.ALBDeletionProtection, lb["enable_deletion_protection"])
		if env.Features.ALBAccessLogs {
			assert.Equal(t, true, dig(lb, "access_logs", "enabled"))
			assert.True(t, strings.HasPrefix(dependsOnPolicy(lb), "aws_s3_bucket_policy.platform_alb-logs_policy_"), "the ALB waits for the log bucket policy")
		} else {
			assert.Nil(t, lb["access_logs"])
		}

		listeners := s.resources("aws_lb_listener")
		if env.HasDomain() {
			require.Len(t, listeners, 2)
			https := findBy(t, listeners, "port", 443.0)
			assert.Equal(t, "HTTPS", https["protocol"])
			assert.Equal(t, service.TLSPolicy, https["ssl_policy"])
			assert.Contains(t, https["certificate_arn"], "aws_acm_certificate_validation.")
			http := findBy(t, listeners, "port", 80.0)
			assert.Equal(t, "redirect", dig(http, "default_action", "type"))
			assert.Equal(t, "HTTPS", dig(http, "default_action", "redirect", "protocol"))
			alias := findBy(t, s.resources("aws_route53_record"), "name", env.DNS.Domain)
			assert.Equal(t, env.DNS.HostedZoneID, alias["zone_id"])
			assert.Equal(t, "DNS", s.only(t, "aws_acm_certificate")["validation_method"])
		} else {
			require.Len(t, listeners, 1)
			assert.Equal(t, "forward", dig(listeners[keys(listeners)[0]], "default_action", "type"))
		}
		tg := s.only(t, "aws_lb_target_group")
		assert.Equal(t, "ip", tg["target_type"])
		assert.Equal(t, env.Services.HealthCheckPath, dig(tg, "health_check", "path"))
	})
}

// dependsOnPolicy returns the bucket-policy entry of a resource's depends_on.
func dependsOnPolicy(r map[string]any) string {
	for _, d := range r["depends_on"].([]any) {
		if strings.HasPrefix(d.(string), "aws_s3_bucket_policy.") {
			return d.(string)
		}
	}
	return ""
}

type container struct {
	Name                   string `json:"name"`
	Image                  string `json:"image"`
	User                   string `json:"user"`
	Privileged             bool   `json:"privileged"`
	ReadonlyRootFilesystem bool   `json:"readonlyRootFilesystem"`
	Environment            []struct {
		Name, Value string
	} `json:"environment"`
	Secrets []struct {
		Name      string `json:"name"`
		ValueFrom string `json:"valueFrom"`
	} `json:"secrets"`
	LogConfiguration struct {
		LogDriver string            `json:"logDriver"`
		Options   map[string]string `json:"options"`
	} `json:"logConfiguration"`
}

func TestTaskDefinitionsAndServices(t *testing.T) {
	eachEnv(t, func(t *testing.T, env *config.Environment, s stackJSON) {
		tds := s.resources("aws_ecs_task_definition")
		require.Len(t, tds, 2)
		for name, td := range tds {
			svc := "api"
			task := env.Services.API.Task
			if strings.Contains(name, "worker") {
				svc, task = "worker", env.Services.Worker.Task
			}
			assert.Equal(t, []any{"FARGATE"}, td["requires_compatibilities"])
			assert.Equal(t, "awsvpc", td["network_mode"])
			assert.Equal(t, float64(task.CPU), atof(td["cpu"]))
			assert.Equal(t, float64(task.MemoryMiB), atof(td["memory"]))
			var defs []container
			require.NoError(t, json.Unmarshal([]byte(td["container_definitions"].(string)), &defs), "container JSON is valid before interpolation")
			require.Len(t, defs, 1)
			c := defs[0]
			assert.Equal(t, svc, c.Name)
			assert.True(t, c.ReadonlyRootFilesystem)
			assert.False(t, c.Privileged)
			assert.Equal(t, service.ContainerUser, c.User)
			assert.NotEqual(t, "root", c.User)
			assert.Equal(t, "awslogs", c.LogConfiguration.LogDriver)
			assert.Regexp(t, `^\$\{local\.platform_`+svc+`_image_[0-9A-F]+\}$`, c.Image)
			// Secrets only by ARN; no secret-looking value in the environment.
			want := map[string]string{"DB_USERNAME": ":username::", "DB_PASSWORD": ":password::", "APP_SECRETS": "aws_secretsmanager_secret.secrets_app"}
			require.Len(t, c.Secrets, len(want))
			for _, sec := range c.Secrets {
				assert.Contains(t, sec.ValueFrom, want[sec.Name], sec.Name)
				assert.True(t, strings.HasPrefix(sec.ValueFrom, "${aws_"), "valueFrom is an ARN reference: %s", sec.ValueFrom)
			}
			for _, e := range c.Environment {
				assert.NotRegexp(t, `(?i)password|token|api_key`, e.Name)
			}
		}
		// The image expression: tag given -> repo:tag, else the bare repository (no task runs).
		for name, expr := range dig(s, "locals").(map[string]any) {
			assert.Regexp(t, `^\$\{\(length\(var\.(api|worker)_image_tag\) >= 1\) \? format\("%s:%s", aws_ecr_repository\.`, expr, name)
		}
		for _, v := range []string{"api_image_tag", "worker_image_tag"} {
			assert.Equal(t, "", dig(s, "variable", v, "default"), v)
		}

		services := s.resources("aws_ecs_service")
		require.Len(t, services, 2)
		for name, svc := range services {
			assert.Equal(t, false, dig(svc, "network_configuration", "assign_public_ip"), name)
			assert.Equal(t, true, dig(svc, "deployment_circuit_breaker", "enable"), name)
			assert.Equal(t, true, dig(svc, "deployment_circuit_breaker", "rollback"), name)
			assert.Equal(t, []any{"desired_count"}, dig(svc, "lifecycle", "ignore_changes"), name)
			assert.Len(t, dig(svc, "network_configuration", "subnets"), env.Network.AZCount)
			for _, sn := range dig(svc, "network_configuration", "subnets").([]any) {
				assert.Contains(t, sn, "network_private-", name)
			}
		}
		api := findBy(t, services, "name", env.Prefix()+"-api")
		assert.Equal(t, 60.0, api["health_check_grace_period_seconds"])
		assert.Equal(t, "api", dig(api, "load_balancer", "container_name"))
		if env.IsProd() {
			assert.GreaterOrEqual(t, env.Services.API.MinCount, 2)
			assert.Equal(t, "ENABLED", api["availability_zone_rebalancing"])
			assert.GreaterOrEqual(t, env.Network.AZCount, 2)
		}
	})
}

func TestAutoscaling(t *testing.T) {
	eachEnv(t, func(t *testing.T, env *config.Environment, s stackJSON) {
		targets := s.resources("aws_appautoscaling_target")
		require.Len(t, targets, 2)
		for name, tg := range targets {
			task := env.Services.API.Task
			svc := "api"
			if strings.Contains(name, "worker") {
				task, svc = env.Services.Worker.Task, "worker"
			}
			assertCount(t, tg["min_capacity"], task.MinCount, svc)
			assertCount(t, tg["max_capacity"], task.MaxCount, svc)
		}
		policies := s.resources("aws_appautoscaling_policy")
		alarms := s.resources("aws_cloudwatch_metric_alarm")

		// api: CPU and memory target tracking with the configured targets.
		cpu := findBy(t, policies, "name", env.Prefix()+"-api-cpu-target")
		assert.Equal(t, float64(env.Services.API.CPUTargetPercent), dig(cpu, "target_tracking_scaling_policy_configuration", "target_value"))
		assert.Equal(t, "ECSServiceAverageCPUUtilization", dig(cpu, "target_tracking_scaling_policy_configuration", "predefined_metric_specification", "predefined_metric_type"))
		mem := findBy(t, policies, "name", env.Prefix()+"-api-memory-target")
		assert.Equal(t, float64(env.Services.API.MemoryTargetPercent), dig(mem, "target_tracking_scaling_policy_configuration", "target_value"))

		// worker: out on visible backlog from the first message ...
		backlog := findBy(t, alarms, "alarm_name", env.Prefix()+"-worker-backlog")
		assert.Equal(t, "ApproximateNumberOfMessagesVisible", backlog["metric_name"])
		assert.Equal(t, 1.0, backlog["threshold"])
		assert.Equal(t, "GreaterThanOrEqualToThreshold", backlog["comparison_operator"])
		outName, out := findNamed(t, policies, "name", env.Prefix()+"-worker-backlog")
		assertActionIs(t, backlog, outName)
		steps := dig(out, "step_scaling_policy_configuration", "step_adjustment").([]any)
		assert.Equal(t, "0", dig(steps[0], "metric_interval_lower_bound"), "one visible message starts a task")
		assert.Equal(t, 1.0, dig(steps[0], "scaling_adjustment"))
		per := env.Services.Worker.MessagesPerTask
		if len(steps) > 1 {
			assert.Equal(t, itoa(per), dig(steps[0], "metric_interval_upper_bound"))
			assert.Equal(t, 2.0, dig(steps[1], "scaling_adjustment"))
		}
		assert.Nil(t, dig(steps[len(steps)-1], "metric_interval_upper_bound"), "last step is open-ended")
		// ... in only when nothing waits and nothing is in flight.
		idle := findBy(t, alarms, "alarm_name", env.Prefix()+"-worker-idle")
		var metrics []string
		for _, q := range idle["metric_query"].([]any) {
			if m := dig(q, "metric", "metric_name"); m != nil {
				metrics = append(metrics, m.(string))
			}
		}
		assert.ElementsMatch(t, []string{"ApproximateNumberOfMessagesVisible", "ApproximateNumberOfMessagesNotVisible"}, metrics)
		assert.Equal(t, "LessThanThreshold", idle["comparison_operator"])
		assert.Equal(t, float64(env.Services.IdleScaleInMinutes), idle["evaluation_periods"])
		inName, in := findNamed(t, policies, "name", env.Prefix()+"-worker-idle")
		assert.Equal(t, "ExactCapacity", dig(in, "step_scaling_policy_configuration", "adjustment_type"))
		assert.Equal(t, float64(env.Services.Worker.MinCount), dig(in, "step_scaling_policy_configuration", "step_adjustment", "scaling_adjustment"))
		assertActionIs(t, idle, inName)

		// api scale-to-zero: wake-up and idle only where the minimum is 0.
		wakeName := env.Prefix() + "-api-wake-up"
		_, hasWake := alarmByName(alarms, wakeName)
		assert.Equal(t, env.Services.API.MinCount == 0, hasWake)
		if hasWake {
			wake, _ := alarmByName(alarms, wakeName)
			assert.Equal(t, "HTTPCode_ELB_503_Count", wake["metric_name"])
			wakePolicy, _ := findNamed(t, policies, "name", env.Prefix()+"-api-wake")
			assertActionIs(t, wake, wakePolicy)
			apiIdle, ok := alarmByName(alarms, env.Prefix()+"-api-idle")
			require.True(t, ok)
			assert.Equal(t, "breaching", apiIdle["treat_missing_data"])
			assert.Equal(t, float64(env.Services.IdleScaleInMinutes), apiIdle["evaluation_periods"])
		}
	})
}

func TestDevScalesToZero(t *testing.T) {
	synthAll(t)
	dev := envs[0]
	require.Equal(t, "dev", dev.Name)
	assert.Equal(t, 0, dev.Services.API.MinCount)
	assert.Equal(t, 0, dev.Services.Worker.MinCount)
	for _, tg := range app(t, dev).resources("aws_appautoscaling_target") {
		assert.Equal(t, 0.0, tg["min_capacity"])
	}
}

// TestIAMLeastPrivilege: no wildcard action anywhere; a "*" resource only for
// the actions AWS cannot scope; every statement names its resources.
func TestIAMLeastPrivilege(t *testing.T) {
	unscopable := map[string]bool{
		"ecr:GetAuthorizationToken": true,
		"xray:PutTraceSegments":     true, "xray:PutTelemetryRecords": true,
		"ec2:CreateNetworkInterface": true, "ec2:DescribeNetworkInterfaces": true, "ec2:DeleteNetworkInterface": true,
		"ec2:AssignPrivateIpAddresses": true, "ec2:UnassignPrivateIpAddresses": true, "ec2:DescribeSubnets": true,
	}
	eachEnv(t, func(t *testing.T, env *config.Environment, s stackJSON) {
		rps := s.resources("aws_iam_role_policy")
		require.NotEmpty(t, rps)
		for name, rp := range rps {
			for _, st := range policyDoc(t, rp["policy"]).statements() {
				require.NotEmpty(t, st["Resource"], name)
				for _, a := range st["Action"].([]any) {
					assert.NotContains(t, a, "*", "%s: wildcard action %s", name, a)
				}
				for _, r := range st["Resource"].([]any) {
					if r == "*" {
						for _, a := range st["Action"].([]any) {
							assert.True(t, unscopable[a.(string)], "%s: %s on *", name, a)
						}
					}
				}
			}
		}
	})
}

// TestServiceRoles: the api may send to the queue, the worker may consume it,
// neither may do the other; both execution roles read exactly the two secrets.
func TestServiceRoles(t *testing.T) {
	synthAll(t)
	for _, env := range envs {
		s := app(t, env)
		actions := map[string][]string{}
		for name, rp := range s.resources("aws_iam_role_policy") {
			for _, st := range policyDoc(t, rp["policy"]).statements() {
				for _, a := range st["Action"].([]any) {
					actions[name] = append(actions[name], a.(string))
				}
			}
		}
		has := func(prefix, action string) bool {
			for name, as := range actions {
				if strings.HasPrefix(name, prefix) {
					for _, a := range as {
						if a == action {
							return true
						}
					}
				}
			}
			return false
		}
		assert.True(t, has("platform_api_task-role_send-jobs", "sqs:SendMessage"))
		assert.False(t, has("platform_api_task-role", "sqs:ReceiveMessage"))
		assert.True(t, has("platform_worker_task-role_consume-jobs", "sqs:ReceiveMessage"))
		assert.True(t, has("platform_worker_task-role_consume-jobs", "sqs:DeleteMessage"))
		assert.False(t, has("platform_worker_task-role", "sqs:SendMessage"))
		for _, svc := range []string{"api", "worker"} {
			assert.True(t, has("platform_"+svc+"_execution-role_read-database-secret", "secretsmanager:GetSecretValue"))
			assert.True(t, has("platform_"+svc+"_execution-role_read-app-secrets", "secretsmanager:GetSecretValue"))
			assert.True(t, has("platform_"+svc+"_execution-role_pull-image", "ecr:BatchGetImage"))
		}
	}
}

func alarmByName(alarms map[string]map[string]any, name string) (map[string]any, bool) {
	for _, a := range alarms {
		if a["alarm_name"] == name {
			return a, true
		}
	}
	return nil, false
}

// assertActionIs checks that alarm triggers exactly the policy with that logical name.
func assertActionIs(t *testing.T, alarm map[string]any, policy string) {
	t.Helper()
	assert.Equal(t, []any{"${aws_appautoscaling_policy." + policy + ".arn}"}, alarm["alarm_actions"])
}

// assertCount checks a capacity: 0 stays 0; n > 0 is n only once an image tag is set.
func assertCount(t *testing.T, v any, n int, svc string) {
	t.Helper()
	if n == 0 {
		assert.Equal(t, 0.0, v, svc)
		return
	}
	assert.Equal(t, "${(length(var."+svc+"_image_tag) >= 1) ? "+itoa(n)+" : 0}", v, svc)
}

func itoa(n int) string { return strconv.Itoa(n) }

func atof(v any) float64 {
	f, _ := strconv.ParseFloat(v.(string), 64)
	return f
}
