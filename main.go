// Command flow-builder-infra synthesizes every Flow Builder stack: for each
// environment file under environments/, a bootstrap state stack and an
// application stack. A bad environment value stops it before anything is
// written.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/flow-builder/infra/config"
	"github.com/flow-builder/infra/functions/bundle"
	"github.com/flow-builder/infra/guardrails"
	"github.com/flow-builder/infra/stacks"
	"github.com/flow-builder/infra/state"
)

func main() {
	checkOnly := flag.Bool("check", false, "only load and validate the environment files")
	flag.Parse()
	// FLOW_BUILDER_ENVIRONMENTS (set by the Makefile's ENVIRONMENTS) lets the
	// deploy rehearsal synthesize from its own copy of the files.
	dir := os.Getenv("FLOW_BUILDER_ENVIRONMENTS")
	if dir == "" {
		dir = "environments"
	}
	envs, err := config.LoadAll(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
	if *checkOnly {
		fmt.Printf("environments ok: %d files valid\n", len(envs))
		return
	}
	code, err := bundle.Build(".", bundle.Scheduler)
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
	// cdktf's validation phase would resolve every stack a second time; the
	// guardrails instead read the JSON synth writes, and a violation removes
	// it again, so a failed synth leaves nothing behind.
	app := cdktf.NewApp(&cdktf.AppConfig{SkipValidation: jsii.Bool(true)})
	stacks.All(app, envs, stacks.Code{Scheduler: code})
	app.Synth()
	out := filepath.Join(*app.Outdir(), "stacks")
	problems, err := check(out, envs)
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
	if len(problems) > 0 {
		os.RemoveAll(out)
		fmt.Fprintf(os.Stderr, "error: %d guardrail violation(s); nothing was written:\n", len(problems))
		for _, p := range problems {
			fmt.Fprintln(os.Stderr, "  "+p)
		}
		os.Exit(1)
	}
}

// check runs the guardrails over every synthesized stack of every
// environment and returns all violations, in stack-name order.
func check(dir string, envs []*config.Environment) ([]string, error) {
	tiers := map[string]guardrails.Tier{}
	for _, env := range envs {
		n := state.NamesFor(env)
		tiers[n.AppStack], tiers[n.BootstrapStack] = guardrails.Tier(env.Name), guardrails.Tier(env.Name)
	}
	names := make([]string, 0, len(tiers))
	for n := range tiers {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []string
	for _, n := range names {
		data, err := os.ReadFile(filepath.Join(dir, n, "cdk.tf.json"))
		if err != nil {
			return nil, err
		}
		var doc map[string]any
		if err := json.Unmarshal(data, &doc); err != nil {
			return nil, fmt.Errorf("%s: %w", n, err)
		}
		for _, v := range guardrails.Check(tiers[n], doc) {
			out = append(out, n+": "+v.String())
		}
	}
	return out, nil
}
