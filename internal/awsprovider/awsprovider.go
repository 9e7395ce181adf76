// Package awsprovider configures the AWS provider the same way in every stack:
// region from config, pinned to the environment's account, default tags.
package awsprovider

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/provider"

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

// New adds the AWS provider for env to stack.
func New(stack constructs.Construct, env *config.Environment) provider.AwsProvider {
	return provider.NewAwsProvider(stack, tf.S("aws"), &provider.AwsProviderConfig{
		Region:            tf.S(env.Region),
		AllowedAccountIds: tf.Ss(env.AccountID),
		DefaultTags:       []*provider.AwsProviderDefaultTags{{Tags: tf.Tags(Tags(env))}},
	})
}
