package guardrails

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// good is a small stack that passes every rule in every tier.
const good = `{
  "provider": {"aws": [{"default_tags": [{"tags": {"Project": "flow-builder", "Environment": "prod", "ManagedBy": "cdktf", "Owner": "platform"}}]}]},
  "resource": {
    "aws_kms_key": {"key": {"enable_key_rotation": true}},
    "aws_db_instance": {"db": {"multi_az": true, "deletion_protection": true, "backup_retention_period": 14,
      "storage_encrypted": true, "kms_key_id": "${aws_kms_key.key.arn}", "manage_master_user_password": true, "tags": {"Name": "db"}}},
    "aws_sqs_queue": {"q": {"kms_master_key_id": "${aws_kms_key.key.arn}"}},
    "aws_sns_topic": {"t": {"kms_master_key_id": "${aws_kms_key.key.arn}"}},
    "aws_cloudwatch_log_group": {"lg": {"retention_in_days": 30, "kms_key_id": "${aws_kms_key.key.arn}"}},
    "aws_secretsmanager_secret": {"s": {"kms_key_id": "${aws_kms_key.key.arn}"}},
    "aws_secretsmanager_secret_version": {"sv": {"secret_string": "{}"}},
    "aws_ecr_repository": {"r": {"encryption_configuration": [{"encryption_type": "KMS", "kms_key": "${aws_kms_key.key.arn}"}]}},
    "aws_dynamodb_table": {"d": {"server_side_encryption": {"enabled": true, "kms_key_arn": "${aws_kms_key.key.arn}"}}},
    "aws_s3_bucket_server_side_encryption_configuration": {
      "state": {"rule": [{"apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": "${aws_kms_key.key.arn}"}}]},
      "platform_alb-logs_encryption_1": {"rule": [{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}]}},
    "aws_security_group": {"alb-sg": {"name": "fb-prod-alb"}, "api-sg": {"name": "fb-prod-api"}},
    "aws_vpc_security_group_ingress_rule": {
      "https": {"security_group_id": "${aws_security_group.alb-sg.id}", "cidr_ipv4": "0.0.0.0/0", "from_port": 443, "to_port": 443},
      "api": {"security_group_id": "${aws_security_group.api-sg.id}", "referenced_security_group_id": "${aws_security_group.alb-sg.id}", "from_port": 8080, "to_port": 8080}},
    "aws_cloudwatch_metric_alarm": {"a": {"alarm_actions": ["${aws_sns_topic.t.arn}"]}},
    "aws_iam_role_policy": {"p": {"policy": "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"sqs:SendMessage\"],\"Resource\":[\"${aws_sqs_queue.q.arn}\"]},{\"Effect\":\"Allow\",\"Action\":[\"ecr:GetAuthorizationToken\"],\"Resource\":[\"*\"]}]}"}},
    "aws_lambda_function": {"f": {"environment": {"variables": {"JOBS_QUEUE_URL": "${aws_sqs_queue.q.url}"}}}},
    "aws_ecs_task_definition": {"td": {"container_definitions": "[{\"name\":\"api\",\"environment\":[{\"name\":\"DB_SECRET_ARN\",\"value\":\"${aws_db_instance.db.master_user_secret[0].secret_arn}\"}]}]"}}
  }
}`

func doc(t *testing.T, mutate func(d map[string]any)) map[string]any {
	t.Helper()
	var d map[string]any
	require.NoError(t, json.Unmarshal([]byte(good), &d))
	if mutate != nil {
		mutate(d)
	}
	return d
}

func res(d map[string]any, typ, name string) map[string]any {
	return d["resource"].(map[string]any)[typ].(map[string]any)[name].(map[string]any)
}

func TestGoodStackPassesEveryTier(t *testing.T) {
	for _, tier := range []Tier{Dev, Staging, Prod} {
		assert.Empty(t, Check(tier, doc(t, nil)), tier)
	}
}

