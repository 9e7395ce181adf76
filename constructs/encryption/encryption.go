// Package encryption provides the customer-managed KMS key every data store of
// an environment is encrypted with.
package encryption

import (
	"fmt"
	"regexp"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/kmsalias"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/kmskey"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/flow-builder/infra/internal/iam"
	"github.com/flow-builder/infra/internal/tf"
)

// Props configures a key.
type Props struct {
	// Alias without the "alias/" prefix, e.g. flow-builder-dev. Required.
	Alias string
	// Description of what the key protects. Required.
	Description string
	// AccountID owns the key; its IAM policies may then grant use of it. Required.
	AccountID string
	// ServiceStatements let AWS services use the key on the account's behalf
	// (CloudWatch Logs, CloudWatch alarms publishing to SNS, ...).
	// Default: none; only IAM principals of the account, through their policies.
	ServiceStatements []iam.Statement
	// DeletionWindowDays is 7 to 30. Default: 30.
	DeletionWindowDays int
	// PreventDestroy makes Terraform refuse to destroy the key, for data that
	// outlives the stack: a final database snapshot encrypted with it can only
	// be restored while the key exists. Default: false.
	PreventDestroy bool
}

// Key is a KMS key with rotation on and an alias.
type Key struct {
	// Resource is the aws_kms_key.
	Resource kmskey.KmsKey
	// Arn is the key ARN (a token).
	Arn string
}

var reAlias = regexp.MustCompile(`^[a-zA-Z0-9/_-]{1,250}$`)

// New creates the key.
func New(scope constructs.Construct, id string, p Props) *Key {
	if !reAlias.MatchString(p.Alias) {
		panic(fmt.Sprintf("encryption.New: Alias %q must be 1-250 of a-z A-Z 0-9 / _ -", p.Alias))
	}
	if p.Description == "" || p.AccountID == "" {
		panic("encryption.New: Description and AccountID are required")
	}
	window := p.DeletionWindowDays
	if window == 0 {
		window = 30
	}
	if window < 7 || window > 30 {
		panic(fmt.Sprintf("encryption.New: DeletionWindowDays %d must be between 7 and 30", window))
	}
	c := constructs.NewConstruct(scope, &id)
	root := iam.Statement{
		Sid:       "AccountAdministersKeyThroughIAM",
		Effect:    "Allow",
		Principal: map[string]any{"AWS": "arn:aws:iam::" + p.AccountID + ":root"},
		Action:    []string{"kms:*"},
		Resource:  []string{"*"},
	}
	key := kmskey.NewKmsKey(c, tf.S("key"), &kmskey.KmsKeyConfig{
		Description:          tf.S(p.Description),
		EnableKeyRotation:    tf.B(true),
		DeletionWindowInDays: tf.N(window),
		Policy:               tf.S(iam.Document(append([]iam.Statement{root}, p.ServiceStatements...)...)),
	})
	if p.PreventDestroy {
		key.SetLifecycle(&cdktf.TerraformResourceLifecycle{PreventDestroy: tf.B(true)})
	}
	kmsalias.NewKmsAlias(c, tf.S("alias"), &kmsalias.KmsAliasConfig{
		Name:        tf.S("alias/" + p.Alias),
		TargetKeyId: key.KeyId(),
	})
	return &Key{Resource: key, Arn: *key.Arn()}
}

// UseActions are what a principal needs to read and write data encrypted with the key.
var UseActions = []string{"kms:Decrypt", "kms:GenerateDataKey"}

// LogsStatement lets CloudWatch Logs in region encrypt log groups of account
// with the key (required for any log group with kms_key_id).
func LogsStatement(region, account string) iam.Statement {
	return iam.Statement{
		Sid:       "CloudWatchLogsEncryptLogGroups",
		Effect:    "Allow",
		Principal: map[string]any{"Service": "logs." + region + ".amazonaws.com"},
		Action:    []string{"kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"},
		Resource:  []string{"*"},
		Condition: map[string]map[string]any{"ArnLike": {
			"kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:" + region + ":" + account + ":log-group:*",
		}},
	}
}

// CloudWatchAlarmsStatement lets CloudWatch alarms of account publish to an
// SNS topic encrypted with the key. Without it alarm notifications are
// dropped silently.
func CloudWatchAlarmsStatement(account string) iam.Statement {
	return publishToEncryptedTopics("CloudWatchAlarmsPublishToEncryptedTopics", "cloudwatch.amazonaws.com", account)
}

// EventBridgeStatement lets EventBridge rules deliver events to an SNS topic
// encrypted with the key (deployment-failure notifications). Unlike
// CloudWatch, EventBridge's calls to KMS on a topic's behalf are not
// documented to carry aws:SourceAccount, so the statement has no condition:
// the topic policy already admits only this environment's rule
// (aws:SourceArn), and a condition that never matches would drop every
// notification silently.
func EventBridgeStatement() iam.Statement {
	st := publishToEncryptedTopics("EventBridgePublishToEncryptedTopics", "events.amazonaws.com", "")
	st.Condition = nil
	return st
}

// publishToEncryptedTopics lets an AWS service, acting for account, use the
// key to publish to an encrypted SNS topic.
func publishToEncryptedTopics(sid, service, account string) iam.Statement {
	return iam.Statement{
		Sid:       sid,
		Effect:    "Allow",
		Principal: map[string]any{"Service": service},
		Action:    []string{"kms:Decrypt", "kms:GenerateDataKey*"},
		Resource:  []string{"*"},
		Condition: map[string]map[string]any{"StringEquals": {"aws:SourceAccount": account}},
	}
}
