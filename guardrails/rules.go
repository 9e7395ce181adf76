// Package guardrails checks a synthesized stack against the project's
// invariants before anything is written: a risky change fails `make synth`
// (and `cdktf synth`) with every violation listed, not just the first.
//
// The rules read the stack's Terraform JSON, so they hold whatever construct
// produced a resource. They are pure Go and tested without jsii; Attach wires
// them into cdktf's validation phase.
package guardrails

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/flow-builder/infra/internal/tfjson"
)

// Tier is the strictness level, taken from the environment name.
type Tier string

const (
	Dev     Tier = "dev"
	Staging Tier = "staging"
	Prod    Tier = "prod"
)

// Violation is one broken rule on one resource.
type Violation struct {
	// Resource is "<type>.<logical name>" (or "provider.aws").
	Resource string
	// Path is the construct path, where the JSON records it.
	Path string
	// Rule is the rule id, e.g. "db-deletion-protection".
	Rule string
	// Problem says what is wrong; Fix says how to make it right.
	Problem, Fix string
}

func (v Violation) String() string {
	where := v.Resource
	if v.Path != "" {
		where += " (" + v.Path + ")"
	}
	return fmt.Sprintf("[%s] %s: %s. Fix: %s", v.Rule, where, v.Problem, v.Fix)
}

// Rule documents one check (README "Guardrails" lists them).
type Rule struct {
	ID, Description string
}

// Rules are the checks, in the order they run.
var Rules = []Rule{
	{"db-multi-az", "prod databases run multi-AZ"},
	{"db-deletion-protection", "staging and prod databases have deletion protection"},
	{"db-backups", "staging and prod databases keep backups >= 7 days"},
	{"db-not-public", "no database is publicly accessible"},
	{"encryption-cmk", "every data store (RDS, SQS, SNS, logs, ECR, secrets, DynamoDB, S3) is encrypted with a customer-managed KMS key"},
	{"no-world-ingress", "no security group ingress from 0.0.0.0/0 or ::/0, except the load balancer on 80/443"},
	{"log-retention", "every log group has a retention"},
	{"alarm-actions", "every alarm has at least one action"},
	{"required-tags", "the provider tags every resource with Project, Environment, ManagedBy, Owner, and no resource overrides them"},
	{"iam-no-wildcard", "no Allow statement grants action * on resource *"},
	{"no-literal-secrets", "no password, secret value or token is written in the configuration"},
}

// Waiver exempts resources from a rule, with the reason next to it.
type Waiver struct {
	Rule string
	// Type and NameContains select the resources (logical names).
	Type, NameContains string
	Why                string
}

// Waivers are the honest exceptions. Add one only with a reason a reviewer accepts.
var Waivers = []Waiver{
	{Rule: "encryption-cmk", Type: "aws_s3_bucket_server_side_encryption_configuration", NameContains: "alb-logs",
		Why: "ALB access log delivery supports only SSE-S3 (AES256), not KMS"},
}

// RequiredTags are the tag keys every resource carries (provider default_tags).
var RequiredTags = []string{"Project", "Environment", "ManagedBy", "Owner"}

// Check runs every rule over one stack's Terraform JSON.
func Check(tier Tier, doc map[string]any) []Violation {
	c := &checker{tier: tier, doc: doc}
	c.databases()
	c.encryption()
	c.ingress()
	c.logsAndAlarms()
	c.tags()
	c.iam()
	c.secrets()
	sort.SliceStable(c.out, func(i, j int) bool { return c.out[i].Resource < c.out[j].Resource })
	return c.out
}

type checker struct {
	tier Tier
	doc  map[string]any
	out  []Violation
}

type resource struct {
	typ, name string
	attrs     map[string]any
}

func (r resource) id() string { return r.typ + "." + r.name }

// each calls fn for every resource of typ, in name order.
func (c *checker) each(typ string, fn func(r resource)) {
	all, _ := c.doc["resource"].(map[string]any)
	byName, _ := all[typ].(map[string]any)
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		attrs, _ := byName[n].(map[string]any)
		fn(resource{typ: typ, name: n, attrs: attrs})
	}
}

func (c *checker) fail(r resource, rule, problem, fix string) {
	for _, w := range Waivers {
		if w.Rule == rule && w.Type == r.typ && strings.Contains(r.name, w.NameContains) {
			return
		}
	}
	path := ""
	if meta, ok := r.attrs["//"].(map[string]any); ok {
		if m, ok := meta["metadata"].(map[string]any); ok {
			path, _ = m["path"].(string)
		}
	}
	c.out = append(c.out, Violation{Resource: r.id(), Path: path, Rule: rule, Problem: problem, Fix: fix})
}

func (c *checker) strict() bool { return c.tier == Prod || c.tier == Staging }

