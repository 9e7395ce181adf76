// Package scheduler is the seed's "Lambda functions for scheduling": the Go
// function in functions/scheduler, packaged as a cdktf asset, invoked by an
// EventBridge Scheduler schedule, putting schedule.tick messages on the jobs
// queue. Failed invocations end in a dead-letter queue that is alarmed on.
package scheduler

import (
	"fmt"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchloggroup"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/lambdafunction"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/lambdafunctioneventinvokeconfig"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/schedulerschedule"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/schedulerschedulegroup"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/flow-builder/infra/config"
	"github.com/flow-builder/infra/constructs/encryption"
	"github.com/flow-builder/infra/constructs/queue"
	"github.com/flow-builder/infra/functions/bundle"
	"github.com/flow-builder/infra/internal/iam"
	"github.com/flow-builder/infra/internal/tf"
)

// Props configures the scheduler.
type Props struct {
	// Name prefixes resource names, e.g. flow-builder-dev. Required.
	Name string
	// AccountID scopes the schedule role's trust. Required.
	AccountID string
	// Scheduler is the environment's schedule, timeout, memory and concurrency. Required.
	Scheduler config.Scheduler
	// Code is the built function (functions/bundle). Required.
	Code bundle.Bundle
	// Jobs is the queue ticks go to. Required.
	Jobs *queue.Queue
	// Key encrypts the log group and the dead-letter queue. Required.
	Key *encryption.Key
	// LogRetentionDays for the function's log group. Required.
	LogRetentionDays int
}

// Scheduler is what monitoring needs.
type Scheduler struct {
	// FunctionName is the Lambda function.
	FunctionName string
	// ScheduleGroup is the EventBridge Scheduler group that holds the
	// schedule and nothing else: the ScheduleGroup dimension of the
	// AWS/Scheduler metrics, which exist per group, not per schedule.
	ScheduleGroup string
	// Schedule is how often the schedule invokes the function.
	Schedule config.Schedule
	// DeadLetter receives invocations that failed after retries, from the
	// schedule (could not invoke) and from Lambda (the function failed).
	DeadLetter *queue.Queue
}

// Runtime and Architecture of the function.
const (
	Runtime      = "provided.al2023"
	Architecture = "arm64"
)

