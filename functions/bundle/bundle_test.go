package bundle

import (
	"archive/zip"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSourceHashIsStableAndTracksTheCode(t *testing.T) {
	root := t.TempDir()
	write := func(rel, text string) {
		p := filepath.Join(root, rel)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
	}
	write("go.mod", "module x\n")
	write("go.sum", "")
	write("functions/f/f.go", "package f\n")
	write("functions/f/f_test.go", "package f\n")
	f := Function{Name: "f", Package: "./functions/f", SourceDirs: []string{"functions/f"}}

	a, err := sourceHash(root, f)
	require.NoError(t, err)
	b, err := sourceHash(root, f)
	require.NoError(t, err)
	assert.Equal(t, a, b)
	assert.Len(t, a, 32)

	write("functions/f/f_test.go", "package f // tests do not change the binary\n")
	c, err := sourceHash(root, f)
	require.NoError(t, err)
	assert.Equal(t, a, c)

	write("functions/f/f.go", "package f // changed\n")
	d, err := sourceHash(root, f)
	require.NoError(t, err)
	assert.NotEqual(t, a, d)
}

func TestZipBootstrapIsALambdaPackage(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "bootstrap")
	require.NoError(t, os.WriteFile(bin, []byte("\x7fELF fake binary"), 0o755))
	a, b := filepath.Join(dir, "a.zip"), filepath.Join(dir, "b.zip")
	require.NoError(t, zipBootstrap(bin, a))
	require.NoError(t, zipBootstrap(bin, b))

	za, err := os.ReadFile(a)
	require.NoError(t, err)
	zb, err := os.ReadFile(b)
	require.NoError(t, err)
	assert.Equal(t, za, zb, "same binary, same bytes")

	r, err := zip.OpenReader(a)
	require.NoError(t, err)
	defer r.Close()
	require.Len(t, r.File, 1)
	f := r.File[0]
	assert.Equal(t, "bootstrap", f.Name)
	assert.Equal(t, os.FileMode(0o755), f.Mode().Perm(), "Lambda runs bootstrap: it must be executable")
	rc, err := f.Open()
	require.NoError(t, err)
	content, err := io.ReadAll(rc)
	require.NoError(t, err)
	assert.Equal(t, "\x7fELF fake binary", string(content))
}
