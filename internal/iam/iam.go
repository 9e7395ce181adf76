// Package iam builds IAM policy documents as plain Go values and roles whose
// permissions are granted statement by statement, next to the resource they
// concern (queue.GrantConsume(role), secret.GrantRead(role), ...).
package iam

import (
	"encoding/json"
	"sort"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrole"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrolepolicy"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrolepolicyattachment"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/flow-builder/infra/internal/tf"
)

// Statement is one IAM policy statement. Principal and Condition are left
// out when empty.
type Statement struct {
	Sid       string                    `json:"Sid,omitempty"`
	Effect    string                    `json:"Effect"`
	Principal map[string]any            `json:"Principal,omitempty"`
	Action    []string                  `json:"Action"`
	Resource  []string                  `json:"Resource"`
	Condition map[string]map[string]any `json:"Condition,omitempty"`
}

// Allow is an Allow statement for actions on resources.
func Allow(sid string, actions []string, resources ...string) Statement {
	return Statement{Sid: sid, Effect: "Allow", Action: sorted(actions), Resource: resources}
}

// Document renders statements as a policy document. Token strings inside
// (resource ARNs) are resolved by cdktf into Terraform references.
func Document(statements ...Statement) string {
	doc := struct {
		Version   string      `json:"Version"`
		Statement []Statement `json:"Statement"`
	}{"2012-10-17", statements}
	out, err := json.Marshal(doc)
	if err != nil {
		panic(err) // only plain strings and maps: cannot fail
	}
	return string(out)
}

// AssumedBy is the trust policy letting an AWS service assume a role. With
// sourceAccount set, the service may assume it only on behalf of that account
// (confused-deputy guard); leave it empty for services that do not send
// aws:SourceAccount when assuming (Lambda).
func AssumedBy(service, sourceAccount string) string {
	st := map[string]any{
		"Effect":    "Allow",
		"Principal": map[string]any{"Service": service},
		"Action":    "sts:AssumeRole",
	}
	if sourceAccount != "" {
		st["Condition"] = map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": sourceAccount}}
	}
	out, err := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": []any{st}})
	if err != nil {
		panic(err)
	}
	return string(out)
}

// Role is an IAM role with its inline grants as children.
type Role struct {
	scope constructs.Construct
	// Resource is the aws_iam_role.
	Resource iamrole.IamRole
	// Policies are the role's grants so far; a resource that AWS checks
	// for permissions at creation (a VPC Lambda function) depends on them.
	Policies []cdktf.ITerraformDependable
}

// RoleProps configures NewRole.
type RoleProps struct {
	// Name is the role name.
	Name string
	// Description says what the role is for.
	Description string
	// Service is the principal allowed to assume the role, e.g. ecs-tasks.amazonaws.com.
	Service string
	// SourceAccount, when set, limits assumption to that account's resources.
	SourceAccount string
}

// NewRole creates a role assumable by p.Service, with no permissions yet.
func NewRole(scope constructs.Construct, id string, p RoleProps) *Role {
	c := constructs.NewConstruct(scope, &id)
	role := iamrole.NewIamRole(c, tf.S("role"), &iamrole.IamRoleConfig{
		Name:             tf.S(p.Name),
		Description:      tf.S(p.Description),
		AssumeRolePolicy: tf.S(AssumedBy(p.Service, p.SourceAccount)),
	})
	return &Role{scope: c, Resource: role}
}

// Grant attaches statements to the role as an inline policy named id.
func (r *Role) Grant(id string, statements ...Statement) {
	r.Policies = append(r.Policies, iamrolepolicy.NewIamRolePolicy(r.scope, tf.S(id), &iamrolepolicy.IamRolePolicyConfig{
		Name:   tf.S(id),
		Role:   r.Resource.Id(),
		Policy: tf.S(Document(statements...)),
	}))
}

// AttachManaged attaches an AWS managed policy by ARN.
func (r *Role) AttachManaged(id, policyArn string) {
	r.Policies = append(r.Policies, iamrolepolicyattachment.NewIamRolePolicyAttachment(r.scope, tf.S(id), &iamrolepolicyattachment.IamRolePolicyAttachmentConfig{
		Role:      r.Resource.Name(),
		PolicyArn: tf.S(policyArn),
	}))
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}