func (c *checker) databases() {
	c.each("aws_db_instance", func(r resource) {
		if c.tier == Prod && r.attrs["multi_az"] != true {
			c.fail(r, "db-multi-az", "prod database is single-AZ", "set database.multi_az: true")
		}
		if c.strict() && r.attrs["deletion_protection"] != true {
			c.fail(r, "db-deletion-protection", string(c.tier)+" database can be deleted", "set database.deletion_protection: true")
		}
		if c.strict() {
			if days, _ := r.attrs["backup_retention_period"].(float64); days < 7 {
				c.fail(r, "db-backups", fmt.Sprintf("backups kept %v days", r.attrs["backup_retention_period"]), "set database.backup_retention_days to 7 or more")
			}
		}
		if r.attrs["publicly_accessible"] == true {
			c.fail(r, "db-not-public", "database is publicly accessible", "remove publicly_accessible; clients reach it from the private subnets")
		}
	})
}

// cmk reports whether v references a KMS key of the stack (or names a key ARN).
func cmk(v any) bool {
	s, _ := v.(string)
	return strings.Contains(s, "aws_kms_key.") || strings.HasPrefix(s, "arn:aws:kms:")
}

func (c *checker) encryption() {
	const fix = "encrypt it with the environment key (encryption.Key)"
	need := func(r resource, ok bool, what string) {
		if !ok {
			c.fail(r, "encryption-cmk", what+" is not encrypted with a customer-managed key", fix)
		}
	}
	c.each("aws_db_instance", func(r resource) {
		need(r, r.attrs["storage_encrypted"] == true && cmk(r.attrs["kms_key_id"]), "database storage")
	})
	c.each("aws_sqs_queue", func(r resource) { need(r, cmk(r.attrs["kms_master_key_id"]), "queue") })
	c.each("aws_sns_topic", func(r resource) { need(r, cmk(r.attrs["kms_master_key_id"]), "topic") })
	c.each("aws_cloudwatch_log_group", func(r resource) { need(r, cmk(r.attrs["kms_key_id"]), "log group") })
	c.each("aws_secretsmanager_secret", func(r resource) { need(r, cmk(r.attrs["kms_key_id"]), "secret") })
	c.each("aws_ecr_repository", func(r resource) {
		need(r, tfjson.Dig(r.attrs, "encryption_configuration", "encryption_type") == "KMS" && cmk(tfjson.Dig(r.attrs, "encryption_configuration", "kms_key")), "repository")
	})
	c.each("aws_dynamodb_table", func(r resource) {
		need(r, tfjson.Dig(r.attrs, "server_side_encryption", "enabled") == true && cmk(tfjson.Dig(r.attrs, "server_side_encryption", "kms_key_arn")), "table")
	})
	c.each("aws_s3_bucket_server_side_encryption_configuration", func(r resource) {
		by := tfjson.Dig(r.attrs, "rule", "apply_server_side_encryption_by_default")
		need(r, tfjson.Dig(by, "sse_algorithm") == "aws:kms" && cmk(tfjson.Dig(by, "kms_master_key_id")), "bucket")
	})
}

var openCIDRs = map[any]bool{"0.0.0.0/0": true, "::/0": true}

func (c *checker) ingress() {
	// The load balancer's group: the security group whose name ends in "-alb".
	albGroups := map[string]bool{}
	c.each("aws_security_group", func(r resource) {
		if name, _ := r.attrs["name"].(string); strings.HasSuffix(name, "-alb") {
			albGroups["${aws_security_group."+r.name+".id}"] = true
		}
		for _, rule := range list(r.attrs["ingress"]) {
			for _, cidr := range append(list(tfjson.Dig(rule, "cidr_blocks")), list(tfjson.Dig(rule, "ipv6_cidr_blocks"))...) {
				if openCIDRs[cidr] {
					c.fail(r, "no-world-ingress", fmt.Sprintf("inline ingress from %v on port %v", cidr, tfjson.Dig(rule, "from_port")), "use an ingress rule from a security group, not the internet")
				}
			}
		}
	})
	c.each("aws_vpc_security_group_ingress_rule", func(r resource) {
		cidr := r.attrs["cidr_ipv4"]
		if cidr == nil {
			cidr = r.attrs["cidr_ipv6"]
		}
		if !openCIDRs[cidr] {
			return
		}
		port := r.attrs["from_port"]
		sg, _ := r.attrs["security_group_id"].(string)
		if albGroups[sg] && (port == 80.0 || port == 443.0) && r.attrs["to_port"] == port {
			return
		}
		c.fail(r, "no-world-ingress", fmt.Sprintf("ingress from %v on port %v", cidr, port), "allow the source security group instead (only the load balancer takes 80/443 from the internet)")
	})
	c.each("aws_security_group_rule", func(r resource) {
		if r.attrs["type"] != "ingress" {
			return
		}
		for _, cidr := range append(list(r.attrs["cidr_blocks"]), list(r.attrs["ipv6_cidr_blocks"])...) {
			if openCIDRs[cidr] {
				c.fail(r, "no-world-ingress", fmt.Sprintf("ingress from %v on port %v", cidr, r.attrs["from_port"]), "allow the source security group instead")
			}
		}
	})
}

