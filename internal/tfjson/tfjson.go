// Package tfjson reads synthesized Terraform JSON, shared by the guardrails,
// the docs report and the tests.
package tfjson

// Dig walks nested maps (string keys) and lists (int indexes). Terraform JSON
// renders a single nested block either as an object or as a one-element list,
// so a key lookup on a one-element list looks inside its element. A missing
// step gives nil.
func Dig(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			if l, ok := v.([]any); ok && len(l) == 1 {
				v = l[0]
			}
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k < 0 || k >= len(l) {
				return nil
			}
			v = l[k]
		default:
			return nil
		}
	}
	return v
}
