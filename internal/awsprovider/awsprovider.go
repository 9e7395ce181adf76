// Package awsprovider configures the AWS provider the same way in every stack:
// region from config, pinned to the environment's account, default tags.
package awsprovider

import (
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/provider"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/flow-builder/infra/config"
	"github.com/flow-builder/infra/internal/tf"
)

// ManagedBy is the ManagedBy tag value.
const ManagedBy = "cdktf"

// Tags are the tags every resource of env carries (provider default_tags).
func Tags(env *config.Environment) map[string]string {
	return map[string]string{
		"Project":     config.Project,
		"Environment": env.Name,
		"ManagedBy":   ManagedBy,
		"Owner":       env.Owner,
	}
}

// VersionConstraint is the AWS provider versions the stacks accept. The
// bindings were generated from 5.99.1; every later 5.x keeps their schema
// (the provider follows semver), and 5.100.0 is the last 5.x release, the one
// operators and the rehearsal's mirror install. The bindings' own exact pin
// would refuse it.
const VersionConstraint = "~> 5.99"

// New adds the AWS provider for env to stack.
func New(stack cdktf.TerraformStack, env *config.Environment) provider.AwsProvider {
	p := provider.NewAwsProvider(stack, tf.S("aws"), &provider.AwsProviderConfig{
		Region:            tf.S(env.Region),
		AllowedAccountIds: tf.Ss(env.AccountID),
		DefaultTags:       []*provider.AwsProviderDefaultTags{{Tags: tf.Tags(Tags(env))}},
	})
	stack.AddOverride(tf.S("terraform.required_providers.aws.version"), VersionConstraint)
	return p
}
