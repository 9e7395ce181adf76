package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/flow-builder/infra/config"
	"github.com/flow-builder/infra/internal/yamledit"
	"github.com/flow-builder/infra/state/names"
)

// Rehearsal runs the operator's path for one environment against its own
// moto: bootstrap, migrate the bootstrap state into its bucket, deploy,
// re-plan, change, destroy and (for a disposable environment) rebuild.
type Rehearsal struct {
	Env   string // dev, staging or prod
	Repo  string // repository root (where the Makefile is)
	Tools Tools
	Gaps  []Gap
	Keep  bool // keep the workspace after a successful run

	ws, out, envDir string
	names           names.Names
	cfg             *config.Environment
	moto            *Moto
	childEnv        []string
	logSeq          int
	Steps           []Step
	Stacks          []StackResult
}

// Step is one timed action of a rehearsal.
type Step struct {
	Name     string
	Duration time.Duration
	Note     string
	Err      error
}

// StackResult is the per-stack line of the summary.
type StackResult struct {
	Stack     string
	Resources int
	Apply     time.Duration
	Replan    string
	Change    string
	Destroy   string
}

// Run rehearses the environment. It always stops moto.
func (r *Rehearsal) Run(ctx context.Context) (err error) {
	r.ws = filepath.Join(r.Repo, "build", "rehearse", r.Env)
	r.out = filepath.Join(r.ws, "cdktf.out")
	r.envDir = filepath.Join(r.ws, "environments")
	if err := os.RemoveAll(r.ws); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(r.ws, "logs"), 0o755); err != nil {
		return err
	}
	if err := copyDir(filepath.Join(r.Repo, "environments"), r.envDir); err != nil {
		return err
	}
	// moto never reports an ECS service as steady (emulator-gaps.yaml:
	// ecs-steady-state), so the rehearsal's copy does not wait for rollouts.
	if err := yamledit.Set(r.envFile(), "services.no_wait_for_rollout", true); err != nil {
		return err
	}
	if r.cfg, err = config.Load(r.envFile()); err != nil {
		return err
	}
	r.names = names.For(r.cfg)
	if err := r.Tools.WriteCLIConfig(filepath.Join(r.ws, "terraformrc")); err != nil {
		return err
	}
	err = r.step("start moto", func() (string, error) {
		m, err := StartMoto(r.Tools.Python, filepath.Join(r.Repo, "test", "rehearse", "moto_server.py"),
			r.cfg.AccountID, r.cfg.Region, filepath.Join(r.ws, "logs", "moto.log"))
		r.moto = m
		if err != nil {
			return "", err
		}
		return m.URL + " account " + r.cfg.AccountID, nil
	})
	defer r.moto.Stop()
	if err != nil {
		return err
	}
	r.childEnv = r.environ()

	for _, phase := range []func(context.Context) error{r.zone, r.lock, r.bootstrap, r.deploy, r.release, r.change, r.upgrade, r.destroy} {
		if err := phase(ctx); err != nil {
			return err
		}
	}
	if !r.Keep {
		// .terraform/ holds a copy of the provider per stack (~700 MB).
		os.RemoveAll(r.out)
	}
	return nil
}

func (r *Rehearsal) envFile() string { return filepath.Join(r.envDir, r.Env+".yaml") }

func (r *Rehearsal) stackDir(stack string) string { return filepath.Join(r.out, "stacks", stack) }

// environ is what every child (make, cdktf, terraform, the provider) sees:
// fake credentials, every AWS endpoint at moto, providers from the mirror.
func (r *Rehearsal) environ() []string {
	drop := map[string]bool{"AWS_PROFILE": true, "AWS_SESSION_TOKEN": true, "MAKEFLAGS": true, "MAKELEVEL": true, "MFLAGS": true, "TF_DATA_DIR": true}
	var env []string
	for _, kv := range os.Environ() {
		if !drop[strings.SplitN(kv, "=", 2)[0]] {
			env = append(env, kv)
		}
	}
	return append(env,
		"AWS_ENDPOINT_URL="+r.moto.URL,
		"AWS_ACCESS_KEY_ID=rehearsal",
		"AWS_SECRET_ACCESS_KEY=rehearsal",
		"AWS_REGION="+r.cfg.Region,
		"AWS_DEFAULT_REGION="+r.cfg.Region,
		"AWS_EC2_METADATA_DISABLED=true",
		"TF_CLI_CONFIG_FILE="+filepath.Join(r.ws, "terraformrc"),
		"TF_IN_AUTOMATION=1",
		"TF_INPUT=0",
		"CHECKPOINT_DISABLE=1",
		"CI=1", // cdktf: no spinner
	)
}

