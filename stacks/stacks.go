// Package stacks composes the constructs into one application stack per
// environment and adds each environment's bootstrap state stack. Every
// environment goes through the same constructor; they differ only in data.
package stacks

import (
	"strings"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/flow-builder/infra/config"
	"github.com/flow-builder/infra/constructs/database"
	"github.com/flow-builder/infra/constructs/encryption"
	"github.com/flow-builder/infra/constructs/migration"
	"github.com/flow-builder/infra/constructs/monitoring"
	"github.com/flow-builder/infra/constructs/networking"
	"github.com/flow-builder/infra/constructs/queue"
	"github.com/flow-builder/infra/constructs/registry"
	"github.com/flow-builder/infra/constructs/scheduler"
	"github.com/flow-builder/infra/constructs/secrets"
	"github.com/flow-builder/infra/constructs/service"
	"github.com/flow-builder/infra/functions/bundle"
	"github.com/flow-builder/infra/guardrails"
	"github.com/flow-builder/infra/internal/awsprovider"
	"github.com/flow-builder/infra/internal/iam"
	"github.com/flow-builder/infra/internal/tf"
	"github.com/flow-builder/infra/state"
)

// Application is one environment's application stack and what it holds.
type Application struct {
	// Stack is the flow-builder-<env> stack.
	Stack cdktf.TerraformStack
	// Key encrypts every data store of the environment.
	Key *encryption.Key
	// Network is the VPC, subnets and security groups.
	Network *networking.Network
	// Database is the PostgreSQL instance.
	Database *database.Database
	// Secrets are what the services read from Secrets Manager.
	Secrets *secrets.Secrets
	// Registry holds the service images.
	Registry registry.Registry
	// Jobs is the queue the api and scheduler feed and the worker drains.
	Jobs *queue.Queue
	// Platform is the cluster, load balancer and services.
	Platform *service.Platform
	// Migration is the one-off task that migrates the database as its master user.
	Migration *migration.Migration
	// Scheduler is the scheduling function and its schedule.
	Scheduler *scheduler.Scheduler
	// Monitoring is the alerts topic, dashboard and alarms.
	Monitoring *monitoring.Monitoring
}

// Code is what the application packages besides Terraform: built Lambda bundles.
type Code struct {
	// Scheduler is the built scheduler function.
	Scheduler bundle.Bundle
}

// NewApplication builds flow-builder-<env>.
func NewApplication(scope constructs.Construct, env *config.Environment, code Code) *Application {
	name := state.NamesFor(env).AppStack
	stack := cdktf.NewTerraformStack(scope, tf.S(name))
	awsprovider.New(stack, env)
	state.UseBackend(stack, env, name)
	guardrails.Attach(stack, guardrails.Tier(env.Name))
	a := &Application{Stack: stack}
	prefix := env.Prefix()

	a.Key = encryption.New(stack, "key", encryption.Props{
		Alias:       prefix,
		Description: "Data of " + prefix + ": database, secrets, queues, topics, logs, images",
		AccountID:   env.AccountID,
		ServiceStatements: []iam.Statement{
			encryption.LogsStatement(env.Region, env.AccountID),
			encryption.CloudWatchAlarmsStatement(env.AccountID),
			encryption.EventBridgeStatement(),
		},
		// A final snapshot outlives the stack and is encrypted with this key:
		// the key must outlive it too (README "Database").
		PreventDestroy: env.Database.FinalSnapshot,
	})
	a.Network = networking.New(stack, "network", networking.Props{
		Name:             prefix,
		Region:           env.Region,
		AccountID:        env.AccountID,
		Network:          env.Network,
		ContainerPort:    env.Services.ContainerPort,
		NoFlowLogs:       !env.Features.FlowLogs,
		LogRetentionDays: env.Logs.RetentionDays,
		Key:              a.Key,
	})
	a.Database = database.New(stack, "database", database.Props{
		Name:             prefix,
		AccountID:        env.AccountID,
		Region:           env.Region,
		Database:         env.Database,
		Network:          a.Network,
		Key:              a.Key,
		LogRetentionDays: env.Logs.RetentionDays,
	})
	a.Secrets = secrets.New(stack, "secrets", secrets.Props{
		Name:        prefix,
		Environment: env.Name,
		Database:    a.Database,
		Key:         a.Key,
		// A disposable environment frees its secret name at destroy, so it
		// can be rebuilt at once; elsewhere the 30-day window applies.
		ForceDelete: !env.Database.DeletionProtection,
	})
	a.Registry = registry.New(stack, "registry", registry.Props{
		Name:               prefix,
		Repositories:       []string{"api", "worker"},
		Key:                a.Key,
		ImmutableTags:      env.Registry.ImmutableTags,
		UntaggedExpiryDays: env.Registry.UntaggedExpiryDays,
		ReleaseTagPattern:  env.Registry.ReleaseTagPattern,
		KeepOtherImages:    env.Registry.KeepOtherImages,
		// A disposable environment must destroy as configured, images and all.
		ForceDelete: !env.Database.DeletionProtection,
	})
	a.Jobs = queue.New(stack, "jobs", queue.Props{
		Name: prefix + "-jobs",
		Key:  a.Key,
		// Twice the longest processing time, so a slow job is not handed to a
		// second worker while the first still runs.
		VisibilityTimeoutSeconds: 2 * env.Queue.WorkerProcessingSeconds,
		RetentionDays:            env.Queue.RetentionDays,
		MaxReceiveCount:          env.Queue.MaxReceiveCount,
	})
	a.Platform = service.New(stack, "platform", service.Props{
		Name:             prefix,
		Environment:      env.Name,
		Region:           env.Region,
		AccountID:        env.AccountID,
		Services:         env.Services,
		Features:         env.Features,
		DNS:              env.DNS,
		LogRetentionDays: env.Logs.RetentionDays,
		Network:          a.Network,
		Key:              a.Key,
		Registry:         a.Registry,
		Queue:            a.Jobs,
		Database:         a.Database,
		Secrets:          a.Secrets,
	})
	a.Migration = migration.New(stack, "migration", migration.Props{
		Name:             prefix,
		Region:           env.Region,
		AccountID:        env.AccountID,
		Image:            a.Platform.API.Image,
		Repository:       a.Registry["api"],
		Architecture:     env.Services.Architecture,
		Database:         a.Database,
		MasterSecret:     a.Secrets.Database,
		Network:          a.Network,
		Key:              a.Key,
		LogRetentionDays: env.Logs.RetentionDays,
		Users:            config.ServiceNames,
	})
	a.Scheduler = scheduler.New(stack, "scheduler", scheduler.Props{
		Name:             prefix,
		AccountID:        env.AccountID,
		Scheduler:        env.Scheduler,
		Code:             code.Scheduler,
		Jobs:             a.Jobs,
		Key:              a.Key,
		LogRetentionDays: env.Logs.RetentionDays,
	})
	a.Monitoring = monitoring.New(stack, "monitoring", monitoring.Props{
		Name:           prefix,
		Region:         env.Region,
		AccountID:      env.AccountID,
		Alarms:         env.Alarms,
		NotifyRecovery: env.Alarms.NotifyRecovery,
		Key:            a.Key,
		Platform:       a.Platform,
		Jobs:           a.Jobs,
		Database:       a.Database,
		Scheduler:      a.Scheduler,
	})
	outputs(stack, a)
	return a
}

