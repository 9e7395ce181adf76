package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path"
	"strings"

	"gopkg.in/yaml.v3"
)

// Gap is one reviewed difference between moto and AWS. A gap with
// Resources and Paths excuses in-place updates of those attribute paths (and
// what lies below them) of those resource types in a re-plan; a gap without them documents a workaround in the harness (the
// moto shim, a pre-created zone) and excuses nothing.
type Gap struct {
	ID        string   `yaml:"id"`
	Resources []string `yaml:"resources"`
	Paths     []string `yaml:"paths"`
	Why       string   `yaml:"why"`
	Evidence  string   `yaml:"evidence"`
}

// LoadGaps reads the gap list strictly: unknown keys, a missing id, why or
// evidence, duplicate ids or paths without resources are errors.
func LoadGaps(file string) ([]Gap, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var gaps []Gap
	if err := dec.Decode(&gaps); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	seen := map[string]bool{}
	var errs []error
	for i, g := range gaps {
		where := fmt.Sprintf("%s: entry %d (%s)", file, i+1, g.ID)
		switch {
		case g.ID == "":
			errs = append(errs, fmt.Errorf("%s: id is required", where))
		case seen[g.ID]:
			errs = append(errs, fmt.Errorf("%s: duplicate id", where))
		}
		seen[g.ID] = true
		if strings.TrimSpace(g.Why) == "" || strings.TrimSpace(g.Evidence) == "" {
			errs = append(errs, fmt.Errorf("%s: why and evidence are required", where))
		}
		if (len(g.Resources) == 0) != (len(g.Paths) == 0) {
			errs = append(errs, fmt.Errorf("%s: resources and paths go together", where))
		}
		for _, p := range g.Paths {
			if p == "*" || p == "" {
				errs = append(errs, fmt.Errorf("%s: path %q would excuse everything", where, p))
			}
		}
	}
	return gaps, errors.Join(errs...)
}

// Verdict is a re-plan judged against the gap list.
type Verdict struct {
	Excused map[string][]string // address -> gap ids
	Failed  []Change
}

// OK reports whether every change was excused.
func (v Verdict) OK() bool { return len(v.Failed) == 0 }

// Judge excuses a change only when it is an in-place update and every
// changed path matches a gap for its resource type.
func Judge(changes []Change, gaps []Gap) Verdict {
	v := Verdict{Excused: map[string][]string{}}
	for _, c := range changes {
		ids, ok := excuse(c, gaps)
		if ok {
			v.Excused[c.Address] = ids
		} else {
			v.Failed = append(v.Failed, c)
		}
	}
	return v
}

func excuse(c Change, gaps []Gap) ([]string, bool) {
	// Only known differences can be excused; unknown values follow from them.
	if len(c.Actions) != 1 || c.Actions[0] != "update" || len(c.Paths) == 0 {
		return nil, false
	}
	ids, rest := Residual(c, gaps)
	return ids, len(rest) == 0
}

// Residual splits an update's changed paths into the gaps that explain some
// of them and the paths no gap explains.
func Residual(c Change, gaps []Gap) (ids, rest []string) {
	for _, p := range c.Paths {
		id := ""
		for _, g := range gaps {
			if contains(g.Resources, c.Type) && anyMatch(g.Paths, p) {
				id = g.ID
				break
			}
		}
		if id == "" {
			rest = append(rest, p)
		} else if !contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids, rest
}

// anyMatch matches dotted paths segment by segment ("*" is one segment); a
// pattern also covers every path below it ("logging_config" covers
// "logging_config.0.log_format").
func anyMatch(patterns []string, p string) bool {
	segs := strings.Split(p, ".")
	for _, pat := range patterns {
		n := strings.Count(pat, ".") + 1
		if n > len(segs) {
			continue
		}
		if ok, _ := path.Match(strings.ReplaceAll(pat, ".", "/"), strings.Join(segs[:n], "/")); ok {
			return true
		}
	}
	return false
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