// zone creates the organisation's hosted zone, which exists before the
// first deploy in a real account, and points the environment file at it.
func (r *Rehearsal) zone(ctx context.Context) error {
	if !r.cfg.HasDomain() {
		return nil
	}
	return r.step("create hosted zone", func() (string, error) {
		parent := r.cfg.DNS.Domain
		if i := strings.Index(parent, "."); i >= 0 && strings.Count(parent, ".") > 1 {
			parent = parent[i+1:]
		}
		id, err := r.moto.CreateHostedZone(ctx, parent)
		if err != nil {
			return "", err
		}
		return parent + " " + id, yamledit.Set(r.envFile(), "dns.hosted_zone_id", id)
	})
}

// lock writes each stack's dependency lock file from the mirror. On its
// first init cdktf runs `terraform providers lock -platform=linux_amd64`,
// which asks the public registry and ignores the CLI configuration's
// mirror; offline, the rehearsal writes the same lock from the mirror first
// (listed in emulator-gaps.yaml as offline-provider-lock).
func (r *Rehearsal) lock(ctx context.Context) error {
	return r.step("make synth; lock providers from the mirror", func() (string, error) {
		if err := r.make(ctx, "synth"); err != nil {
			return "", err
		}
		for _, stack := range []string{r.names.BootstrapStack, r.names.AppStack} {
			if err := r.terraform(ctx, r.stackDir(stack), "lock", "providers", "lock",
				"-fs-mirror="+r.Tools.PluginDir, "-platform=linux_amd64"); err != nil {
				return "", err
			}
		}
		return "", nil
	})
}

func (r *Rehearsal) bootstrap(ctx context.Context) error {
	stack := r.names.BootstrapStack
	res := StackResult{Stack: stack}
	defer func() { r.Stacks = append(r.Stacks, res) }()
	start := time.Now()
	if err := r.step("make bootstrap (local state)", func() (string, error) { return "", r.make(ctx, "bootstrap") }); err != nil {
		return err
	}
	res.Apply = time.Since(start)
	if err := r.step("make migrate-bootstrap", func() (string, error) {
		if err := yamledit.Set(r.envFile(), "state_in_bucket", true); err != nil {
			return "", err
		}
		if err := r.make(ctx, "migrate-bootstrap"); err != nil {
			return "", err
		}
		key := names.StateKey(stack)
		ok, err := r.moto.ObjectExists(ctx, r.names.Bucket, key)
		if err == nil && !ok {
			err = fmt.Errorf("s3://%s/%s does not exist after the migration", r.names.Bucket, key)
		}
		return "state in s3://" + r.names.Bucket + "/" + key, err
	}); err != nil {
		return err
	}
	if err := r.step("make bootstrap (state in bucket)", func() (string, error) { return "", r.make(ctx, "bootstrap") }); err != nil {
		return err
	}
	var n int
	err := r.step("re-plan "+stack, func() (string, error) {
		var err error
		n, err = r.resources(ctx, stack)
		if err != nil {
			return "", err
		}
		note, err := r.replan(ctx, stack)
		res.Replan = short(note)
		return note, err
	})
	res.Resources = n
	res.Change, res.Destroy = "-", "kept (prevent_destroy)"
	return err
}

func (r *Rehearsal) deploy(ctx context.Context) error {
	stack := r.names.AppStack
	res := StackResult{Stack: stack, Replan: "-", Change: "-", Destroy: "-"}
	r.Stacks = append(r.Stacks, res)
	start := time.Now()
	if err := r.step("make deploy", func() (string, error) { return "", r.make(ctx, "deploy") }); err != nil {
		return err
	}
	r.app().Apply = time.Since(start)
	return r.step("re-plan "+stack, func() (string, error) {
		n, err := r.resources(ctx, stack)
		r.app().Resources = n
		if err != nil {
			return "", err
		}
		note, err := r.replan(ctx, stack)
		r.app().Replan = short(note)
		return note, err
	})
}

