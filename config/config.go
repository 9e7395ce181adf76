// Package config is the schema of an environment file (environments/<name>.yaml),
// its defaults and its validation rules. It is pure Go: loading and checking an
// environment never starts jsii.
package config

// Project is the product name used in resource names, tags and stack names.
const Project = "flow-builder"

// NatStrategy says how private subnets reach the internet.
type NatStrategy string

const (
	// NatSingle is one NAT gateway for the whole VPC (cheap; an AZ outage cuts egress).
	NatSingle NatStrategy = "single"
	// NatOnePerAZ is one NAT gateway in each AZ, each private route table using its own.
	NatOnePerAZ NatStrategy = "one_per_az"
)

// Environment is everything that differs between dev, staging and prod. The
// yaml tags are the field names in the environment file.
type Environment struct {
	// Name is the environment's name, taken from the file name (dev.yaml -> dev).
	Name string `yaml:"-"`
	// File is the path the environment was loaded from, used in error messages.
	File string `yaml:"-"`
	// lines maps a dotted field path to the line of File that sets it, so
	// that a broken rule names its line; a field left at its default has none.
	lines map[string]int

	// AccountID is the 12-digit AWS account the environment is pinned to
	// (provider allowed_account_ids). Required.
	AccountID string `yaml:"account_id"`
	// Region is the AWS region, e.g. us-east-1: one of the commercial regions
	// listed in config/regions.go (GovCloud and China are refused: the stacks
	// write arn:aws: ARNs). Required.
	Region string `yaml:"region"`
	// AllowUnlistedRegion accepts a region that config/regions.go (AWS
	// regions as of 2026-11) does not list yet, for one AWS launched since;
	// prefer adding it to the list. It is refused while region is listed, so
	// a forgotten override never lets a mistyped region through. Default: false.
	AllowUnlistedRegion bool `yaml:"allow_unlisted_region"`
	// Owner is the team that owns the environment (Owner tag). Required.
	Owner string `yaml:"owner"`
	// StateInBucket says the bootstrap stack's own state was migrated into the
	// bucket it created (see README "Bootstrap"). Default: false (local state).
	StateInBucket bool `yaml:"state_in_bucket"`

	Network   Network   `yaml:"network"`
	Database  Database  `yaml:"database"`
	Registry  Registry  `yaml:"registry"`
	Queue     Queue     `yaml:"queue"`
	Services  Services  `yaml:"services"`
	Scheduler Scheduler `yaml:"scheduler"`
	Logs      Logs      `yaml:"logs"`
	Alarms    Alarms    `yaml:"alarms"`
	DNS       DNS       `yaml:"dns"`
	Features  Features  `yaml:"features"`
}

// Network describes the VPC.
type Network struct {
	// CIDR is the VPC range, /16 to /23 (each subnet is 1/16 of it, and the
	// load balancer's public subnets must be at least /27). Required.
	CIDR string `yaml:"cidr"`
	// AZCount is how many availability zones to spread over (2 or 3). Default: 2.
	AZCount int `yaml:"az_count"`
	// AvailabilityZones names the AZs to use, in order. Default: the first
	// az_count available AZs of the region, read from the AZ data source.
	AvailabilityZones []string `yaml:"availability_zones"`
	// NatStrategy is "single" or "one_per_az". Default: one_per_az.
	NatStrategy NatStrategy `yaml:"nat_strategy"`
}

