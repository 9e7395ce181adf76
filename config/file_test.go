package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFailsFileTooLarge: one byte over 1 MiB is refused before it is parsed,
// with a message that states the limit.
func TestFailsFileTooLarge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dev.yaml")
	data := []byte("# padding\n" + strings.Repeat("#", MaxFileBytes-10) + "x")
	require.Len(t, data, MaxFileBytes+1)
	require.NoError(t, os.WriteFile(path, data, 0o600))
	_, err := Load(path)
	require.Error(t, err)
	assert.Equal(t, filepath.ToSlash(path)+": is 1048577 bytes, larger than 1 MiB (1048576 bytes); environment files must be regular files up to 1 MiB", err.Error())

	_, err = Parse(path, data)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "is larger than 1 MiB (1048576 bytes); environment files must be regular files up to 1 MiB")
}

// TestFileOfExactly1MiBIsRead: the limit is inclusive; a padded real file of
// exactly MaxFileBytes loads.
func TestFileOfExactly1MiBIsRead(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(envDir, "dev.yaml"))
	require.NoError(t, err)
	data = append(data, "#"+strings.Repeat(" ", MaxFileBytes-len(data)-2)+"\n"...)
	require.Len(t, data, MaxFileBytes)
	path := filepath.Join(t.TempDir(), "dev.yaml")
	require.NoError(t, os.WriteFile(path, data, 0o600))
	_, err = Load(path)
	require.NoError(t, err)
}

// TestFailsDirectory: a directory named like an environment file is refused
// by its kind, not with a read error.
func TestFailsDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dev.yaml")
	require.NoError(t, os.Mkdir(path, 0o700))
	_, err := Load(path)
	require.Error(t, err)
	assert.Equal(t, filepath.ToSlash(path)+": is not a regular file (directory); environment files must be regular files up to 1 MiB", err.Error())
}

// endless is a reader that never ends, like /dev/zero or a file that keeps
// growing after it was checked.
type endless struct{ read int }

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'a'
	}
	e.read += len(p)
	return len(p), nil
}

// TestFailsEndlessReaderIsBounded: whatever passed the checks, reading stops
// one byte past the limit.
func TestFailsEndlessReaderIsBounded(t *testing.T) {
	r := &endless{}
	done := make(chan error, 1)
	go func() {
		_, err := readBounded("environments/dev.yaml", r)
		done <- err
	}()
	select {
	case err := <-done:
		require.Error(t, err)
		assert.Equal(t, "environments/dev.yaml: is larger than 1 MiB (1048576 bytes); environment files must be regular files up to 1 MiB", err.Error())
		assert.Equal(t, MaxFileBytes+1, r.read, "read no more than the limit plus one byte")
	case <-time.After(10 * time.Second):
		t.Fatal("reading an endless file did not stop")
	}
}
