// Package queue is an encrypted SQS queue with an optional dead-letter queue,
// a TLS-only queue policy and intent-named grants.
package queue

import (
	"encoding/json"
	"fmt"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/sqsqueue"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/sqsqueuepolicy"

	"github.com/flow-builder/infra/constructs/encryption"
	"github.com/flow-builder/infra/internal/iam"
	"github.com/flow-builder/infra/internal/tf"
)

// Props configures a queue.
type Props struct {
	// Name is the queue name. Required.
	Name string
	// Key encrypts messages (SSE-KMS). Required.
	Key *encryption.Key
	// VisibilityTimeoutSeconds must exceed the consumer's processing time. Default: 30.
	VisibilityTimeoutSeconds int
	// RetentionDays keeps unconsumed messages (1-14). Default: 4.
	RetentionDays int
	// MaxReceiveCount > 0 adds a dead-letter queue "<Name>-dlq" (14 days'
	// retention) that takes a message after this many receives. Default: no DLQ.
	MaxReceiveCount int
}

// Queue is the created queue.
type Queue struct {
	// Name is the queue name (the CloudWatch QueueName dimension).
	Name string
	// Arn is the queue ARN.
	Arn string
	// URL is the queue URL clients use.
	URL string
	// DeadLetter is the dead-letter queue, nil without one.
	DeadLetter *Queue
	key        *encryption.Key
}

// DLQRetentionDays is how long dead letters are kept: SQS's maximum.
const DLQRetentionDays = 14

// New creates the queue (and its dead-letter queue).
func New(scope constructs.Construct, id string, p Props) *Queue {
	if p.Name == "" || p.Key == nil {
		panic("queue.New: Name and Key are required")
	}
	if p.VisibilityTimeoutSeconds == 0 {
		p.VisibilityTimeoutSeconds = 30
	}
	if p.RetentionDays == 0 {
		p.RetentionDays = 4
	}
	if p.RetentionDays < 1 || p.RetentionDays > 14 || p.VisibilityTimeoutSeconds > 43200 || p.MaxReceiveCount < 0 || p.MaxReceiveCount > 1000 {
		panic(fmt.Sprintf("queue.New(%s): RetentionDays 1-14, VisibilityTimeoutSeconds <= 43200, MaxReceiveCount 0-1000", p.Name))
	}
	c := constructs.NewConstruct(scope, &id)
	q := &Queue{Name: p.Name, key: p.Key}
	cfg := &sqsqueue.SqsQueueConfig{
		Name:                         tf.S(p.Name),
		VisibilityTimeoutSeconds:     tf.N(p.VisibilityTimeoutSeconds),
		MessageRetentionSeconds:      tf.N(p.RetentionDays * 86400),
		ReceiveWaitTimeSeconds:       tf.N(20),
		KmsMasterKeyId:               tf.S(p.Key.Arn),
		KmsDataKeyReusePeriodSeconds: tf.N(300),
	}
	if p.MaxReceiveCount > 0 {
		q.DeadLetter = New(c, "dlq", Props{
			Name: p.Name + "-dlq", Key: p.Key, RetentionDays: DLQRetentionDays,
		})
		cfg.RedrivePolicy = tf.S(jsonString(map[string]any{
			"deadLetterTargetArn": q.DeadLetter.Arn,
			"maxReceiveCount":     p.MaxReceiveCount,
		}))
	}
	main := sqsqueue.NewSqsQueue(c, tf.S("queue"), cfg)
	q.Arn, q.URL = *main.Arn(), *main.Url()
	sqsqueuepolicy.NewSqsQueuePolicy(c, tf.S("policy"), &sqsqueuepolicy.SqsQueuePolicyConfig{
		QueueUrl: main.Url(),
		Policy: tf.S(iam.Document(iam.Statement{
			Sid:       "DenyInsecureTransport",
			Effect:    "Deny",
			Principal: map[string]any{"AWS": "*"},
			Action:    []string{"sqs:*"},
			Resource:  []string{q.Arn},
			Condition: map[string]map[string]any{"Bool": {"aws:SecureTransport": "false"}},
		})),
	})
	return q
}

// SendActions are what a producer needs.
var SendActions = []string{"sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:SendMessage"}

// ConsumeActions are what a consumer needs.
var ConsumeActions = []string{"sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ReceiveMessage"}

// GrantSend lets role send messages (and encrypt them with the queue's key).
func (q *Queue) GrantSend(role *iam.Role, id string) {
	role.Grant(id,
		iam.Allow("SendMessages", SendActions, q.Arn),
		iam.Allow("EncryptMessages", encryption.UseActions, q.key.Arn),
	)
}

// GrantConsume lets role receive, delete and extend messages (and decrypt them).
func (q *Queue) GrantConsume(role *iam.Role, id string) {
	role.Grant(id,
		iam.Allow("ConsumeMessages", ConsumeActions, q.Arn),
		iam.Allow("DecryptMessages", []string{"kms:Decrypt"}, q.key.Arn),
	)
}

func jsonString(v any) string {
	out, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(out)
}
