// Command flow-builder-infra synthesizes every Flow Builder stack: for each
// environment file under environments/, a bootstrap state stack and an
// application stack. A bad environment value stops it before anything is
// written.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/flow-builder/infra/config"
	"github.com/flow-builder/infra/functions/bundle"
	"github.com/flow-builder/infra/stacks"
)

func main() {
	check := flag.Bool("check", false, "only load and validate the environment files")
	flag.Parse()
	envs, err := config.LoadAll("environments")
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
	if *check {
		fmt.Printf("environments ok: %d files valid\n", len(envs))
		return
	}
	code, err := bundle.Build(".", bundle.Scheduler)
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
	// Guardrails run below, for every stack, before anything is written.
	app := cdktf.NewApp(&cdktf.AppConfig{SkipValidation: jsii.Bool(true)})
	all := stacks.All(app, envs, stacks.Code{Scheduler: code})
	if problems := validate(all); len(problems) > 0 {
		fmt.Fprintf(os.Stderr, "error: %d guardrail violation(s); nothing was written:\n", len(problems))
		for _, p := range problems {
			fmt.Fprintln(os.Stderr, "  "+p)
		}
		os.Remove(filepath.Join(*app.Outdir(), "stacks")) // the app made it empty; leave nothing behind
		os.Exit(1)
	}
	app.Synth()
}

// validate runs every stack's validations (the guardrails) and returns all
// their messages, prefixed with the stack name, in stack-name order.
func validate(all map[string]cdktf.TerraformStack) []string {
	names := make([]string, 0, len(all))
	for n := range all {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []string
	for _, n := range names {
		for _, msg := range *all[n].Node().Validate() {
			out = append(out, n+": "+*msg)
		}
	}
	return out
}
