package hygiene

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func read(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, path))
	require.NoError(t, err)
	return string(data)
}

// TestToolchainFindingsStayFixed keeps the review findings about the
// toolchain and a newcomer's first commands from coming back (issue 15).
func TestToolchainFindingsStayFixed(t *testing.T) {
	readme, makefile, workflow := read(t, "README.md"), read(t, "Makefile"), read(t, ".github/workflows/ci.yml")

	// GitHub runners use Node 22; jsii calls 20 end-of-life.
	assert.Regexp(t, `(?m)^\s+node-version: 22\b`, workflow)
	// The workflow runs exactly .ci/run, so the two cannot drift apart.
	assert.Contains(t, workflow, "run: bash .ci/run")

	// Every npx cdktf command a newcomer copies skips the checkpoint call,
	// as the Makefile's do.
	for _, line := range strings.Split(readme, "\n") {
		if strings.Contains(line, "npx cdktf") {
			assert.Contains(t, line, "CHECKPOINT_DISABLE=1 npx cdktf", "README line: %s", line)
		}
	}
	assert.Contains(t, makefile, "export CHECKPOINT_DISABLE := 1")

	// make scan reads a fresh synth, fails on an empty render, and does not
	// print trivy's offline-bundle ERROR line.
	assert.Regexp(t, `(?m)^scan: synth\b`, makefile)
	assert.Contains(t, makefile, "--quiet")
	assert.Contains(t, makefile, `of 6 stacks rendered`)

	// No spinner escape codes when cdktf's stdout is not a terminal.
	assert.Regexp(t, regexp.QuoteMeta(`CDKTF := CI=$${CI:-$$([ -t 1 ] || echo true)} npx --no-install cdktf`), makefile)

	// What works with OpenTofu, and why both state locks stay.
	assert.Contains(t, readme, "TERRAFORM_BINARY_NAME=tofu")
	assert.Contains(t, readme, "OpenTofu works from 1.10")
	assert.Contains(t, readme, "`dynamodb_table` is deprecated")
	assert.Contains(t, readme, "## Extending")
}