// Database describes the RDS PostgreSQL instance.
type Database struct {
	// EngineVersion is the PostgreSQL major version (e.g. "16"); RDS picks the
	// minor and upgrades it automatically. Raising it is a major upgrade:
	// deploy it with apply_immediately: true (see README "Database").
	// Default: "16".
	EngineVersion string `yaml:"engine_version"`
	// InstanceClass is the RDS class, e.g. db.t4g.micro. Default: db.t4g.micro.
	InstanceClass string `yaml:"instance_class"`
	// AllocatedStorageGB is the initial gp3 storage, at least 20. Default: 20.
	AllocatedStorageGB int `yaml:"allocated_storage_gb"`
	// MaxAllocatedStorageGB is the storage autoscaling limit, at least 110%
	// of allocated_storage_gb (an RDS rule); 0 turns storage autoscaling off.
	// Default: 0.
	MaxAllocatedStorageGB int `yaml:"max_allocated_storage_gb"`
	// BackupRetentionDays is 1 to 35. Default: 7.
	BackupRetentionDays int `yaml:"backup_retention_days"`
	// MultiAZ runs a standby in a second AZ. Default: false (required true in prod).
	MultiAZ bool `yaml:"multi_az"`
	// DeletionProtection blocks deleting the instance. Default: true.
	DeletionProtection bool `yaml:"deletion_protection"`
	// FinalSnapshot keeps a snapshot when the instance is deleted. Default: true
	// (required in staging and prod).
	FinalSnapshot bool `yaml:"final_snapshot"`
	// PerformanceInsights turns on Performance Insights (7 days, free tier). Default: false.
	PerformanceInsights bool `yaml:"performance_insights"`
	// MonitoringIntervalSeconds is the enhanced monitoring interval: 0 (off), 1, 5, 10, 15, 30 or 60. Default: 0.
	MonitoringIntervalSeconds int `yaml:"monitoring_interval_seconds"`
	// SlowQueryMillis logs statements slower than this (log_min_duration_statement). Default: 500.
	SlowQueryMillis int `yaml:"slow_query_ms"`
	// ApplyImmediately applies instance changes (class, multi-AZ, storage,
	// engine version) during the deploy instead of in the next maintenance
	// window. Off, a deploy leaves them pending and every plan keeps showing
	// them until the window (sun 04:30 UTC) has passed. A major engine
	// upgrade needs it on for that deploy (see README "Database"). Default:
	// false (changes that restart or fail over the instance wait for the
	// maintenance window).
	ApplyImmediately bool `yaml:"apply_immediately"`
	// DatabaseName is the initial database. Default: flowbuilder.
	DatabaseName string `yaml:"database_name"`
}

// Registry describes the ECR repositories.
type Registry struct {
	// ImmutableTags makes image tags IMMUTABLE. Default: true (required in staging and prod).
	ImmutableTags bool `yaml:"immutable_tags"`
	// UntaggedExpiryDays expires untagged images after this many days. Default: 7.
	UntaggedExpiryDays int `yaml:"untagged_expiry_days"`
	// ReleaseTagPattern matches the tags of release images (ECR tagPatternList
	// syntax: letters, digits, '.', '_', '-' and up to four '*'). Release
	// images never expire, so an environment can always run, scale out to or
	// roll back to any image it declares; a declared tag must match it.
	// Default: v*.
	ReleaseTagPattern string `yaml:"release_tag_pattern"`
	// KeepOtherImages keeps this many of the newest tagged images that are not
	// releases (branch or commit builds); older ones expire. Default: 30.
	KeepOtherImages int `yaml:"keep_other_images"`
}

// Queue describes the jobs queue and its dead-letter queue.
type Queue struct {
	// MaxReceiveCount moves a message to the DLQ after this many receives (1-1000). Default: 5.
	MaxReceiveCount int `yaml:"max_receive_count"`
	// WorkerProcessingSeconds is the longest a worker takes for one message
	// (1-120: a worker stopped by a deploy or scale-in has 120 s, the Fargate
	// maximum stop timeout, to finish it); the visibility timeout is twice it. Default: 60.
	WorkerProcessingSeconds int `yaml:"worker_processing_seconds"`
	// RetentionDays keeps unprocessed messages this long (1-14). Default: 4.
	RetentionDays int `yaml:"retention_days"`
}

// Services describes the ECS Fargate services.
type Services struct {
	// ContainerPort is the port the api container listens on. Default: 8080.
	ContainerPort int `yaml:"container_port"`
	// HealthCheckPath is the api's health check path. Default: /healthz.
	HealthCheckPath string `yaml:"health_check_path"`
	// IdleScaleInMinutes scales a service whose minimum is 0 back to 0 after
	// this many minutes without requests (api) or messages (worker). Default: 30.
	IdleScaleInMinutes int `yaml:"idle_scale_in_minutes"`
	// Architecture of the images and tasks: ARM64 (Graviton, about 20%
	// cheaper) or X86_64. Images must be built for it. Default: ARM64.
	Architecture string `yaml:"architecture"`
	// AwaitingFirstRelease marks an environment that has never had a release:
	// only then may staging or prod declare a service without an image (it
	// runs no task). make release clears it once every service has one.
	// Default: false.
	AwaitingFirstRelease bool `yaml:"awaiting_first_release"`
	// NoWaitForRollout lets a deploy finish before ECS has replaced the
	// tasks. Default: false (every deploy waits for the services to reach a
	// steady state, so an image that never turns healthy fails the deploy).
	NoWaitForRollout bool      `yaml:"no_wait_for_rollout"`
	API              APIConfig `yaml:"api"`
	Worker           Worker    `yaml:"worker"`
}

