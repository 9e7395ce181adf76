package stacks

import (
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/flow-builder/infra/report"
	"github.com/flow-builder/infra/state"
	"github.com/flow-builder/infra/test/scaling"
)

// TestDocsAreCurrent fails when docs/environments.md no longer matches what
// the stacks synthesize; `make docs` (or -update) regenerates it.
func TestDocsAreCurrent(t *testing.T) {
	synthAll(t)
	prices, err := report.LoadPrices()
	require.NoError(t, err)
	var in []report.Environment
	for _, env := range envs {
		n := state.NamesFor(env)
		app, err := report.Decode([]byte(synthAll(t)[n.AppStack]))
		require.NoError(t, err)
		boot, err := report.Decode([]byte(synthAll(t)[n.BootstrapStack]))
		require.NoError(t, err)
		in = append(in, report.Environment{Name: env.Name, App: app, Boot: boot})
	}
	page, err := report.Markdown(in, prices)
	require.NoError(t, err)
	timeline, err := scaling.DocsSection([]byte(released["dev"]))
	require.NoError(t, err)
	page += timeline
	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	withMatrix, err := report.WithMatrix(string(readme), in)
	require.NoError(t, err)
	for path, got := range map[string]string{"../docs/environments.md": page, "../README.md": withMatrix} {
		if *update {
			require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
			continue
		}
		want, err := os.ReadFile(path)
		require.NoError(t, err, "run make docs")
		if string(want) != got {
			t.Errorf("%s is stale; run make docs:\n%s", path, lineDiff(string(want), got))
		}
	}
}
