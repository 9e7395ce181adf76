package stacks

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-cdk-go/cdktf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flow-builder/infra/config"
	"github.com/flow-builder/infra/functions/bundle"
	"github.com/flow-builder/infra/internal/tf"
	"github.com/flow-builder/infra/state"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// synthesized holds every stack's JSON, synthesized once for the whole test
// binary: each jsii start and synth costs seconds.
var (
	synthOnce   sync.Once
	synthesized map[string]string
	envs        []*config.Environment
	synthErr    error
	// released holds each environment's application stack as it is after a
	// release (releasedImages declared), keyed by environment name. The
	// committed files declare no image yet.
	released map[string]string
)

// releasedImages are declared for the released variants: a release tag for
// the api and a digest for the worker.
var releasedImages = map[string]string{
	"api":    "v1.4.2",
	"worker": "sha256:" + strings.Repeat("ab", 32),
}

// releasedCopy is env after make release of releasedImages.
func releasedCopy(env *config.Environment) *config.Environment {
	c := *env
	c.Services.API.Image = releasedImages["api"]
	c.Services.Worker.Image = releasedImages["worker"]
	c.Services.AwaitingFirstRelease = false
	return &c
}

func synthAll(t *testing.T) map[string]string {
	t.Helper()
	synthOnce.Do(func() {
		envs, synthErr = config.LoadAll("../environments")
		if synthErr != nil {
			return
		}
		var code bundle.Bundle
		code, synthErr = bundle.Build("..", bundle.Scheduler)
		if synthErr != nil {
			return
		}
		app := cdktf.Testing_App(&cdktf.TestingAppConfig{StackTraces: tf.B(false), StubVersion: tf.B(true)})
		all := All(app, envs, Code{Scheduler: code})
		synthesized = map[string]string{}
		for name, stack := range all {
			synthesized[name] = *cdktf.Testing_Synth(stack, tf.B(true))
		}
		released = map[string]string{}
		rapp := cdktf.Testing_App(&cdktf.TestingAppConfig{StackTraces: tf.B(false), StubVersion: tf.B(true)})
		for _, env := range envs {
			released[env.Name] = *cdktf.Testing_Synth(NewApplication(rapp, releasedCopy(env), Code{Scheduler: code}).Stack, tf.B(true))
		}
	})
	require.NoError(t, synthErr)
	return synthesized
}

// stackJSON is a synthesized stack decoded for property assertions.
type stackJSON map[string]any

func decoded(t *testing.T, name string) stackJSON {
	t.Helper()
	raw, ok := synthAll(t)[name]
	require.True(t, ok, "stack %s exists", name)
	var out stackJSON
	require.NoError(t, json.Unmarshal([]byte(raw), &out))
	return out
}

// resources returns every resource of the given type, by logical name.
func (s stackJSON) resources(typ string) map[string]map[string]any {
	out := map[string]map[string]any{}
	all, _ := s["resource"].(map[string]any)
	byName, _ := all[typ].(map[string]any)
	for name, r := range byName {
		out[name] = r.(map[string]any)
	}
	return out
}

// only returns the single resource of a type, failing if there is not exactly one.
func (s stackJSON) only(t *testing.T, typ string) map[string]any {
	t.Helper()
	rs := s.resources(typ)
	require.Len(t, rs, 1, "exactly one %s", typ)
	for _, r := range rs {
		return r
	}
	return nil
}

func envNames() []string { return config.EnvironmentNames }

func stackNames() []string {
	var out []string
	for _, e := range envNames() {
		env := &config.Environment{Name: e}
		n := state.NamesFor(env)
		out = append(out, n.BootstrapStack, n.AppStack)
	}
	return out
}

// TestGolden compares each stack's synthesized JSON with testdata/<stack>.json.
// Run `go test ./stacks -update` (make update-golden) to accept a change, then
// read the JSON diff.
func TestGolden(t *testing.T) {
	all := synthAll(t)
	require.ElementsMatch(t, stackNames(), keys(all))
	for _, name := range stackNames() {
		t.Run(name, func(t *testing.T) {
			compareGolden(t, filepath.Join("testdata", name+".json"), normalize(t, all[name]))
		})
	}
	// The released variants feed the scaling replay (test/scaling), which
	// reads these files instead of starting jsii.
	for _, env := range envs {
		name := state.NamesFor(env).AppStack
		t.Run("released/"+name, func(t *testing.T) {
			compareGolden(t, filepath.Join("testdata", "released", name+".json"), normalize(t, released[env.Name]))
		})
	}
}

// compareGolden checks got against the golden file at path, or rewrites it
// with -update.
func compareGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "missing golden file; run make update-golden")
	if string(want) != got {
		t.Fatalf("%s differs from the synthesized stack (run make update-golden to accept):\n%s", path, lineDiff(string(want), got))
	}
}

// normalize pretty-prints with sorted keys so diffs are stable and readable.
func normalize(t *testing.T, raw string) string {
	t.Helper()
	var v any
	require.NoError(t, json.Unmarshal([]byte(raw), &v))
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	require.NoError(t, enc.Encode(v))
	return buf.String()
}

// lineDiff shows the lines that differ, with a little context, in unified style.
func lineDiff(want, got string) string {
	a, b := strings.Split(want, "\n"), strings.Split(got, "\n")
	// Longest common subsequence over lines; files are small enough.
	n, m := len(a), len(b)
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var sb strings.Builder
	shown := 0
	for i, j := 0, 0; (i < n || j < m) && shown < 200; {
		switch {
		case i < n && j < m && a[i] == b[j]:
			i++
			j++
		case j < m && (i == n || lcs[i][j+1] >= lcs[i+1][j]):
			fmt.Fprintf(&sb, "+ %4d %s\n", j+1, b[j])
			j++
			shown++
		default:
			fmt.Fprintf(&sb, "- %4d %s\n", i+1, a[i])
			i++
			shown++
		}
	}
	return sb.String()
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestDeterministicAndResolved guards against output that synthesizes but
// cannot plan or differs between machines: an unresolved "undefined" operand
// (cdktf renders some literal "" and 0 operands that way), an unresolved
// token, or an absolute path.
func TestDeterministicAndResolved(t *testing.T) {
	wd, err := os.Getwd()
	require.NoError(t, err)
	for name, raw := range synthAll(t) {
		assert.NotContains(t, raw, "undefined", name)
		assert.NotContains(t, raw, "${TfToken[", name)
		assert.NotContains(t, raw, filepath.Dir(wd), name)
	}
}
