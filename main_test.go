package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flow-builder/infra/config"
	"github.com/flow-builder/infra/state"
)

// TestCheckListsEveryViolationOfEveryStack runs main's post-synth guardrail
// pass over hand-written stack files: pure Go, no jsii.
func TestCheckListsEveryViolationOfEveryStack(t *testing.T) {
	envs, err := config.LoadAll("environments")
	require.NoError(t, err)
	dir := t.TempDir()
	write := func(stack string, doc map[string]any) {
		data, err := json.Marshal(doc)
		require.NoError(t, err)
		require.NoError(t, os.MkdirAll(filepath.Join(dir, stack), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, stack, "cdk.tf.json"), data, 0o644))
	}
	for _, env := range envs {
		n := state.NamesFor(env)
		tags := map[string]any{"Project": "flow-builder", "Environment": env.Name, "ManagedBy": "cdktf", "Owner": "platform"}
		clean := map[string]any{"provider": map[string]any{"aws": []any{map[string]any{"default_tags": []any{map[string]any{"tags": tags}}}}}}
		write(n.BootstrapStack, clean)
		app := map[string]any{"provider": clean["provider"], "resource": map[string]any{
			"aws_cloudwatch_log_group": map[string]any{"lg": map[string]any{"kms_key_id": "${aws_kms_key.k.arn}"}},
		}}
		write(n.AppStack, app)
	}
	problems, err := check(dir, envs)
	require.NoError(t, err)
	assert.Equal(t, []string{
		"flow-builder-dev: [log-retention] aws_cloudwatch_log_group.lg: log group keeps logs forever. Fix: set retention_in_days from logs.retention_days",
		"flow-builder-prod: [log-retention] aws_cloudwatch_log_group.lg: log group keeps logs forever. Fix: set retention_in_days from logs.retention_days",
		"flow-builder-staging: [log-retention] aws_cloudwatch_log_group.lg: log group keeps logs forever. Fix: set retention_in_days from logs.retention_days",
	}, problems)
}

func TestCheckNeedsEveryStack(t *testing.T) {
	envs, err := config.LoadAll("environments")
	require.NoError(t, err)
	_, err = check(t.TempDir(), envs)
	assert.Error(t, err)
}
