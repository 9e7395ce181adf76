package stacks

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flow-builder/infra/config"
	"github.com/flow-builder/infra/constructs/registry"
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
						TagStatus      string   `json:"tagStatus"`
						TagPatternList []string `json:"tagPatternList"`
						CountType      string   `json:"countType"`
						CountNumber    int      `json:"countNumber"`
					} `json:"selection"`
				} `json:"rules"`
			}
			require.NoError(t, json.Unmarshal([]byte(lp["policy"].(string)), &doc))
			// Rule 1 shields release images from every later rule; then
			// untagged images expire; then other images beyond the newest N.
			require.Len(t, doc.Rules, 3)
			assert.Equal(t, "tagged", doc.Rules[0].Selection.TagStatus)
			assert.Equal(t, []string{env.Registry.ReleaseTagPattern}, doc.Rules[0].Selection.TagPatternList)
			assert.Equal(t, registry.KeepReleases, doc.Rules[0].Selection.CountNumber)
			assert.Equal(t, "untagged", doc.Rules[1].Selection.TagStatus)
			assert.Equal(t, env.Registry.UntaggedExpiryDays, doc.Rules[1].Selection.CountNumber)
			assert.Equal(t, "any", doc.Rules[2].Selection.TagStatus)
			assert.Equal(t, env.Registry.KeepOtherImages, doc.Rules[2].Selection.CountNumber)
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
	eachVariant(t, func(t *testing.T, env *config.Environment, s stackJSON) {
		tds := s.resources("aws_ecs_task_definition")
		require.Len(t, tds, 3, "api, worker and the migration task")
		for name, td := range tds {
			if strings.HasPrefix(name, "migration_") {
				continue // TestMigrationTask
			}
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
			assert.Regexp(t, `^\$\{aws_ecr_repository\.registry_`+svc+`_[0-9A-F]+\.repository_url\}`+imageSuffix(task.Image)+`$`, c.Image)
			// Secrets only by ARN; no secret-looking value in the environment.
			// The database is reached as the service's own IAM-authenticated
			// user: no database credential is injected.
			want := map[string]string{"APP_SECRETS": "aws_secretsmanager_secret.secrets_app"}
			require.Len(t, c.Secrets, len(want))
			for _, sec := range c.Secrets {
				assert.Contains(t, sec.ValueFrom, want[sec.Name], sec.Name)
				assert.True(t, strings.HasPrefix(sec.ValueFrom, "${aws_"), "valueFrom is an ARN reference: %s", sec.ValueFrom)
			}
			envVars := map[string]string{}
			for _, e := range c.Environment {
				assert.NotRegexp(t, `(?i)password|token|api_key`, e.Name)
				envVars[e.Name] = e.Value
			}
			assert.Equal(t, svc, envVars["DB_USER"])
			assert.Equal(t, "true", envVars["DB_IAM_AUTH"])
			assert.NotContains(t, envVars, "DB_SECRET_ARN", "services never see the master secret")
		}
		// Images come from the environment file, never from Terraform variables.
		assert.Nil(t, s["variable"], "no deploy-time inputs: a plain deploy deploys what is committed")
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
	eachVariant(t, func(t *testing.T, env *config.Environment, s stackJSON) {
		targets := s.resources("aws_appautoscaling_target")
		require.Len(t, targets, 2)
		for name, tg := range targets {
			task := env.Services.API.Task
			svc := "api"
			if strings.Contains(name, "worker") {
				task, svc = env.Services.Worker.Task, "worker"
			}
			assertCount(t, tg["min_capacity"], task.MinCount, task.Image, svc)
			assertCount(t, tg["max_capacity"], task.MaxCount, task.Image, svc)
		}
		policies := s.resources("aws_appautoscaling_policy")
		alarms := s.resources("aws_cloudwatch_metric_alarm")

		// api: CPU and memory target tracking with the configured targets.
		cpu := findBy(t, policies, "name", env.Prefix()+"-api-cpu-target")
		assert.Equal(t, float64(env.Services.API.CPUTargetPercent), dig(cpu, "target_tracking_scaling_policy_configuration", "target_value"))
		assert.Equal(t, "ECSServiceAverageCPUUtilization", dig(cpu, "target_tracking_scaling_policy_configuration", "predefined_metric_specification", "predefined_metric_type"))
		mem := findBy(t, policies, "name", env.Prefix()+"-api-memory-target")
		assert.Equal(t, float64(env.Services.API.MemoryTargetPercent), dig(mem, "target_tracking_scaling_policy_configuration", "target_value"))

		// worker: capacity follows the backlog (waiting + in flight) from the
		// first message, in exact bands of messages_per_task ...
		backlog := findBy(t, alarms, "alarm_name", env.Prefix()+"-worker-backlog")
		assert.ElementsMatch(t, []string{"ApproximateNumberOfMessagesVisible", "ApproximateNumberOfMessagesNotVisible"}, queryMetrics(backlog))
		assert.Equal(t, 1.0, backlog["threshold"])
		assert.Equal(t, "GreaterThanOrEqualToThreshold", backlog["comparison_operator"])
		outName, out := findNamed(t, policies, "name", env.Prefix()+"-worker-backlog")
		assertActionIs(t, backlog, outName)
		assert.Equal(t, "ExactCapacity", dig(out, "step_scaling_policy_configuration", "adjustment_type"))
		steps := dig(out, "step_scaling_policy_configuration", "step_adjustment").([]any)
		assert.Equal(t, "0", dig(steps[0], "metric_interval_lower_bound"), "one message runs a task")
		assert.Equal(t, 1.0, dig(steps[0], "scaling_adjustment"))
		per := env.Services.Worker.MessagesPerTask
		if len(steps) > 1 {
			assert.Equal(t, itoa(per), dig(steps[0], "metric_interval_upper_bound"))
			assert.Equal(t, 2.0, dig(steps[1], "scaling_adjustment"))
		}
		assert.Nil(t, dig(steps[len(steps)-1], "metric_interval_upper_bound"), "last step is open-ended")
		assert.Equal(t, float64(max(env.Services.Worker.MaxCount, 1)), dig(steps[len(steps)-1], "scaling_adjustment"), "last band runs max_count")
		// ... to the minimum only when nothing was sent, waits or is in flight.
		idle := findBy(t, alarms, "alarm_name", env.Prefix()+"-worker-idle")
		assert.ElementsMatch(t, []string{"ApproximateNumberOfMessagesVisible", "ApproximateNumberOfMessagesNotVisible", "NumberOfMessagesSent"}, queryMetrics(idle))
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
			// Requests the load balancer rejected while no task ran count
			// as traffic, so the idle alarm cannot undo a wake-up.
			assert.ElementsMatch(t, []string{"RequestCount", "HTTPCode_ELB_503_Count"}, queryMetrics(apiIdle))
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
// neither may do the other; both execution roles read the app secret and
// pull their image.
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

// assertCount checks a capacity: n once the service declares an image, else 0.
func assertCount(t *testing.T, v any, n int, image, svc string) {
	t.Helper()
	if image == "" {
		n = 0
	}
	assert.Equal(t, float64(n), v, svc)
}

// imageSuffix is the regexp of what follows the repository URL in a
// container image for a declared image.
func imageSuffix(image string) string {
	switch {
	case image == "":
		return ""
	case config.IsDigest(image):
		return regexp.QuoteMeta("@" + image)
	}
	return regexp.QuoteMeta(":" + image)
}

func itoa(n int) string { return strconv.Itoa(n) }

func atof(v any) float64 {
	f, _ := strconv.ParseFloat(v.(string), 64)
	return f
}

func TestReleasesAreDeclaredAndWatched(t *testing.T) {
	eachVariant(t, func(t *testing.T, env *config.Environment, s stackJSON) {
		// cdktf output shows what each service is declared to run.
		for _, svc := range config.ServiceNames {
			out := dig(s, "output", svc+"_image", "value")
			require.NotNil(t, out, svc)
			assert.Regexp(t, `^\$\{aws_ecr_repository\.registry_`+svc+`_[0-9A-F]+\.repository_url\}`+imageSuffix(env.Services.Images()[svc])+`$`, out, svc)
		}
		// Every deploy waits for the rollout unless the environment opts out,
		// and fails when the service does not end up on the new revision
		// (a circuit-breaker rollback is steady too).
		for name, svc := range s.resources("aws_ecs_service") {
			assert.Equal(t, !env.Services.NoWaitForRollout, svc["wait_for_steady_state"], name)
			cond, _ := dig(svc, "lifecycle", "postcondition", "condition").(string)
			assert.Regexp(t, `^\$\{\(self\.task_definition == \$?\{?aws_ecs_task_definition\.platform_[a-z]+_task_[0-9A-F]+\.arn\}?\)\}$`, cond, name)
		}
		// A disposable environment destroys its repositories with their images.
		for name, r := range s.resources("aws_ecr_repository") {
			assert.Equal(t, !env.Database.DeletionProtection, r["force_delete"], name)
		}
		// A failed rollout reaches the alerts topic.
		rule := findBy(t, s.resources("aws_cloudwatch_event_rule"), "name", env.Prefix()+"-deployment-failed")
		var pattern struct {
			Source     []string            `json:"source"`
			DetailType []string            `json:"detail-type"`
			Resources  []map[string]string `json:"resources"`
			Detail     map[string][]string `json:"detail"`
		}
		require.NoError(t, json.Unmarshal([]byte(rule["event_pattern"].(string)), &pattern))
		assert.Equal(t, []string{"aws.ecs"}, pattern.Source)
		assert.Equal(t, []string{"ECS Deployment State Change"}, pattern.DetailType)
		assert.Equal(t, []string{"SERVICE_DEPLOYMENT_FAILED"}, pattern.Detail["eventName"])
		assert.Equal(t, "arn:aws:ecs:"+env.Region+":"+env.AccountID+":service/"+env.Prefix()+"/", pattern.Resources[0]["prefix"])
		target := s.only(t, "aws_cloudwatch_event_target")
		assert.Contains(t, target["arn"], "${aws_sns_topic.monitoring_alerts_")
		policy := s.only(t, "aws_sns_topic_policy")["policy"].(string)
		assert.Contains(t, policy, `"Service":"events.amazonaws.com"`)
		assert.Contains(t, policy, "aws_cloudwatch_event_rule.monitoring_deployment-failed_")
		key := s.only(t, "aws_kms_key")["policy"].(string)
		assert.Contains(t, key, `"Service":"events.amazonaws.com"`, "EventBridge may use the key of the encrypted topic")
	})
}

// TestServicesConnectAsTheirOwnDatabaseUser: no role of a service (task or
// execution) can read the database master secret; each task role may
// rds-db:connect as exactly its own user of this instance; only the
// migration task's execution role reads the master secret.
func TestServicesConnectAsTheirOwnDatabaseUser(t *testing.T) {
	synthAll(t)
	for _, env := range envs {
		s := app(t, env)
		db, _ := findNamed(t, s.resources("aws_db_instance"), "identifier", env.Prefix()+"-postgres")
		masterSecret := "${aws_db_instance." + db + ".master_user_secret[0].secret_arn}"
		readers := map[string]bool{}
		connects := map[string][]any{}
		for name, rp := range s.resources("aws_iam_role_policy") {
			for _, st := range policyDoc(t, rp["policy"]).statements() {
				for _, r := range st["Resource"].([]any) {
					if strings.Contains(r.(string), masterSecret) {
						// <construct>_<role> or platform_<service>_<role>
						parts := strings.SplitN(name, "_", 3)
						readers[parts[0]+"_"+parts[1]] = true
					}
				}
				for _, a := range st["Action"].([]any) {
					if a == "rds-db:connect" {
						connects[name] = append(connects[name], st["Resource"].([]any)...)
					}
				}
			}
		}
		assert.Equal(t, map[string]bool{"migration_execution-role": true}, readers, "%s: only the migration task reads the master secret", env.Name)
		require.Len(t, connects, 2, env.Name)
		for _, svc := range config.ServiceNames {
			var got []any
			for name, rs := range connects {
				if strings.HasPrefix(name, "platform_"+svc+"_task-role_") {
					got = rs
				}
			}
			assert.Equal(t, []any{"arn:aws:rds-db:" + env.Region + ":" + env.AccountID + ":dbuser:${aws_db_instance." + db + ".resource_id}/" + svc}, got, "%s %s", env.Name, svc)
		}
	}
}

// TestMigrationTask: the one-off task runs the api's image as the master
// user, in its own security group, with the same container hardening as
// the services, and creates the services' database users.
func TestMigrationTask(t *testing.T) {
	eachVariant(t, func(t *testing.T, env *config.Environment, s stackJSON) {
		_, td := findNamed(t, s.resources("aws_ecs_task_definition"), "family", env.Prefix()+"-db-migrate")
		assert.Nil(t, td["task_role_arn"], "the migration code calls no AWS API")
		assert.Equal(t, env.Services.Architecture, dig(td, "runtime_platform", "cpu_architecture"))
		var defs []struct {
			container
			Command []string `json:"command"`
		}
		require.NoError(t, json.Unmarshal([]byte(td["container_definitions"].(string)), &defs))
		require.Len(t, defs, 1)
		c := defs[0]
		assert.True(t, c.ReadonlyRootFilesystem)
		assert.False(t, c.Privileged)
		assert.Equal(t, service.ContainerUser, c.User)
		assert.Equal(t, "awslogs", c.LogConfiguration.LogDriver)
		assert.Equal(t, []string{"migrate"}, c.Command)
		assert.Regexp(t, `^\$\{aws_ecr_repository\.registry_api_[0-9A-F]+\.repository_url\}`+imageSuffix(env.Services.API.Image)+`$`, c.Image, "the api's image")
		secrets := map[string]string{}
		for _, sec := range c.Secrets {
			secrets[sec.Name] = sec.ValueFrom
		}
		assert.Contains(t, secrets["DB_USERNAME"], ".master_user_secret[0].secret_arn}:username::")
		assert.Contains(t, secrets["DB_PASSWORD"], ".master_user_secret[0].secret_arn}:password::")
		vars := map[string]string{}
		for _, e := range c.Environment {
			vars[e.Name] = e.Value
		}
		assert.Equal(t, "api,worker", vars["DB_IAM_USERS"])
		assert.Equal(t, "verify-full", vars["DB_SSLMODE"])
	})
}

// queryMetrics lists the metric names of a metric math alarm's queries.
func queryMetrics(alarm map[string]any) []string {
	var out []string
	queries, _ := alarm["metric_query"].([]any)
	for _, q := range queries {
		if m := dig(q, "metric", "metric_name"); m != nil {
			out = append(out, m.(string))
		}
	}
	return out
}
