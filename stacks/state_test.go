package stacks

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flow-builder/infra/config"
	"github.com/flow-builder/infra/internal/tfjson"
	"github.com/flow-builder/infra/state"
)

func TestBootstrapStateStack(t *testing.T) {
	synthAll(t)
	for _, env := range envs {
		t.Run(env.Name, func(t *testing.T) {
			n := state.NamesFor(env)
			s := decoded(t, n.BootstrapStack)

			b := s.only(t, "aws_s3_bucket")
			assert.Equal(t, n.Bucket, b["bucket"])
			assert.Equal(t, true, dig(b, "lifecycle", "prevent_destroy"))

			pab := s.only(t, "aws_s3_bucket_public_access_block")
			for _, f := range []string{"block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"} {
				assert.Equal(t, true, pab[f], f)
			}
			assert.Equal(t, "Enabled", dig(s.only(t, "aws_s3_bucket_versioning"), "versioning_configuration", "status"))
			assert.Equal(t, "BucketOwnerEnforced", dig(s.only(t, "aws_s3_bucket_ownership_controls"), "rule", "object_ownership"))

			sse := dig(s.only(t, "aws_s3_bucket_server_side_encryption_configuration"), "rule", 0, "apply_server_side_encryption_by_default")
			assert.Equal(t, "aws:kms", dig(sse, "sse_algorithm"))
			assert.Contains(t, dig(sse, "kms_master_key_id"), "${aws_kms_key.")

			key := s.only(t, "aws_kms_key")
			assert.Equal(t, true, key["enable_key_rotation"])
			assert.GreaterOrEqual(t, key["deletion_window_in_days"], 7.0)

			rule := dig(s.only(t, "aws_s3_bucket_lifecycle_configuration"), "rule", 0)
			assert.NotNil(t, dig(rule, "noncurrent_version_expiration", 0, "noncurrent_days"))

			policy := policyDoc(t, s.only(t, "aws_s3_bucket_policy")["policy"])
			deny := policy.statement(t, "DenyInsecureTransport")
			assert.Equal(t, "Deny", deny["Effect"])
			assert.Equal(t, "false", dig(deny, "Condition", "Bool", "aws:SecureTransport"))
			assert.Len(t, deny["Resource"], 2, "bucket and objects")

			lock := s.only(t, "aws_dynamodb_table")
			assert.Equal(t, n.LockTable, lock["name"])
			assert.Equal(t, "LockID", lock["hash_key"])
			assert.Equal(t, "PAY_PER_REQUEST", lock["billing_mode"])
			assert.Equal(t, true, dig(lock, "point_in_time_recovery", "enabled"))
			assert.Equal(t, true, dig(lock, "server_side_encryption", "enabled"))
			assert.Contains(t, dig(lock, "server_side_encryption", "kms_key_arn"), "${aws_kms_key.")
			assert.Equal(t, true, lock["deletion_protection_enabled"])

			// Bootstrap state stays local, outside cdktf.out, until migrated.
			assert.Equal(t, n.LocalStatePath, dig(s, "terraform", "backend", "local", "path"))
			assert.NotContains(t, n.LocalStatePath, "cdktf.out")
		})
	}
}

func TestApplicationBackendAndProvider(t *testing.T) {
	synthAll(t)
	for _, env := range envs {
		t.Run(env.Name, func(t *testing.T) {
			n := state.NamesFor(env)
			s := decoded(t, n.AppStack)
			be := dig(s, "terraform", "backend", "s3")
			assert.Equal(t, n.Bucket, dig(be, "bucket"))
			assert.Equal(t, n.AppStack+"/terraform.tfstate", dig(be, "key"))
			assert.Equal(t, true, dig(be, "encrypt"))
			assert.Equal(t, n.KeyAliasArn, dig(be, "kms_key_id"))
			assert.Equal(t, n.LockTable, dig(be, "dynamodb_table"))
			assert.Equal(t, true, dig(be, "use_lockfile"), "S3-native locking via override")
			assert.Equal(t, env.Region, dig(be, "region"))

			p := dig(s, "provider", "aws", 0)
			assert.Equal(t, env.Region, dig(p, "region"))
			assert.Equal(t, []any{env.AccountID}, dig(p, "allowed_account_ids"))
			tags := dig(p, "default_tags", 0, "tags")
			assert.Equal(t, map[string]any{"Project": config.Project, "Environment": env.Name, "ManagedBy": "cdktf", "Owner": env.Owner}, tags)
		})
	}
}

// dig is tfjson.Dig that also accepts a decoded stack.
func dig(v any, path ...any) any {
	if s, ok := v.(stackJSON); ok {
		v = map[string]any(s)
	}
	return tfjson.Dig(v, path...)
}

type policy map[string]any

// policyDoc decodes a policy attribute (a JSON string with Terraform references).
func policyDoc(t *testing.T, raw any) policy {
	t.Helper()
	s, ok := raw.(string)
	require.True(t, ok, "policy is a JSON string, got %T", raw)
	var p policy
	require.NoError(t, json.Unmarshal([]byte(s), &p), s)
	return p
}

func (p policy) statements() []map[string]any {
	var out []map[string]any
	for _, s := range p["Statement"].([]any) {
		out = append(out, s.(map[string]any))
	}
	return out
}

func (p policy) statement(t *testing.T, sid string) map[string]any {
	t.Helper()
	for _, s := range p.statements() {
		if s["Sid"] == sid {
			return s
		}
	}
	t.Fatalf("no statement %q in %v", sid, p)
	return nil
}

func TestApplicationOutputs(t *testing.T) {
	synthAll(t)
	for _, env := range envs {
		s := decoded(t, state.NamesFor(env).AppStack)
		outs, _ := s["output"].(map[string]any)
		want := []string{"alerts_topic_arn", "api_image", "api_repository_url", "api_url", "app_secret_arn", "cluster_name",
			"database_address", "database_secret_arn", "db_migrate_security_group_id", "db_migrate_subnet_ids",
			"db_migrate_task_definition", "jobs_queue_url", "worker_image", "worker_repository_url"}
		assert.ElementsMatch(t, want, keys(outs), env.Name)
		for name, o := range outs {
			assert.NotEmpty(t, dig(o, "description"), name)
			assert.NotEmpty(t, dig(o, "value"), name)
		}
		wantURL := "http://${aws_lb."
		if env.HasDomain() {
			wantURL = "https://" + env.DNS.Domain
		}
		assert.Contains(t, dig(outs, "api_url", "value"), wantURL, env.Name)
	}
}
