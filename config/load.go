package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// Error is one broken rule in an environment file. It names the file, the
// field (dotted yaml path), the value found and the rule it breaks.
type Error struct {
	File  string
	Line  int
	Field string
	Value string
	Rule  string
}

func (e *Error) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc = fmt.Sprintf("%s:%d", e.File, e.Line)
	}
	if e.Field == "" {
		return fmt.Sprintf("%s: %s", loc, e.Rule)
	}
	if e.Value == "" {
		return fmt.Sprintf("%s: %s: %s", loc, e.Field, e.Rule)
	}
	return fmt.Sprintf("%s: %s: %s %s", loc, e.Field, e.Value, e.Rule)
}

// EnvironmentNames are the environments the application builds, in order.
var EnvironmentNames = []string{"dev", "staging", "prod"}

// LoadAll loads and validates environments/<name>.yaml for every name in
// EnvironmentNames below dir, then checks rules that span environments. It
// returns the first error; on error no environment is returned.
//
// Every other file in dir whose name ends in .yaml or .yml (any case) is an
// error, checked before any file is read: a stray qa.yaml or a dev.yml looks
// like an environment but would never be built. Files with other extensions
// (a README.md, notes) and dotfiles (editor swap files, .gitkeep) are left
// alone: nobody mistakes them for an environment.
func LoadAll(dir string) ([]*Environment, error) {
	if err := checkNoStrayFiles(dir); err != nil {
		return nil, err
	}
	envs := make([]*Environment, 0, len(EnvironmentNames))
	for _, name := range EnvironmentNames {
		env, err := Load(filepath.Join(dir, name+".yaml"))
		if err != nil {
			return nil, err
		}
		envs = append(envs, env)
	}
	if err := validateAcross(envs); err != nil {
		return nil, err
	}
	return envs, nil
}

// checkNoStrayFiles refuses a YAML file in dir that is not one of the
// environments LoadAll reads.
func checkNoStrayFiles(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("%s: %w", dir, err)
	}
	known := map[string]bool{}
	expected := make([]string, len(EnvironmentNames))
	for i, name := range EnvironmentNames {
		known[name+".yaml"] = true
		expected[i] = name + ".yaml"
	}
	for _, entry := range entries {
		name := entry.Name()
		ext := strings.ToLower(filepath.Ext(name))
		if known[name] || strings.HasPrefix(name, ".") || (ext != ".yaml" && ext != ".yml") {
			continue
		}
		return &Error{File: filepath.ToSlash(filepath.Join(dir, name)), Rule: fmt.Sprintf(
			"is an unknown environment file; expected one of %s (a new environment is added to config.EnvironmentNames first)",
			strings.Join(expected, ", "))}
	}
	return nil
}

// Load reads one environment file strictly: unknown keys, wrong types and
// broken rules are errors. The environment's name is the file's base name.
// Only a regular file (or a symlink to one) of at most MaxFileBytes is read.
func Load(path string) (*Environment, error) {
	data, err := readFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// Parse is Load on bytes already read; path is used for the name and messages.
func Parse(path string, data []byte) (*Environment, error) {
	env := Defaults()
	env.File = filepath.ToSlash(path)
	env.Name = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	if len(data) > MaxFileBytes {
		return nil, tooLarge(env.File)
	}

	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &Error{File: env.File, Rule: "is empty; it must set at least account_id, region, owner and network.cidr"}
		}
		return nil, syntaxError(env.File, err)
	}
	if len(doc.Content) != 1 {
		return nil, &Error{File: env.File, Rule: "must hold exactly one YAML document"}
	}
	// A second document (after ---) used to be silently ignored: a value
	// written below the marker never reached the stacks.
	var next yaml.Node
	if err := dec.Decode(&next); err == nil {
		return nil, &Error{File: env.File, Line: next.Line, Rule: "a second YAML document starts here; an environment file must hold exactly one YAML document"}
	} else if !errors.Is(err, io.EOF) {
		return nil, syntaxError(env.File, err)
	}
	env.lines = map[string]int{}
	if err := decodeStrict(env.File, env.lines, "", doc.Content[0], reflect.ValueOf(&env).Elem()); err != nil {
		return nil, err
	}
	if err := validate(&env); err != nil {
		return nil, err
	}
	return &env, nil
}

// syntaxError reports a YAML parse error with its line in the location, like
// every other message: dev.yaml:13: is not valid YAML: did not find ...
func syntaxError(file string, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if m := reSyntaxLine.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	}
	return &Error{File: file, Line: line, Rule: "is not valid YAML: " + msg}
}

var reSyntaxLine = regexp.MustCompile(`^line ([0-9]+): (.*)$`)