func (r *Rehearsal) app() *StackResult { return &r.Stacks[len(r.Stacks)-1] }

// releaseImages are the releases the scenario declares. moto runs no
// container, so nothing pulls them; what is rehearsed is the declaration,
// the plan it produces and that a plain deploy leaves it alone.
const releaseV1, releaseV2 = "v1.0.0", "v2.0.0"

// release runs the release scenario: the first release (prod is promoted
// from what staging declares), a plain re-deploy that must change nothing,
// and in staging a release of v2 and a rollback to v1.
func (r *Rehearsal) release(ctx context.Context) error {
	stack := r.names.AppStack
	first := func() (string, error) {
		if err := r.make(ctx, "release", "SERVICE=all", "IMAGE="+releaseV1); err != nil {
			return "", err
		}
		return r.expectImages(ctx, releaseV1, releaseV1)
	}
	if r.Env == "prod" {
		// What staging declares after its release, as committed in git.
		first = func() (string, error) {
			staging := filepath.Join(r.envDir, "staging.yaml")
			for _, svc := range config.ServiceNames {
				if err := yamledit.Set(staging, "services."+svc+".image", releaseV1); err != nil {
					return "", err
				}
			}
			if err := yamledit.Delete(staging, "services.awaiting_first_release"); err != nil {
				return "", err
			}
			if err := r.make(ctx, "promote", "FROM=staging", "TO=prod"); err != nil {
				return "", err
			}
			return r.expectImages(ctx, releaseV1, releaseV1)
		}
	}
	name := "make release SERVICE=all IMAGE=" + releaseV1
	if r.Env == "prod" {
		name = "make promote FROM=staging TO=prod"
	}
	if err := r.step(name, first); err != nil {
		return err
	}
	if err := r.step("plain make deploy changes no service", func() (string, error) {
		changes, err := r.plan(ctx, stack)
		if err != nil {
			return "", err
		}
		v := Judge(changes, r.Gaps)
		if !v.OK() {
			return "", fmt.Errorf("a plain deploy after a release would change:\n%s", list(v.Failed))
		}
		if err := r.make(ctx, "deploy"); err != nil {
			return "", err
		}
		return r.replan(ctx, stack)
	}); err != nil {
		return err
	}
	switch r.Env {
	case "staging":
		if err := r.step("make release SERVICE=api IMAGE="+releaseV2, func() (string, error) {
			if err := r.make(ctx, "release", "SERVICE=api", "IMAGE="+releaseV2); err != nil {
				return "", err
			}
			return r.expectImages(ctx, releaseV2, releaseV1)
		}); err != nil {
			return err
		}
		return r.step("roll back: make release SERVICE=api IMAGE="+releaseV1, func() (string, error) {
			if err := r.make(ctx, "release", "SERVICE=api", "IMAGE="+releaseV1); err != nil {
				return "", err
			}
			return r.expectImages(ctx, releaseV1, releaseV1)
		})
	}
	return nil
}

// expectImages checks the stack's api_image and worker_image outputs and the
// images the task definitions in state run.
func (r *Rehearsal) expectImages(ctx context.Context, api, worker string) (string, error) {
	out, err := r.terraformOutput(ctx, r.stackDir(r.names.AppStack), "output", "-json")
	if err != nil {
		return "", err
	}
	var outputs map[string]struct {
		Value any `json:"value"`
	}
	if err := json.Unmarshal(out, &outputs); err != nil {
		return "", err
	}
	var got []string
	for svc, want := range map[string]string{"api": api, "worker": worker} {
		v, _ := outputs[svc+"_image"].Value.(string)
		if !strings.HasSuffix(v, ":"+want) {
			return "", fmt.Errorf("%s_image is %q after the release, want the tag %s", svc, v, want)
		}
		got = append(got, svc+"="+want)
	}
	sort.Strings(got)
	return strings.Join(got, " "), nil
}

