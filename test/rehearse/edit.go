package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// SetYAML sets the dotted key (e.g. "scheduler.memory_mib") in an
// environment file to value, creating mappings on the way and keeping
// comments, as an operator editing the file would.
func SetYAML(file, key string, value any) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	if len(doc.Content) == 0 {
		doc = yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode}}}
	}
	var v yaml.Node
	if err := v.Encode(value); err != nil {
		return err
	}
	node := doc.Content[0]
	parts := strings.Split(key, ".")
	for i, p := range parts {
		if node.Kind != yaml.MappingNode {
			return fmt.Errorf("%s: %s is not a mapping", file, strings.Join(parts[:i], "."))
		}
		var next *yaml.Node
		for j := 0; j+1 < len(node.Content); j += 2 {
			if node.Content[j].Value == p {
				next = node.Content[j+1]
				if i == len(parts)-1 {
					v.LineComment = next.LineComment
					node.Content[j+1] = &v
				}
				break
			}
		}
		if next == nil {
			next = &yaml.Node{Kind: yaml.MappingNode}
			if i == len(parts)-1 {
				next = &v
			}
			node.Content = append(node.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: p}, next)
		}
		node = next
	}
	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return err
	}
	return os.WriteFile(file, out.Bytes(), 0o644)
}

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
