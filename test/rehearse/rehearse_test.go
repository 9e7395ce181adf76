package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const samplePlan = `{"resource_changes": [
 {"address": "aws_sqs_queue.q", "type": "aws_sqs_queue", "mode": "managed",
  "change": {"actions": ["no-op"], "before": {"a": 1}, "after": {"a": 1}}},
 {"address": "data.aws_iam_policy_document.d", "type": "aws_iam_policy_document", "mode": "data",
  "change": {"actions": ["read"]}},
 {"address": "aws_lambda_function.f", "type": "aws_lambda_function", "mode": "managed",
  "change": {"actions": ["update"],
   "before": {"memory_size": 128, "last_modified": "x", "logging_config": [{"log_format": "Text"}], "tags": null},
   "after": {"memory_size": 256, "logging_config": [{"log_format": "JSON"}], "tags": {}},
   "after_unknown": {"last_modified": true}}},
 {"address": "aws_db_instance.db", "type": "aws_db_instance", "mode": "managed",
  "change": {"actions": ["delete", "create"], "before": {}, "after": {}}}
]}`

func TestParsePlanListsRealChangesWithTheirPaths(t *testing.T) {
	changes, err := ParsePlan([]byte(samplePlan))
	require.NoError(t, err)
	require.Len(t, changes, 2, "no-ops and data reads are not changes")
	assert.Equal(t, "aws_db_instance.db", changes[0].Address)
	assert.Equal(t, []string{"delete", "create"}, changes[0].Actions)
	f := changes[1]
	assert.Equal(t, []string{"logging_config.0.log_format", "memory_size"}, f.Paths, "null and {} are the same empty value")
	assert.Equal(t, []string{"last_modified"}, f.Unknown)
}

func TestJudgeExcusesOnlyListedUpdates(t *testing.T) {
	gaps := []Gap{{ID: "lambda", Resources: []string{"aws_lambda_function"}, Paths: []string{"logging_config", "kms_key_arn"}}}
	upd := func(paths ...string) Change {
		return Change{Address: "aws_lambda_function.f", Type: "aws_lambda_function", Actions: []string{"update"}, Paths: paths}
	}
	v := Judge([]Change{upd("logging_config.0.log_format", "kms_key_arn")}, gaps)
	assert.True(t, v.OK(), "a pattern covers what lies below it")
	assert.Equal(t, []string{"lambda"}, v.Excused["aws_lambda_function.f"])

	for name, c := range map[string]Change{
		"a path no gap lists":      upd("logging_config.0.log_format", "memory_size"),
		"a prefix that is no path": upd("logging_configuration"),
		"only unknown values":      {Address: "x", Type: "aws_lambda_function", Actions: []string{"update"}, Unknown: []string{"kms_key_arn"}},
		"another resource type":    {Address: "y", Type: "aws_sqs_queue", Actions: []string{"update"}, Paths: []string{"kms_key_arn"}},
		"a replacement":            {Address: "z", Type: "aws_lambda_function", Actions: []string{"delete", "create"}, Paths: []string{"kms_key_arn"}},
		"a create":                 {Address: "z", Type: "aws_lambda_function", Actions: []string{"create"}},
	} {
		assert.False(t, Judge([]Change{c}, gaps).OK(), name)
	}
}

