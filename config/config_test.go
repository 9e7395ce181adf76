package config

import (
	"fmt"
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
// expects exactly that rule's message, naming the file, the line (where the
// file sets the field) and the field.
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
		{"invalid yaml", "dev", "network:\n", "network: [\n", "dev.yaml:11: is not valid YAML: did not find expected ',' or ']'"},
		{"custom tag on string", "dev", "owner: platform", "owner: !ref platform", "dev.yaml:10: owner: YAML tag !ref is not supported; write a plain string"},
		{"custom tag on number", "dev", "az_count: 2", "az_count: !Ref 2", "dev.yaml:14: network.az_count: YAML tag !Ref is not supported; write a plain whole number"},
		{"custom tag on bool", "dev", "multi_az: false", "multi_az: !secret false", "database.multi_az: YAML tag !secret is not supported; write plain true or false"},
		{"custom tag on mapping", "dev", "network:\n", "network: !include\n", "dev.yaml:12: network: YAML tag !include is not supported; write a plain mapping"},
		{"custom tag on list", "dev", "availability_zones: [", "availability_zones: !split [", "network.availability_zones: YAML tag !split is not supported; write a plain list"},
		{"custom tag on list item", "dev", "[us-east-1a, us-east-1b]", "[us-east-1a, !az us-east-1b]", "network.availability_zones[1]: YAML tag !az is not supported; write a plain string"},
		{"custom tag on key", "dev", "owner: platform", "!k owner: platform", "dev.yaml:10: owner: YAML tag !k is not supported; write a plain key"},
		{"custom tag on document", "dev", "account_id:", "--- !env\naccount_id:", "dev.yaml:8: YAML tag !env is not supported; write a plain mapping"},
		{"non-core standard tag", "dev", "owner: platform", "owner: !!binary cGxhdGZvcm0=", "owner: YAML tag !!binary is not supported; write a plain string"},
		{"explicit timestamp tag", "dev", "owner: platform", "owner: !!timestamp 2026-11-01", "owner: YAML tag !!timestamp is not supported"},
		{"implicit timestamp", "dev", "owner: platform", "owner: 2026-11-01", `owner: "2026-11-01" must be a string (quote it)`},
		{"core tag is fine but type still checked", "dev", "az_count: 2", "az_count: !!str 2", `network.az_count: "2" must be a whole number`},
		{"second document", "dev", "owner: platform\n", "owner: platform\n---\nowner: other\n", "dev.yaml:11: a second YAML document starts here; an environment file must hold exactly one YAML document"},
		{"second document empty", "dev", "  flow_logs: true\n", "  flow_logs: true\n---\n", "dev.yaml:73: a second YAML document starts here"},
		{"second document invalid", "dev", "  flow_logs: true\n", "  flow_logs: true\n---\nnetwork: [\n", "dev.yaml:74: is not valid YAML: did not find expected node content"},
		{"account id not 12 digits", "prod", `"333333333333"`, `"33333333333"`, `prod.yaml:8: account_id: "33333333333" is not a 12-digit AWS account id`},
		{"bad region", "dev", "region: us-east-1", "region: useast1", `region: "useast1" is not an AWS region name`},
		{"unknown region", "dev", "region: us-east-1", "region: xx-fake-9", `dev.yaml:9: region: "xx-fake-9" is not a known AWS region (config/regions.go lists them as of 2026-11); for a region launched since, add it there or set allow_unlisted_region: true`},
		{"override on a known region", "dev", "region: us-east-1", "region: us-east-1\nallow_unlisted_region: true", "dev.yaml:10: allow_unlisted_region: true is set but region us-east-1 is a known region; remove it"},
		{"GovCloud region", "dev", "region: us-east-1", "region: us-gov-west-1", `dev.yaml:9: region: "us-gov-west-1" is in the aws-us-gov partition; the stacks write aws-partition ARNs (arn:aws:...), so only commercial regions are supported`},
		{"China region", "dev", "region: us-east-1", "region: cn-north-1", `region: "cn-north-1" is in the aws-cn partition`},
		{"unlisted GovCloud region with override", "dev", "region: us-east-1", "region: us-gov-north-1\nallow_unlisted_region: true", `region: "us-gov-north-1" is in the aws-us-gov partition`},
		{"missing owner", "dev", "owner: platform\n", "", `dev.yaml: owner: "" must be a lower-case team name`},
		{"bad cidr", "dev", "10.10.0.0/16", "10.10.0.300/16", `network.cidr: "10.10.0.300/16" is not an IPv4 CIDR`},
		{"cidr host bits", "dev", "10.10.0.0/16", "10.10.1.0/16", `network.cidr: "10.10.1.0/16" has host bits set; did you mean 10.10.0.0/16?`},
		{"cidr too large", "dev", "10.10.0.0/16", "10.0.0.0/12", `network.cidr: "10.0.0.0/12" must be between /16 and /23 (its public subnets are 1/16 of it and an ALB needs at least /27)`},
		{"cidr too small", "dev", "10.10.0.0/16", "10.10.0.0/25", `must be between /16 and /23`},
		{"cidr too small for an ALB", "dev", "10.10.0.0/16", "10.10.0.0/24", `dev.yaml:13: network.cidr: "10.10.0.0/24" must be between /16 and /23`},
		{"cidr public", "dev", "10.10.0.0/16", "8.8.0.0/16", `must be inside a private range`},
		{"az_count too low", "dev", "az_count: 2", "az_count: 1", "network.az_count: 1 must be 2 or 3"},
		{"az_count too high", "prod", "az_count: 3", "az_count: 4", "network.az_count: 4 must be 2 or 3"},
		{"az list length", "dev", "[us-east-1a, us-east-1b]", "[us-east-1a]", "network.availability_zones: \"us-east-1a\" must name exactly az_count (2) zones"},
		{"az wrong region", "dev", "[us-east-1a, us-east-1b]", "[us-east-1a, eu-west-1b]", `dev.yaml:15: network.availability_zones[1]: "eu-west-1b" is not a zone of region us-east-1`},
		{"az twice", "dev", "[us-east-1a, us-east-1b]", "[us-east-1a, us-east-1a]", `network.availability_zones[1]: "us-east-1a" is listed twice`},
		{"unknown nat strategy", "dev", "nat_strategy: single", "nat_strategy: none", `network.nat_strategy: "none" must be "single" or "one_per_az"`},
		{"prod single nat", "prod", "nat_strategy: one_per_az", "nat_strategy: single", `network.nat_strategy: "single" must be "one_per_az" in prod`},
		{"old postgres", "dev", "instance_class: db.t4g.micro", "instance_class: db.t4g.micro\n  engine_version: \"12\"", `database.engine_version: "12" must be a supported PostgreSQL major`},
		{"db class not db family", "dev", "instance_class: db.t4g.micro", "instance_class: t4g.micro", `database.instance_class: "t4g.micro" is not an RDS instance class`},
		{"storage below 20", "dev", "allocated_storage_gb: 20", "allocated_storage_gb: 10", "database.allocated_storage_gb: 10 must be between 20 and 65536"},
		{"max storage not above allocated", "staging", "max_allocated_storage_gb: 100", "max_allocated_storage_gb: 20", "database.max_allocated_storage_gb: 20 must be 0 (no storage autoscaling) or at least 110% of allocated_storage_gb (20), as RDS requires: at least 22"},
		{"max storage below 110%", "staging", "max_allocated_storage_gb: 100", "max_allocated_storage_gb: 21", "database.max_allocated_storage_gb: 21 must be 0 (no storage autoscaling) or at least 110% of allocated_storage_gb (20), as RDS requires: at least 22"},
		{"backups above 35", "staging", "backup_retention_days: 7", "backup_retention_days: 36", "database.backup_retention_days: 36 must be between 1 and 35"},
		{"prod backups below 7", "prod", "backup_retention_days: 14", "backup_retention_days: 3", "prod.yaml:22: database.backup_retention_days: 3 is below the minimum 7 for prod"},
		{"prod single-AZ", "prod", "multi_az: true", "multi_az: false", "prod.yaml:23: database.multi_az: false must be true in prod"},
		{"prod without deletion protection", "prod", "  deletion_protection: true", "  deletion_protection: false", "prod.yaml:24: database.deletion_protection: false must be true in prod"},
		{"staging without deletion protection", "staging", "  deletion_protection: true", "  deletion_protection: false", "staging.yaml:23: database.deletion_protection: false must be true in staging"},
		{"prod without final snapshot", "prod", "  deletion_protection: true\n", "  deletion_protection: true\n  final_snapshot: false\n", "prod.yaml:25: database.final_snapshot: false must be true in prod"},
		{"bad monitoring interval", "prod", "monitoring_interval_seconds: 60", "monitoring_interval_seconds: 7", "database.monitoring_interval_seconds: 7 must be one of"},
		{"staging mutable tags", "staging", "owner: platform\n", "owner: platform\nregistry:\n  immutable_tags: false\n", "registry.immutable_tags: false must be true in staging"},
		{"max receive count", "dev", "max_receive_count: 3", "max_receive_count: 0", "queue.max_receive_count: 0 must be between 1 and 1000"},
		{"processing too long", "prod", "worker_processing_seconds: 120", "worker_processing_seconds: 30000", "queue.worker_processing_seconds: 30000 must be between 1 and 120"},
		{"processing longer than a stop allows", "prod", "worker_processing_seconds: 120", "worker_processing_seconds: 121", "queue.worker_processing_seconds: 121 must be between 1 and 120 (a stopped worker has 120 s, the Fargate maximum stop timeout, to finish its message)"},
		{"privileged port", "dev", "idle_scale_in_minutes: 30", "idle_scale_in_minutes: 30\n  container_port: 80", "services.container_port: 80 must be between 1024 and 65535"},
		{"bad fargate cpu", "dev", "  api:\n    image: \"\"\n    cpu: 256", "  api:\n    image: \"\"\n    cpu: 300", "services.api.cpu: 300 must be a Fargate CPU size"},
		{"image not a tag or digest", "dev", "  api:\n    image: \"\"", "  api:\n    image: \"v1 .2\"", `services.api.image: "v1 .2" must be an image tag`},
		{"image tag not a release", "dev", "  api:\n    image: \"\"", "  api:\n    image: pr-17", `services.api.image: "pr-17" does not match registry.release_tag_pattern "v*": only release images are kept by the ECR lifecycle`},
		{"image digest malformed", "dev", "  api:\n    image: \"\"", "  api:\n    image: sha256:abc", `services.api.image: "sha256:abc" must be a release tag or an image digest sha256:<64 lowercase hex>`},
		{"prod empty image after first release", "prod", "  awaiting_first_release: true\n", "", `prod.yaml:37: services.api.image: "" is empty, but prod has had its first release: declare the image it runs (make release)`},
		{"release pattern matches everything", "dev", "  untagged_expiry_days: 3\n", "  untagged_expiry_days: 3\n  release_tag_pattern: \"*\"\n", `registry.release_tag_pattern: "*" must be an ECR tag pattern`},
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
		{"bad email", "staging", "[platform-alerts@example.com]", "[platform-alerts]", `staging.yaml:57: alarms.emails[0]: "platform-alerts" is not an email address`},
		{"bad email in block list", "prod", "emails: [platform-alerts@example.com, oncall@example.com]", "emails:\n    - platform-alerts@example.com\n    - oncall", `prod.yaml:63: alarms.emails[1]: "oncall" is not an email address`},
		{"prod without emails", "prod", "emails: [platform-alerts@example.com, oncall@example.com]", "emails: []", "prod.yaml:61: alarms.emails: \"[]\" must name at least one address in prod"},
		{"prod without domain", "prod", "  domain: api.example.com\n  hosted_zone_id: Z0PRODZONE0000000001\n", "  domain: \"\"\n", `prod.yaml:66: dns.domain: "" must be set in prod`},
		{"domain without zone", "staging", "  hosted_zone_id: Z0STAGINGZONE00000001\n", "", `staging.yaml: dns.hosted_zone_id: "" must be the Route53 zone id`},
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

// TestFailsLongValuesAreCut: a huge value (5 MB used to be echoed whole) or key is echoed cut to 80
// characters with a marker and its length, so the message stays one short line.
func TestFailsLongValuesAreCut(t *testing.T) {
	// As large as fits under the 1 MiB file limit.
	big := strings.Repeat("a", 1_000_000)
	a80 := strings.Repeat("a", 80)
	cases := []struct {
		name, old, new, want string
	}{
		{"rule", "owner: platform", "owner: " + big, `dev.yaml:10: owner: "` + a80 + `…" (1000000 characters) must be a lower-case team name`},
		{"type", "az_count: 2", "az_count: " + big, `network.az_count: "` + a80 + `…" (1000000 characters) must be a whole number`},
		// YAML caps a plain key at 1024 characters.
		{"unknown key", "owner: platform\n", "owner: platform\n" + strings.Repeat("k", 1000) + ": 1\n", `dev.yaml:11: "` + strings.Repeat("k", 80) + `…" (1000 characters): is not a known field`},
		{"multi-byte", "owner: platform", "owner: " + strings.Repeat("é", 100), `owner: "` + strings.Repeat("é", 80) + `…" (100 characters) must be`},
		{"exactly 80 kept whole", "owner: platform", "owner: " + a80, `owner: "` + a80 + `" must be`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := mutated(t, "dev", tc.old, tc.new)
			_, err := Load(path)
			require.Error(t, err)
			msg := strings.TrimPrefix(err.Error(), filepath.Dir(path)+"/")
			assert.Contains(t, msg, tc.want)
			assert.Less(t, len(msg), 400, "message is short: %.400s", msg)
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
	assert.Contains(t, err.Error(), `prod.yaml:13: network.cidr: "10.10.128.0/17" overlaps dev's 10.10.0.0/16`)
}

// TestFailsStrayFileInEnvironmentsDir: a YAML file that is not one of the
// environments used to be skipped silently, even when it was not valid YAML.
// Non-YAML files and dotfiles are left alone.
func TestFailsStrayFileInEnvironmentsDir(t *testing.T) {
	const want = ": is an unknown environment file; expected one of dev.yaml, staging.yaml, prod.yaml (a new environment is added to config.EnvironmentNames first)"
	cases := []struct {
		name, file string
		dir        bool
		fails      bool
	}{
		{name: "invalid qa.yaml", file: "qa.yaml", fails: true},
		{name: "dev.yml", file: "dev.yml", fails: true},
		{name: "upper-case extension", file: "qa.YAML", fails: true},
		{name: "directory named like yaml", file: "old.yaml", dir: true, fails: true},
		{name: "README is ignored", file: "README.md"},
		{name: "editor swap file is ignored", file: ".dev.yaml.swp"},
		{name: "hidden yaml is ignored", file: ".qa.yaml"},
		{name: "backup copy is ignored", file: "prod.yaml.bak"},
		{name: "sub-directory is ignored", file: "archive", dir: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, name := range EnvironmentNames {
				data, err := os.ReadFile(filepath.Join(envDir, name+".yaml"))
				require.NoError(t, err)
				require.NoError(t, os.WriteFile(filepath.Join(dir, name+".yaml"), data, 0o600))
			}
			path := filepath.Join(dir, tc.file)
			if tc.dir {
				require.NoError(t, os.Mkdir(path, 0o700))
			} else {
				require.NoError(t, os.WriteFile(path, []byte("network: [\n"), 0o600))
			}
			envs, err := LoadAll(dir)
			if !tc.fails {
				require.NoError(t, err)
				assert.Len(t, envs, len(EnvironmentNames))
				return
			}
			require.Error(t, err)
			assert.Equal(t, filepath.ToSlash(path)+want, err.Error())
		})
	}
}

func TestFailsMissingFile(t *testing.T) {
	_, err := LoadAll(t.TempDir())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "dev.yaml")

	missing := filepath.Join(t.TempDir(), "environments")
	_, err = LoadAll(missing)
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), missing+": "), err.Error())
}

func TestFailsEmptyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dev.yaml")
	require.NoError(t, os.WriteFile(path, nil, 0o600))
	_, err := Load(path)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "is empty")
}

// TestUnlistedRegionWithOverrideLoads: a region launched after the list in
// regions.go was written loads when the file says so explicitly.
func TestUnlistedRegionWithOverrideLoads(t *testing.T) {
	path := mutated(t, "dev", "region: us-east-1\n", "region: ap-southeast-9\nallow_unlisted_region: true\n")
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	text := strings.ReplaceAll(string(data), "us-east-1", "ap-southeast-9")
	require.NoError(t, os.WriteFile(path, []byte(text), 0o600))
	env, err := Load(path)
	require.NoError(t, err)
	assert.Equal(t, "ap-southeast-9", env.Region)
	assert.True(t, env.AllowUnlistedRegion)
}

// TestRegionListsAreDisjointAndSorted keeps regions.go easy to diff against
// the SDK's partitions.json: no name twice, each list in order, each name in
// the partition its list claims.
func TestRegionListsAreDisjointAndSorted(t *testing.T) {
	seen := map[string]bool{}
	for partition, list := range map[string][]string{"aws": CommercialRegions, "aws-us-gov": GovCloudRegions, "aws-cn": ChinaRegions} {
		assert.IsIncreasing(t, list, partition)
		for _, r := range list {
			assert.False(t, seen[r], "%s listed twice", r)
			seen[r] = true
			assert.Regexp(t, reRegion, r)
			assert.Equal(t, partition, partitionOf(r), r)
		}
	}
	for _, name := range EnvironmentNames {
		env, err := Load(filepath.Join(envDir, name+".yaml"))
		require.NoError(t, err)
		assert.Contains(t, CommercialRegions, env.Region)
	}
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
	for _, cidr := range []string{"10.0.0.0/16", "172.16.4.0/22", "192.168.2.0/23"} {
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

// TestSmallestVPCStillFitsAnALB: the smallest VPC validation accepts yields
// public subnets an ALB accepts (/27 or larger, with 8 free addresses once
// AWS has reserved 5), and one bit smaller would not.
func TestSmallestVPCStillFitsAnALB(t *testing.T) {
	freeAddresses := func(cidr string) int {
		return 1<<(32-netip.MustParsePrefix(cidr).Bits()) - 5
	}
	for _, tc := range []struct {
		cidr string
		fits bool
	}{{fmt.Sprintf("10.0.0.0/%d", MaxVPCPrefixBits), true}, {fmt.Sprintf("10.0.0.0/%d", MaxVPCPrefixBits+1), false}} {
		plan, err := Network{CIDR: tc.cidr, AZCount: 3}.Subnets()
		require.NoError(t, err)
		for _, s := range plan[TierPublic] {
			fits := netip.MustParsePrefix(s).Bits() <= 27 && freeAddresses(s) >= 8
			assert.Equal(t, tc.fits, fits, "VPC %s: public subnet %s", tc.cidr, s)
		}
	}
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

func TestFailsFirstReleaseMarkerLeftBehind(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(envDir, "staging.yaml"))
	require.NoError(t, err)
	released := strings.ReplaceAll(string(data), `image: ""`, "image: v1.0.0")
	require.NotEqual(t, string(data), released, "staging declares its images")
	path := filepath.Join(t.TempDir(), "staging.yaml")
	require.NoError(t, os.WriteFile(path, []byte(released), 0o600))
	_, err = Load(path)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "services.awaiting_first_release: true must be removed once every service declares an image")

	// Without the marker the same file is a valid released environment.
	path = filepath.Join(t.TempDir(), "staging.yaml")
	require.NoError(t, os.WriteFile(path, []byte(strings.Replace(released, "awaiting_first_release: true", "awaiting_first_release: false", 1)), 0o600))
	_, err = Load(path)
	require.NoError(t, err)
}

func TestMatchTagPattern(t *testing.T) {
	for _, tc := range []struct {
		pattern, tag string
		want         bool
	}{
		{"v*", "v1.4.2", true}, {"v*", "pr-1", false}, {"v*", "v", true},
		{"release-*-final", "release-2-final", true}, {"release-*-final", "release-2", false},
		{"exact", "exact", true}, {"exact", "exactly", false}, {"a*a", "a", false},
	} {
		assert.Equal(t, tc.want, MatchTagPattern(tc.pattern, tc.tag), "%s %s", tc.pattern, tc.tag)
	}
}