func (c *checker) logsAndAlarms() {
	c.each("aws_cloudwatch_log_group", func(r resource) {
		if days, _ := r.attrs["retention_in_days"].(float64); days <= 0 {
			c.fail(r, "log-retention", "log group keeps logs forever", "set retention_in_days from logs.retention_days")
		}
	})
	c.each("aws_cloudwatch_metric_alarm", func(r resource) {
		if len(list(r.attrs["alarm_actions"])) == 0 {
			c.fail(r, "alarm-actions", "alarm notifies nobody", "add the alerts topic (or a scaling policy) to alarm_actions")
		}
	})
}

func (c *checker) tags() {
	providers := list(tfjson.Dig(c.doc, "provider", "aws"))
	if len(providers) == 0 {
		return
	}
	for i, p := range providers {
		r := resource{typ: "provider", name: fmt.Sprintf("aws[%d]", i)}
		tags, _ := tfjson.Dig(p, "default_tags", "tags").(map[string]any)
		for _, k := range RequiredTags {
			if v, _ := tags[k].(string); v == "" {
				c.fail(r, "required-tags", "default_tags lack "+k, "configure the provider with awsprovider.New")
			}
		}
		env, _ := tags["Environment"].(string)
		all, _ := c.doc["resource"].(map[string]any)
		for typ, byName := range all {
			for name, attrs := range byName.(map[string]any) {
				rt, _ := tfjson.Dig(attrs, "tags").(map[string]any)
				if v, ok := rt["Environment"]; ok && v != env {
					c.fail(resource{typ: typ, name: name, attrs: attrs.(map[string]any)}, "required-tags",
						fmt.Sprintf("tag Environment=%v overrides the stack's %s", v, env), "drop the resource-level Environment tag")
				}
			}
		}
	}
}

// policyAttrs are the attributes that hold IAM policy JSON, by resource type.
var policyAttrs = map[string]string{
	"aws_iam_role_policy": "policy", "aws_iam_policy": "policy", "aws_s3_bucket_policy": "policy",
	"aws_sqs_queue_policy": "policy", "aws_sns_topic_policy": "policy", "aws_iam_role": "assume_role_policy",
}

func (c *checker) iam() {
	types := make([]string, 0, len(policyAttrs))
	for t := range policyAttrs {
		types = append(types, t)
	}
	sort.Strings(types)
	for _, typ := range types {
		c.each(typ, func(r resource) {
			raw, _ := r.attrs[policyAttrs[typ]].(string)
			var doc struct{ Statement []map[string]any }
			if json.Unmarshal([]byte(raw), &doc) != nil {
				return // a Terraform expression, not a literal document
			}
			for _, st := range doc.Statement {
				if st["Effect"] != "Allow" {
					continue
				}
				if contains(list(st["Action"]), "*") && (contains(list(st["Resource"]), "*") || st["Resource"] == "*") {
					c.fail(r, "iam-no-wildcard", "statement allows * on *", "name the actions and the resource ARNs (use a Grant method)")
				}
			}
		})
	}
}

var secretName = regexp.MustCompile(`(?i)(password|passwd|secret|token|api_?key|private_?key)`)

// isReference reports whether a value is computed by Terraform, not written here.
func isReference(v any) bool {
	s, _ := v.(string)
	return strings.Contains(s, "${")
}

func (c *checker) secrets() {
	c.each("aws_db_instance", func(r resource) {
		if v, ok := r.attrs["password"]; ok && !isReference(v) {
			c.fail(r, "no-literal-secrets", "master password written in the configuration", "use manage_master_user_password")
		}
	})
	c.each("aws_secretsmanager_secret_version", func(r resource) {
		v, ok := r.attrs["secret_string"]
		if !ok || isReference(v) || v == "{}" {
			return
		}
		c.fail(r, "no-literal-secrets", "secret value written in the configuration", "create the secret empty ({}) and set its value out of band")
	})
	c.each("aws_lambda_function", func(r resource) {
		vars, _ := tfjson.Dig(r.attrs, "environment", "variables").(map[string]any)
		for k, v := range vars {
			if secretName.MatchString(k) && !isReference(v) {
				c.fail(r, "no-literal-secrets", "environment variable "+k+" holds a literal secret", "read it from Secrets Manager")
			}
		}
	})
	c.each("aws_ecs_task_definition", func(r resource) {
		raw, _ := r.attrs["container_definitions"].(string)
		var defs []struct {
			Name        string `json:"name"`
			Environment []struct {
				Name  string `json:"name"`
				Value string `json:"value"`
			} `json:"environment"`
		}
		if json.Unmarshal([]byte(raw), &defs) != nil {
			return
		}
		for _, d := range defs {
			for _, e := range d.Environment {
				if secretName.MatchString(e.Name) && !isReference(e.Value) {
					c.fail(r, "no-literal-secrets", "container "+d.Name+" gets "+e.Name+" as a plain environment value", "pass it as secrets[].valueFrom")
				}
			}
		}
	})
}

func list(v any) []any {
	switch t := v.(type) {
	case []any:
		return t
	case nil:
		return nil
	default:
		return []any{t}
	}
}

func contains(l []any, v any) bool {
	for _, x := range l {
		if x == v {
			return true
		}
	}
	return false
}
