package guardrails

import (
	"encoding/json"
	"fmt"

	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// validation adapts Check to cdktf's validation phase, which runs for every
// stack before anything is written (app.Synth, cdktf synth, Testing_Synth
// with validations on).
type validation struct {
	stack cdktf.TerraformStack
	tier  Tier
}

// Validate returns one message per violation; cdktf fails the synth with all of them.
func (v *validation) Validate() *[]*string {
	doc, err := StackJSON(v.stack)
	if err != nil {
		msg := fmt.Sprintf("[guardrails] cannot read the stack: %v", err)
		return &[]*string{&msg}
	}
	var out []*string
	for _, viol := range Check(v.tier, doc) {
		msg := viol.String()
		out = append(out, &msg)
	}
	return &out
}

// Attach makes every synth of stack check the rules for tier.
func Attach(stack cdktf.TerraformStack, tier Tier) {
	stack.Node().AddValidation(&validation{stack: stack, tier: tier})
}

// StackJSON is the stack's resolved Terraform JSON.
func StackJSON(stack cdktf.TerraformStack) (map[string]any, error) {
	raw, err := json.Marshal(stack.ToTerraform())
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	err = json.Unmarshal(raw, &doc)
	return doc, err
}
