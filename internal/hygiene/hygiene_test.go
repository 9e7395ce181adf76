package hygiene

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// repoRoot is the repository root, seen from this package's directory.
const repoRoot = "../.."

// maxTrackedBytes is the largest file git may track outside sizeExempt.
// The largest tracked file today is package-lock.json (about 220 KB); a
// 64 MB build output was once committed by accident (commit 611502f).
const maxTrackedBytes = 1 << 20

// sniffBytes is how much of a file is searched for a NUL byte, the same
// heuristic git uses to call a file binary.
const sniffBytes = 8000

// sizeExempt are path prefixes whose files may exceed maxTrackedBytes: they
// are generated text (golden Terraform JSON, generated docs) that a test
// keeps current. They must still be text.
var sizeExempt = []string{"stacks/testdata/", "docs/"}

// problem says what is wrong with a tracked file of the given size whose
// first bytes are head, or "" when nothing is.
func problem(path string, size int64, head []byte) string {
	if bytes.IndexByte(head, 0) >= 0 {
		return fmt.Sprintf("%s: is binary (NUL byte in its first %d bytes)", path, sniffBytes)
	}
	if size > maxTrackedBytes && !exempt(path) {
		return fmt.Sprintf("%s: is %d bytes, above the %d-byte limit for tracked files", path, size, maxTrackedBytes)
	}
	return ""
}

func exempt(path string) bool {
	for _, prefix := range sizeExempt {
		if strings.HasPrefix(path, prefix) {
			return true
		}
	}
	return false
}

// TestTrackedFilesAreSmallText fails when git tracks a binary file or one
// larger than 1 MiB (generated docs and golden JSON may be larger). Build
// outputs, archives and downloaded tools belong in .gitignore, releases or
// artifact storage, not in history where every clone pays for them forever.
func TestTrackedFilesAreSmallText(t *testing.T) {
	git, err := exec.LookPath("git")
	if err != nil {
		t.Skip("git is not installed, so tracked files cannot be listed:", err)
	}
	if _, err := os.Stat(filepath.Join(repoRoot, ".git")); errors.Is(err, fs.ErrNotExist) {
		t.Skip("not a git checkout (no .git at the repository root), so there are no tracked files to check")
	}
	cmd := exec.Command(git, "ls-files", "-z")
	cmd.Dir = repoRoot
	out, err := cmd.Output()
	require.NoError(t, err, "git ls-files")
	paths := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
	require.NotEmpty(t, paths)

	var problems []string
	checked := 0
	for _, path := range paths {
		full := filepath.Join(repoRoot, filepath.FromSlash(path))
		info, err := os.Lstat(full)
		if errors.Is(err, fs.ErrNotExist) {
			continue // deleted in the work tree; git status shows it
		}
		require.NoError(t, err)
		if !info.Mode().IsRegular() {
			continue // a symlink or submodule: no content of its own here
		}
		head, err := readHead(full)
		require.NoError(t, err)
		if p := problem(path, info.Size(), head); p != "" {
			problems = append(problems, p)
		}
		checked++
	}
	assert.NotZero(t, checked, "no tracked file was checked")
	assert.Empty(t, problems, "untrack these (git rm --cached <path>) and ignore them in .gitignore:\n%s", strings.Join(problems, "\n"))
}

func readHead(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, sniffBytes))
}

// TestProblem pins the rule itself, independent of today's tree.
func TestProblem(t *testing.T) {
	text, nul := []byte("package main\n"), []byte("\x7fELF\x02\x01\x01\x00")
	cases := []struct {
		name, path string
		size       int64
		head       []byte
		want       string
	}{
		{"small text", "main.go", 2711, text, ""},
		{"exactly 1 MiB", "package-lock.json", maxTrackedBytes, text, ""},
		{"one byte over", "package-lock.json", maxTrackedBytes + 1, text, "package-lock.json: is 1048577 bytes, above the 1048576-byte limit for tracked files"},
		{"binary", "infra", 64 << 20, nul, "infra: is binary (NUL byte in its first 8000 bytes)"},
		{"small binary", "bin/x", 8, nul, "bin/x: is binary"},
		{"large golden JSON", "stacks/testdata/flow-builder-prod.json", 5 << 20, text, ""},
		{"large generated doc", "docs/environments.md", 5 << 20, text, ""},
		{"binary in docs is still binary", "docs/diagram.png", 100, nul, "docs/diagram.png: is binary"},
		{"prefix must match from the root", "tools/docs/big.txt", 5 << 20, text, "tools/docs/big.txt: is 5242880 bytes"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := problem(tc.path, tc.size, tc.head)
			if tc.want == "" {
				assert.Empty(t, got)
				return
			}
			assert.Contains(t, got, tc.want)
		})
	}
}
