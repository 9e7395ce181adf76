// Package service is the container platform of one environment: an ECS
// cluster, an internet-facing ALB (HTTPS with a domain), the Fargate api and
// worker services, their IAM roles and their autoscaling.
//
// Releases: each service's image is declared in the environment file
// (services.<name>.image), so a plain deploy always deploys what is
// committed. While it is empty the service exists with zero tasks and an
// autoscaling range of 0..0, so a fresh account with an empty registry
// deploys cleanly; push an image, then make release.
package service

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/appautoscalingtarget"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/ecscluster"

	"github.com/flow-builder/infra/config"
	"github.com/flow-builder/infra/constructs/database"
	"github.com/flow-builder/infra/constructs/encryption"
	"github.com/flow-builder/infra/constructs/networking"
	"github.com/flow-builder/infra/constructs/queue"
	"github.com/flow-builder/infra/constructs/registry"
	"github.com/flow-builder/infra/constructs/secrets"
	"github.com/flow-builder/infra/internal/iam"
	"github.com/flow-builder/infra/internal/tf"
)

// Props configures the platform.
type Props struct {
	// Name prefixes every resource name, e.g. flow-builder-dev. Required.
	Name string
	// Environment is the environment's name (ENVIRONMENT in the containers). Required.
	Environment string
	// Region and AccountID scope ARNs and role trust. Required.
	Region, AccountID string
	// Services are sizes, bounds and scaling targets. Required.
	Services config.Services
	// Features: Container Insights, ALB access logs and deletion protection.
	Features config.Features
	// DNS gives the api a name and HTTPS. Default: HTTP only on the ALB's name.
	DNS config.DNS
	// LogRetentionDays for the container log groups. Required.
	LogRetentionDays int
	// Network places the ALB and tasks. Required.
	Network *networking.Network
	// Key encrypts the log groups. Required.
	Key *encryption.Key
	// Registry must hold "api" and "worker" repositories. Required.
	Registry registry.Registry
	// Queue is the jobs queue: the api sends, the worker consumes. Required.
	Queue *queue.Queue
	// Database is reached with the RDS-managed credentials. Required.
	Database *database.Database
	// Secrets are injected into the containers by ARN. Required.
	Secrets *secrets.Secrets
}

// Service is one ECS service and what monitoring needs of it.
type Service struct {
	// Name is the ECS service name.
	Name string
	// LogGroup is the container log group name.
	LogGroup string
	// TaskRole is the role the application code runs as.
	TaskRole *iam.Role
	// ExecutionRole pulls the image, writes logs and injects secrets.
	ExecutionRole *iam.Role
	// MinCount and MaxCount are the configured autoscaling bounds.
	MinCount, MaxCount int
	// Image is the full image reference the task definition runs
	// (repository URL only while no release is declared).
	Image string

	scope         constructs.Construct
	scalingTarget appautoscalingtarget.AppautoscalingTarget
}

// Platform is what the rest of the stack uses.
type Platform struct {
	// ClusterName is the ECS cluster.
	ClusterName string
	// LoadBalancerArnSuffix is the ALB's CloudWatch dimension.
	LoadBalancerArnSuffix string
	// TargetGroupArnSuffix is the api target group's CloudWatch dimension.
	TargetGroupArnSuffix string
	// ClusterArn is the ECS cluster's ARN (deployment events).
	ClusterArn string
	// URL is where the api answers: https://<domain> or http://<alb dns name>.
	URL string
	// API and Worker are the two services.
	API, Worker *Service
	// ContainerInsights says the cluster publishes the ECS/ContainerInsights
	// metrics (RunningTaskCount and others).
	ContainerInsights bool
}

// New creates the cluster, load balancer, services and scaling.
func New(scope constructs.Construct, id string, p Props) *Platform {
	switch {
	case p.Name == "" || p.Environment == "" || p.Region == "" || p.AccountID == "":
		panic("service.New: Name, Environment, Region and AccountID are required")
	case p.Network == nil || p.Key == nil || p.Queue == nil || p.Database == nil || p.Secrets == nil:
		panic("service.New: Network, Key, Queue, Database and Secrets are required")
	case p.Registry["api"] == nil || p.Registry["worker"] == nil:
		panic("service.New: Registry needs api and worker repositories")
	case p.LogRetentionDays == 0:
		panic("service.New: LogRetentionDays is required")
	}
	c := constructs.NewConstruct(scope, &id)
	insights := "disabled"
	if p.Features.ContainerInsights {
		insights = "enabled"
	}
	cluster := ecscluster.NewEcsCluster(c, tf.S("cluster"), &ecscluster.EcsClusterConfig{
		Name:    tf.S(p.Name),
		Setting: []*ecscluster.EcsClusterSetting{{Name: tf.S("containerInsights"), Value: tf.S(insights)}},
	})
	out := &Platform{ClusterName: p.Name, ClusterArn: *cluster.Arn(), ContainerInsights: p.Features.ContainerInsights}

	lb := newLoadBalancer(c, p)
	out.LoadBalancerArnSuffix, out.TargetGroupArnSuffix, out.URL = lb.arnSuffix, lb.targetGroupArnSuffix, lb.url

	out.API = newService(c, p, cluster, serviceSpec{
		name: "api", task: p.Services.API.Task, port: p.Services.ContainerPort,
		targetGroupArn: lb.targetGroupArn, listener: lb.listener, stopTimeout: 30,
	})
	p.Queue.GrantSend(out.API.TaskRole, "send-jobs")

	out.Worker = newService(c, p, cluster, serviceSpec{
		name: "worker", task: p.Services.Worker.Task, stopTimeout: config.WorkerStopTimeoutSeconds,
	})
	p.Queue.GrantConsume(out.Worker.TaskRole, "consume-jobs")

	scaleAPI(p, out, lb)
	scaleWorker(p, out)
	return out
}
