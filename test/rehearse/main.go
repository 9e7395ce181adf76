// Command rehearse is the deploy rehearsal: it runs the operator's real
// path (make bootstrap, make migrate-bootstrap, make deploy, a change, make
// destroy, a rebuild) for each environment against its own moto server with
// the real AWS provider, and judges every re-plan against the reviewed
// emulator gaps in emulator-gaps.yaml. With -validate it instead runs
// terraform validate and an offline plan of every synthesized stack.
//
//	go run ./test/rehearse [-keep] [dev staging prod]
//	go run ./test/rehearse -validate [-out cdktf.out]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/flow-builder/infra/config"
)

func main() {
	validate := flag.Bool("validate", false, "terraform validate + offline plan of every stack under -out (no emulator)")
	out := flag.String("out", "cdktf.out", "synthesized output to validate")
	keep := flag.Bool("keep", false, "keep build/rehearse/<env>/cdktf.out (providers, state) after a passing run")
	parallel := flag.Int("parallel", 3, "environments rehearsed at once (each has its own moto; most of an apply is waiting)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	repo, err := os.Getwd()
	if err == nil {
		_, err = os.Stat(filepath.Join(repo, "test", "rehearse", "emulator-gaps.yaml"))
	}
	if err != nil {
		fail("run from the repository root (make rehearse / make validate): %v", err)
	}
	if *validate {
		os.Exit(runValidate(ctx, repo, *out))
	}
	os.Exit(runRehearsal(ctx, repo, flag.Args(), *keep, max(*parallel, 1)))
}

func runValidate(ctx context.Context, repo, out string) int {
	tools, err := FindTools(false)
	if err != nil {
		fail("%v", err)
	}
	start := time.Now()
	results, err := Validate(ctx, tools, out, filepath.Join(repo, "build", "validate"))
	if err != nil {
		fail("%v", err)
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "stack\tvalidate + offline plan\tresources planned\tseconds")
	failed := 0
	for _, r := range results {
		status := "ok"
		if r.Err != nil {
			status, failed = "FAILED", failed+1
		}
		fmt.Fprintf(w, "%s\t%s\t%d\t%.0f\n", r.Stack, status, r.Planned, r.Duration.Seconds())
	}
	w.Flush()
	for _, r := range results {
		if r.Err != nil {
			fmt.Printf("\n%s:\n%v\n", r.Stack, r.Err)
		}
	}
	fmt.Printf("validate: %d passed, %d failed in %s\n", len(results)-failed, failed, secs(time.Since(start)))
	if failed > 0 {
		return 1
	}
	return 0
}

func runRehearsal(ctx context.Context, repo string, envs []string, keep bool, parallel int) int {
	if len(envs) == 0 {
		envs = config.EnvironmentNames
	}
	for _, e := range envs {
		if !slices.Contains(config.EnvironmentNames, e) {
			fail("unknown environment %q: choose from %s", e, strings.Join(config.EnvironmentNames, ", "))
		}
	}
	tools, err := FindTools(true)
	if err != nil {
		fail("%v", err)
	}
	gaps, err := LoadGaps(filepath.Join(repo, "test", "rehearse", "emulator-gaps.yaml"))
	if err != nil {
		fail("%v", err)
	}
	start := time.Now()
	all := make([]*Rehearsal, len(envs))
	errs := make([]error, len(envs))
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for i, e := range envs {
		all[i] = &Rehearsal{Env: e, Repo: repo, Tools: tools, Gaps: gaps, Keep: keep}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			if errs[i] = all[i].Run(ctx); errs[i] != nil {
				fmt.Printf("[%s] FAILED: %v\n", e, errs[i])
			}
		}()
	}
	wg.Wait()
	failed := 0
	for _, err := range errs {
		if err != nil {
			failed++
		}
	}
	fmt.Println()
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "stack\tresources\tapply\tre-plan\tchange\tdestroy / rebuild")
	for _, r := range all {
		for _, s := range r.Stacks {
			fmt.Fprintf(w, "%s\t%d\t%s\t%s\t%s\t%s\n", s.Stack, s.Resources, secs(s.Apply), s.Replan, s.Change, s.Destroy)
		}
	}
	w.Flush()
	fmt.Printf("rehearsal: %d passed, %d failed (%s) in %s\n", len(all)-failed, failed, strings.Join(envs, " "), secs(time.Since(start)))
	if failed > 0 || ctx.Err() != nil {
		return 1
	}
	return 0
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "rehearse: "+format+"\n", args...)
	os.Exit(2)
}
