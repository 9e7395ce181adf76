package service

import (
	"encoding/json"
	"fmt"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/appautoscalingtarget"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchloggroup"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/ecscluster"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/ecsservice"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/ecstaskdefinition"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/lblistener"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/flow-builder/infra/config"
	"github.com/flow-builder/infra/constructs/encryption"
	"github.com/flow-builder/infra/constructs/registry"
	"github.com/flow-builder/infra/internal/iam"
	"github.com/flow-builder/infra/internal/tf"
)

// ContainerUser is the non-root uid:gid every container runs as.
const ContainerUser = "10001:10001"

type serviceSpec struct {
	name string
	task config.Task
	// port > 0 exposes the container behind targetGroupArn.
	port           int
	targetGroupArn string
	listener       lblistener.LbListener
	stopTimeout    int
}

// Container definition, as ECS reads it (only the fields we set).
type containerDef struct {
	Name                   string          `json:"name"`
	Image                  string          `json:"image"`
	Essential              bool            `json:"essential"`
	User                   string          `json:"user"`
	Privileged             bool            `json:"privileged"`
	ReadonlyRootFilesystem bool            `json:"readonlyRootFilesystem"`
	PortMappings           []portMapping   `json:"portMappings,omitempty"`
	Environment            []nameValue     `json:"environment"`
	Secrets                []nameValueFrom `json:"secrets"`
	MountPoints            []mountPoint    `json:"mountPoints"`
	LinuxParameters        map[string]any  `json:"linuxParameters"`
	LogConfiguration       logConfig       `json:"logConfiguration"`
	StopTimeout            int             `json:"stopTimeout"`
}
type portMapping struct {
	ContainerPort int    `json:"containerPort"`
	Protocol      string `json:"protocol"`
}
type nameValue struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}
type nameValueFrom struct {
	Name      string `json:"name"`
	ValueFrom string `json:"valueFrom"`
}
type mountPoint struct {
	SourceVolume  string `json:"sourceVolume"`
	ContainerPath string `json:"containerPath"`
	ReadOnly      bool   `json:"readOnly"`
}
type logConfig struct {
	LogDriver string            `json:"logDriver"`
	Options   map[string]string `json:"options"`
}

