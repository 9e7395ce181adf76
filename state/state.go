// Package state owns Terraform state: the names of each environment's state
// bucket, lock table and key, the bootstrap stack that creates them, and the
// one helper that points an application stack at them.
package state

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dynamodbtable"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/flow-builder/infra/config"
	"github.com/flow-builder/infra/constructs/bucket"
	"github.com/flow-builder/infra/constructs/encryption"
	"github.com/flow-builder/infra/internal/awsprovider"
	"github.com/flow-builder/infra/internal/tf"
	"github.com/flow-builder/infra/state/names"
)

// Names are the derived names of an environment's stacks and state resources.
type Names = names.Names

// NamesFor derives every name from the environment (see package names).
func NamesFor(env *config.Environment) Names { return names.For(env) }

// StateKey is the object key of a stack's state in the bucket.
func StateKey(stackName string) string { return names.StateKey(stackName) }

// UseBackend points stack at the environment's state bucket: encrypted with
// the state key, locked with both the S3 lock file and the DynamoDB table.
func UseBackend(stack cdktf.TerraformStack, env *config.Environment, stackName string) {
	n := NamesFor(env)
	cdktf.NewS3Backend(stack, &cdktf.S3BackendConfig{
		Bucket:        tf.S(n.Bucket),
		Key:           tf.S(StateKey(stackName)),
		Region:        tf.S(env.Region),
		Encrypt:       tf.B(true),
		KmsKeyId:      tf.S(n.KeyAliasArn),
		DynamodbTable: tf.S(n.LockTable),
	})
	// cdktf 0.20 has no field for S3-native locking (Terraform >= 1.10).
	stack.AddOverride(tf.S("terraform.backend.s3.use_lockfile"), true)
}

// NewBootstrap builds flow-builder-state-<env>: the state bucket, its KMS key
// and the lock table. Its own state stays local (see LocalStatePath) until
// env.StateInBucket says it was migrated into the bucket it created.
func NewBootstrap(scope constructs.Construct, env *config.Environment) cdktf.TerraformStack {
	n := NamesFor(env)
	stack := cdktf.NewTerraformStack(scope, tf.S(n.BootstrapStack))
	awsprovider.New(stack, env)
	if env.StateInBucket {
		UseBackend(stack, env, n.BootstrapStack)
	} else {
		cdktf.NewLocalBackend(stack, &cdktf.LocalBackendConfig{Path: tf.S(n.LocalStatePath)})
	}

	key := encryption.New(stack, "state-key", encryption.Props{
		Alias:       n.KeyAlias,
		Description: "Terraform state of " + config.Project + " " + env.Name,
		AccountID:   env.AccountID,
	})
	key.Resource.AddOverride(tf.S("lifecycle.prevent_destroy"), true)

	bucket.New(stack, "state-bucket", bucket.Props{
		Name:                  n.Bucket,
		Key:                   key,
		NoncurrentVersionDays: 90,
		PreventDestroy:        true,
	})

	dynamodbtable.NewDynamodbTable(stack, tf.S("lock-table"), &dynamodbtable.DynamodbTableConfig{
		Name:        tf.S(n.LockTable),
		BillingMode: tf.S("PAY_PER_REQUEST"),
		HashKey:     tf.S("LockID"),
		Attribute: []*dynamodbtable.DynamodbTableAttribute{{
			Name: tf.S("LockID"),
			Type: tf.S("S"),
		}},
		PointInTimeRecovery:       &dynamodbtable.DynamodbTablePointInTimeRecovery{Enabled: tf.B(true)},
		ServerSideEncryption:      &dynamodbtable.DynamodbTableServerSideEncryption{Enabled: tf.B(true), KmsKeyArn: tf.S(key.Arn)},
		DeletionProtectionEnabled: tf.B(true),
		Lifecycle:                 &cdktf.TerraformResourceLifecycle{PreventDestroy: tf.B(true)},
	})
	return stack
}
