package stacks

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flow-builder/infra/config"
	"github.com/flow-builder/infra/state"
)

func app(t *testing.T, env *config.Environment) stackJSON {
	t.Helper()
	return decoded(t, state.NamesFor(env).AppStack)
}

// eachRelease runs fn per environment with its application stack after a
// release of releasedImages.
func eachRelease(t *testing.T, fn func(t *testing.T, env *config.Environment, s stackJSON)) {
	t.Helper()
	synthAll(t)
	for _, env := range envs {
		var s stackJSON
		require.NoError(t, json.Unmarshal([]byte(released[env.Name]), &s))
		t.Run(env.Name+"-released", func(t *testing.T) { fn(t, releasedCopy(env), s) })
	}
}

// eachVariant runs fn over every committed environment and its released variant.
func eachVariant(t *testing.T, fn func(t *testing.T, env *config.Environment, s stackJSON)) {
	t.Helper()
	eachEnv(t, fn)
	eachRelease(t, fn)
}

// eachEnv runs fn as a subtest per environment with its application stack.
func eachEnv(t *testing.T, fn func(t *testing.T, env *config.Environment, s stackJSON)) {
	t.Helper()
	synthAll(t)
	for _, env := range envs {
		t.Run(env.Name, func(t *testing.T) { fn(t, env, app(t, env)) })
	}
}

func TestNetwork(t *testing.T) {
	eachEnv(t, func(t *testing.T, env *config.Environment, s stackJSON) {
		assert.Equal(t, env.Network.CIDR, s.only(t, "aws_vpc")["cidr_block"])

		plan, err := env.Network.Subnets()
		require.NoError(t, err)
		subnets := s.resources("aws_subnet")
		require.Len(t, subnets, 3*env.Network.AZCount)
		byTier := map[string][]string{}
		for _, sn := range subnets {
			assert.Equal(t, false, sn["map_public_ip_on_launch"], "no subnet hands out public IPs")
			tier := dig(sn, "tags", "Tier").(string)
			byTier[tier] = append(byTier[tier], sn["cidr_block"].(string))
			assert.Contains(t, env.Network.AvailabilityZones, sn["availability_zone"])
		}
		for _, tier := range config.Tiers {
			assert.ElementsMatch(t, plan[tier], byTier[string(tier)], tier)
		}

		// NAT strategy: dev one gateway for all private route tables, prod one per AZ.
		nats := s.resources("aws_nat_gateway")
		want := env.Network.AZCount
		if env.Network.NatStrategy == config.NatSingle {
			want = 1
		}
		assert.Len(t, nats, want)
		assert.Len(t, s.resources("aws_eip"), want)
		natTargets := map[string]bool{}
		for name, r := range s.resources("aws_route") {
			if strings.Contains(name, "private") {
				natTargets[r["nat_gateway_id"].(string)] = true
			}
			assert.NotContains(t, r["route_table_id"], "database-rt", "database subnets have no route out")
		}
		assert.Len(t, natTargets, want)

		// Flow logs to an encrypted group with the environment's retention.
		fl := s.only(t, "aws_flow_log")
		assert.Equal(t, "ALL", fl["traffic_type"])
		group := s.resources("aws_cloudwatch_log_group")
		flg := findBy(t, group, "name", "/aws/vpc/flow-logs/"+env.Prefix())
		assert.Equal(t, float64(env.Logs.RetentionDays), flg["retention_in_days"])
		assert.NotEmpty(t, flg["kms_key_id"])

		ep := s.only(t, "aws_vpc_endpoint")
		assert.Equal(t, "Gateway", ep["vpc_endpoint_type"])
		assert.Equal(t, "com.amazonaws."+env.Region+".s3", ep["service_name"])
		assert.Len(t, ep["route_table_ids"], env.Network.AZCount)

		dsg := s.only(t, "aws_default_security_group")
		assert.Nil(t, dsg["ingress"], "default SG keeps no ingress")
		assert.Nil(t, dsg["egress"], "default SG keeps no egress")
	})
}

