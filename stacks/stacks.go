// Package stacks composes the constructs into one application stack per
// environment and adds each environment's bootstrap state stack. Every
// environment goes through the same constructor; they differ only in data.
package stacks

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/flow-builder/infra/config"
	"github.com/flow-builder/infra/internal/awsprovider"
	"github.com/flow-builder/infra/internal/tf"
	"github.com/flow-builder/infra/state"
)

// Application is one environment's application stack and what it holds.
type Application struct {
	// Stack is the flow-builder-<env> stack.
	Stack cdktf.TerraformStack
}

// NewApplication builds flow-builder-<env>.
func NewApplication(scope constructs.Construct, env *config.Environment) *Application {
	name := state.NamesFor(env).AppStack
	stack := cdktf.NewTerraformStack(scope, tf.S(name))
	awsprovider.New(stack, env)
	state.UseBackend(stack, env, name)
	return &Application{Stack: stack}
}

// All adds every environment's bootstrap and application stacks to app, in
// environment order, and returns them by stack name.
func All(app constructs.Construct, envs []*config.Environment) map[string]cdktf.TerraformStack {
	out := map[string]cdktf.TerraformStack{}
	for _, env := range envs {
		names := state.NamesFor(env)
		out[names.BootstrapStack] = state.NewBootstrap(app, env)
		out[names.AppStack] = NewApplication(app, env).Stack
	}
	return out
}
