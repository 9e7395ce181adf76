package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
)

// protections are the arguments that stop Terraform or AWS from deleting a
// resource, per resource type, and the value that lifts them.
var protections = map[string]map[string]any{
	"aws_db_instance":    {"deletion_protection": false},
	"aws_lb":             {"enable_deletion_protection": false},
	"aws_dynamodb_table": {"deletion_protection_enabled": false},
}

// LiftProtections rewrites a synthesized stack (cdk.tf.json) so that it can
// be destroyed: deletion protection off and lifecycle.prevent_destroy
// removed, except on the resources named in keep ("type.name"), which the
// destroy must leave behind. It returns what it lifted. It is only ever
// applied to the rehearsal's copy.
func LiftProtections(file string, keep map[string]bool) ([]string, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	resources, _ := doc["resource"].(map[string]any)
	var lifted []string
	for typ, byName := range resources {
		names, _ := byName.(map[string]any)
		for name, r := range names {
			res, _ := r.(map[string]any)
			addr := typ + "." + name
			if keep[addr] {
				continue
			}
			for arg, val := range protections[typ] {
				if cur, ok := res[arg]; !ok || cur != val {
					res[arg] = val
					lifted = append(lifted, addr+"."+arg)
				}
			}
			if lc, ok := res["lifecycle"].(map[string]any); ok && lc["prevent_destroy"] == true {
				delete(lc, "prevent_destroy")
				lifted = append(lifted, addr+".lifecycle.prevent_destroy")
			}
		}
	}
	sort.Strings(lifted)
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, err
	}
	return lifted, os.WriteFile(file, out, 0o644)
}

// PreventDestroyed lists the resources of type typ ("type.name") that the
// synthesized stack marks lifecycle.prevent_destroy: what a destroy must
// leave behind (the data key, which a final snapshot needs to be restored).
func PreventDestroyed(file, typ string) ([]string, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Resource map[string]map[string]struct {
			Lifecycle struct {
				PreventDestroy bool `json:"prevent_destroy"`
			} `json:"lifecycle"`
		} `json:"resource"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	var out []string
	for name, r := range doc.Resource[typ] {
		if r.Lifecycle.PreventDestroy {
			out = append(out, typ+"."+name)
		}
	}
	sort.Strings(out)
	return out, nil
}