// Task is the release, size and bounds of one Fargate service.
type Task struct {
	// Image is the release the service runs, from its ECR repository: a tag
	// matching registry.release_tag_pattern (v1.4.2) or an image digest
	// (sha256:<64 hex>). Set it with make release / make promote; a plain
	// make deploy always deploys what is declared here. Empty: no image yet,
	// the service runs no task (only dev, or before the first release).
	// Default: empty.
	Image string `yaml:"image"`
	// CPU units (256, 512, 1024, 2048, 4096). Default: 256.
	CPU int `yaml:"cpu"`
	// MemoryMiB must be a valid Fargate pairing with CPU. Default: 512.
	MemoryMiB int `yaml:"memory_mib"`
	// MinCount is the autoscaling minimum; 0 allows scale-to-zero. Default: 1.
	MinCount int `yaml:"min_count"`
	// MaxCount is the autoscaling maximum. Default: 2.
	MaxCount int `yaml:"max_count"`
}

// APIConfig is the HTTP API service.
type APIConfig struct {
	Task `yaml:",inline"`
	// CPUTargetPercent is the target-tracking CPU target. Default: 60.
	CPUTargetPercent int `yaml:"cpu_target_percent"`
	// MemoryTargetPercent is the target-tracking memory target. Default: 70.
	MemoryTargetPercent int `yaml:"memory_target_percent"`
}

// Worker is the queue worker service.
type Worker struct {
	Task `yaml:",inline"`
	// MessagesPerTask is the backlog (waiting + in flight) one task absorbs:
	// the worker runs ceil(backlog / messages_per_task) tasks, within its bounds.
	MessagesPerTask int `yaml:"messages_per_task"`
}

// Scheduler describes the scheduling Lambda and its EventBridge schedule.
type Scheduler struct {
	// ScheduleExpression is a rate() or cron() expression. Default: rate(5 minutes).
	ScheduleExpression string `yaml:"schedule_expression"`
	// Timezone applies to cron expressions. Default: UTC.
	Timezone string `yaml:"timezone"`
	// TimeoutSeconds is the function timeout (1-900). Default: 30.
	TimeoutSeconds int `yaml:"timeout_seconds"`
	// MemoryMiB is the function memory (128-10240). Default: 128.
	MemoryMiB int `yaml:"memory_mib"`
	// ReservedConcurrency reserves (and caps) concurrent runs, e.g. 1 so
	// ticks never overlap (each tick carries an idempotency key, so an
	// overlap is harmless); 0 leaves the function unreserved. Reserving is
	// an explicit choice: Lambda keeps 10 of the account's concurrency
	// unreserved, so at the new-account quota of 10 any reservation fails
	// the apply. Check the quota first with `aws service-quotas
	// get-service-quota --service-code lambda --quota-code L-B99A9384`.
	// Default: 0.
	ReservedConcurrency int `yaml:"reserved_concurrency"`
}

// Logs describes CloudWatch Logs retention.
type Logs struct {
	// RetentionDays for every log group (a value CloudWatch accepts). Default: 30.
	RetentionDays int `yaml:"retention_days"`
}

// Alarms describes alerting.
type Alarms struct {
	// Emails subscribe to the alerts topic. Default: none (required in prod).
	Emails []string `yaml:"emails"`
	// Full turns on the whole alarm set; off, only the dead-letter queue
	// alarms and the scheduler's health alarms (errors, heartbeat,
	// EventBridge Scheduler delivery failures) exist. Default: true.
	Full bool `yaml:"full"`
	// NotifyRecovery also mails when an alarm returns to OK. Default: false.
	NotifyRecovery bool `yaml:"notify_recovery"`
	// ALB5xxPerMinute alarms on this many target 5xx responses a minute. Default: 10.
	ALB5xxPerMinute int `yaml:"alb_5xx_per_minute"`
	// LatencyP95Millis alarms on p95 target response time. Default: 1000.
	LatencyP95Millis int `yaml:"latency_p95_ms"`
	// CPUPercent alarms on service and database CPU. Default: 80.
	CPUPercent int `yaml:"cpu_percent"`
	// MemoryPercent alarms on service memory. Default: 80.
	MemoryPercent int `yaml:"memory_percent"`
	// QueueAgeSeconds alarms on the age of the oldest jobs message. Default: 600.
	QueueAgeSeconds int `yaml:"queue_age_seconds"`
	// DBFreeStorageGB alarms when free storage drops below it. Default: 5.
	DBFreeStorageGB int `yaml:"db_free_storage_gb"`
	// DBFreeMemoryMiB alarms when freeable memory drops below it. Default: 128.
	DBFreeMemoryMiB int `yaml:"db_free_memory_mib"`
	// DBConnections alarms when connections exceed it. Default: 80.
	DBConnections int `yaml:"db_connections"`
}