func newService(c constructs.Construct, p Props, cluster ecscluster.EcsCluster, s serviceSpec) *Service {
	sc := constructs.NewConstruct(c, &s.name)
	name := p.Name + "-" + s.name
	repo := p.Registry[s.name]

	base := NewTaskBase(sc, name, p.AccountID, p.LogRetentionDays, p.Key, repo,
		"ECS pulls the "+s.name+" image, writes its logs and injects its secrets")
	exec := base.ExecutionRole
	// Never the database master secret: the service logs in as its own
	// database user with an IAM token (README "Database").
	p.Secrets.App.GrantRead(exec, "read-app-secrets")

	task := iam.NewRole(sc, "task-role", iam.RoleProps{
		Name: name + "-task", Service: "ecs-tasks.amazonaws.com", SourceAccount: p.AccountID,
		Description: "What the " + s.name + " code may do",
	})
	// The code logs in to PostgreSQL as the database user named after the
	// service, with a token from rds generate-db-auth-token.
	p.Database.GrantConnect(task, "connect-database", s.name)

	// The image is declared in the environment file (services.<name>.image),
	// so a plain deploy always deploys what is committed.
	image := repo.URL
	switch {
	case s.task.Image == "":
		// No release yet: the task definition names the repository only and
		// the service runs no task.
	case config.IsDigest(s.task.Image):
		image += "@" + s.task.Image
	default:
		image += ":" + s.task.Image
	}
	def := containerDef{
		Name: s.name, Image: image, Essential: true, User: ContainerUser,
		Privileged: false, ReadonlyRootFilesystem: true,
		Environment: []nameValue{
			{"ENVIRONMENT", p.Environment},
			{"AWS_REGION", p.Region},
			{"JOBS_QUEUE_URL", p.Queue.URL},
			{"DB_HOST", p.Database.Address},
			{"DB_PORT", fmt.Sprint(p.Database.Port)},
			{"DB_NAME", p.Database.Name},
			{"DB_SSLMODE", "verify-full"},
			{"DB_USER", s.name},
			{"DB_IAM_AUTH", "true"},
		},
		Secrets: []nameValueFrom{
			{"APP_SECRETS", p.Secrets.App.ValueFrom("")},
		},
		// The root filesystem is read-only; /tmp is task-local scratch space.
		MountPoints:     []mountPoint{{SourceVolume: "tmp", ContainerPath: "/tmp", ReadOnly: false}},
		LinuxParameters: map[string]any{"initProcessEnabled": true},
		LogConfiguration: logConfig{LogDriver: "awslogs", Options: map[string]string{
			"awslogs-group": base.LogGroup, "awslogs-region": p.Region, "awslogs-stream-prefix": s.name,
		}},
		StopTimeout: s.stopTimeout,
	}
	if s.port > 0 {
		def.PortMappings = []portMapping{{ContainerPort: s.port, Protocol: "tcp"}}
		def.Environment = append(def.Environment, nameValue{"PORT", fmt.Sprint(s.port)})
	}
	defs, err := json.Marshal([]containerDef{def})
	if err != nil {
		panic(err)
	}
	td := ecstaskdefinition.NewEcsTaskDefinition(sc, tf.S("task"), &ecstaskdefinition.EcsTaskDefinitionConfig{
		Family:                  tf.S(name),
		RequiresCompatibilities: tf.Ss("FARGATE"),
		NetworkMode:             tf.S("awsvpc"),
		Cpu:                     tf.S(fmt.Sprint(s.task.CPU)),
		Memory:                  tf.S(fmt.Sprint(s.task.MemoryMiB)),
		ExecutionRoleArn:        exec.Resource.Arn(),
		TaskRoleArn:             task.Resource.Arn(),
		ContainerDefinitions:    tf.S(string(defs)),
		RuntimePlatform: &ecstaskdefinition.EcsTaskDefinitionRuntimePlatform{
			OperatingSystemFamily: tf.S("LINUX"), CpuArchitecture: tf.S(p.Services.Architecture),
		},
		Volume: []*ecstaskdefinition.EcsTaskDefinitionVolume{{Name: tf.S("tmp")}},
	})

	// No image yet: no task and a scaling range of 0..0.
	minCount, maxCount := tf.N(s.task.MinCount), tf.N(s.task.MaxCount)
	if s.task.Image == "" {
		minCount, maxCount = tf.N(0), tf.N(0)
	}
	sgs := map[string]string{"api": p.Network.SecurityGroups.API, "worker": p.Network.SecurityGroups.Worker}
	cfg := &ecsservice.EcsServiceConfig{
		Name:            tf.S(name),
		Cluster:         cluster.Arn(),
		TaskDefinition:  td.Arn(),
		LaunchType:      tf.S("FARGATE"),
		PlatformVersion: tf.S("LATEST"),
		DesiredCount:    minCount,
		NetworkConfiguration: &ecsservice.EcsServiceNetworkConfiguration{
			Subnets:        tf.Ss(p.Network.PrivateSubnetIDs...),
			SecurityGroups: tf.Ss(sgs[s.name]),
			AssignPublicIp: tf.B(false),
		},
		DeploymentCircuitBreaker:        &ecsservice.EcsServiceDeploymentCircuitBreaker{Enable: tf.B(true), Rollback: tf.B(true)},
		DeploymentMinimumHealthyPercent: tf.N(100),
		DeploymentMaximumPercent:        tf.N(200),
		// Fargate spreads tasks over the subnets' AZs; rebalancing keeps them spread.
		AvailabilityZoneRebalancing: tf.S("ENABLED"),
		PropagateTags:               tf.S("SERVICE"),
		EnableEcsManagedTags:        tf.B(true),
		// A deploy waits for the rollout, so a crash-looping image fails it
		// (the circuit breaker rolls back) instead of reporting success.
		WaitForSteadyState: tf.B(!p.Services.NoWaitForRollout),
		// Autoscaling owns the task count after creation.
		Lifecycle: &cdktf.TerraformResourceLifecycle{
			IgnoreChanges: tf.Ss("desired_count"),
			// wait_for_steady_state also succeeds when the circuit breaker
			// rolled the deployment back (a rolled-back service is steady;
			// terraform-provider-aws issues 19519, 20858): a service that
			// does not run the task definition just registered fails the
			// apply instead.
			Postcondition: &[]*cdktf.Postcondition{{
				Condition:    cdktf.Op_Eq(cdktf.TerraformSelf_GetString(tf.S("task_definition")), td.Arn()),
				ErrorMessage: tf.S("The " + s.name + " service does not run the new task definition: its deployment failed and the circuit breaker rolled it back (see the alerts topic and the service events)."),
			}},
		},
	}
	if s.port > 0 {
		cfg.LoadBalancer = []*ecsservice.EcsServiceLoadBalancer{{
			TargetGroupArn: tf.S(s.targetGroupArn), ContainerName: tf.S(s.name), ContainerPort: tf.N(s.port),
		}}
		cfg.HealthCheckGracePeriodSeconds = tf.N(60)
		cfg.DependsOn = &[]cdktf.ITerraformDependable{s.listener}
	}
	svc := ecsservice.NewEcsService(sc, tf.S("service"), cfg)

	target := appautoscalingtarget.NewAppautoscalingTarget(sc, tf.S("scaling-target"), &appautoscalingtarget.AppautoscalingTargetConfig{
		ServiceNamespace:  tf.S(scalingNamespace),
		ScalableDimension: tf.S(scalableDimension),
		ResourceId:        tf.S("service/" + *cluster.Name() + "/" + *svc.Name()),
		MinCapacity:       minCount,
		MaxCapacity:       maxCount,
	})
	return &Service{
		Name: name, LogGroup: base.LogGroup, TaskRole: task, ExecutionRole: exec,
		MinCount: s.task.MinCount, MaxCount: s.task.MaxCount, Image: image,
		scope: sc, scalingTarget: target,
	}
}

