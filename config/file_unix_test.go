//go:build unix

package config

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFailsNamedPipe: a FIFO in place of an environment file used to hang
// synth (open waits for a writer). It must be refused at once.
func TestFailsNamedPipe(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dev.yaml")
	require.NoError(t, syscall.Mkfifo(path, 0o600))
	done := make(chan error, 1)
	go func() {
		_, err := Load(path)
		done <- err
	}()
	select {
	case err := <-done:
		require.Error(t, err)
		assert.Equal(t, filepath.ToSlash(path)+": is not a regular file (named pipe); environment files must be regular files up to 1 MiB", err.Error())
	case <-time.After(5 * time.Second):
		// Release the blocked reader so the test binary can exit.
		if w, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			w.Close()
		}
		t.Fatal("Load blocked on a named pipe")
	}
}

// TestFailsSymlinkToDevZero: /dev/zero never ends; reading it used to grow
// synth's memory without bound.
func TestFailsSymlinkToDevZero(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero on this system")
	}
	path := filepath.Join(t.TempDir(), "dev.yaml")
	require.NoError(t, os.Symlink("/dev/zero", path))
	_, err := Load(path)
	require.Error(t, err)
	assert.Equal(t, filepath.ToSlash(path)+": is not a regular file (character device, through a symlink to /dev/zero); environment files must be regular files up to 1 MiB", err.Error())
}

// TestSymlinkToRegularFileLoads: a symlink to a regular file is fine (config
// mounts and checkouts with symlinked files work).
func TestSymlinkToRegularFileLoads(t *testing.T) {
	target, err := filepath.Abs(filepath.Join(envDir, "dev.yaml"))
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "dev.yaml")
	require.NoError(t, os.Symlink(target, path))
	env, err := Load(path)
	require.NoError(t, err)
	assert.Equal(t, "dev", env.Name)
}