// outputs are what an operator needs after a deploy (`cdktf output`), named
// <thing>_<attr>.
func outputs(stack cdktf.TerraformStack, a *Application) {
	for _, o := range []struct{ name, value, description string }{
		{"api_url", a.Platform.URL, "Where the api answers"},
		{"api_repository_url", a.Registry["api"].URL, "Push api images here; release them with make release SERVICE=api IMAGE=<tag>"},
		{"worker_repository_url", a.Registry["worker"].URL, "Push worker images here; release them with make release SERVICE=worker IMAGE=<tag>"},
		{"api_image", a.Platform.API.Image, "The image the api is declared to run (services.api.image; the repository alone before the first release)"},
		{"worker_image", a.Platform.Worker.Image, "The image the worker is declared to run (services.worker.image; the repository alone before the first release)"},
		{"cluster_name", a.Platform.ClusterName, "ECS cluster of the api and worker services"},
		{"jobs_queue_url", a.Jobs.URL, "The jobs queue"},
		{"database_address", a.Database.Address, "PostgreSQL host (TLS required)"},
		{"database_secret_arn", a.Secrets.Database.Arn, "Secrets Manager secret with the master username and password (managed and rotated by RDS; for administrators and the migration task only)"},
		{"db_migrate_task_definition", a.Migration.Family, "Task definition family of the one-off database migration task (README: Database)"},
		{"db_migrate_security_group_id", a.Migration.SecurityGroupID, "Security group to run the migration task in"},
		{"db_migrate_subnet_ids", strings.Join(a.Migration.SubnetIDs, ","), "Private subnets to run the migration task in, comma-separated"},
		{"app_secret_arn", a.Secrets.App.Arn, "Secrets Manager secret holding the application's secrets as JSON; set values out of band"},
		{"alerts_topic_arn", a.Monitoring.TopicArn, "SNS topic every alarm notifies"},
	} {
		cdktf.NewTerraformOutput(stack, tf.S(o.name), &cdktf.TerraformOutputConfig{
			Value:       tf.S(o.value),
			Description: tf.S(o.description),
		})
	}
}

// All adds every environment's bootstrap and application stacks to app, in
// environment order, and returns them by stack name.
func All(app constructs.Construct, envs []*config.Environment, code Code) map[string]cdktf.TerraformStack {
	out := map[string]cdktf.TerraformStack{}
	for _, env := range envs {
		names := state.NamesFor(env)
		boot := state.NewBootstrap(app, env)
		guardrails.Attach(boot, guardrails.Tier(env.Name))
		out[names.BootstrapStack] = boot
		out[names.AppStack] = NewApplication(app, env, code).Stack
	}
	return out
}