func TestTheGapListLoadsAndEveryEntryHasEvidence(t *testing.T) {
	gaps, err := LoadGaps("emulator-gaps.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, gaps)
	for _, g := range gaps {
		assert.NotContains(t, g.Paths, "tags", "%s: tags are never an emulator gap", g.ID)
	}
}

func TestLoadGapsRejectsLooseEntries(t *testing.T) {
	for name, body := range map[string]string{
		"no evidence":          "- {id: a, why: w}\n",
		"duplicate id":         "- {id: a, why: w, evidence: e}\n- {id: a, why: w, evidence: e}\n",
		"paths, no resources":  "- {id: a, why: w, evidence: e, paths: [x]}\n",
		"a wildcard path":      "- {id: a, why: w, evidence: e, resources: [aws_x], paths: ['*']}\n",
		"an unknown key":       "- {id: a, why: w, evidence: e, excuse_all: true}\n",
		"resources, no paths ": "- {id: a, why: w, evidence: e, resources: [aws_x]}\n",
	} {
		file := filepath.Join(t.TempDir(), "gaps.yaml")
		require.NoError(t, os.WriteFile(file, []byte(body), 0o644))
		_, err := LoadGaps(file)
		assert.Error(t, err, name)
	}
}

func TestLiftProtectionsLeavesKeptResourcesAlone(t *testing.T) {
	doc := map[string]any{"resource": map[string]any{
		"aws_db_instance": map[string]any{"db": map[string]any{"deletion_protection": true, "lifecycle": map[string]any{"prevent_destroy": true}}},
		"aws_kms_key":     map[string]any{"data": map[string]any{"lifecycle": map[string]any{"prevent_destroy": true}}},
		"aws_lb":          map[string]any{"alb": map[string]any{"enable_deletion_protection": true}},
	}}
	file := filepath.Join(t.TempDir(), "cdk.tf.json")
	data, _ := json.Marshal(doc)
	require.NoError(t, os.WriteFile(file, data, 0o644))
	lifted, err := LiftProtections(file, map[string]bool{"aws_kms_key.data": true})
	require.NoError(t, err)
	assert.Equal(t, []string{
		"aws_db_instance.db.deletion_protection",
		"aws_db_instance.db.lifecycle.prevent_destroy",
		"aws_lb.alb.enable_deletion_protection",
	}, lifted)
	out, _ := os.ReadFile(file)
	assert.Contains(t, string(out), `"prevent_destroy": true`, "the kept key stays protected")
	assert.Equal(t, 1, strings.Count(string(out), "prevent_destroy"))
}

func TestFindToolsSaysWhatIsMissingAndHowToGetIt(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	t.Setenv("TF_PLUGIN_DIR", t.TempDir())
	t.Setenv("MOTO_PYTHON", filepath.Join(t.TempDir(), "python3"))
	_, err := FindTools(true)
	require.Error(t, err)
	for _, want := range []string{"terraform >= 1.10 is not on PATH", "developer.hashicorp.com/terraform/install",
		"terraform providers mirror", "TF_PLUGIN_DIR", `pip install "moto[server]==5.2.1"`, "MOTO_PYTHON"} {
		assert.Contains(t, err.Error(), want)
	}
}

func TestAtLeast(t *testing.T) {
	assert.True(t, atLeast("1.11.4", 1, 10))
	assert.True(t, atLeast("2.0.0", 1, 10))
	assert.False(t, atLeast("1.9.8", 1, 10))
	assert.False(t, atLeast("garbage", 1, 10))
}

func TestOfflineOverrideNeedsNoAWS(t *testing.T) {
	p := offlineOverride("eu-west-1")["provider"].(map[string]any)["aws"].(map[string]any)
	for _, k := range []string{"skip_credentials_validation", "skip_requesting_account_id", "skip_metadata_api_check"} {
		assert.Equal(t, true, p[k], k)
	}
	assert.Equal(t, "eu-west-1", p["region"])
}

func TestPreventDestroyedListsOnlyProtectedResourcesOfTheType(t *testing.T) {
	file := filepath.Join(t.TempDir(), "cdk.tf.json")
	require.NoError(t, os.WriteFile(file, []byte(`{"resource": {
	  "aws_kms_key": {"data": {"lifecycle": {"prevent_destroy": true}}, "other": {}},
	  "aws_s3_bucket": {"state": {"lifecycle": {"prevent_destroy": true}}}}}`), 0o644))
	got, err := PreventDestroyed(file, "aws_kms_key")
	require.NoError(t, err)
	assert.Equal(t, []string{"aws_kms_key.data"}, got)

	// Kept by LiftProtections, lifted elsewhere.
	lifted, err := LiftProtections(file, map[string]bool{"aws_kms_key.data": true})
	require.NoError(t, err)
	assert.Equal(t, []string{"aws_s3_bucket.state.lifecycle.prevent_destroy"}, lifted)
	got, err = PreventDestroyed(file, "aws_kms_key")
	require.NoError(t, err)
	assert.Equal(t, []string{"aws_kms_key.data"}, got, "the kept key keeps prevent_destroy")
}

func TestParseKeyState(t *testing.T) {
	id, state, err := ParseKeyState([]byte(`{"KeyMetadata": {"KeyId": "k-1", "KeyState": "PendingDeletion", "Enabled": false}}`))
	require.NoError(t, err)
	assert.Equal(t, "k-1", id)
	assert.Equal(t, "PendingDeletion", state)
	_, _, err = ParseKeyState([]byte(`{"__type": "NotFoundException"}`))
	assert.Error(t, err)
}

func TestFinalSnapshotIsFoundByItsStackName(t *testing.T) {
	ids, err := ParseSnapshotIDs([]byte(`<DescribeDBSnapshotsResponse><DescribeDBSnapshotsResult><DBSnapshots>
	  <DBSnapshot><DBSnapshotIdentifier>manual-1</DBSnapshotIdentifier></DBSnapshot>
	  <DBSnapshot><DBSnapshotIdentifier>flow-builder-prod-postgres-final-0b7c-4e</DBSnapshotIdentifier></DBSnapshot>
	</DBSnapshots></DescribeDBSnapshotsResult></DescribeDBSnapshotsResponse>`))
	require.NoError(t, err)
	assert.Equal(t, []string{"manual-1", "flow-builder-prod-postgres-final-0b7c-4e"}, ids)
	snap, ok := FinalSnapshotOf("flow-builder-prod-postgres", ids)
	assert.True(t, ok)
	assert.Equal(t, "flow-builder-prod-postgres-final-0b7c-4e", snap)
	_, ok = FinalSnapshotOf("flow-builder-prod-postgres", []string{"flow-builder-prod-postgres-final-", "manual-1"})
	assert.False(t, ok, "a bare prefix is not a final snapshot of this stack")
}