// New creates the function, its schedule and its dead-letter queue.
func New(scope constructs.Construct, id string, p Props) *Scheduler {
	if p.Name == "" || p.AccountID == "" || p.Code.Zip == "" || p.Code.Hash == "" || p.Jobs == nil || p.Key == nil || p.LogRetentionDays == 0 {
		panic("scheduler.New: Name, AccountID, Code, Jobs, Key and LogRetentionDays are required")
	}
	sched, err := config.ParseSchedule(p.Scheduler.ScheduleExpression)
	if err != nil {
		panic(fmt.Sprintf("scheduler.New: Scheduler.ScheduleExpression %q %v", p.Scheduler.ScheduleExpression, err))
	}
	c := constructs.NewConstruct(scope, &id)
	name := p.Name + "-scheduler"

	dlq := queue.New(c, "dlq", queue.Props{Name: name + "-dlq", Key: p.Key, RetentionDays: queue.DLQRetentionDays})

	logs := cloudwatchloggroup.NewCloudwatchLogGroup(c, tf.S("logs"), &cloudwatchloggroup.CloudwatchLogGroupConfig{
		Name:            tf.S("/aws/lambda/" + name),
		RetentionInDays: tf.N(p.LogRetentionDays),
		KmsKeyId:        tf.S(p.Key.Arn),
	})

	role := iam.NewRole(c, "function-role", iam.RoleProps{
		Name: name + "-function", Service: "lambda.amazonaws.com",
		Description: "The scheduler function: send ticks to the jobs queue, write its logs",
	})
	logArn := *logs.Arn()
	role.Grant("write-logs", iam.Allow("WriteLogs", []string{"logs:CreateLogStream", "logs:PutLogEvents"}, logArn+":*"))
	p.Jobs.GrantSend(role, "send-ticks")
	dlq.GrantSend(role, "send-failures")
	// Lambda sends traces as the function's role; AWS does not scope these
	// actions to resources.
	role.Grant("tracing",
		iam.Allow("WriteTraces", []string{"xray:PutTelemetryRecords", "xray:PutTraceSegments"}, "*"),
	)

	// A FILE asset of the zip built in Go (see bundle.Bundle); the hash of
	// the function's sources names it, so the path changes with the code.
	code := cdktf.NewTerraformAsset(c, tf.S("code"), &cdktf.TerraformAssetConfig{
		Path:      tf.S(p.Code.Zip),
		Type:      cdktf.AssetType_FILE,
		AssetHash: tf.S(p.Code.Hash),
	})
	cfg := &lambdafunction.LambdaFunctionConfig{
		FunctionName:  tf.S(name),
		Description:   tf.S("Puts a schedule.tick message on the jobs queue on every scheduled invocation"),
		Role:          role.Resource.Arn(),
		Runtime:       tf.S(Runtime),
		Architectures: tf.Ss(Architecture),
		Handler:       tf.S("bootstrap"),
		Filename:      code.Path(),
		Timeout:       tf.N(p.Scheduler.TimeoutSeconds),
		MemorySize:    tf.N(p.Scheduler.MemoryMiB),
		TracingConfig: &lambdafunction.LambdaFunctionTracingConfig{Mode: tf.S("Active")},
		LoggingConfig: &lambdafunction.LambdaFunctionLoggingConfig{LogFormat: tf.S("JSON"), LogGroup: logs.Name()},
		Environment: &lambdafunction.LambdaFunctionEnvironment{Variables: tf.Tags(map[string]string{
			"JOBS_QUEUE_URL": p.Jobs.URL,
		})},
		KmsKeyArn: tf.S(p.Key.Arn),
		// No vpc_config: the function only calls SQS, so it runs outside the
		// VPC, with no path to the database, no NAT dependency and no
		// network interfaces that hold up a destroy.
		// The role's policies exist before the first invocation can need them.
		DependsOn: &role.Policies,
	}
	if p.Scheduler.ReservedConcurrency > 0 {
		cfg.ReservedConcurrentExecutions = tf.N(p.Scheduler.ReservedConcurrency)
	}
	fn := lambdafunction.NewLambdaFunction(c, tf.S("function"), cfg)

	lambdafunctioneventinvokeconfig.NewLambdaFunctionEventInvokeConfig(c, tf.S("async"), &lambdafunctioneventinvokeconfig.LambdaFunctionEventInvokeConfigConfig{
		FunctionName:             fn.FunctionName(),
		MaximumRetryAttempts:     tf.N(2),
		MaximumEventAgeInSeconds: tf.N(3600),
		DestinationConfig: &lambdafunctioneventinvokeconfig.LambdaFunctionEventInvokeConfigDestinationConfig{
			OnFailure: &lambdafunctioneventinvokeconfig.LambdaFunctionEventInvokeConfigDestinationConfigOnFailure{Destination: tf.S(dlq.Arn)},
		},
	})

	invoker := iam.NewRole(c, "schedule-role", iam.RoleProps{
		Name: name + "-schedule", Service: "scheduler.amazonaws.com", SourceAccount: p.AccountID,
		Description: "EventBridge Scheduler invokes the scheduler function and dead-letters what it cannot deliver",
	})
	invoker.Grant("invoke-function", iam.Allow("InvokeFunction", []string{"lambda:InvokeFunction"}, *fn.Arn()))
	// Also covers the schedule itself: it is encrypted with the same key, which
	// the role must be able to decrypt (kms:Decrypt is part of GrantSend).
	dlq.GrantSend(invoker, "send-undeliverable")

	// A group of its own, so that the group's metrics are this schedule's.
	group := schedulerschedulegroup.NewSchedulerScheduleGroup(c, tf.S("schedule-group"), &schedulerschedulegroup.SchedulerScheduleGroupConfig{
		Name: tf.S(name),
	})
	schedulerschedule.NewSchedulerSchedule(c, tf.S("schedule"), &schedulerschedule.SchedulerScheduleConfig{
		Name:                       tf.S(name),
		GroupName:                  group.Name(),
		Description:                tf.S("Ticks the Flow Builder scheduler"),
		ScheduleExpression:         tf.S(p.Scheduler.ScheduleExpression),
		ScheduleExpressionTimezone: tf.S(p.Scheduler.Timezone),
		State:                      tf.S("ENABLED"),
		KmsKeyArn:                  tf.S(p.Key.Arn),
		FlexibleTimeWindow:         &schedulerschedule.SchedulerScheduleFlexibleTimeWindow{Mode: tf.S("OFF")},
		Target: &schedulerschedule.SchedulerScheduleTarget{
			Arn:     fn.Arn(),
			RoleArn: invoker.Resource.Arn(),
			// The scheduled time (not the run time) keys the tick, so retries are recognisable.
			Input:            tf.S(`{"scheduled_time":"<aws.scheduler.scheduled-time>"}`),
			RetryPolicy:      &schedulerschedule.SchedulerScheduleTargetRetryPolicy{MaximumRetryAttempts: tf.N(3), MaximumEventAgeInSeconds: tf.N(3600)},
			DeadLetterConfig: &schedulerschedule.SchedulerScheduleTargetDeadLetterConfig{Arn: tf.S(dlq.Arn)},
		},
		DependsOn: &invoker.Policies,
	})
	return &Scheduler{FunctionName: name, ScheduleGroup: name, Schedule: sched, DeadLetter: dlq}
}
