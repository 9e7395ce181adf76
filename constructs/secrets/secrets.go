// Package secrets holds what the services read from Secrets Manager: the
// database credentials (the secret RDS manages and rotates) and the
// application's own secrets, whose values are set out of band.
package secrets

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/secretsmanagersecret"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/secretsmanagersecretversion"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/flow-builder/infra/config"
	"github.com/flow-builder/infra/constructs/database"
	"github.com/flow-builder/infra/constructs/encryption"
	"github.com/flow-builder/infra/internal/iam"
	"github.com/flow-builder/infra/internal/tf"
)

// Props configures the secrets.
type Props struct {
	// Name is the environment prefix, e.g. flow-builder-dev. Required.
	Name string
	// Environment is the environment's name, used in the secret path. Required.
	Environment string
	// Database provides the RDS-managed master secret. Required.
	Database *database.Database
	// Key encrypts the application secret. Required.
	Key *encryption.Key
	// RecoveryWindowDays delays deletion of the application secret (7-30). Default: 30.
	RecoveryWindowDays int
	// ForceDelete deletes the application secret at once when the stack is
	// destroyed (recovery_window_in_days = 0), so a disposable environment
	// can be rebuilt straight away under the same secret name. Excludes
	// RecoveryWindowDays. Default: false (the recovery window applies).
	ForceDelete bool
}

// Secret is one Secrets Manager secret a service may read.
type Secret struct {
	// Arn is the secret's ARN.
	Arn string
	key *encryption.Key
}

// GrantRead lets role read the secret's value (and decrypt it). ECS uses the
// execution role to inject it; a task role with it can refresh it at run time.
func (s Secret) GrantRead(role *iam.Role, id string) {
	role.Grant(id,
		iam.Allow("ReadSecret", []string{"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"}, s.Arn),
		iam.Allow("DecryptSecret", []string{"kms:Decrypt"}, s.key.Arn),
	)
}

// ValueFrom is the reference a container definition uses for one JSON key of
// the secret (ECS "secrets[].valueFrom"); an empty key injects the whole JSON.
func (s Secret) ValueFrom(jsonKey string) string {
	if jsonKey == "" {
		return s.Arn
	}
	return s.Arn + ":" + jsonKey + "::"
}

// Secrets are the environment's secrets.
type Secrets struct {
	// Database holds "username" and "password" of the master user, managed
	// and rotated by RDS.
	Database Secret
	// App holds the application's own secrets as one JSON object.
	App Secret
}

// New creates the application secret and exposes both.
func New(scope constructs.Construct, id string, p Props) *Secrets {
	if p.Name == "" || p.Environment == "" || p.Database == nil || p.Key == nil {
		panic("secrets.New: Name, Environment, Database and Key are required")
	}
	window := p.RecoveryWindowDays
	if window == 0 {
		window = 30
	}
	if window < 7 || window > 30 {
		panic("secrets.New: RecoveryWindowDays must be between 7 and 30")
	}
	if p.ForceDelete {
		if p.RecoveryWindowDays != 0 {
			panic("secrets.New: ForceDelete and RecoveryWindowDays exclude each other")
		}
		window = 0
	}
	c := constructs.NewConstruct(scope, &id)
	app := secretsmanagersecret.NewSecretsmanagerSecret(c, tf.S("app"), &secretsmanagersecret.SecretsmanagerSecretConfig{
		Name:                 tf.S(config.Project + "/" + p.Environment + "/app"),
		Description:          tf.S("Application secrets of " + p.Name + " as one JSON object; values are set out of band (see README)"),
		KmsKeyId:             tf.S(p.Key.Arn),
		RecoveryWindowInDays: tf.N(window),
	})
	// An empty JSON object so that tasks can start before anyone has set a
	// value; later values are written with the AWS CLI and never reverted.
	secretsmanagersecretversion.NewSecretsmanagerSecretVersion(c, tf.S("app-initial"), &secretsmanagersecretversion.SecretsmanagerSecretVersionConfig{
		SecretId:     app.Id(),
		SecretString: tf.S("{}"),
		Lifecycle:    &cdktf.TerraformResourceLifecycle{IgnoreChanges: tf.Ss("secret_string")},
	})
	return &Secrets{
		Database: Secret{Arn: p.Database.MasterSecretArn, key: p.Database.Key},
		App:      Secret{Arn: *app.Arn(), key: p.Key},
	}
}
