package config

import (
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const envDir = "../environments"

func TestRealEnvironmentsLoad(t *testing.T) {
	envs, err := LoadAll(envDir)
	require.NoError(t, err)
	require.Len(t, envs, 3)
	dev, staging, prod := envs[0], envs[1], envs[2]

	assert.Equal(t, "dev", dev.Name)
	assert.Equal(t, NatSingle, dev.Network.NatStrategy)
	assert.False(t, dev.Database.MultiAZ)
	assert.Equal(t, 0, dev.Services.API.MinCount, "dev api scales to zero")
	assert.Equal(t, 0, dev.Services.Worker.MinCount, "dev worker scales to zero")
	assert.LessOrEqual(t, dev.Logs.RetentionDays, 7)

	assert.True(t, staging.Database.DeletionProtection)
	assert.Equal(t, NatOnePerAZ, staging.Network.NatStrategy)

	assert.True(t, prod.Database.MultiAZ)
	assert.True(t, prod.Database.DeletionProtection)
	assert.GreaterOrEqual(t, prod.Database.BackupRetentionDays, 7)
	assert.Equal(t, 3, prod.Network.AZCount)
	assert.True(t, prod.HasDomain())
	// No environment reserves Lambda concurrency: a reservation fails the
	// first apply on a new account (quota 10). Reserving is an explicit choice.
	assert.Equal(t, 0, Defaults().Scheduler.ReservedConcurrency)
	for _, env := range envs {
		assert.Equal(t, 0, env.Scheduler.ReservedConcurrency, env.Name)
	}
	// Defaults fill what the file leaves out.
	assert.Equal(t, "16", prod.Database.EngineVersion)
	assert.Equal(t, "/healthz", prod.Services.HealthCheckPath)
}

// TestFails breaks one rule at a time in a copy of a real environment file and
// expects exactly that rule's message, naming the file and the field.
func TestFails(t *testing.T) {
	cases := []struct {
		name, env, old, new, want string
	}{
		{"unknown key", "dev", "  az_count: 2\n", "  az_count: 2\n  az_cuont: 3\n", `dev.yaml:15: network.az_cuont: is not a known field (known here: availability_zones, az_count, cidr, nat_strategy)`},
		{"unknown top-level key", "dev", "owner: platform\n", "owner: platform\ncolor: blue\n", "dev.yaml:11: color: is not a known field"},
		{"wrong type number", "dev", "az_count: 2", "az_count: two", `dev.yaml:14: network.az_count: "two" must be a whole number`},
		{"wrong type bool", "dev", "multi_az: false", "multi_az: 0", `database.multi_az: "0" must be true or false`},
		{"wrong type string", "dev", `account_id: "111111111111"`, "account_id: 111111111111", `account_id: "111111111111" must be a string (quote it)`},
		{"mapping where scalar", "dev", "region: us-east-1", "region: {name: us-east-1}", "region: a mapping must be a single string"},
		{"duplicate key", "dev", "owner: platform\n", "owner: platform\nowner: other\n", "owner: is set twice"},
		{"invalid yaml", "dev", "network:\n", "network: [\n", "dev.yaml: is not valid YAML"},
		{"account id not 12 digits", "prod", `"333333333333"`, `"33333333333"`, `prod.yaml: account_id: "33333333333" is not a 12-digit AWS account id`},
		{"bad region", "dev", "region: us-east-1", "region: useast1", `region: "useast1" is not an AWS region name`},
		{"missing owner", "dev", "owner: platform\n", "", `owner: "" must be a lower-case team name`},
		{"bad cidr", "dev", "10.10.0.0/16", "10.10.0.300/16", `network.cidr: "10.10.0.300/16" is not an IPv4 CIDR`},
		{"cidr host bits", "dev", "10.10.0.0/16", "10.10.1.0/16", `network.cidr: "10.10.1.0/16" has host bits set; did you mean 10.10.0.0/16?`},
		{"cidr too large", "dev", "10.10.0.0/16", "10.0.0.0/12", `network.cidr: "10.0.0.0/12" must be between /16 and /24`},
		{"cidr too small", "dev", "10.10.0.0/16", "10.10.0.0/25", `must be between /16 and /24`},
		{"cidr public", "dev", "10.10.0.0/16", "8.8.0.0/16", `must be inside a private range`},
		{"az_count too low", "dev", "az_count: 2", "az_count: 1", "network.az_count: 1 must be 2 or 3"},
		{"az_count too high", "prod", "az_count: 3", "az_count: 4", "network.az_count: 4 must be 2 or 3"},
		{"az list length", "dev", "[us-east-1a, us-east-1b]", "[us-east-1a]", "network.availability_zones: \"us-east-1a\" must name exactly az_count (2) zones"},
		{"az wrong region", "dev", "[us-east-1a, us-east-1b]", "[us-east-1a, eu-west-1b]", `network.availability_zones[1]: "eu-west-1b" is not a zone of region us-east-1`},
		{"az twice", "dev", "[us-east-1a, us-east-1b]", "[us-east-1a, us-east-1a]", `network.availability_zones[1]: "us-east-1a" is listed twice`},
		{"unknown nat strategy", "dev", "nat_strategy: single", "nat_strategy: none", `network.nat_strategy: "none" must be "single" or "one_per_az"`},
		{"prod single nat", "prod", "nat_strategy: one_per_az", "nat_strategy: single", `network.nat_strategy: "single" must be "one_per_az" in prod`},
		{"old postgres", "dev", "instance_class: db.t4g.micro", "instance_class: db.t4g.micro\n  engine_version: \"12\"", `database.engine_version: "12" must be a supported PostgreSQL major`},
		{"db class not db family", "dev", "instance_class: db.t4g.micro", "instance_class: t4g.micro", `database.instance_class: "t4g.micro" is not an RDS instance class`},
		{"storage below 20", "dev", "allocated_storage_gb: 20", "allocated_storage_gb: 10", "database.allocated_storage_gb: 10 must be between 20 and 65536"},
		{"max storage not above allocated", "staging", "max_allocated_storage_gb: 100", "max_allocated_storage_gb: 20", "database.max_allocated_storage_gb: 20 must be 0 (no storage autoscaling) or above allocated_storage_gb (20)"},
		{"backups above 35", "staging", "backup_retention_days: 7", "backup_retention_days: 36", "database.backup_retention_days: 36 must be between 1 and 35"},
		{"prod backups below 7", "prod", "backup_retention_days: 14", "backup_retention_days: 3", "prod.yaml: database.backup_retention_days: 3 is below the minimum 7 for prod"},
		{"prod single-AZ", "prod", "multi_az: true", "multi_az: false", "prod.yaml: database.multi_az: false must be true in prod"},
		{"prod without deletion protection", "prod", "  deletion_protection: true", "  deletion_protection: false", "prod.yaml: database.deletion_protection: false must be true in prod"},
		{"staging without deletion protection", "staging", "  deletion_protection: true", "  deletion_protection: false", "staging.yaml: database.deletion_protection: false must be true in staging"},
		{"prod without final snapshot", "prod", "  deletion_protection: true\n", "  deletion_protection: true\n  final_snapshot: false\n", "prod.yaml: database.final_snapshot: false must be true in prod"},
		{"bad monitoring interval", "prod", "monitoring_interval_seconds: 60", "monitoring_interval_seconds: 7", "database.monitoring_interval_seconds: 7 must be one of"},
		{"staging mutable tags", "staging", "owner: platform\n", "owner: platform\nregistry:\n  immutable_tags: false\n", "registry.immutable_tags: false must be true in staging"},
		{"max receive count", "dev", "max_receive_count: 3", "max_receive_count: 0", "queue.max_receive_count: 0 must be between 1 and 1000"},
		{"processing too long", "prod", "worker_processing_seconds: 120", "worker_processing_seconds: 30000", "queue.worker_processing_seconds: 30000 must be between 1 and 21600"},
		{"privileged port", "dev", "idle_scale_in_minutes: 30", "idle_scale_in_minutes: 30\n  container_port: 80", "services.container_port: 80 must be between 1024 and 65535"},
		{"bad fargate cpu", "dev", "  api:\n    cpu: 256", "  api:\n    cpu: 300", "services.api.cpu: 300 must be a Fargate CPU size"},
		{"bad fargate memory", "prod", "    cpu: 1024\n    memory_mib: 2048\n    min_count: 2\n    max_count: 10\n  worker", "    cpu: 1024\n    memory_mib: 1000\n    min_count: 2\n    max_count: 10\n  worker", "services.api.memory_mib: 1000 is not a Fargate memory size for cpu 1024"},
		{"min above max", "staging", "    min_count: 1\n    max_count: 4\n  worker", "    min_count: 5\n    max_count: 4\n  worker", "services.api.min_count: 5 is above max_count (4)"},
		{"prod api single task", "prod", "    min_count: 2\n    max_count: 10\n  worker", "    min_count: 1\n    max_count: 10\n  worker", "services.api.min_count: 1 must be at least 2 in prod"},
		{"bad architecture", "dev", "idle_scale_in_minutes: 30", "idle_scale_in_minutes: 30\n  architecture: arm", `services.architecture: "arm" must be ARM64 or X86_64`},
		{"prod alb unprotected", "prod", "notify_recovery: true           # on-call sees \"resolved\" too\n", "notify_recovery: true\nfeatures:\n  alb_deletion_protection: false\n", "features.alb_deletion_protection: false must be true in prod"},
		{"messages per task", "dev", "messages_per_task: 10", "messages_per_task: 0", "services.worker.messages_per_task: 0 must be 1 or more"},
		{"bad schedule", "dev", "rate(15 minutes)", "every 15 minutes", `scheduler.schedule_expression: "every 15 minutes" must be rate(`},
		{"daily cron", "dev", "rate(15 minutes)", "cron(0 9 * * ? *)", `scheduler.schedule_expression: "cron(0 9 * * ? *)" must tick at least every hour`},
		{"schedule too slow for the heartbeat", "dev", "rate(15 minutes)", "rate(3 days)", `scheduler.schedule_expression: "rate(3 days)" ticks too rarely: the heartbeat alarm waits 3 ticks`},
		{"bad timezone", "dev", "rate(15 minutes)", "rate(15 minutes)\n  timezone: Mars/Olympus", `scheduler.timezone: "Mars/Olympus" is not an IANA time zone`},
		{"bad retention", "staging", "retention_days: 14\n\nalarms", "retention_days: 10\n\nalarms", "logs.retention_days: 10 is not a retention CloudWatch Logs accepts"},
		{"prod short retention", "prod", "retention_days: 90", "retention_days: 14", "logs.retention_days: 14 is below the minimum 30 for prod"},
		{"dev long retention", "dev", "retention_days: 7", "retention_days: 30", "logs.retention_days: 30 is above the maximum 7 for dev"},
		{"bad email", "staging", "[platform-alerts@example.com]", "[platform-alerts]", `alarms.emails[0]: "platform-alerts" is not an email address`},
		{"prod without emails", "prod", "emails: [platform-alerts@example.com, oncall@example.com]", "emails: []", "alarms.emails: \"[]\" must name at least one address in prod"},
		{"prod without domain", "prod", "  domain: api.example.com\n  hosted_zone_id: Z0PRODZONE0000000001\n", "  domain: \"\"\n", `prod.yaml: dns.domain: "" must be set in prod`},
		{"domain without zone", "staging", "  hosted_zone_id: Z0STAGINGZONE00000001\n", "", `dns.hosted_zone_id: "" must be the Route53 zone id`},
		{"prod without flow logs", "prod", "notify_recovery: true           # on-call sees \"resolved\" too\n", "notify_recovery: true\nfeatures:\n  flow_logs: false\n", "features.flow_logs: false must be true in prod"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := mutated(t, tc.env, tc.old, tc.new)
			_, err := Load(path)
			require.Error(t, err)
			msg := strings.TrimPrefix(err.Error(), filepath.Dir(path)+"/")
			assert.Contains(t, msg, tc.want)
			assert.True(t, strings.HasPrefix(msg, tc.env+".yaml"), "error names the file: %s", msg)
			assert.NotContains(t, msg, "\n", "one line")
		})
	}
}

