package stacks

import (
	"fmt"
	"testing"

	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/vpcsecuritygroupingressrule"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flow-builder/infra/functions/bundle"
	"github.com/flow-builder/infra/guardrails"
	"github.com/flow-builder/infra/internal/tf"
)

// synthError synthesizes stack with validations on and returns the failure
// message ("" when it synthesizes).
func synthError(stack cdktf.TerraformStack) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	cdktf.Testing_Synth(stack, tf.B(true))
	return ""
}

// TestGuardrailsStopRiskyChanges builds real stacks with a risky change that
// the config loader cannot see (a construct change) and expects synth to
// fail with every broken rule.
func TestGuardrailsStopRiskyChanges(t *testing.T) {
	synthAll(t) // loads envs
	code, err := bundle.Build("..", bundle.Scheduler)
	require.NoError(t, err)
	app := cdktf.Testing_App(&cdktf.TestingAppConfig{StackTraces: tf.B(false), StubVersion: tf.B(true)})

	// 1. World-open SSH on a service security group.
	dev := NewApplication(app, envs[0], Code{Scheduler: code})
	vpcsecuritygroupingressrule.NewVpcSecurityGroupIngressRule(dev.Stack, tf.S("debug-ssh"), &vpcsecuritygroupingressrule.VpcSecurityGroupIngressRuleConfig{
		SecurityGroupId: tf.S(dev.Network.SecurityGroups.Worker),
		Description:     tf.S("temporary debugging"),
		IpProtocol:      tf.S("tcp"), FromPort: tf.N(22), ToPort: tf.N(22), CidrIpv4: tf.S("0.0.0.0/0"),
	})
	msg := synthError(dev.Stack)
	require.NotEmpty(t, msg, "a world-open SSH rule must fail synth")
	assert.Contains(t, msg, "[no-world-ingress] aws_vpc_security_group_ingress_rule.debug-ssh (flow-builder-dev/debug-ssh): ingress from 0.0.0.0/0 on port 22")

	// 2. A prod stack built from values the loader would refuse (defense in depth).
	prod := *envs[2]
	prod.Database.DeletionProtection = false
	prod.Database.MultiAZ = false
	prodApp := cdktf.Testing_App(&cdktf.TestingAppConfig{StackTraces: tf.B(false), StubVersion: tf.B(true)})
	p := NewApplication(prodApp, &prod, Code{Scheduler: code})
	msg = synthError(p.Stack)
	assert.Contains(t, msg, "[db-deletion-protection] aws_db_instance.database_instance_")
	assert.Contains(t, msg, "[db-multi-az] aws_db_instance.database_instance_", "every violation is listed, not just the first")
}

func TestRealStacksPassGuardrails(t *testing.T) {
	synthAll(t)
	for _, env := range envs {
		for _, name := range []string{"flow-builder-" + env.Name, "flow-builder-state-" + env.Name} {
			assert.Empty(t, guardrails.Check(guardrails.Tier(env.Name), decoded(t, name)), name)
		}
	}
}
