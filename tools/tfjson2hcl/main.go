// Command tfjson2hcl rewrites synthesized Terraform JSON (cdk.tf.json) as HCL
// for the security scan.
//
// Why: trivy (0.74) parses .tf.json without provider schemas, so it reads
// every nested block (image_scanning_configuration, redirect, ...) as a plain
// attribute and reports controls that are in place as missing, while checks
// on nested blocks never really run. cdktf's own HCL output is no way out:
// it breaks JSON policy strings that hold interpolations. This converter
// writes the same configuration in the syntax the scanner reads fully.
//
// Usage: tfjson2hcl <cdktf.out/stacks> <out dir>; writes <out>/<stack>/main.tf.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: tfjson2hcl <stacks dir> <out dir>")
		os.Exit(2)
	}
	stacks, err := filepath.Glob(filepath.Join(os.Args[1], "*", "cdk.tf.json"))
	if err != nil || len(stacks) == 0 {
		fmt.Fprintf(os.Stderr, "tfjson2hcl: no */cdk.tf.json under %s (run make synth)\n", os.Args[1])
		os.Exit(1)
	}
	for _, path := range stacks {
		data, err := os.ReadFile(path)
		if err == nil {
			var doc map[string]any
			if err = json.Unmarshal(data, &doc); err == nil {
				dir := filepath.Join(os.Args[2], filepath.Base(filepath.Dir(path)))
				if err = os.MkdirAll(dir, 0o755); err == nil {
					err = os.WriteFile(filepath.Join(dir, "main.tf"), []byte(Convert(doc)), 0o644)
				}
			}
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "tfjson2hcl: %s: %v\n", path, err)
			os.Exit(1)
		}
	}
}

// mapAttributes are attributes whose value is a map, not a nested block.
var mapAttributes = map[string]bool{"tags": true, "tags_all": true, "dimensions": true, "variables": true}

// skipped are meta-arguments (references by name, not values) that the scan
// does not need.
var skipped = map[string]bool{"//": true, "depends_on": true, "lifecycle": true, "provider": true}

// Convert renders a Terraform JSON document as HCL.
func Convert(doc map[string]any) string {
	var b strings.Builder
	for _, kind := range []string{"resource", "data"} {
		types, _ := doc[kind].(map[string]any)
		for _, typ := range sortedKeys(types) {
			byName, _ := types[typ].(map[string]any)
			for _, name := range sortedKeys(byName) {
				body, _ := byName[name].(map[string]any)
				fmt.Fprintf(&b, "%s %q %q {\n", kind, typ, name)
				writeBody(&b, body, 1)
				b.WriteString("}\n\n")
			}
		}
	}
	providers, _ := doc["provider"].(map[string]any)
	for _, name := range sortedKeys(providers) {
		for _, p := range asList(providers[name]) {
			body, _ := p.(map[string]any)
			fmt.Fprintf(&b, "provider %q {\n", name)
			writeBody(&b, body, 1)
			b.WriteString("}\n\n")
		}
	}
	vars, _ := doc["variable"].(map[string]any)
	for _, name := range sortedKeys(vars) {
		body, _ := vars[name].(map[string]any)
		fmt.Fprintf(&b, "variable %q {\n", name)
		for _, k := range sortedKeys(body) {
			if k == "type" || k == "default" || k == "description" {
				writeAttr(&b, k, body[k], 1)
			}
		}
		b.WriteString("}\n\n")
	}
	if locals, _ := doc["locals"].(map[string]any); len(locals) > 0 {
		b.WriteString("locals {\n")
		for _, k := range sortedKeys(locals) {
			writeAttr(&b, k, locals[k], 1)
		}
		b.WriteString("}\n")
	}
	return b.String()
}

func writeBody(b *strings.Builder, body map[string]any, depth int) {
	for _, k := range sortedKeys(body) {
		v := body[k]
		if skipped[k] || v == nil {
			continue
		}
		if !mapAttributes[k] && isBlock(v) {
			for _, item := range asList(v) {
				fmt.Fprintf(b, "%s%s {\n", indent(depth), k)
				writeBody(b, item.(map[string]any), depth+1)
				fmt.Fprintf(b, "%s}\n", indent(depth))
			}
			continue
		}
		writeAttr(b, k, v, depth)
	}
}

// isBlock: an object, or a non-empty list of objects.
func isBlock(v any) bool {
	switch t := v.(type) {
	case map[string]any:
		return true
	case []any:
		if len(t) == 0 {
			return false
		}
		for _, item := range t {
			if _, ok := item.(map[string]any); !ok {
				return false
			}
		}
		return true
	}
	return false
}

func writeAttr(b *strings.Builder, k string, v any, depth int) {
	fmt.Fprintf(b, "%s%s = %s\n", indent(depth), attrName(k), value(v))
}

func attrName(k string) string {
	for _, r := range k {
		if !(r == '_' || r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return strconv.Quote(k)
		}
	}
	return k
}

func value(v any) string {
	switch t := v.(type) {
	case string:
		return quote(t)
	case bool:
		return strconv.FormatBool(t)
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	case []any:
		parts := make([]string, len(t))
		for i, item := range t {
			parts[i] = value(item)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		parts := make([]string, 0, len(t))
		for _, k := range sortedKeys(t) {
			parts = append(parts, strconv.Quote(k)+" = "+value(t[k]))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case nil:
		return "null"
	}
	return strconv.Quote(fmt.Sprint(v))
}

// quote renders s as an HCL template string: text outside ${ } is escaped,
// interpolations are copied as they are (their quotes are expression syntax).
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if strings.HasPrefix(s[i:], "${") {
			end := interpolationEnd(s, i+2)
			b.WriteString(s[i:end])
			i = end - 1
			continue
		}
		switch c := s[i]; c {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '%':
			if i+1 < len(s) && s[i+1] == '{' {
				b.WriteString("%%")
			} else {
				b.WriteByte(c)
			}
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// interpolationEnd returns the index just past the } closing the
// interpolation whose body starts at from, skipping braces inside strings.
func interpolationEnd(s string, from int) int {
	depth, inString := 1, false
	for i := from; i < len(s); i++ {
		c := s[i]
		switch {
		case inString && c == '\\':
			i++
		case c == '"':
			inString = !inString
		case !inString && c == '{':
			depth++
		case !inString && c == '}':
			depth--
			if depth == 0 {
				return i + 1
			}
		}
	}
	return len(s)
}

func asList(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	return []any{v}
}

func indent(n int) string { return strings.Repeat("  ", n) }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