func TestFailsOverlappingEnvironments(t *testing.T) {
	dir := t.TempDir()
	for _, name := range EnvironmentNames {
		data, err := os.ReadFile(filepath.Join(envDir, name+".yaml"))
		require.NoError(t, err)
		if name == "prod" {
			data = []byte(strings.Replace(string(data), "10.30.0.0/16", "10.10.128.0/17", 1))
		}
		require.NoError(t, os.WriteFile(filepath.Join(dir, name+".yaml"), data, 0o600))
	}
	_, err := LoadAll(dir)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `prod.yaml: network.cidr: "10.10.128.0/17" overlaps dev's 10.10.0.0/16`)
}

func TestFailsMissingFile(t *testing.T) {
	_, err := LoadAll(t.TempDir())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "dev.yaml")
}

func TestFailsEmptyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dev.yaml")
	require.NoError(t, os.WriteFile(path, nil, 0o600))
	_, err := Load(path)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "is empty")
}

// TestReservedConcurrencyIsAChoice: prod may run unreserved, an explicit
// reservation is kept, and the quota-bound maximum is enforced.
func TestReservedConcurrencyIsAChoice(t *testing.T) {
	for _, n := range []int{0, 1, 10} {
		env, err := Load(mutated(t, "prod", "reserved_concurrency: 0", "reserved_concurrency: "+strconv.Itoa(n)))
		require.NoError(t, err, n)
		assert.Equal(t, n, env.Scheduler.ReservedConcurrency)
	}
	_, err := Load(mutated(t, "prod", "reserved_concurrency: 0", "reserved_concurrency: 11"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "scheduler.reserved_concurrency: 11 must be between 0 (unreserved) and 10")
}

func TestExplicitFalseIsKept(t *testing.T) {
	// A default of true must not swallow an explicit false.
	env, err := Load(mutated(t, "dev", "", ""))
	require.NoError(t, err)
	assert.False(t, env.Database.DeletionProtection)
	assert.False(t, env.Features.ContainerInsights)
	assert.True(t, Defaults().Database.DeletionProtection)
}

func TestSubnetsAreDisjointAndInsideTheVPC(t *testing.T) {
	for _, cidr := range []string{"10.0.0.0/16", "172.16.4.0/22", "192.168.1.0/24"} {
		for _, azs := range []int{2, 3} {
			n := Network{CIDR: cidr, AZCount: azs}
			plan, err := n.Subnets()
			require.NoError(t, err)
			vpc := netip.MustParsePrefix(cidr)
			var all []netip.Prefix
			for _, tier := range Tiers {
				require.Len(t, plan[tier], azs)
				for _, s := range plan[tier] {
					p := netip.MustParsePrefix(s)
					assert.True(t, vpc.Contains(p.Addr()), "%s inside %s", s, cidr)
					assert.Equal(t, vpc.Bits()+4, p.Bits())
					for _, o := range all {
						assert.False(t, o.Overlaps(p), "%s overlaps %s", s, o)
					}
					all = append(all, p)
				}
			}
		}
	}
	plan, err := Network{CIDR: "10.10.0.0/16", AZCount: 2}.Subnets()
	require.NoError(t, err)
	assert.Equal(t, []string{"10.10.0.0/20", "10.10.16.0/20"}, plan[TierPublic])
	assert.Equal(t, []string{"10.10.64.0/20", "10.10.80.0/20"}, plan[TierPrivate])
	assert.Equal(t, []string{"10.10.128.0/20", "10.10.144.0/20"}, plan[TierDatabase])
}

// mutated copies environments/<env>.yaml into a temp dir with old replaced by
// new (once) and returns the copy's path. The replacement must apply.
func mutated(t *testing.T, env, old, new string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(envDir, env+".yaml"))
	require.NoError(t, err)
	text := string(data)
	if old != "" {
		require.Contains(t, text, old, "test case must change the file")
		text = strings.Replace(text, old, new, 1)
	}
	path := filepath.Join(t.TempDir(), env+".yaml")
	require.NoError(t, os.WriteFile(path, []byte(text), 0o600))
	return path
}

// TestReadmeReferenceIsCurrent: the README's environment-file reference is
// generated from config.go (make docs); it must not drift.
func TestReadmeReferenceIsCurrent(t *testing.T) {
	src, err := os.ReadFile("config.go")
	require.NoError(t, err)
	ref, err := Reference(src)
	require.NoError(t, err)
	for _, key := range []string{"`account_id`", "`network.nat_strategy`", "`services.api.min_count`", "`database.backup_retention_days`"} {
		assert.Contains(t, ref, key)
	}
	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	assert.Contains(t, string(readme), ReferenceBegin+"\n"+ref+ReferenceEnd, "README environment-file reference is stale: run make docs")
}