func TestEachRuleFails(t *testing.T) {
	cases := []struct {
		rule, tier, want string
		mutate           func(d map[string]any)
	}{
		{"db-multi-az", "prod", "aws_db_instance.db: prod database is single-AZ", func(d map[string]any) { res(d, "aws_db_instance", "db")["multi_az"] = false }},
		{"db-deletion-protection", "staging", "staging database can be deleted", func(d map[string]any) { res(d, "aws_db_instance", "db")["deletion_protection"] = false }},
		{"db-backups", "prod", "backups kept 3 days", func(d map[string]any) { res(d, "aws_db_instance", "db")["backup_retention_period"] = 3.0 }},
		{"db-not-public", "dev", "database is publicly accessible", func(d map[string]any) { res(d, "aws_db_instance", "db")["publicly_accessible"] = true }},
		{"encryption-cmk", "dev", "aws_sqs_queue.q: queue is not encrypted", func(d map[string]any) { delete(res(d, "aws_sqs_queue", "q"), "kms_master_key_id") }},
		{"encryption-cmk", "dev", "aws_db_instance.db: database storage is not encrypted", func(d map[string]any) { res(d, "aws_db_instance", "db")["storage_encrypted"] = false }},
		{"encryption-cmk", "dev", "aws_sns_topic.t: topic", func(d map[string]any) { res(d, "aws_sns_topic", "t")["kms_master_key_id"] = "alias/aws/sns" }},
		{"encryption-cmk", "dev", "aws_s3_bucket_server_side_encryption_configuration.state: bucket", func(d map[string]any) {
			res(d, "aws_s3_bucket_server_side_encryption_configuration", "state")["rule"] = []any{map[string]any{"apply_server_side_encryption_by_default": map[string]any{"sse_algorithm": "AES256"}}}
		}},
		{"encryption-cmk", "dev", "aws_ecr_repository.r: repository", func(d map[string]any) {
			res(d, "aws_ecr_repository", "r")["encryption_configuration"] = []any{map[string]any{"encryption_type": "AES256"}}
		}},
		{"no-world-ingress", "dev", "aws_vpc_security_group_ingress_rule.api: ingress from 0.0.0.0/0 on port 8080", func(d map[string]any) {
			r := res(d, "aws_vpc_security_group_ingress_rule", "api")
			delete(r, "referenced_security_group_id")
			r["cidr_ipv4"] = "0.0.0.0/0"
		}},
		{"no-world-ingress", "dev", "ingress from ::/0 on port 22", func(d map[string]any) {
			res(d, "aws_vpc_security_group_ingress_rule", "https")["cidr_ipv6"] = "::/0"
			delete(res(d, "aws_vpc_security_group_ingress_rule", "https"), "cidr_ipv4")
			res(d, "aws_vpc_security_group_ingress_rule", "https")["from_port"] = 22.0
		}},
		{"no-world-ingress", "dev", "aws_security_group.api-sg: inline ingress from 0.0.0.0/0", func(d map[string]any) {
			res(d, "aws_security_group", "api-sg")["ingress"] = []any{map[string]any{"cidr_blocks": []any{"0.0.0.0/0"}, "from_port": 22.0}}
		}},
		{"log-retention", "dev", "aws_cloudwatch_log_group.lg: log group keeps logs forever", func(d map[string]any) { delete(res(d, "aws_cloudwatch_log_group", "lg"), "retention_in_days") }},
		{"alarm-actions", "dev", "aws_cloudwatch_metric_alarm.a: alarm notifies nobody", func(d map[string]any) { res(d, "aws_cloudwatch_metric_alarm", "a")["alarm_actions"] = []any{} }},
		{"required-tags", "dev", "default_tags lack Owner", func(d map[string]any) {
			delete(d["provider"].(map[string]any)["aws"].([]any)[0].(map[string]any)["default_tags"].([]any)[0].(map[string]any)["tags"].(map[string]any), "Owner")
		}},
		{"required-tags", "dev", "tag Environment=dev overrides the stack's prod", func(d map[string]any) {
			res(d, "aws_db_instance", "db")["tags"] = map[string]any{"Environment": "dev"}
		}},
		{"iam-no-wildcard", "dev", "aws_iam_role_policy.p: statement allows * on *", func(d map[string]any) {
			res(d, "aws_iam_role_policy", "p")["policy"] = `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
		}},
		{"no-literal-secrets", "dev", "aws_db_instance.db: master password written", func(d map[string]any) { res(d, "aws_db_instance", "db")["password"] = "hunter22" }},
		{"no-literal-secrets", "dev", "aws_secretsmanager_secret_version.sv: secret value written", func(d map[string]any) {
			res(d, "aws_secretsmanager_secret_version", "sv")["secret_string"] = `{"STRIPE_KEY":"sk_live_x"}`
		}},
		{"no-literal-secrets", "dev", "environment variable API_TOKEN holds a literal secret", func(d map[string]any) {
			res(d, "aws_lambda_function", "f")["environment"] = map[string]any{"variables": map[string]any{"API_TOKEN": "abc"}}
		}},
		{"no-literal-secrets", "dev", "container api gets DB_PASSWORD as a plain environment value", func(d map[string]any) {
			res(d, "aws_ecs_task_definition", "td")["container_definitions"] = `[{"name":"api","environment":[{"name":"DB_PASSWORD","value":"hunter22"}]}]`
		}},
	}
	for _, tc := range cases {
		t.Run(tc.rule+"/"+tc.want, func(t *testing.T) {
			vs := Check(Tier(tc.tier), doc(t, tc.mutate))
			require.Len(t, vs, 1, "exactly the broken rule: %v", vs)
			assert.Equal(t, tc.rule, vs[0].Rule)
			assert.Contains(t, vs[0].String(), "["+tc.rule+"] ")
			assert.Contains(t, vs[0].String(), tc.want)
			assert.Contains(t, vs[0].String(), "Fix: ")
		})
	}
}

func TestEveryViolationIsListed(t *testing.T) {
	vs := Check(Prod, doc(t, func(d map[string]any) {
		db := res(d, "aws_db_instance", "db")
		db["multi_az"], db["deletion_protection"], db["backup_retention_period"] = false, false, 1.0
		delete(res(d, "aws_cloudwatch_log_group", "lg"), "retention_in_days")
	}))
	var rules []string
	for _, v := range vs {
		rules = append(rules, v.Rule)
	}
	assert.ElementsMatch(t, []string{"db-multi-az", "db-deletion-protection", "db-backups", "log-retention"}, rules)
}

func TestDevIsAllowedWhatProdIsNot(t *testing.T) {
	cheap := doc(t, func(d map[string]any) {
		db := res(d, "aws_db_instance", "db")
		db["multi_az"], db["deletion_protection"], db["backup_retention_period"] = false, false, 1.0
	})
	assert.Empty(t, Check(Dev, cheap))
	assert.Len(t, Check(Prod, cheap), 3)
}

func TestWaiversAreJustified(t *testing.T) {
	ids := map[string]bool{}
	for _, r := range Rules {
		ids[r.ID] = true
	}
	for _, w := range Waivers {
		assert.True(t, ids[w.Rule], "waiver for unknown rule %s", w.Rule)
		assert.NotEmpty(t, strings.TrimSpace(w.Why))
		assert.NotEmpty(t, w.NameContains, "no blanket waivers")
	}
}
