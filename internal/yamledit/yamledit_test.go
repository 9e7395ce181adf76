package yamledit

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSetEditsLikeAnOperatorKeepingComments(t *testing.T) {
	file := filepath.Join(t.TempDir(), "dev.yaml")
	require.NoError(t, os.WriteFile(file, []byte("# top\naccount_id: \"111111111111\"\nscheduler:\n  memory_mib: 128 # small\n"), 0o644))
	require.NoError(t, Set(file, "scheduler.memory_mib", 256))
	require.NoError(t, Set(file, "state_in_bucket", true))
	require.NoError(t, Set(file, "dns.hosted_zone_id", "Z123"))
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	s := string(data)
	assert.Contains(t, s, "# top")
	assert.Contains(t, s, "memory_mib: 256 # small")
	assert.Contains(t, s, "state_in_bucket: true")
	assert.Contains(t, s, "dns:\n  hosted_zone_id: Z123")
	assert.Contains(t, s, `account_id: "111111111111"`)
}

func TestDeleteRemovesOnlyThatKey(t *testing.T) {
	file := filepath.Join(t.TempDir(), "staging.yaml")
	require.NoError(t, os.WriteFile(file, []byte("services:\n  awaiting_first_release: true\n  api:\n    image: v1.0.0 # released\n"), 0o644))
	require.NoError(t, Delete(file, "services.awaiting_first_release"))
	require.NoError(t, Delete(file, "services.no_such_key"))
	require.NoError(t, Delete(file, "nothing.here"))
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	assert.Equal(t, "services:\n  api:\n    image: v1.0.0 # released\n", string(data))
}