// change makes the kind of edit an operator makes (the scheduler's memory)
// and requires the plan to touch exactly that one resource and attribute.
func (r *Rehearsal) change(ctx context.Context) error {
	stack := r.names.AppStack
	mem := r.cfg.Scheduler.MemoryMiB * 2
	err := r.step(fmt.Sprintf("change scheduler.memory_mib %d -> %d", r.cfg.Scheduler.MemoryMiB, mem), func() (string, error) {
		if err := yamledit.Set(r.envFile(), "scheduler.memory_mib", mem); err != nil {
			return "", err
		}
		if err := r.make(ctx, "synth"); err != nil {
			return "", err
		}
		changes, err := r.plan(ctx, stack)
		if err != nil {
			return "", err
		}
		// Apart from the listed gaps, the plan must be exactly one in-place
		// update of the function's memory_size.
		v := Judge(changes, r.Gaps)
		var rest []string
		if len(v.Failed) == 1 {
			_, rest = Residual(v.Failed[0], r.Gaps)
		}
		if len(v.Failed) != 1 || v.Failed[0].Type != "aws_lambda_function" || strings.Join(v.Failed[0].Actions, "+") != "update" ||
			strings.Join(rest, ",") != "memory_size" {
			return "", fmt.Errorf("the plan should update only the scheduler function's memory_size; apart from listed gaps it has %d change(s):\n%s", len(v.Failed), list(v.Failed))
		}
		if err := r.make(ctx, "deploy"); err != nil {
			return "", err
		}
		return v.Failed[0].Address + " memory_size", nil
	})
	if err != nil {
		r.app().Change = "FAILED"
		return err
	}
	r.app().Change = "1 update (memory_size)"
	return r.step("re-plan after change", func() (string, error) { return r.replan(ctx, stack) })
}

// upgrade rehearses a major engine upgrade where changes apply at once
// (dev: database.apply_immediately): the parameter group of the new family
// is created before the old one goes, and the instance moves to it.
func (r *Rehearsal) upgrade(ctx context.Context) error {
	if !r.cfg.Database.ApplyImmediately {
		return nil
	}
	from := r.cfg.Database.EngineVersion
	i := slices.Index(config.SupportedPostgresMajors, from)
	if i < 0 || i+1 >= len(config.SupportedPostgresMajors) {
		return nil
	}
	to := config.SupportedPostgresMajors[i+1]
	stack := r.names.AppStack
	err := r.step(fmt.Sprintf("major upgrade database.engine_version %s -> %s", from, to), func() (string, error) {
		if err := yamledit.Set(r.envFile(), "database.engine_version", to); err != nil {
			return "", err
		}
		if err := r.make(ctx, "deploy"); err != nil {
			return "", err
		}
		return "", nil
	})
	if err != nil {
		return err
	}
	return r.step("re-plan after upgrade", func() (string, error) { return r.replan(ctx, stack) })
}

