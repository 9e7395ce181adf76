package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// offlineOverride turns a synthesized stack into one Terraform can validate
// and plan with no AWS at all: local state, fake credentials, no account or
// region lookups (so allowed_account_ids is unset), and every endpoint at a closed port so that any call the
// plan would make fails at once instead of reaching out.
func offlineOverride(region string) map[string]any {
	return map[string]any{
		"terraform": map[string]any{"backend": map[string]any{"local": map[string]any{"path": "offline.tfstate"}}},
		"provider": map[string]any{"aws": map[string]any{
			"region":                      region,
			"access_key":                  "offline",
			"secret_key":                  "offline",
			"skip_credentials_validation": true,
			"skip_requesting_account_id":  true,
			"skip_metadata_api_check":     true,
			"skip_region_validation":      true,
			// With no account lookup there is no account to compare; the
			// rehearsal (against moto) checks allowed_account_ids for real.
			"allowed_account_ids": nil,
		}},
	}
}

// ValidateResult is one stack's offline check.
type ValidateResult struct {
	Stack    string
	Duration time.Duration
	Planned  int
	Err      error
}

// Validate copies every stack under out/stacks to work/<stack> with the
// offline override and runs terraform init, validate and plan there,
// two stacks at a time.
func Validate(ctx context.Context, t Tools, out, work string) ([]ValidateResult, error) {
	dirs, err := filepath.Glob(filepath.Join(out, "stacks", "*", "cdk.tf.json"))
	if err != nil || len(dirs) == 0 {
		return nil, fmt.Errorf("no synthesized stacks under %s/stacks: run make synth first", out)
	}
	sort.Strings(dirs)
	if err := os.RemoveAll(work); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(work, 0o755); err != nil {
		return nil, err
	}
	rc := filepath.Join(work, "terraformrc")
	if err := t.WriteCLIConfig(rc); err != nil {
		return nil, err
	}
	cache := filepath.Join(work, "plugin-cache")
	os.MkdirAll(cache, 0o755)
	env := append(os.Environ(),
		"TF_CLI_CONFIG_FILE="+rc, "TF_PLUGIN_CACHE_DIR="+cache, "TF_IN_AUTOMATION=1", "TF_INPUT=0",
		"CHECKPOINT_DISABLE=1", "AWS_ENDPOINT_URL=http://127.0.0.1:9", "AWS_EC2_METADATA_DISABLED=true")
	results := make([]ValidateResult, len(dirs))
	sem := make(chan struct{}, 2)
	var wg sync.WaitGroup
	for i, file := range dirs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			results[i] = validateStack(ctx, t, env, filepath.Dir(file), filepath.Join(work, filepath.Base(filepath.Dir(file))))
		}()
	}
	wg.Wait()
	return results, nil
}

func validateStack(ctx context.Context, t Tools, env []string, src, dst string) (res ValidateResult) {
	res.Stack = filepath.Base(src)
	start := time.Now()
	defer func() { res.Duration = time.Since(start) }()
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		res.Err = err
		return res
	}
	os.RemoveAll(filepath.Join(dst, ".terraform"))
	data, err := os.ReadFile(filepath.Join(dst, "cdk.tf.json"))
	if err != nil {
		res.Err = err
		return res
	}
	var doc struct {
		Provider struct {
			AWS []struct {
				Region string `json:"region"`
			} `json:"aws"`
		} `json:"provider"`
	}
	if err := json.Unmarshal(data, &doc); err != nil || len(doc.Provider.AWS) == 0 {
		res.Err = fmt.Errorf("%s: no aws provider block (%v)", src, err)
		return res
	}
	override, _ := json.MarshalIndent(offlineOverride(doc.Provider.AWS[0].Region), "", "  ")
	if err := os.WriteFile(filepath.Join(dst, "offline_override.tf.json"), override, 0o644); err != nil {
		res.Err = err
		return res
	}
	for _, args := range [][]string{
		{"init", "-input=false", "-no-color"},
		{"validate", "-no-color"},
		{"plan", "-input=false", "-no-color", "-refresh=false", "-lock=false", "-out=offline.tfplan"},
	} {
		cmd := exec.CommandContext(ctx, t.Terraform, args...)
		cmd.Dir, cmd.Env = dst, env
		if out, err := cmd.CombinedOutput(); err != nil {
			res.Err = fmt.Errorf("terraform %s: %w\n%s", args[0], err, indent(lastLines(string(out), 30)))
			return res
		}
	}
	cmd := exec.CommandContext(ctx, t.Terraform, "show", "-json", "offline.tfplan")
	cmd.Dir, cmd.Env = dst, env
	out, err := cmd.Output()
	if err == nil {
		var changes []Change
		changes, err = ParsePlan(out)
		res.Planned = len(changes)
	}
	res.Err = err
	return res
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func indent(s string) string { return "    " + strings.ReplaceAll(s, "\n", "\n    ") }
