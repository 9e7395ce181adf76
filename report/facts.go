// Package report turns synthesized stacks into what a reviewer wants to look
// at: an architecture diagram, a matrix of what differs between environments,
// and a monthly cost estimate. Everything is read from the Terraform JSON (not
// from a hand-kept list), so the page changes when the infrastructure does.
package report

import (
	"encoding/json"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/flow-builder/infra/internal/tfjson"
)

// Stack is a decoded cdk.tf.json.
type Stack map[string]any

// Decode parses a synthesized stack.
func Decode(data []byte) (Stack, error) {
	var s Stack
	err := json.Unmarshal(data, &s)
	return s, err
}

// resources returns the resources of one type, by logical name.
func (s Stack) resources(typ string) map[string]map[string]any {
	out := map[string]map[string]any{}
	all, _ := s["resource"].(map[string]any)
	byName, _ := all[typ].(map[string]any)
	for name, r := range byName {
		out[name], _ = r.(map[string]any)
	}
	return out
}

// sorted returns the resources of a type in logical-name order.
func (s Stack) sorted(typ string) []map[string]any {
	rs := s.resources(typ)
	names := make([]string, 0, len(rs))
	for n := range rs {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]map[string]any, len(names))
	for i, n := range names {
		out[i] = rs[n]
	}
	return out
}

// Service is one ECS service as deployed.
type Service struct {
	Name               string
	VCPU, MemoryGB     float64
	MinTasks, MaxTasks int
	Architecture       string
	// Image is the declared release (tag or digest); empty before the first.
	Image string
}

var reImage = regexp.MustCompile(`"image":"\$\{aws_ecr_repository\.[^}]+\.repository_url\}[:@]?([^"]*)"`)

// Facts are the numbers the page shows for one environment.
type Facts struct {
	Env                                    string
	VPCCIDR                                string
	AZs, NATGateways, PublicIPs            int
	Domain                                 string
	ALBDeletionProtection, ALBAccessLogs   bool
	DBClass, DBEngine                      string
	DBStorageGB, DBMaxStorageGB, DBBackups int
	DBMultiAZ, DBDeletionProtection        bool
	Services                               []Service
	KMSKeys, Secrets, Alarms, AlarmMetrics int
	Dashboards, LogRetentionDays           int
	ContainerInsights, ImmutableTags       bool
	Schedule                               string
	MaxReceiveCount                        int
	ScaleToZero                            bool
	LogGroups                              int
	HTTPS                                  bool
	FlowLogs                               bool
}

var reCount = regexp.MustCompile(`\? ([0-9]+) : 0\}$`)

// count reads a task count: a number, or "${(image tag set) ? N : 0}".
func count(v any) int {
	switch t := v.(type) {
	case float64:
		return int(t)
	case string:
		if m := reCount.FindStringSubmatch(t); m != nil {
			n, _ := strconv.Atoi(m[1])
			return n
		}
	}
	return 0
}

func num(v any) int {
	switch t := v.(type) {
	case float64:
		return int(t)
	case string:
		n, _ := strconv.Atoi(t)
		return n
	}
	return 0
}

