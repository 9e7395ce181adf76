// Command flow-builder-infra synthesizes every Flow Builder stack: for each
// environment file under environments/, a bootstrap state stack and an
// application stack. A bad environment value stops it before anything is
// written.
package main

import (
	"flag"
	"fmt"
	"os"

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
	app := cdktf.NewApp(nil)
	stacks.All(app, envs, stacks.Code{Scheduler: code})
	app.Synth()
}