// decodeStrict copies node into v, field by field, so that every unknown key
// and every value of the wrong type is reported with its dotted path. It
// records in lines the line each field and list item is set on, so that
// the rules checked afterwards can point at it too.
func decodeStrict(file string, lines map[string]int, path string, node *yaml.Node, v reflect.Value) error {
	fail := func(value, rule string) error {
		return &Error{File: file, Line: node.Line, Field: path, Value: value, Rule: rule}
	}
	if node.Kind == yaml.AliasNode {
		node = node.Alias
	}
	if err := checkTag(file, path, node, plainKind(v.Kind())); err != nil {
		return err
	}
	switch v.Kind() {
	case reflect.Struct:
		if node.Kind != yaml.MappingNode {
			return fail(describe(node), "must be a mapping of "+strings.Join(fieldNames(v.Type()), ", "))
		}
		seen := map[string]bool{}
		for i := 0; i+1 < len(node.Content); i += 2 {
			key, val := node.Content[i], node.Content[i+1]
			if err := checkTag(file, joinPath(path, keyText(key.Value)), key, "a plain key"); err != nil {
				return err
			}
			child := joinPath(path, key.Value)
			if seen[key.Value] {
				return &Error{File: file, Line: key.Line, Field: joinPath(path, keyText(key.Value)), Rule: "is set twice"}
			}
			seen[key.Value] = true
			field, ok := fieldByTag(v, key.Value)
			if !ok {
				return &Error{File: file, Line: key.Line, Field: joinPath(path, keyText(key.Value)), Rule: "is not a known field (known here: " + strings.Join(fieldNames(v.Type()), ", ") + ")"}
			}
			lines[child] = key.Line
			if err := decodeStrict(file, lines, child, val, field); err != nil {
				return err
			}
		}
		return nil
	case reflect.Slice:
		if node.Kind != yaml.SequenceNode {
			return fail(describe(node), "must be a list")
		}
		out := reflect.MakeSlice(v.Type(), len(node.Content), len(node.Content))
		for i, item := range node.Content {
			itemPath := fmt.Sprintf("%s[%d]", path, i)
			lines[itemPath] = item.Line
			if err := decodeStrict(file, lines, itemPath, item, out.Index(i)); err != nil {
				return err
			}
		}
		v.Set(out)
		return nil
	}
	if node.Kind != yaml.ScalarNode || node.Tag == "!!null" {
		return fail(describe(node), "must be a single "+kindName(v.Kind()))
	}
	switch v.Kind() {
	case reflect.String:
		if node.Tag != "!!str" {
			return fail(describe(node), "must be a string (quote it)")
		}
	case reflect.Int:
		if node.Tag != "!!int" {
			return fail(describe(node), "must be a whole number")
		}
	case reflect.Bool:
		if node.Tag != "!!bool" {
			return fail(describe(node), "must be true or false")
		}
	}
	if err := node.Decode(v.Addr().Interface()); err != nil {
		return fail(describe(node), "must be a "+kindName(v.Kind()))
	}
	return nil
}

// standardTags are the YAML core tags a file may spell out (!!str 0123).
// Any other explicit tag is refused by name: a custom one such as !ref
// would otherwise be dropped silently, or reported as a type error that
// points away from the tag.
var standardTags = map[string]bool{
	"!!str": true, "!!int": true, "!!bool": true, "!!float": true,
	"!!null": true, "!!seq": true, "!!map": true,
}

// checkTag refuses an explicit tag that is not a standard one. Implicit
// tags (a plain 2024-01-01 resolves to !!timestamp) are left to the type
// checks, which say what to write instead.
func checkTag(file, path string, n *yaml.Node, want string) error {
	if n.Style&yaml.TaggedStyle == 0 || standardTags[n.ShortTag()] {
		return nil
	}
	return &Error{File: file, Line: n.Line, Field: path, Rule: fmt.Sprintf("YAML tag %s is not supported; write %s", keyText(n.Tag), want)}
}

// plainKind says what to write instead of a tagged value for a field of kind k.
func plainKind(k reflect.Kind) string {
	switch k {
	case reflect.Struct:
		return "a plain mapping"
	case reflect.Slice:
		return "a plain list"
	case reflect.Int:
		return "a plain whole number"
	case reflect.Bool:
		return "plain true or false"
	}
	return "a plain string"
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	if n.Tag == "!!null" {
		return "an empty value"
	}
	return quote(n.Value)
}

// maxEcho is how many characters of a value or key a message repeats.
const maxEcho = 80

// quote is strconv.Quote for a value echoed in a message, cut after maxEcho
// characters with a visible marker and the full length, so that a 5 MB
// value makes a one-line message, not a 5 MB one: "aaaa…" (5000000 characters).
func quote(s string) string {
	n := utf8.RuneCountInString(s)
	if n <= maxEcho {
		return strconv.Quote(s)
	}
	cut, runes := s, 0
	for i := range s {
		if runes == maxEcho {
			cut = s[:i]
			break
		}
		runes++
	}
	q := strconv.Quote(cut)
	return fmt.Sprintf("%s…\" (%d characters)", q[:len(q)-1], n)
}

// keyText is a key as it appears in a field path: as written when it is
// short and printable, quoted (and cut) otherwise.
func keyText(k string) string {
	if utf8.RuneCountInString(k) <= maxEcho && !strings.ContainsFunc(k, func(r rune) bool { return !unicode.IsPrint(r) }) {
		return k
	}
	return quote(k)
}

func kindName(k reflect.Kind) string {
	switch k {
	case reflect.Int:
		return "whole number"
	case reflect.Bool:
		return "boolean"
	case reflect.Slice:
		return "list of strings"
	}
	return "string"
}

// fieldByTag finds the struct field (looking into inline structs) whose yaml
// name is key.
func fieldByTag(v reflect.Value, key string) (reflect.Value, bool) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		name, inline := yamlName(t.Field(i))
		if inline {
			if f, ok := fieldByTag(v.Field(i), key); ok {
				return f, true
			}
			continue
		}
		if name == key {
			return v.Field(i), true
		}
	}
	return reflect.Value{}, false
}

func fieldNames(t reflect.Type) []string {
	var names []string
	for i := 0; i < t.NumField(); i++ {
		name, inline := yamlName(t.Field(i))
		if inline {
			names = append(names, fieldNames(t.Field(i).Type)...)
		} else if name != "" {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

func yamlName(f reflect.StructField) (name string, inline bool) {
	tag := f.Tag.Get("yaml")
	if tag == "-" || !f.IsExported() {
		return "", false
	}
	parts := strings.Split(tag, ",")
	for _, p := range parts[1:] {
		if p == "inline" {
			return "", true
		}
	}
	return parts[0], false
}
