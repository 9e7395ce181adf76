// Package database is the environment's RDS PostgreSQL instance: encrypted
// with the environment key, TLS enforced, master password kept by RDS in
// Secrets Manager (never in code, config, synthesized JSON or state).
package database

import (
	"fmt"
	"strings"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchloggroup"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dbinstance"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dbparametergroup"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dbsubnetgroup"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/flow-builder/infra/config"
	"github.com/flow-builder/infra/constructs/encryption"
	"github.com/flow-builder/infra/constructs/networking"
	"github.com/flow-builder/infra/internal/iam"
	"github.com/flow-builder/infra/internal/tf"
)

// Props configures the database.
type Props struct {
	// Name is the instance identifier stem, e.g. flow-builder-dev. Required.
	Name string
	// AccountID scopes the monitoring role's trust and the database users'
	// rds-db ARNs. Required.
	AccountID string
	// Region scopes the database users' rds-db ARNs. Required.
	Region string
	// Database is the environment's database block. Required.
	Database config.Database
	// Network places the instance in the database subnets behind the database
	// security group. Required.
	Network *networking.Network
	// Key encrypts storage, the master secret, Performance Insights and logs. Required.
	Key *encryption.Key
	// LogRetentionDays for the exported PostgreSQL log. Required.
	LogRetentionDays int
}

// Database is the created instance.
type Database struct {
	// Instance is the aws_db_instance.
	Instance dbinstance.DbInstance
	// Identifier is the instance identifier.
	Identifier string
	// Address is the host name clients connect to.
	Address string
	// Port is the PostgreSQL port.
	Port int
	// Name is the initial database.
	Name string
	// MasterSecretArn is the RDS-managed secret holding username and password
	// of the master user: for administrators and the migration task only.
	MasterSecretArn string
	// Key is the key the master secret is encrypted with.
	Key *encryption.Key
	// ResourceID is the instance's resource id (db-...), which rds-db:connect
	// ARNs name.
	ResourceID string

	region, accountID string
}

// GrantConnect lets role log in as the database user user with an IAM
// authentication token (rds-db:connect). The user must exist in PostgreSQL
// and hold the rds_iam role; the migration task creates it.
func (d *Database) GrantConnect(role *iam.Role, id, user string) {
	role.Grant(id, iam.Allow("ConnectAs"+strings.ToUpper(user[:1])+user[1:], []string{"rds-db:connect"}, d.UserArn(user)))
}

// UserArn is the rds-db ARN of a database user, the resource of rds-db:connect.
func (d *Database) UserArn(user string) string {
	return "arn:aws:rds-db:" + d.region + ":" + d.accountID + ":dbuser:" + d.ResourceID + "/" + user
}

// MasterUsername is the master user's name; its password is generated and
// rotated by RDS.
const MasterUsername = "flowbuilder_admin"

