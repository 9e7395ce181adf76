// Package names derives every name of an environment's stacks and state
// resources. It is pure Go so that tools which only need the names (the
// deploy rehearsal, the guardrails runner) never load jsii.
package names

import (
	"fmt"

	"github.com/flow-builder/infra/config"
)

// Names are the derived names of an environment's stacks and state resources.
type Names struct {
	// AppStack is the application stack, e.g. flow-builder-dev.
	AppStack string
	// BootstrapStack is the state stack, e.g. flow-builder-state-dev.
	BootstrapStack string
	// Bucket holds the state; the account id keeps it globally unique.
	Bucket string
	// LockTable is the DynamoDB lock table.
	LockTable string
	// KeyAlias is the state key's alias, without "alias/".
	KeyAlias string
	// KeyAliasArn is the alias ARN the backend encrypts with.
	KeyAliasArn string
	// LocalStatePath is where the bootstrap stack keeps its state until it is
	// migrated into the bucket, relative to cdktf.out/stacks/<stack>: outside
	// cdktf.out so that a clean synth never deletes it.
	LocalStatePath string
}

// For derives every name from the environment. Nothing else builds them.
func For(env *config.Environment) Names {
	base := config.Project + "-tfstate-" + env.Name
	return Names{
		AppStack:       config.Project + "-" + env.Name,
		BootstrapStack: config.Project + "-state-" + env.Name,
		Bucket:         fmt.Sprintf("%s-tfstate-%s-%s", config.Project, env.AccountID, env.Name),
		LockTable:      config.Project + "-tflock-" + env.Name,
		KeyAlias:       base,
		KeyAliasArn:    fmt.Sprintf("arn:aws:kms:%s:%s:alias/%s", env.Region, env.AccountID, base),
		LocalStatePath: fmt.Sprintf("../../../.bootstrap-state/%s-state-%s.tfstate", config.Project, env.Name),
	}
}

// StateKey is the object key of a stack's state in the bucket.
func StateKey(stackName string) string { return stackName + "/terraform.tfstate" }