// destroy tears the application stack down. A disposable environment (no
// database deletion protection) must destroy exactly as configured and then
// rebuild; a protected one has its protections lifted in this copy only.
func (r *Rehearsal) destroy(ctx context.Context) error {
	stack := r.names.AppStack
	if !r.cfg.Database.DeletionProtection {
		if err := r.step("make destroy", func() (string, error) { return "", r.make(ctx, "destroy") }); err != nil {
			r.app().Destroy = "destroy FAILED"
			return err
		}
		start := time.Now()
		if err := r.step("make deploy (rebuild)", func() (string, error) { return "", r.make(ctx, "deploy") }); err != nil {
			r.app().Destroy = "destroyed; rebuild FAILED"
			return err
		}
		r.app().Destroy = fmt.Sprintf("destroyed, rebuilt in %s", secs(time.Since(start)))
		return r.step("re-plan after rebuild", func() (string, error) { return r.replan(ctx, stack) })
	}
	dir := r.stackDir(stack)
	file := filepath.Join(dir, "cdk.tf.json")
	// The data key outlives the stack wherever a final snapshot is kept
	// (prevent_destroy): the destroy keeps it, as README "Database" tells
	// the operator (terraform state rm, then destroy).
	keys, err := PreventDestroyed(file, "aws_kms_key")
	if err != nil {
		return err
	}
	keep := map[string]bool{}
	for _, k := range keys {
		keep[k] = true
	}
	var keyID string
	if len(keys) > 0 {
		if keyID, _, err = r.moto.DescribeKey(ctx, "alias/"+r.cfg.Prefix()); err != nil {
			return err
		}
	}
	err = r.step("lift deletion protections (rehearsal copy)", func() (string, error) {
		lifted, err := LiftProtections(file, keep)
		if err != nil {
			return "", err
		}
		if err := r.terraform(ctx, dir, "lift", "apply", "-auto-approve", "-input=false"); err != nil {
			return "", err
		}
		return strings.Join(lifted, ", "), nil
	})
	if err == nil && len(keys) > 0 {
		err = r.step("keep the data key (terraform state rm)", func() (string, error) {
			return strings.Join(keys, ", "), r.terraform(ctx, dir, "keep-key", append([]string{"state", "rm"}, keys...)...)
		})
	}
	if err == nil {
		err = r.step("terraform destroy", func() (string, error) {
			return "", r.terraform(ctx, dir, "destroy", "destroy", "-auto-approve", "-input=false")
		})
	}
	if err == nil && r.cfg.Database.FinalSnapshot {
		err = r.step("final snapshot restorable", func() (string, error) { return r.checkFinalSnapshot(ctx, keyID) })
	}
	if err != nil {
		r.app().Destroy = "FAILED"
		return err
	}
	r.app().Destroy = "destroyed (protections lifted in copy)"
	if len(keys) > 0 {
		r.app().Destroy = "destroyed (protections lifted in copy; data key and final snapshot kept)"
	}
	return nil
}

// checkFinalSnapshot: after a destroy that keeps a final snapshot, the
// snapshot exists and the key it is encrypted with is not scheduled for
// deletion.
func (r *Rehearsal) checkFinalSnapshot(ctx context.Context, keyID string) (string, error) {
	instance := r.cfg.Prefix() + "-postgres"
	ids, err := r.moto.FinalSnapshots(ctx, instance)
	if err != nil {
		return "", err
	}
	snap, ok := FinalSnapshotOf(instance, ids)
	if !ok {
		return "", fmt.Errorf("no final snapshot %s-final-<uuid> after the destroy; snapshots: %v", instance, ids)
	}
	if keyID == "" {
		return "", fmt.Errorf("final snapshot %s kept, but the data key has no prevent_destroy: the snapshot could not be restored once the key is deleted", snap)
	}
	_, state, err := r.moto.DescribeKey(ctx, keyID)
	if err != nil {
		return "", err
	}
	if state != "Enabled" {
		return "", fmt.Errorf("final snapshot %s kept, but its key %s is %s", snap, keyID, state)
	}
	return snap + ", key " + keyID + " " + state, nil
}

// replan plans the stack and judges the changes against the gap list.
func (r *Rehearsal) replan(ctx context.Context, stack string) (string, error) {
	changes, err := r.plan(ctx, stack)
	if err != nil {
		return "", err
	}
	v := Judge(changes, r.Gaps)
	if !v.OK() {
		return "FAILED", fmt.Errorf("re-plan of %s is not clean; %d change(s) no listed emulator gap explains:\n%s",
			stack, len(v.Failed), list(v.Failed))
	}
	if len(v.Excused) == 0 {
		return "no changes", nil
	}
	var ids []string
	for _, gs := range v.Excused {
		for _, g := range gs {
			if !contains(ids, g) {
				ids = append(ids, g)
			}
		}
	}
	sort.Strings(ids)
	return fmt.Sprintf("clean apart from %d listed gap diff(s) (%s)", len(v.Excused), strings.Join(ids, ", ")), nil
}

// plan runs terraform plan in the synthesized stack directory and returns
// its changes.
func (r *Rehearsal) plan(ctx context.Context, stack string) ([]Change, error) {
	dir := r.stackDir(stack)
	args := []string{"plan", "-input=false", "-lock-timeout=60s", "-out=rehearsal.tfplan"}
	if err := r.terraform(ctx, dir, "plan", args...); err != nil {
		return nil, err
	}
	out, err := r.terraformOutput(ctx, dir, "show", "-json", "rehearsal.tfplan")
	if err != nil {
		return nil, err
	}
	return ParsePlan(out)
}

