package config

import (
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // time zone names are checked the same on every machine
)

var (
	reAccountID = regexp.MustCompile(`^[0-9]{12}$`)
	reRegion    = regexp.MustCompile(`^[a-z]{2}(-gov)?-[a-z]+-[0-9]$`)
	reOwner     = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)
	reDBClass   = regexp.MustCompile(`^db\.[a-z0-9]+\.[a-z0-9]+$`)
	reDBName    = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)
	reEmail     = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[a-z]{2,}$`)
	reHostname  = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)
	reZoneID    = regexp.MustCompile(`^Z[A-Z0-9]{1,31}$`)
)

// MaxVPCPrefixBits is the smallest VPC the subnet plan can cut into subnets
// an ALB accepts: a /23 gives /27 subnets.
const MaxVPCPrefixBits = 23

// SupportedPostgresMajors are the RDS PostgreSQL majors in standard support.
var SupportedPostgresMajors = []string{"15", "16", "17"}

// LogRetentionDays are the values CloudWatch Logs accepts.
var LogRetentionDays = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

// fargateMemory lists the memory sizes (MiB) Fargate allows for each CPU size.
var fargateMemory = map[int][]int{
	256:  {512, 1024, 2048},
	512:  {1024, 2048, 3072, 4096},
	1024: {2048, 3072, 4096, 5120, 6144, 7168, 8192},
	2048: rangeStep(4096, 16384, 1024),
	4096: rangeStep(8192, 30720, 1024),
}

func rangeStep(from, to, step int) []int {
	var out []int
	for v := from; v <= to; v += step {
		out = append(out, v)
	}
	return out
}

// checker records the first broken rule; later checks are skipped so that the
// user sees exactly one error, the first in file order.
type checker struct {
	env *Environment
	err *Error
}

func (c *checker) check(ok bool, field string, value any, rule string, args ...any) {
	if c.err != nil || ok {
		return
	}
	v := fmt.Sprint(value)
	if s, isString := value.(string); isString {
		v = quote(s)
	}
	c.err = &Error{File: c.env.File, Line: c.env.line(field), Field: field, Value: v, Rule: fmt.Sprintf(rule, args...)}
}

func validate(e *Environment) error {
	c := &checker{env: e}
	tier := e.Name

	c.check(reAccountID.MatchString(e.AccountID), "account_id", e.AccountID, "is not a 12-digit AWS account id")
	c.check(reRegion.MatchString(e.Region), "region", e.Region, "is not an AWS region name like us-east-1")
	if reRegion.MatchString(e.Region) {
		known := knownRegion(e.Region)
		c.check(known || e.AllowUnlistedRegion, "region", e.Region, "is not a known AWS region (config/regions.go lists them as of 2026-11); for a region launched since, add it there or set allow_unlisted_region: true")
		c.check(!known || !e.AllowUnlistedRegion, "allow_unlisted_region", e.AllowUnlistedRegion, "is set but region %s is a known region; remove it so that a mistyped region is caught again", e.Region)
		p := partitionOf(e.Region)
		c.check(p == "aws", "region", e.Region, "is in the %s partition; the stacks write aws-partition ARNs (arn:aws:...), so only commercial regions are supported", p)
	}
	c.check(reOwner.MatchString(e.Owner), "owner", e.Owner, "must be a lower-case team name (letters, digits, dashes)")

	n := e.Network
	prefix, err := netip.ParsePrefix(n.CIDR)
	c.check(err == nil && prefix.Addr().Is4(), "network.cidr", n.CIDR, "is not an IPv4 CIDR like 10.0.0.0/16")
	if err == nil {
		c.check(prefix.Masked() == prefix, "network.cidr", n.CIDR, "has host bits set; did you mean %s?", prefix.Masked())
		// The subnet plan cuts the VPC into 16 blocks (config/subnets.go), so a
		// /23 gives /27 subnets: the smallest an ALB accepts (it needs /27
		// with 8 free addresses in each of its subnets).
		c.check(prefix.Bits() >= 16 && prefix.Bits() <= MaxVPCPrefixBits, "network.cidr", n.CIDR, "must be between /16 and /%d (its public subnets are 1/16 of it and an ALB needs at least /27)", MaxVPCPrefixBits)
		c.check(isPrivate(prefix), "network.cidr", n.CIDR, "must be inside a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16)")
	}
	c.check(n.AZCount >= 2 && n.AZCount <= 3, "network.az_count", n.AZCount, "must be 2 or 3")
	if len(n.AvailabilityZones) > 0 {
		c.check(len(n.AvailabilityZones) == n.AZCount, "network.availability_zones", strings.Join(n.AvailabilityZones, ","), "must name exactly az_count (%d) zones, or be left out", n.AZCount)
		seen := map[string]bool{}
		for i, az := range n.AvailabilityZones {
			field := fmt.Sprintf("network.availability_zones[%d]", i)
			c.check(strings.HasPrefix(az, e.Region) && len(az) > len(e.Region), field, az, "is not a zone of region %s", e.Region)
			c.check(!seen[az], field, az, "is listed twice")
			seen[az] = true
		}
	}
	c.check(n.NatStrategy == NatSingle || n.NatStrategy == NatOnePerAZ, "network.nat_strategy", string(n.NatStrategy), "must be %q or %q", NatSingle, NatOnePerAZ)
	if tier == "prod" {
		c.check(n.NatStrategy == NatOnePerAZ, "network.nat_strategy", string(n.NatStrategy), "must be %q in prod (one AZ outage must not cut egress)", NatOnePerAZ)
	}

	d := e.Database
	c.check(contains(SupportedPostgresMajors, d.EngineVersion), "database.engine_version", d.EngineVersion, "must be a supported PostgreSQL major: %s", strings.Join(SupportedPostgresMajors, ", "))
	c.check(reDBClass.MatchString(d.InstanceClass), "database.instance_class", d.InstanceClass, "is not an RDS instance class (db.<family>.<size>, e.g. db.t4g.micro)")
	c.check(d.AllocatedStorageGB >= 20 && d.AllocatedStorageGB <= 65536, "database.allocated_storage_gb", d.AllocatedStorageGB, "must be between 20 and 65536 (gp3 minimum is 20)")
	// RDS refuses a limit below 110% of the allocated storage (20 -> 21 fails at apply).
	c.check(d.MaxAllocatedStorageGB == 0 || 10*d.MaxAllocatedStorageGB >= 11*d.AllocatedStorageGB, "database.max_allocated_storage_gb", d.MaxAllocatedStorageGB,
		"must be 0 (no storage autoscaling) or at least 110%% of allocated_storage_gb (%d), as RDS requires: at least %d", d.AllocatedStorageGB, (11*d.AllocatedStorageGB+9)/10)
	c.check(d.BackupRetentionDays >= 1 && d.BackupRetentionDays <= 35, "database.backup_retention_days", d.BackupRetentionDays, "must be between 1 and 35")
	if tier == "prod" {
		c.check(d.BackupRetentionDays >= 7, "database.backup_retention_days", d.BackupRetentionDays, "is below the minimum 7 for prod")
		c.check(d.MultiAZ, "database.multi_az", d.MultiAZ, "must be true in prod")
	}
	if tier == "prod" || tier == "staging" {
		c.check(d.DeletionProtection, "database.deletion_protection", d.DeletionProtection, "must be true in %s", tier)
		c.check(d.FinalSnapshot, "database.final_snapshot", d.FinalSnapshot, "must be true in %s", tier)
	}
	c.check(contains([]int{0, 1, 5, 10, 15, 30, 60}, d.MonitoringIntervalSeconds), "database.monitoring_interval_seconds", d.MonitoringIntervalSeconds, "must be one of 0, 1, 5, 10, 15, 30, 60")
	c.check(d.SlowQueryMillis >= 0, "database.slow_query_ms", d.SlowQueryMillis, "must be 0 or more")
	c.check(reDBName.MatchString(d.DatabaseName), "database.database_name", d.DatabaseName, "must start with a letter and hold only a-z, 0-9 and _")

	r := e.Registry
	if tier == "prod" || tier == "staging" {
		c.check(r.ImmutableTags, "registry.immutable_tags", r.ImmutableTags, "must be true in %s", tier)
	}
	c.check(r.UntaggedExpiryDays >= 1, "registry.untagged_expiry_days", r.UntaggedExpiryDays, "must be 1 or more")
	c.check(r.KeepOtherImages >= 1, "registry.keep_other_images", r.KeepOtherImages, "must be 1 or more")
	c.check(reTagPattern.MatchString(r.ReleaseTagPattern) && strings.Count(r.ReleaseTagPattern, "*") <= 4 && r.ReleaseTagPattern != "*",
		"registry.release_tag_pattern", r.ReleaseTagPattern, "must be an ECR tag pattern (letters, digits, '.', '_', '-', at most four '*'), and not '*' alone")

	q := e.Queue
	c.check(q.MaxReceiveCount >= 1 && q.MaxReceiveCount <= 1000, "queue.max_receive_count", q.MaxReceiveCount, "must be between 1 and 1000")
	// A worker stopped by a deploy or a scale-in gets WorkerStopTimeoutSeconds
	// (the Fargate maximum) to finish its message; a longer job would be
	// killed and redelivered on every stop, towards the dead-letter queue.
	c.check(q.WorkerProcessingSeconds >= 1 && q.WorkerProcessingSeconds <= WorkerStopTimeoutSeconds, "queue.worker_processing_seconds", q.WorkerProcessingSeconds, "must be between 1 and %d (a stopped worker has %d s, the Fargate maximum stop timeout, to finish its message)", WorkerStopTimeoutSeconds, WorkerStopTimeoutSeconds)
	c.check(q.RetentionDays >= 1 && q.RetentionDays <= 14, "queue.retention_days", q.RetentionDays, "must be between 1 and 14")

	s := e.Services
	c.check(s.ContainerPort >= 1024 && s.ContainerPort <= 65535, "services.container_port", s.ContainerPort, "must be between 1024 and 65535 (containers run as a non-root user)")
	c.check(strings.HasPrefix(s.HealthCheckPath, "/"), "services.health_check_path", s.HealthCheckPath, "must start with /")
	c.check(s.IdleScaleInMinutes >= 5 && s.IdleScaleInMinutes <= 1440, "services.idle_scale_in_minutes", s.IdleScaleInMinutes, "must be between 5 and 1440")
	c.check(s.Architecture == "ARM64" || s.Architecture == "X86_64", "services.architecture", s.Architecture, "must be ARM64 or X86_64")
	checkTask(c, "services.api", s.API.Task)
	checkTask(c, "services.worker", s.Worker.Task)
	checkReleases(c, tier, s, r.ReleaseTagPattern)
	if tier == "prod" {
		c.check(s.API.MinCount >= 2, "services.api.min_count", s.API.MinCount, "must be at least 2 in prod (tasks are spread over AZs)")
	}
	c.check(s.API.CPUTargetPercent >= 10 && s.API.CPUTargetPercent <= 90, "services.api.cpu_target_percent", s.API.CPUTargetPercent, "must be between 10 and 90")
	c.check(s.API.MemoryTargetPercent >= 10 && s.API.MemoryTargetPercent <= 90, "services.api.memory_target_percent", s.API.MemoryTargetPercent, "must be between 10 and 90")
	c.check(s.Worker.MessagesPerTask >= 1, "services.worker.messages_per_task", s.Worker.MessagesPerTask, "must be 1 or more")

	sc := e.Scheduler
	sched, schedErr := ParseSchedule(sc.ScheduleExpression)
	c.check(schedErr == nil, "scheduler.schedule_expression", sc.ScheduleExpression, "%v", schedErr)
	if schedErr == nil {
		c.check(sched.Heartbeat().Window() <= MaxHeartbeatWindow, "scheduler.schedule_expression", sc.ScheduleExpression,
			"ticks too rarely: the heartbeat alarm waits %d ticks and a CloudWatch alarm looks back at most 7 days (use at most rate(2 days) or rate(56 hours))", HeartbeatTicks)
	}
	_, tzErr := time.LoadLocation(sc.Timezone)
	c.check(sc.Timezone != "" && tzErr == nil, "scheduler.timezone", sc.Timezone, "is not an IANA time zone name like UTC or Europe/Berlin")
	c.check(sc.TimeoutSeconds >= 1 && sc.TimeoutSeconds <= 900, "scheduler.timeout_seconds", sc.TimeoutSeconds, "must be between 1 and 900")
	c.check(sc.MemoryMiB >= 128 && sc.MemoryMiB <= 10240, "scheduler.memory_mib", sc.MemoryMiB, "must be between 128 and 10240")
	c.check(sc.ReservedConcurrency >= 0 && sc.ReservedConcurrency <= 10, "scheduler.reserved_concurrency", sc.ReservedConcurrency, "must be between 0 (unreserved) and 10")

	c.check(contains(LogRetentionDays, e.Logs.RetentionDays), "logs.retention_days", e.Logs.RetentionDays, "is not a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ...)")
	if tier == "prod" {
		c.check(e.Logs.RetentionDays >= 30, "logs.retention_days", e.Logs.RetentionDays, "is below the minimum 30 for prod")
	}
	if tier == "dev" {
		c.check(e.Logs.RetentionDays <= 7, "logs.retention_days", e.Logs.RetentionDays, "is above the maximum 7 for dev (keep dev cheap)")
	}

	a := e.Alarms
	for i, addr := range a.Emails {
		c.check(reEmail.MatchString(addr), fmt.Sprintf("alarms.emails[%d]", i), addr, "is not an email address")
	}
	if tier == "prod" {
		c.check(len(a.Emails) > 0, "alarms.emails", "[]", "must name at least one address in prod")
		c.check(a.Full, "alarms.full", a.Full, "must be true in prod")
	}
	for _, t := range []struct {
		field string
		v     int
	}{
		{"alarms.alb_5xx_per_minute", a.ALB5xxPerMinute}, {"alarms.latency_p95_ms", a.LatencyP95Millis},
		{"alarms.cpu_percent", a.CPUPercent}, {"alarms.memory_percent", a.MemoryPercent},
		{"alarms.queue_age_seconds", a.QueueAgeSeconds}, {"alarms.db_free_storage_gb", a.DBFreeStorageGB},
		{"alarms.db_free_memory_mib", a.DBFreeMemoryMiB}, {"alarms.db_connections", a.DBConnections},
	} {
		c.check(t.v > 0, t.field, t.v, "must be above 0")
	}
	c.check(a.CPUPercent <= 100, "alarms.cpu_percent", a.CPUPercent, "must be at most 100")
	c.check(a.MemoryPercent <= 100, "alarms.memory_percent", a.MemoryPercent, "must be at most 100")

	dns := e.DNS
	if dns.Domain != "" {
		c.check(reHostname.MatchString(dns.Domain), "dns.domain", dns.Domain, "is not a lower-case DNS name like api.example.com")
		c.check(reZoneID.MatchString(dns.HostedZoneID), "dns.hosted_zone_id", dns.HostedZoneID, "must be the Route53 zone id (Z...) of the zone that holds dns.domain")
	} else {
		c.check(dns.HostedZoneID == "", "dns.hosted_zone_id", dns.HostedZoneID, "is set but dns.domain is empty")
	}
	if tier == "prod" {
		c.check(dns.Domain != "", "dns.domain", dns.Domain, "must be set in prod (prod serves HTTPS only)")
	}

	if tier == "prod" || tier == "staging" {
		c.check(e.Features.FlowLogs, "features.flow_logs", e.Features.FlowLogs, "must be true in %s", tier)
		c.check(e.Features.ContainerInsights, "features.container_insights", e.Features.ContainerInsights, "must be true in %s", tier)
	}
	if tier == "prod" {
		c.check(e.Features.ALBAccessLogs, "features.alb_access_logs", e.Features.ALBAccessLogs, "must be true in prod")
		c.check(e.Features.ALBDeletionProtection, "features.alb_deletion_protection", e.Features.ALBDeletionProtection, "must be true in prod")
	}

	if c.err != nil {
		return c.err
	}
	return nil
}

// WorkerStopTimeoutSeconds is the worker container's stop timeout: the
// Fargate maximum, the longest a stopped task may take to finish its message.
const WorkerStopTimeoutSeconds = 120

// MaxVisibilitySeconds is the SQS visibility timeout limit (12 hours).
const MaxVisibilitySeconds = 43200

func checkTask(c *checker, field string, t Task) {
	mems, ok := fargateMemory[t.CPU]
	c.check(ok, field+".cpu", t.CPU, "must be a Fargate CPU size: 256, 512, 1024, 2048 or 4096")
	if ok {
		c.check(contains(mems, t.MemoryMiB), field+".memory_mib", t.MemoryMiB, "is not a Fargate memory size for cpu %d (allowed: %s)", t.CPU, joinInts(mems))
	}
	c.check(t.MinCount >= 0, field+".min_count", t.MinCount, "must be 0 or more")
	c.check(t.MaxCount >= 1 && t.MaxCount <= 100, field+".max_count", t.MaxCount, "must be between 1 and 100")
	c.check(t.MinCount <= t.MaxCount, field+".min_count", t.MinCount, "is above max_count (%d)", t.MaxCount)
}

// validateAcross checks rules that involve several environments.
func validateAcross(envs []*Environment) error {
	for i, a := range envs {
		pa := netip.MustParsePrefix(a.Network.CIDR)
		for _, b := range envs[:i] {
			pb := netip.MustParsePrefix(b.Network.CIDR)
			if pa.Overlaps(pb) {
				return &Error{File: a.File, Line: a.line("network.cidr"), Field: "network.cidr", Value: quote(a.Network.CIDR),
					Rule: fmt.Sprintf("overlaps %s's %s (VPC ranges must stay disjoint so environments can be peered)", b.Name, b.Network.CIDR)}
			}
		}
	}
	return nil
}

func isPrivate(p netip.Prefix) bool {
	for _, r := range []string{"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"} {
		rp := netip.MustParsePrefix(r)
		if rp.Contains(p.Addr()) && p.Bits() >= rp.Bits() {
			return true
		}
	}
	return false
}

func contains[T comparable](list []T, v T) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ", ")
}

var (
	reImageTag    = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)
	reImageDigest = regexp.MustCompile(`^sha256:[a-f0-9]{64}$`)
	reTagPattern  = regexp.MustCompile(`^[A-Za-z0-9_.*-]{1,128}$`)
)

// ServiceNames are the services that run an image, in order.
var ServiceNames = []string{"api", "worker"}

// Images returns each service's declared image, by service name.
func (s Services) Images() map[string]string {
	return map[string]string{"api": s.API.Image, "worker": s.Worker.Image}
}

// IsDigest reports whether image names a digest rather than a tag.
func IsDigest(image string) bool { return strings.HasPrefix(image, "sha256:") }

// checkReleases: every declared image is a release tag or a digest; staging
// and prod run without an image only before their first release.
func checkReleases(c *checker, tier string, s Services, pattern string) {
	images := s.Images()
	empty := 0
	for _, name := range ServiceNames {
		img, field := images[name], "services."+name+".image"
		switch {
		case img == "":
			empty++
		case IsDigest(img):
			c.check(reImageDigest.MatchString(img), field, img, "must be a release tag or an image digest sha256:<64 lowercase hex>")
		default:
			c.check(reImageTag.MatchString(img), field, img, "must be an image tag (up to 128 letters, digits, '_', '.', '-', not starting with '.' or '-') or a digest sha256:<64 hex>")
			c.check(MatchTagPattern(pattern, img), field, img, "does not match registry.release_tag_pattern %q: only release images are kept by the ECR lifecycle", pattern)
		}
		if tier == "prod" || tier == "staging" {
			c.check(img != "" || s.AwaitingFirstRelease, field, img,
				"is empty, but %s has had its first release: declare the image it runs (make release), or set services.awaiting_first_release: true only for a fresh environment", tier)
		}
	}
	c.check(!s.AwaitingFirstRelease || empty > 0, "services.awaiting_first_release", s.AwaitingFirstRelease,
		"must be removed once every service declares an image")
}

// MatchTagPattern matches tag against an ECR tagPatternList entry, where
// '*' matches any run of characters.
func MatchTagPattern(pattern, tag string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == tag
	}
	if !strings.HasPrefix(tag, parts[0]) {
		return false
	}
	tag = tag[len(parts[0]):]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(tag, p)
		if i < 0 {
			return false
		}
		tag = tag[i+len(p):]
	}
	return strings.HasSuffix(tag, parts[len(parts)-1])
}
