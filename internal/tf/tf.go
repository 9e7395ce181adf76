// Package tf holds the few helpers that turn plain Go values into the
// pointer-typed values the jsii bindings want. Construct bodies use these so
// that config and domain types never carry *string.
package tf

import "github.com/aws/jsii-runtime-go"

// S returns a *string for s.
func S(s string) *string { return jsii.String(s) }

// N returns a *float64 for any integer or float.
func N[T ~int | ~int64 | ~float64](n T) *float64 { return jsii.Number(float64(n)) }

// B returns a *bool for b.
func B(b bool) *bool { return jsii.Bool(b) }

// Ss returns a *[]*string for the given strings.
func Ss(ss ...string) *[]*string {
	out := make([]*string, len(ss))
	for i, s := range ss {
		out[i] = jsii.String(s)
	}
	return &out
}

// Tags returns a *map[string]*string for m.
func Tags(m map[string]string) *map[string]*string {
	out := make(map[string]*string, len(m))
	for k, v := range m {
		out[k] = jsii.String(v)
	}
	return &out
}