// New creates the instance, its subnet group, parameter group and log group.
func New(scope constructs.Construct, id string, p Props) *Database {
	d := p.Database
	if p.Name == "" || p.AccountID == "" || p.Region == "" || p.Network == nil || p.Key == nil || p.LogRetentionDays == 0 {
		panic("database.New: Name, AccountID, Region, Network, Key and LogRetentionDays are required")
	}
	c := constructs.NewConstruct(scope, &id)
	identifier := p.Name + "-postgres"

	subnets := dbsubnetgroup.NewDbSubnetGroup(c, tf.S("subnet-group"), &dbsubnetgroup.DbSubnetGroupConfig{
		Name:        tf.S(identifier),
		Description: tf.S("Database subnets of " + p.Name + " (no internet route)"),
		SubnetIds:   tf.Ss(p.Network.DatabaseSubnetIDs...),
	})
	params := dbparametergroup.NewDbParameterGroup(c, tf.S("parameters"), &dbparametergroup.DbParameterGroupConfig{
		Name:        tf.S(fmt.Sprintf("%s-postgres%s", p.Name, d.EngineVersion)),
		Family:      tf.S("postgres" + d.EngineVersion),
		Description: tf.S("TLS-only connections and slow-query logging for " + identifier),
		Parameter: []*dbparametergroup.DbParameterGroupParameter{
			{Name: tf.S("rds.force_ssl"), Value: tf.S("1"), ApplyMethod: tf.S("pending-reboot")},
			{Name: tf.S("log_min_duration_statement"), Value: tf.S(fmt.Sprint(d.SlowQueryMillis))},
		},
		// The name holds the family, so a major upgrade (engine_version 16
		// -> 17) creates the new group first, moves the instance to it and
		// only then deletes the old one, which RDS refuses while in use.
		Lifecycle: &cdktf.TerraformResourceLifecycle{CreateBeforeDestroy: tf.B(true)},
	})
	// RDS would create this group on first export with no retention; owning
	// it keeps retention and encryption under config.
	logs := cloudwatchloggroup.NewCloudwatchLogGroup(c, tf.S("postgresql-log"), &cloudwatchloggroup.CloudwatchLogGroupConfig{
		Name:            tf.S("/aws/rds/instance/" + identifier + "/postgresql"),
		RetentionInDays: tf.N(p.LogRetentionDays),
		KmsKeyId:        tf.S(p.Key.Arn),
	})
	depends := []cdktf.ITerraformDependable{logs}

	cfg := &dbinstance.DbInstanceConfig{
		Identifier:               tf.S(identifier),
		Engine:                   tf.S("postgres"),
		EngineVersion:            tf.S(d.EngineVersion),
		InstanceClass:            tf.S(d.InstanceClass),
		AllocatedStorage:         tf.N(d.AllocatedStorageGB),
		StorageType:              tf.S("gp3"),
		StorageEncrypted:         tf.B(true),
		KmsKeyId:                 tf.S(p.Key.Arn),
		DbName:                   tf.S(d.DatabaseName),
		Username:                 tf.S(MasterUsername),
		ManageMasterUserPassword: tf.B(true),
		MasterUserSecretKmsKeyId: tf.S(p.Key.Arn),
		MultiAz:                  tf.B(d.MultiAZ),
		DbSubnetGroupName:        subnets.Name(),
		VpcSecurityGroupIds:      tf.Ss(p.Network.SecurityGroups.Database),
		PubliclyAccessible:       tf.B(false),
		ParameterGroupName:       params.Name(),
		BackupRetentionPeriod:    tf.N(d.BackupRetentionDays),
		BackupWindow:             tf.S("03:00-04:00"),
		MaintenanceWindow:        tf.S("sun:04:30-sun:05:30"),
		DeletionProtection:       tf.B(d.DeletionProtection),
		SkipFinalSnapshot:        tf.B(!d.FinalSnapshot),
		CopyTagsToSnapshot:       tf.B(true),
		AutoMinorVersionUpgrade:  tf.B(true),
		// engine_version is a pinned major in config, so a major upgrade only
		// ever happens when someone raises it there; without this flag RDS
		// refuses that change at apply.
		AllowMajorVersionUpgrade:         tf.B(true),
		ApplyImmediately:                 tf.B(d.ApplyImmediately),
		IamDatabaseAuthenticationEnabled: tf.B(true),
		EnabledCloudwatchLogsExports:     tf.Ss("postgresql"),
		CaCertIdentifier:                 tf.S("rds-ca-rsa2048-g1"),
		PerformanceInsightsEnabled:       tf.B(d.PerformanceInsights),
		Tags:                             tf.Tags(map[string]string{"Name": identifier}),
	}
	if d.FinalSnapshot {
		// Unique per instance, stable for its lifetime: a terraform_data
		// resource created with the instance draws a UUID once and keeps it
		// until the stack is destroyed. A rebuilt environment gets a new one,
		// so a second destroy never collides with the first one's snapshot
		// (DBSnapshotAlreadyExists), and re-plans stay clean (a timestamp()
		// would change on every plan).
		suffix := cdktf.NewTerraformResource(c, tf.S("final-snapshot-suffix"), &cdktf.TerraformResourceConfig{
			TerraformResourceType: tf.S("terraform_data"),
		})
		cfg.FinalSnapshotIdentifier = tf.S(identifier + "-final-" + *suffix.GetStringAttribute(tf.S("id")))
	}
	if d.MaxAllocatedStorageGB > 0 {
		cfg.MaxAllocatedStorage = tf.N(d.MaxAllocatedStorageGB)
	}
	if d.PerformanceInsights {
		cfg.PerformanceInsightsKmsKeyId = tf.S(p.Key.Arn)
		cfg.PerformanceInsightsRetentionPeriod = tf.N(7)
	}
	if d.MonitoringIntervalSeconds > 0 {
		role := iam.NewRole(c, "monitoring-role", iam.RoleProps{
			Name:          identifier + "-monitoring",
			Description:   "Enhanced monitoring of " + identifier,
			Service:       "monitoring.rds.amazonaws.com",
			SourceAccount: p.AccountID,
		})
		role.AttachManaged("enhanced-monitoring", "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole")
		cfg.MonitoringInterval = tf.N(d.MonitoringIntervalSeconds)
		cfg.MonitoringRoleArn = role.Resource.Arn()
		// Enhanced monitoring writes to RDSOSMetrics, a log group RDS creates
		// once per account and region and shares between every instance.
		// The stack does not own it: a second environment in the account
		// could not create it again, and destroying one would delete the
		// others' metrics. README "Database" sets its retention.
	}
	cfg.DependsOn = &depends
	db := dbinstance.NewDbInstance(c, tf.S("instance"), cfg)

	return &Database{
		Instance:        db,
		Identifier:      identifier,
		Address:         *db.Address(),
		Port:            networking.PostgresPort,
		Name:            d.DatabaseName,
		MasterSecretArn: *db.MasterUserSecret().Get(tf.N(0)).SecretArn(),
		Key:             p.Key,
		ResourceID:      *db.ResourceId(),
		region:          p.Region,
		accountID:       p.AccountID,
	}
}