func TestSecurityGroups(t *testing.T) {
	eachEnv(t, func(t *testing.T, env *config.Environment, s stackJSON) {
		sgs := s.resources("aws_security_group")
		require.Len(t, sgs, 5)
		for name, sg := range sgs {
			assert.NotEmpty(t, sg["description"], name)
			assert.Nil(t, sg["ingress"], "rules are separate resources")
		}
		ref := func(id string) string {
			for name := range sgs {
				if strings.HasPrefix(name, "network_"+id+"-sg_") {
					return "${aws_security_group." + name + ".id}"
				}
			}
			t.Fatalf("no security group %s", id)
			return ""
		}
		ingress := s.resources("aws_vpc_security_group_ingress_rule")
		for name, r := range ingress {
			assert.NotEmpty(t, r["description"], name)
			if r["cidr_ipv4"] == "0.0.0.0/0" {
				assert.Equal(t, ref("alb"), r["security_group_id"], "only the ALB takes internet ingress: %s", name)
				assert.Contains(t, []any{80.0, 443.0}, r["from_port"], name)
				assert.Equal(t, r["from_port"], r["to_port"], name)
			}
			assert.Nil(t, r["cidr_ipv6"], name)
		}
		for name, r := range s.resources("aws_vpc_security_group_egress_rule") {
			assert.NotEmpty(t, r["description"], name)
		}
		// Database: 5432 from exactly the api, worker and migration task groups.
		var dbPeers []any
		for _, r := range ingress {
			if r["security_group_id"] == ref("database") {
				assert.Equal(t, 5432.0, r["from_port"])
				dbPeers = append(dbPeers, r["referenced_security_group_id"])
			}
		}
		assert.ElementsMatch(t, []any{ref("api"), ref("worker"), ref("migrate")}, dbPeers)
		for name := range sgs {
			assert.False(t, strings.HasPrefix(name, "network_scheduler-sg_"), "the scheduler function runs outside the VPC: %s", name)
		}
		// api: container port from the ALB only; worker and migration task: nothing.
		for _, r := range ingress {
			switch r["security_group_id"] {
			case ref("api"):
				assert.Equal(t, ref("alb"), r["referenced_security_group_id"])
				assert.Equal(t, float64(env.Services.ContainerPort), r["from_port"])
			case ref("worker"), ref("migrate"):
				t.Errorf("worker and migration task take no ingress: %v", r)
			}
		}
	})
}

func TestDatabase(t *testing.T) {
	eachEnv(t, func(t *testing.T, env *config.Environment, s stackJSON) {
		db := s.only(t, "aws_db_instance")
		d := env.Database
		assert.Equal(t, true, db["storage_encrypted"])
		assert.Contains(t, db["kms_key_id"], "${aws_kms_key.key_")
		assert.Equal(t, true, db["manage_master_user_password"])
		assert.Contains(t, db["master_user_secret_kms_key_id"], "${aws_kms_key.key_")
		assert.Nil(t, db["password"], "no literal password")
		assert.Equal(t, false, db["publicly_accessible"])
		assert.Equal(t, d.MultiAZ, db["multi_az"])
		assert.Equal(t, d.DeletionProtection, db["deletion_protection"])
		assert.Equal(t, float64(d.BackupRetentionDays), db["backup_retention_period"])
		assert.Equal(t, d.InstanceClass, db["instance_class"])
		assert.Equal(t, "gp3", db["storage_type"])
		assert.Equal(t, true, db["iam_database_authentication_enabled"])
		assert.Equal(t, true, db["auto_minor_version_upgrade"])
		assert.Equal(t, true, db["copy_tags_to_snapshot"])
		assert.Contains(t, db["enabled_cloudwatch_logs_exports"], "postgresql")
		assert.Equal(t, !d.FinalSnapshot, db["skip_final_snapshot"])
		if d.FinalSnapshot {
			// Unique per instance (a UUID drawn once at create), stable across
			// re-plans: a second destroy after a rebuild never collides.
			suffix := s.only(t, "terraform_data")
			assert.Nil(t, suffix["input"], "nothing replaces it while the instance lives")
			assert.Regexp(t, `^`+env.Prefix()+`-postgres-final-\$\{terraform_data\.database_final-snapshot-suffix_[0-9A-F]+\.id\}$`, db["final_snapshot_identifier"])
		} else {
			assert.Empty(t, s.resources("terraform_data"))
		}
		// A raised engine_version (a pinned major) must apply; whether changes
		// wait for the maintenance window is the environment's choice.
		assert.Equal(t, true, db["allow_major_version_upgrade"])
		assert.Equal(t, d.ApplyImmediately, db["apply_immediately"])
		assert.Equal(t, d.PerformanceInsights, db["performance_insights_enabled"])
		assert.Contains(t, db["db_subnet_group_name"], "database_subnet-group")

		sg := s.only(t, "aws_db_subnet_group")
		require.Len(t, sg["subnet_ids"], env.Network.AZCount)
		for _, id := range sg["subnet_ids"].([]any) {
			assert.Contains(t, id, "aws_subnet.network_database-", "database subnets only")
		}

		pg := s.only(t, "aws_db_parameter_group")
		assert.Equal(t, "postgres"+d.EngineVersion, pg["family"])
		// Old and new group coexist during a major upgrade.
		assert.Equal(t, env.Prefix()+"-postgres"+d.EngineVersion, pg["name"])
		assert.Equal(t, true, dig(pg, "lifecycle", "create_before_destroy"))
		params := map[string]any{}
		for _, p := range pg["parameter"].([]any) {
			params[dig(p, "name").(string)] = dig(p, "value")
		}
		assert.Equal(t, "1", params["rds.force_ssl"])
		assert.NotEmpty(t, params["log_min_duration_statement"])

		logs := s.resources("aws_cloudwatch_log_group")
		lg := findBy(t, logs, "name", "/aws/rds/instance/"+env.Prefix()+"-postgres/postgresql")
		assert.Equal(t, float64(env.Logs.RetentionDays), lg["retention_in_days"])
		// RDSOSMetrics is RDS's, shared by every instance of the account and
		// region: owning it breaks a second environment there.
		for name, g := range logs {
			assert.NotEqual(t, "RDSOSMetrics", g["name"], name)
		}
	})
	// Per-environment differences the issue names.
	dev, prod := app(t, envs[0]).only(t, "aws_db_instance"), app(t, envs[2]).only(t, "aws_db_instance")
	assert.Equal(t, false, dev["multi_az"])
	assert.Equal(t, true, prod["multi_az"])
	assert.Equal(t, false, dev["deletion_protection"])
	assert.Equal(t, true, prod["deletion_protection"])
	assert.GreaterOrEqual(t, prod["backup_retention_period"], 7.0)
	assert.Equal(t, "db.t4g.micro", dev["instance_class"])
	assert.Equal(t, 20.0, dev["allocated_storage"])
}

