package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flow-builder/infra/config"
)

// envCopy copies the committed environment files into a temporary directory.
func envCopy(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range config.EnvironmentNames {
		data, err := os.ReadFile(filepath.Join("..", "..", "environments", name+".yaml"))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, name+".yaml"), data, 0o644))
	}
	return dir
}

func load(t *testing.T, dir, env string) *config.Environment {
	t.Helper()
	e, err := config.Load(filepath.Join(dir, env+".yaml"))
	require.NoError(t, err)
	return e
}

func TestFirstReleaseEndsTheFirstReleaseWindow(t *testing.T) {
	dir := envCopy(t)
	require.True(t, load(t, dir, "staging").Services.AwaitingFirstRelease, "the committed staging has not been released")

	require.NoError(t, run(dir, "staging", "api", "v1.0.0", ""))
	e := load(t, dir, "staging")
	assert.Equal(t, "v1.0.0", e.Services.API.Image)
	assert.True(t, e.Services.AwaitingFirstRelease, "the worker still has no image")

	require.NoError(t, run(dir, "staging", "worker", "v1.0.0", ""))
	e = load(t, dir, "staging")
	assert.Equal(t, "v1.0.0", e.Services.Worker.Image)
	assert.False(t, e.Services.AwaitingFirstRelease, "released everywhere: the marker is gone")

	data, err := os.ReadFile(filepath.Join(dir, "staging.yaml"))
	require.NoError(t, err)
	assert.Contains(t, string(data), "# Staging", "comments survive")
	assert.NotContains(t, string(data), "awaiting_first_release")
}

func TestReleaseRollbackAndPromote(t *testing.T) {
	dir := envCopy(t)
	require.NoError(t, run(dir, "staging", "all", "v1.0.0", ""))
	require.NoError(t, run(dir, "staging", "api", "v2.0.0", ""))
	assert.Equal(t, "v2.0.0", load(t, dir, "staging").Services.API.Image)
	require.NoError(t, run(dir, "staging", "api", "v1.0.0", ""), "rollback is a release of the previous tag")
	assert.Equal(t, "v1.0.0", load(t, dir, "staging").Services.API.Image)

	digest := "sha256:" + strings.Repeat("0f", 32)
	require.NoError(t, run(dir, "staging", "worker", digest, ""))
	require.NoError(t, run(dir, "prod", "", "", "staging"))
	prod := load(t, dir, "prod")
	assert.Equal(t, "v1.0.0", prod.Services.API.Image)
	assert.Equal(t, digest, prod.Services.Worker.Image)
	assert.False(t, prod.Services.AwaitingFirstRelease)
}

func TestReleaseRefusesWhatTheRulesRefuseAndLeavesTheFileAlone(t *testing.T) {
	dir := envCopy(t)
	file := filepath.Join(dir, "prod.yaml")
	before, err := os.ReadFile(file)
	require.NoError(t, err)
	for name, args := range map[string][4]string{
		"not a release tag":   {"prod", "api", "pr-17", ""},
		"bad digest":          {"prod", "api", "sha256:1234", ""},
		"unknown service":     {"prod", "web", "v1.0.0", ""},
		"no image":            {"prod", "api", "", ""},
		"unknown environment": {"qa", "api", "v1.0.0", ""},
		"promote nothing":     {"prod", "", "", "staging"},
	} {
		assert.Error(t, run(dir, args[0], args[1], args[2], args[3]), name)
		after, err := os.ReadFile(file)
		require.NoError(t, err)
		assert.Equal(t, string(before), string(after), name)
	}
}
