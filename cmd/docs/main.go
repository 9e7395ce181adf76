// Command docs writes docs/environments.md (diagram, environment matrix, cost
// estimate) and the matrix in README.md from the synthesized stacks in
// cdktf.out/stacks. Run `make docs`.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/flow-builder/infra/config"
	"github.com/flow-builder/infra/report"
	"github.com/flow-builder/infra/test/scaling"
)

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: docs <cdktf.out/stacks> <docs/environments.md> <README.md>")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2], os.Args[3]); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func run(stacksDir, out, readmePath string) error {
	prices, err := report.LoadPrices()
	if err != nil {
		return err
	}
	read := func(stack string) (report.Stack, error) {
		data, err := os.ReadFile(filepath.Join(stacksDir, stack, "cdk.tf.json"))
		if err != nil {
			return nil, fmt.Errorf("%w (run make synth first)", err)
		}
		return report.Decode(data)
	}
	var envs []report.Environment
	for _, name := range config.EnvironmentNames {
		app, err := read(config.Project + "-" + name)
		if err != nil {
			return err
		}
		boot, err := read(config.Project + "-state-" + name)
		if err != nil {
			return err
		}
		envs = append(envs, report.Environment{Name: name, App: app, Boot: boot})
	}
	md, err := report.Markdown(envs, prices)
	if err != nil {
		return err
	}
	// The wake/sleep timeline is replayed from the released dev stack (the
	// committed environment files declare no image, so dev does not scale).
	dev, err := os.ReadFile(filepath.Join("stacks", "testdata", "released", config.Project+"-dev.json"))
	if err != nil {
		return err
	}
	timeline, err := scaling.DocsSection(dev)
	if err != nil {
		return err
	}
	md += timeline
	if err := os.WriteFile(out, []byte(md), 0o644); err != nil {
		return err
	}
	readme, err := os.ReadFile(readmePath)
	if err != nil {
		return err
	}
	updated, err := report.WithMatrix(string(readme), envs)
	if err != nil {
		return err
	}
	src, err := os.ReadFile("config/config.go")
	if err != nil {
		return err
	}
	if updated, err = config.WithReference(updated, src); err != nil {
		return err
	}
	return os.WriteFile(readmePath, []byte(updated), 0o644)
}
