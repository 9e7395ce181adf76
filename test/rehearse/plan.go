package main

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// Change is one resource a plan would touch.
type Change struct {
	Address string
	Type    string
	Actions []string
	// Paths are the attribute paths whose known value differs (updates
	// only), e.g. "ingress.0.description".
	Paths []string
	// Unknown are the paths only known after apply (computed attributes an
	// update recomputes, such as last_modified); they follow from Paths.
	Unknown []string
}

func (c Change) String() string {
	s := c.Address + " " + strings.Join(c.Actions, "+")
	if len(c.Paths) > 0 {
		s += " [" + strings.Join(c.Paths, ", ") + "]"
	}
	return s
}

// ParsePlan reads `terraform show -json <plan>` and returns the resource
// changes that are not no-ops, sorted by address.
func ParsePlan(data []byte) ([]Change, error) {
	var p struct {
		ResourceChanges []struct {
			Address string `json:"address"`
			Type    string `json:"type"`
			Mode    string `json:"mode"`
			Change  struct {
				Actions      []string `json:"actions"`
				Before       any      `json:"before"`
				After        any      `json:"after"`
				AfterUnknown any      `json:"after_unknown"`
			} `json:"change"`
		} `json:"resource_changes"`
	}
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("read plan JSON: %w", err)
	}
	var out []Change
	for _, rc := range p.ResourceChanges {
		a := rc.Change.Actions
		if rc.Mode == "data" || len(a) == 0 || (len(a) == 1 && (a[0] == "no-op" || a[0] == "read")) {
			continue
		}
		c := Change{Address: rc.Address, Type: rc.Type, Actions: a}
		if len(a) == 1 && a[0] == "update" {
			var d diff
			d.walk("", rc.Change.Before, rc.Change.After, rc.Change.AfterUnknown)
			c.Paths, c.Unknown = d.known, d.unknown
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Address < out[j].Address })
	return out, nil
}

// diff collects the leaf paths where before and after differ, and those
// where after is unknown. Lists are compared element by element; a list
// that changes length is reported at the list itself.
type diff struct{ known, unknown []string }

func (d *diff) walk(prefix string, before, after, unknown any) {
	if unknown == true {
		d.unknown = append(d.unknown, orRoot(prefix))
		return
	}
	join := func(k string) string {
		if prefix == "" {
			return k
		}
		return prefix + "." + k
	}
	switch b := before.(type) {
	case map[string]any:
		a, ok := after.(map[string]any)
		if !ok {
			break
		}
		u, _ := unknown.(map[string]any)
		keys := map[string]bool{}
		for k := range b {
			keys[k] = true
		}
		for k := range a {
			keys[k] = true
		}
		for k := range u {
			keys[k] = true
		}
		for _, k := range sortedKeys(keys) {
			d.walk(join(k), b[k], a[k], u[k])
		}
		return
	case []any:
		a, ok := after.([]any)
		if !ok || len(a) != len(b) {
			break
		}
		u, _ := unknown.([]any)
		for i := range b {
			var ui any
			if i < len(u) {
				ui = u[i]
			}
			d.walk(join(fmt.Sprint(i)), b[i], a[i], ui)
		}
		return
	}
	if reflect.DeepEqual(before, after) || (isEmpty(before) && isEmpty(after)) {
		return
	}
	d.known = append(d.known, orRoot(prefix))
}

// isEmpty treats null, "", [] and {} alike: the provider often writes one
// where the configuration had another, without planning a change for it.
func isEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	}
	return false
}

func orRoot(p string) string {
	if p == "" {
		return "(resource)"
	}
	return p
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
