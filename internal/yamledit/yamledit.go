// Package yamledit changes one key of a YAML file the way an operator would:
// comments, order and the rest of the file stay as they are. The release
// commands and the deploy rehearsal use it on environment files.
package yamledit

import (
	"bytes"
	"fmt"
	"os"
	"strings"

	"gopkg.in/yaml.v3"
)

// Set sets the dotted key (e.g. "services.api.image") to value, creating
// mappings on the way and keeping a line comment on the replaced value.
func Set(file, key string, value any) error {
	doc, err := read(file)
	if err != nil {
		return err
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
	return write(file, doc)
}

// Delete removes the dotted key, if present.
func Delete(file, key string) error {
	doc, err := read(file)
	if err != nil {
		return err
	}
	node := doc.Content[0]
	parts := strings.Split(key, ".")
	for i, p := range parts {
		if node.Kind != yaml.MappingNode {
			return nil
		}
		found := false
		for j := 0; j+1 < len(node.Content); j += 2 {
			if node.Content[j].Value != p {
				continue
			}
			if i == len(parts)-1 {
				node.Content = append(node.Content[:j], node.Content[j+2:]...)
				return write(file, doc)
			}
			node, found = node.Content[j+1], true
			break
		}
		if !found {
			return nil
		}
	}
	return nil
}

func read(file string) (*yaml.Node, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if len(doc.Content) == 0 {
		doc = yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode}}}
	}
	return &doc, nil
}

func write(file string, doc *yaml.Node) error {
	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return err
	}
	return os.WriteFile(file, out.Bytes(), 0o644)
}