// TaskBase is what every ECS task of an environment has before its
// container definition: its log group and the execution role ECS uses.
type TaskBase struct {
	// LogGroup is the task's log group name (/ecs/<family>).
	LogGroup string
	// ExecutionRole pulls the image and writes the logs; grant it the
	// secrets the task definition injects.
	ExecutionRole *iam.Role
}

// NewTaskBase creates, under scope, the KMS-encrypted log group /ecs/<family>
// and an execution role that may pull from repo and write to that group.
// The construct ids ("logs", "execution-role") are part of the contract.
func NewTaskBase(scope constructs.Construct, family, accountID string, retentionDays int, key *encryption.Key, repo *registry.Repository, description string) TaskBase {
	logGroup := cloudwatchloggroup.NewCloudwatchLogGroup(scope, tf.S("logs"), &cloudwatchloggroup.CloudwatchLogGroupConfig{
		Name:            tf.S("/ecs/" + family),
		RetentionInDays: tf.N(retentionDays),
		KmsKeyId:        tf.S(key.Arn),
	})
	exec := iam.NewRole(scope, "execution-role", iam.RoleProps{
		Name: family + "-execution", Service: "ecs-tasks.amazonaws.com", SourceAccount: accountID,
		Description: description,
	})
	repo.GrantPull(exec, "pull-image")
	exec.Grant("write-logs", iam.Allow("WriteLogs", []string{"logs:CreateLogStream", "logs:PutLogEvents"}, *logGroup.Arn()+":*"))
	return TaskBase{LogGroup: *logGroup.Name(), ExecutionRole: exec}
}
