// Package migration is the one-off database migration task: an ECS task
// definition that runs the api image as the database master user, to apply
// schema migrations and create the services' own database users (api,
// worker) with the rds_iam role. It is the only task that may read the
// master secret; an operator starts it with aws ecs run-task (README
// "Database"). The SQL is the image's job.
package migration

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/ecstaskdefinition"

	"github.com/flow-builder/infra/constructs/database"
	"github.com/flow-builder/infra/constructs/encryption"
	"github.com/flow-builder/infra/constructs/networking"
	"github.com/flow-builder/infra/constructs/registry"
	"github.com/flow-builder/infra/constructs/secrets"
	"github.com/flow-builder/infra/constructs/service"
	"github.com/flow-builder/infra/internal/iam"
	"github.com/flow-builder/infra/internal/tf"
)

// Props configures the migration task.
type Props struct {
	// Name prefixes resource names, e.g. flow-builder-dev. Required.
	Name string
	// Region and AccountID scope the log configuration and the role's trust. Required.
	Region, AccountID string
	// Image is the full image reference the task runs: the api's (its
	// repository alone before the first release). Required.
	Image string
	// Repository is the image's ECR repository, to pull from. Required.
	Repository *registry.Repository
	// Architecture of the image: ARM64 or X86_64. Required.
	Architecture string
	// Database is what the task migrates. Required.
	Database *database.Database
	// MasterSecret holds the master user's username and password. Required.
	MasterSecret secrets.Secret
	// Network gives the task its security group and subnets. Required.
	Network *networking.Network
	// Key encrypts the log group. Required.
	Key *encryption.Key
	// LogRetentionDays for the task's log group. Required.
	LogRetentionDays int
	// Users are the database users the task creates with GRANT rds_iam, one
	// per service. Required.
	Users []string
}

// Migration is what an operator needs to run the task.
type Migration struct {
	// Family is the task definition family, <name>-db-migrate.
	Family string
	// SecurityGroupID is the group to run the task in (5432 to the database).
	SecurityGroupID string
	// SubnetIDs are the private subnets to run the task in.
	SubnetIDs []string
	// ExecutionRole injects the master secret.
	ExecutionRole *iam.Role
}

// Command is what the task asks the image to do.
var Command = []string{"migrate"}

// New creates the task definition, its execution role and log group.
func New(scope constructs.Construct, id string, p Props) *Migration {
	switch {
	case p.Name == "" || p.Region == "" || p.AccountID == "" || p.Image == "" || p.Architecture == "":
		panic("migration.New: Name, Region, AccountID, Image and Architecture are required")
	case p.Repository == nil || p.Database == nil || p.MasterSecret.Arn == "" || p.Network == nil || p.Key == nil:
		panic("migration.New: Repository, Database, MasterSecret, Network and Key are required")
	case p.LogRetentionDays == 0 || len(p.Users) == 0:
		panic("migration.New: LogRetentionDays and Users are required")
	}
	c := constructs.NewConstruct(scope, &id)
	family := p.Name + "-db-migrate"

	base := service.NewTaskBase(c, family, p.AccountID, p.LogRetentionDays, p.Key, p.Repository,
		"ECS pulls the migration image, writes its logs and injects the database master secret")
	exec := base.ExecutionRole
	p.MasterSecret.GrantRead(exec, "read-master-secret")

	def := map[string]any{
		"name": "migrate", "image": p.Image, "essential": true, "command": Command,
		"user": service.ContainerUser, "privileged": false, "readonlyRootFilesystem": true,
		"environment": []map[string]string{
			{"name": "DB_HOST", "value": p.Database.Address},
			{"name": "DB_PORT", "value": fmt.Sprint(p.Database.Port)},
			{"name": "DB_NAME", "value": p.Database.Name},
			{"name": "DB_SSLMODE", "value": "verify-full"},
			// The users to create (CREATE ROLE ... LOGIN; GRANT rds_iam TO ...).
			{"name": "DB_IAM_USERS", "value": strings.Join(p.Users, ",")},
		},
		"secrets": []map[string]string{
			{"name": "DB_USERNAME", "valueFrom": p.MasterSecret.ValueFrom("username")},
			{"name": "DB_PASSWORD", "valueFrom": p.MasterSecret.ValueFrom("password")},
		},
		"mountPoints":     []map[string]any{{"sourceVolume": "tmp", "containerPath": "/tmp", "readOnly": false}},
		"linuxParameters": map[string]any{"initProcessEnabled": true},
		"logConfiguration": map[string]any{"logDriver": "awslogs", "options": map[string]string{
			"awslogs-group": base.LogGroup, "awslogs-region": p.Region, "awslogs-stream-prefix": "migrate",
		}},
	}
	defs, err := json.Marshal([]any{def})
	if err != nil {
		panic(err)
	}
	ecstaskdefinition.NewEcsTaskDefinition(c, tf.S("task"), &ecstaskdefinition.EcsTaskDefinitionConfig{
		Family:                  tf.S(family),
		RequiresCompatibilities: tf.Ss("FARGATE"),
		NetworkMode:             tf.S("awsvpc"),
		Cpu:                     tf.S("256"),
		Memory:                  tf.S("512"),
		ExecutionRoleArn:        exec.Resource.Arn(),
		ContainerDefinitions:    tf.S(string(defs)),
		RuntimePlatform: &ecstaskdefinition.EcsTaskDefinitionRuntimePlatform{
			OperatingSystemFamily: tf.S("LINUX"), CpuArchitecture: tf.S(p.Architecture),
		},
		Volume: []*ecstaskdefinition.EcsTaskDefinitionVolume{{Name: tf.S("tmp")}},
	})
	return &Migration{
		Family:          family,
		SecurityGroupID: p.Network.SecurityGroups.Migrate,
		SubnetIDs:       p.Network.PrivateSubnetIDs,
		ExecutionRole:   exec,
	}
}