// Extract reads the facts of one environment from its application and
// bootstrap stacks.
func Extract(env string, app, boot Stack) Facts {
	f := Facts{Env: env}
	for _, v := range app.sorted("aws_vpc") {
		f.VPCCIDR, _ = v["cidr_block"].(string)
	}
	for _, sn := range app.sorted("aws_subnet") {
		if tfjson.Dig(sn, "tags", "Tier") == "public" {
			f.AZs++
		}
	}
	f.NATGateways = len(app.resources("aws_nat_gateway"))
	albs := app.sorted("aws_lb")
	f.PublicIPs = len(app.resources("aws_eip"))
	for _, lb := range albs {
		subnets, _ := lb["subnets"].([]any)
		f.PublicIPs += len(subnets) // an internet-facing ALB holds one public IPv4 per AZ
		f.ALBDeletionProtection = lb["enable_deletion_protection"] == true
		f.ALBAccessLogs = tfjson.Dig(lb["access_logs"], "enabled") == true
	}
	for _, l := range app.sorted("aws_lb_listener") {
		if l["protocol"] == "HTTPS" {
			f.HTTPS = true
		}
	}
	for _, r := range app.sorted("aws_route53_record") {
		if r["type"] == "A" {
			f.Domain, _ = r["name"].(string)
		}
	}
	for _, db := range app.sorted("aws_db_instance") {
		f.DBClass, _ = db["instance_class"].(string)
		f.DBEngine = "PostgreSQL " + db["engine_version"].(string)
		f.DBStorageGB, f.DBMaxStorageGB = num(db["allocated_storage"]), num(db["max_allocated_storage"])
		f.DBBackups = num(db["backup_retention_period"])
		f.DBMultiAZ, f.DBDeletionProtection = db["multi_az"] == true, db["deletion_protection"] == true
		if db["manage_master_user_password"] == true {
			f.Secrets++ // the secret RDS creates for the master user
		}
	}
	targets := map[string]map[string]any{}
	for _, t := range app.resources("aws_appautoscaling_target") {
		id, _ := t["resource_id"].(string)
		targets[id] = t
	}
	tds := app.resources("aws_ecs_task_definition")
	for _, svc := range app.sorted("aws_ecs_service") {
		name, _ := svc["name"].(string)
		s := Service{Name: name}
		for tdName, td := range tds {
			if svc["task_definition"] == "${aws_ecs_task_definition."+tdName+".arn}" {
				s.VCPU = float64(num(td["cpu"])) / 1024
				s.MemoryGB = float64(num(td["memory"])) / 1024
				s.Architecture, _ = tfjson.Dig(td["runtime_platform"], "cpu_architecture").(string)
				if defs, ok := td["container_definitions"].(string); ok {
					if m := reImage.FindStringSubmatch(defs); m != nil {
						s.Image = m[1]
					}
				}
			}
		}
		for id, t := range targets {
			if strings.HasSuffix(id, "/${aws_ecs_service."+serviceLogical(app, name)+".name}") {
				s.MinTasks, s.MaxTasks = count(t["min_capacity"]), count(t["max_capacity"])
			}
		}
		if s.MinTasks == 0 {
			f.ScaleToZero = true
		}
		f.Services = append(f.Services, s)
	}
	for _, c := range app.sorted("aws_ecs_cluster") {
		f.ContainerInsights = tfjson.Dig(c["setting"], "value") == "enabled"
	}
	f.ImmutableTags = true
	for _, r := range app.sorted("aws_ecr_repository") {
		f.ImmutableTags = f.ImmutableTags && r["image_tag_mutability"] == "IMMUTABLE"
	}
	for _, q := range app.sorted("aws_sqs_queue") {
		if rp, ok := q["redrive_policy"].(string); ok {
			var p struct{ MaxReceiveCount int }
			_ = json.Unmarshal([]byte(rp), &p)
			f.MaxReceiveCount = p.MaxReceiveCount
		}
	}
	for _, s := range app.sorted("aws_scheduler_schedule") {
		f.Schedule, _ = s["schedule_expression"].(string)
	}
	for _, a := range app.sorted("aws_cloudwatch_metric_alarm") {
		f.Alarms++
		metrics := 0
		for _, q := range asList(a["metric_query"]) {
			if tfjson.Dig(q, "metric") != nil {
				metrics++
			}
		}
		f.AlarmMetrics += max(metrics, 1)
	}
	f.Dashboards = len(app.resources("aws_cloudwatch_dashboard"))
	for _, lg := range app.sorted("aws_cloudwatch_log_group") {
		f.LogGroups++
		f.LogRetentionDays = num(lg["retention_in_days"])
	}
	f.FlowLogs = len(app.resources("aws_flow_log")) > 0
	f.KMSKeys = len(app.resources("aws_kms_key")) + len(boot.resources("aws_kms_key"))
	f.Secrets += len(app.resources("aws_secretsmanager_secret"))
	return f
}

// serviceLogical finds an ECS service's logical name by its name attribute.
func serviceLogical(s Stack, name string) string {
	for logical, svc := range s.resources("aws_ecs_service") {
		if svc["name"] == name {
			return logical
		}
	}
	return ""
}

func asList(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	if v == nil {
		return nil
	}
	return []any{v}
}
