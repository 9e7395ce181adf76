// Package bundle builds the Lambda deployment directories the stacks package
// as cdktf assets. It is pure Go (no jsii): the app builds bundles before it
// starts synthesizing, tests build them once per test binary.
package bundle

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Bundle is a Lambda deployment package: a zip holding the "bootstrap" binary.
type Bundle struct {
	// Zip is the deployment package (absolute path). It is zipped here, not by
	// cdktf: cdktf 0.20.12's ARCHIVE assets can be truncated (terraform-cdk
	// issue 3858, fixed after the last release), so the stack ships it as a
	// FILE asset.
	Zip string
	// Hash identifies the sources and build settings the binary was built
	// from; it names the asset, so the synthesized JSON is the same on every
	// machine and changes exactly when the function's code does.
	Hash string
}

// Function describes one Go Lambda function of this module.
type Function struct {
	// Name is the build directory name under build/.
	Name string
	// Package is the main package, relative to the module root.
	Package string
	// SourceDirs hold the function's code, relative to the module root.
	SourceDirs []string
}

// Scheduler is the scheduling function.
var Scheduler = Function{Name: "scheduler", Package: "./functions/scheduler/cmd/scheduler", SourceDirs: []string{"functions/scheduler"}}

// goEnv are the build settings: provided.al2023 on arm64, static, reproducible.
var goEnv = []string{"GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0", "GOFLAGS=-trimpath -buildvcs=false"}

var goArgs = []string{"build", "-tags", "lambda.norpc", "-ldflags", "-s -w -buildid="}

// Build compiles f below root (the module root) into root/build/<name>/bootstrap,
// unless the binary there was already built from the same hash.
func Build(root string, f Function) (Bundle, error) {
	root, err := filepath.Abs(root)
	if err != nil {
		return Bundle{}, err
	}
	hash, err := sourceHash(root, f)
	if err != nil {
		return Bundle{}, err
	}
	dir := filepath.Join(root, "build", f.Name)
	zipPath := filepath.Join(root, "build", f.Name+".zip")
	stamp := filepath.Join(root, "build", f.Name+".hash")
	if prev, err := os.ReadFile(stamp); err == nil && string(prev) == hash {
		if _, err := os.Stat(zipPath); err == nil {
			return Bundle{Zip: zipPath, Hash: hash}, nil
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Bundle{}, err
	}
	// Build next to the target and rename: a concurrent build never sees half a binary.
	tmp := filepath.Join(dir, fmt.Sprintf(".bootstrap-%d", os.Getpid()))
	args := append(append([]string{}, goArgs...), "-o", tmp, f.Package)
	cmd := exec.Command("go", args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), goEnv...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return Bundle{}, fmt.Errorf("build %s: %v\n%s", f.Name, err, out)
	}
	bin := filepath.Join(dir, "bootstrap")
	if err := os.Rename(tmp, bin); err != nil {
		return Bundle{}, err
	}
	if err := zipBootstrap(bin, zipPath); err != nil {
		return Bundle{}, err
	}
	if err := os.WriteFile(stamp, []byte(hash), 0o644); err != nil {
		return Bundle{}, err
	}
	return Bundle{Zip: zipPath, Hash: hash}, nil
}

// zipBootstrap writes a zip holding bin as "bootstrap", executable, with a
// fixed timestamp so the same binary always gives the same bytes.
func zipBootstrap(bin, zipPath string) error {
	data, err := os.ReadFile(bin)
	if err != nil {
		return err
	}
	tmp := fmt.Sprintf("%s.%d", zipPath, os.Getpid())
	out, err := os.Create(tmp)
	if err != nil {
		return err
	}
	zw := zip.NewWriter(out)
	hdr := &zip.FileHeader{Name: "bootstrap", Method: zip.Deflate, Modified: time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)}
	hdr.SetMode(0o755)
	w, err := zw.CreateHeader(hdr)
	if err == nil {
		_, err = w.Write(data)
	}
	if err == nil {
		err = zw.Close()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, zipPath)
}

// sourceHash is a SHA-256 over the build settings, go.mod, go.sum and every
// non-test Go file of the function, by relative path, in sorted order.
func sourceHash(root string, f Function) (string, error) {
	files := []string{"go.mod", "go.sum"}
	for _, d := range f.SourceDirs {
		err := filepath.WalkDir(filepath.Join(root, d), func(p string, e fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !e.IsDir() && strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, "_test.go") {
				rel, err := filepath.Rel(root, p)
				if err != nil {
					return err
				}
				files = append(files, filepath.ToSlash(rel))
			}
			return nil
		})
		if err != nil {
			return "", err
		}
	}
	sort.Strings(files)
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s\n%s\n", strings.Join(goEnv, " "), strings.Join(goArgs, " "), f.Package)
	for _, rel := range files {
		fh, err := os.Open(filepath.Join(root, rel))
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s\n", rel)
		_, err = io.Copy(h, fh)
		fh.Close()
		if err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:32], nil
}