// DNS describes the public name of the API.
type DNS struct {
	// Domain is the API's host name, e.g. api.example.com. Default: none
	// (HTTP only on the ALB's own name; required in prod).
	Domain string `yaml:"domain"`
	// HostedZoneID is the Route53 public zone that holds Domain. Required with Domain.
	HostedZoneID string `yaml:"hosted_zone_id"`
}

// Features are on/off switches.
type Features struct {
	// ContainerInsights turns on ECS Container Insights. Default: true.
	ContainerInsights bool `yaml:"container_insights"`
	// ALBAccessLogs writes ALB access logs to an S3 bucket. Default: true.
	ALBAccessLogs bool `yaml:"alb_access_logs"`
	// FlowLogs writes VPC flow logs to CloudWatch Logs. Default: true.
	FlowLogs bool `yaml:"flow_logs"`
	// ALBDeletionProtection stops the load balancer from being deleted. Default: true.
	ALBDeletionProtection bool `yaml:"alb_deletion_protection"`
}

// line is the line of File that sets field, or 0 when the file leaves it out.
func (e *Environment) line(field string) int { return e.lines[field] }

// IsProd reports whether the production rules apply.
func (e *Environment) IsProd() bool { return e.Name == "prod" }

// Prefix is "<project>-<env>", the stem of every resource name.
func (e *Environment) Prefix() string { return Project + "-" + e.Name }

// HasDomain reports whether the API gets a DNS name and HTTPS.
func (e *Environment) HasDomain() bool { return e.DNS.Domain != "" }

// Defaults returns the values an environment file starts from. They are the
// safe choice; dev turns things off explicitly.
func Defaults() Environment {
	return Environment{
		Network: Network{AZCount: 2, NatStrategy: NatOnePerAZ},
		Database: Database{
			EngineVersion:       "16",
			InstanceClass:       "db.t4g.micro",
			AllocatedStorageGB:  20,
			BackupRetentionDays: 7,
			DeletionProtection:  true,
			FinalSnapshot:       true,
			SlowQueryMillis:     500,
			DatabaseName:        "flowbuilder",
		},
		Registry: Registry{ImmutableTags: true, UntaggedExpiryDays: 7, ReleaseTagPattern: "v*", KeepOtherImages: 30},
		Queue:    Queue{MaxReceiveCount: 5, WorkerProcessingSeconds: 60, RetentionDays: 4},
		Services: Services{
			ContainerPort:      8080,
			HealthCheckPath:    "/healthz",
			IdleScaleInMinutes: 30,
			Architecture:       "ARM64",
			API:                APIConfig{Task: Task{CPU: 256, MemoryMiB: 512, MinCount: 1, MaxCount: 2}, CPUTargetPercent: 60, MemoryTargetPercent: 70},
			Worker:             Worker{Task: Task{CPU: 256, MemoryMiB: 512, MinCount: 1, MaxCount: 2}, MessagesPerTask: 10},
		},
		Scheduler: Scheduler{ScheduleExpression: "rate(5 minutes)", Timezone: "UTC", TimeoutSeconds: 30, MemoryMiB: 128, ReservedConcurrency: 0},
		Logs:      Logs{RetentionDays: 30},
		Alarms: Alarms{
			Full: true, ALB5xxPerMinute: 10, LatencyP95Millis: 1000, CPUPercent: 80, MemoryPercent: 80,
			QueueAgeSeconds: 600, DBFreeStorageGB: 5, DBFreeMemoryMiB: 128, DBConnections: 80,
		},
		Features: Features{ContainerInsights: true, ALBAccessLogs: true, FlowLogs: true, ALBDeletionProtection: true},
	}
}