// resources counts what the stack's state holds.
func (r *Rehearsal) resources(ctx context.Context, stack string) (int, error) {
	out, err := r.terraformOutput(ctx, r.stackDir(stack), "state", "list")
	if err != nil {
		return 0, err
	}
	n := 0
	for _, l := range strings.Split(string(out), "\n") {
		if l != "" && !strings.HasPrefix(l, "data.") {
			n++
		}
	}
	return n, nil
}

// make runs one of the operator's Makefile targets against the workspace.
func (r *Rehearsal) make(ctx context.Context, target string, extra ...string) error {
	args := append([]string{"-C", r.Repo, target, "ENV=" + r.Env, "OUT=" + r.out, "ENVIRONMENTS=" + r.envDir, "AUTO_APPROVE=1"}, extra...)
	return r.run(ctx, r.Repo, "make-"+target, "make", args...)
}

// terraformOutput runs a read-only terraform command in dir and returns
// what it printed.
func (r *Rehearsal) terraformOutput(ctx context.Context, dir string, args ...string) ([]byte, error) {
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, r.Tools.Terraform, args...)
	cmd.Dir, cmd.Env, cmd.Stdout = dir, r.childEnv, &out
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("terraform %s in %s: %w", strings.Join(args, " "), dir, err)
	}
	return out.Bytes(), nil
}

func (r *Rehearsal) terraform(ctx context.Context, dir, label string, args ...string) error {
	return r.run(ctx, dir, "terraform-"+label, r.Tools.Terraform, args...)
}

// run runs a child with the rehearsal's environment, logging to
// logs/NN-label.log; a failure quotes the log's last lines.
func (r *Rehearsal) run(ctx context.Context, dir, label, name string, args ...string) error {
	r.logSeq++
	logPath := filepath.Join(r.ws, "logs", fmt.Sprintf("%02d-%s.log", r.logSeq, label))
	f, err := os.Create(logPath)
	if err != nil {
		return err
	}
	defer f.Close()
	fmt.Fprintf(f, "$ %s %s\n", name, strings.Join(args, " "))
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = dir, r.childEnv, f, f
	// make starts cdktf, which starts terraform and the provider: on Ctrl-C
	// or a timeout the whole process group goes, not just make.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM) }
	cmd.WaitDelay = 30 * time.Second
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %w; last lines of %s:\n%s", name, strings.Join(args, " "), err, rel(r.Repo, logPath), tail(logPath, 25))
	}
	return nil
}

// step runs and records one step, printing it as it ends.
func (r *Rehearsal) step(name string, fn func() (string, error)) error {
	start := time.Now()
	note, err := fn()
	s := Step{Name: name, Duration: time.Since(start), Note: note, Err: err}
	r.Steps = append(r.Steps, s)
	status := "ok"
	if err != nil {
		status = "FAILED"
	}
	fmt.Printf("[%s] %-45s %6s  %s", r.Env, name, secs(s.Duration), status)
	if note != "" {
		fmt.Printf("  %s", note)
	}
	fmt.Println()
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

func list(changes []Change) string {
	var b strings.Builder
	for _, c := range changes {
		b.WriteString("  " + c.String() + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// short drops the gap ids from a re-plan note for the summary table.
func short(note string) string {
	if i := strings.Index(note, " ("); i > 0 {
		return note[:i]
	}
	return note
}

func secs(d time.Duration) string { return strconv.Itoa(int(d.Round(time.Second).Seconds())) + "s" }

func rel(base, p string) string {
	if r, err := filepath.Rel(base, p); err == nil {
		return r
	}
	return p
}

func tail(path string, n int) string {
	data, _ := os.ReadFile(path)
	return indent(lastLines(string(data), n))
}

func copyDir(src, dst string) error {
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		in, err := os.Open(filepath.Join(src, e.Name()))
		if err != nil {
			return err
		}
		out, err := os.Create(filepath.Join(dst, e.Name()))
		if err == nil {
			_, err = io.Copy(out, in)
			err = errors.Join(err, out.Close())
		}
		in.Close()
		if err != nil {
			return err
		}
	}
	return nil
}