func TestSecrets(t *testing.T) {
	eachEnv(t, func(t *testing.T, env *config.Environment, s stackJSON) {
		sec := s.only(t, "aws_secretsmanager_secret")
		assert.Equal(t, "flow-builder/"+env.Name+"/app", sec["name"])
		// A disposable environment frees the name at destroy so it can be
		// rebuilt at once; a protected one keeps 30 days to recover.
		window := 30.0
		if !env.Database.DeletionProtection {
			window = 0
		}
		assert.Equal(t, window, sec["recovery_window_in_days"])
		assert.Contains(t, sec["kms_key_id"], "${aws_kms_key.key_")
		v := s.only(t, "aws_secretsmanager_secret_version")
		assert.Equal(t, "{}", v["secret_string"], "only an empty placeholder object is ever in code")
		assert.Equal(t, []any{"secret_string"}, dig(v, "lifecycle", "ignore_changes"))
		// No password anywhere in the synthesized stack.
		raw := synthAll(t)[state.NamesFor(env).AppStack]
		assert.NotRegexp(t, `"(master_)?password"\s*:`, raw)
	})
}

func TestEnvironmentKey(t *testing.T) {
	synthAll(t)
	for _, env := range envs {
		s := app(t, env)
		key := s.only(t, "aws_kms_key")
		assert.Equal(t, true, key["enable_key_rotation"])
		// A final snapshot is encrypted with the key: the key outlives the stack.
		if env.Database.FinalSnapshot {
			assert.Equal(t, true, dig(key, "lifecycle", "prevent_destroy"), env.Name)
		} else {
			assert.Nil(t, dig(key, "lifecycle", "prevent_destroy"), env.Name)
		}
		p := policyDoc(t, key["policy"])
		logs := p.statement(t, "CloudWatchLogsEncryptLogGroups")
		assert.Equal(t, "logs."+env.Region+".amazonaws.com", dig(logs, "Principal", "Service"))
		cw := p.statement(t, "CloudWatchAlarmsPublishToEncryptedTopics")
		assert.Equal(t, "cloudwatch.amazonaws.com", dig(cw, "Principal", "Service"))
		assert.ElementsMatch(t, []any{"kms:Decrypt", "kms:GenerateDataKey*"}, cw["Action"])
		for _, lg := range s.resources("aws_cloudwatch_log_group") {
			assert.NotNil(t, lg["retention_in_days"], "every log group has a retention")
		}
	}
}

// findBy returns the resource whose attribute equals value.
func findBy(t *testing.T, rs map[string]map[string]any, attr string, value any) map[string]any {
	t.Helper()
	_, r := findNamed(t, rs, attr, value)
	return r
}

// findNamed is findBy that also returns the resource's logical name.
func findNamed(t *testing.T, rs map[string]map[string]any, attr string, value any) (string, map[string]any) {
	t.Helper()
	for name, r := range rs {
		if r[attr] == value {
			return name, r
		}
	}
	t.Fatalf("no resource with %s = %v", attr, value)
	return "", nil
}
