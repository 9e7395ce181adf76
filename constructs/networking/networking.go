// Package networking is the VPC of one environment: public, private and
// database subnets in each AZ, NAT per the configured strategy, flow logs, an
// S3 gateway endpoint, and the security groups every other construct uses.
package networking

import (
	"fmt"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchloggroup"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dataawsavailabilityzones"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/defaultsecuritygroup"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/eip"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/flowlog"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/internetgateway"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/natgateway"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/route"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/routetable"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/routetableassociation"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/securitygroup"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/subnet"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/vpc"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/vpcendpoint"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/vpcsecuritygroupegressrule"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/vpcsecuritygroupingressrule"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/flow-builder/infra/config"
	"github.com/flow-builder/infra/constructs/encryption"
	"github.com/flow-builder/infra/internal/iam"
	"github.com/flow-builder/infra/internal/tf"
)

// Props configures the network.
type Props struct {
	// Name prefixes every Name tag, e.g. flow-builder-dev. Required.
	Name string
	// Region and AccountID scope the flow-log role and its trust. Required.
	Region, AccountID string
	// Network is the environment's network block (CIDR, AZs, NAT strategy). Required.
	Network config.Network
	// ContainerPort is the api's port; only the ALB may reach it. Required.
	ContainerPort int
	// NoFlowLogs turns VPC flow logs off. Default: flow logs to CloudWatch
	// Logs (the zero value is the safe choice).
	NoFlowLogs bool
	// LogRetentionDays for the flow-log group. Required unless NoFlowLogs.
	LogRetentionDays int
	// Key encrypts the flow-log group. Required unless NoFlowLogs.
	Key *encryption.Key
}

// SecurityGroups are the groups of the environment. Ingress between them is
// decided here, in one place.
type SecurityGroups struct {
	// ALB accepts 80/443 from the internet and reaches the api only.
	ALB string
	// API accepts the container port from the ALB only.
	API string
	// Worker accepts nothing.
	Worker string
	// Migrate (the one-off database migration task) accepts nothing.
	Migrate string
	// Database accepts 5432 from API, Worker and Migrate.
	Database string
}

// Network is what later constructs use.
type Network struct {
	// VpcID is the VPC.
	VpcID string
	// CIDR is the VPC range.
	CIDR string
	// AvailabilityZones are the AZ names (tokens when read from the region).
	AvailabilityZones []string
	// PublicSubnetIDs hold the ALB and NAT gateways, one per AZ.
	PublicSubnetIDs []string
	// PrivateSubnetIDs hold the services and the migration task, one per AZ.
	PrivateSubnetIDs []string
	// DatabaseSubnetIDs hold the database and have no internet route, one per AZ.
	DatabaseSubnetIDs []string
	// NatGatewayCount is how many NAT gateways exist (1 or one per AZ).
	NatGatewayCount int
	// SecurityGroups are the environment's groups.
	SecurityGroups SecurityGroups
}

// PostgresPort is the database port.
const PostgresPort = 5432

// New creates the network.
func New(scope constructs.Construct, id string, p Props) *Network {
	plan, err := p.Network.Subnets()
	if err != nil {
		panic("networking.New: " + err.Error())
	}
	if p.Name == "" || p.Region == "" || p.AccountID == "" || p.ContainerPort == 0 {
		panic("networking.New: Name, Region, AccountID and ContainerPort are required")
	}
	if !p.NoFlowLogs && (p.Key == nil || p.LogRetentionDays == 0) {
		panic("networking.New: flow logs need Key and LogRetentionDays (or set NoFlowLogs)")
	}
	c := constructs.NewConstruct(scope, &id)
	name := func(suffix string) *map[string]*string {
		return tf.Tags(map[string]string{"Name": p.Name + "-" + suffix})
	}

	v := vpc.NewVpc(c, tf.S("vpc"), &vpc.VpcConfig{
		CidrBlock:          tf.S(p.Network.CIDR),
		EnableDnsHostnames: tf.B(true),
		EnableDnsSupport:   tf.B(true),
		Tags:               name("vpc"),
	})
	out := &Network{VpcID: *v.Id(), CIDR: p.Network.CIDR}

	azs := p.Network.AvailabilityZones
	if len(azs) == 0 {
		zones := dataawsavailabilityzones.NewDataAwsAvailabilityZones(c, tf.S("azs"), &dataawsavailabilityzones.DataAwsAvailabilityZonesConfig{
			State:  tf.S("available"),
			Filter: []*dataawsavailabilityzones.DataAwsAvailabilityZonesFilter{{Name: tf.S("opt-in-status"), Values: tf.Ss("opt-in-not-required")}},
		})
		for i := 0; i < p.Network.AZCount; i++ {
			azs = append(azs, *cdktf.Token_AsString(cdktf.Fn_Element(zones.Names(), tf.N(i)), nil))
		}
	}
	out.AvailabilityZones = azs

	// Default security group: adopted and stripped of every rule.
	defaultsecuritygroup.NewDefaultSecurityGroup(c, tf.S("default-sg"), &defaultsecuritygroup.DefaultSecurityGroupConfig{
		VpcId: v.Id(),
		Tags:  name("default-unused"),
	})

	igw := internetgateway.NewInternetGateway(c, tf.S("igw"), &internetgateway.InternetGatewayConfig{VpcId: v.Id(), Tags: name("igw")})

	subnets := map[config.Tier][]subnet.Subnet{}
	for _, tier := range config.Tiers {
		for i, cidr := range plan[tier] {
			s := subnet.NewSubnet(c, tf.S(fmt.Sprintf("%s-%d", tier, i)), &subnet.SubnetConfig{
				VpcId:            v.Id(),
				CidrBlock:        tf.S(cidr),
				AvailabilityZone: tf.S(azs[i]),
				// No subnet hands out public IPs; the ALB and NAT gateways use EIPs.
				MapPublicIpOnLaunch: tf.B(false),
				Tags: tf.Tags(map[string]string{
					"Name": fmt.Sprintf("%s-%s-%d", p.Name, tier, i),
					"Tier": string(tier),
				}),
			})
			subnets[tier] = append(subnets[tier], s)
		}
	}
	ids := func(tier config.Tier) []string {
		var out []string
		for _, s := range subnets[tier] {
			out = append(out, *s.Id())
		}
		return out
	}
	out.PublicSubnetIDs, out.PrivateSubnetIDs, out.DatabaseSubnetIDs = ids(config.TierPublic), ids(config.TierPrivate), ids(config.TierDatabase)

	// Public: default route to the internet gateway.
	public := routetable.NewRouteTable(c, tf.S("public-rt"), &routetable.RouteTableConfig{VpcId: v.Id(), Tags: name("public")})
	route.NewRoute(c, tf.S("public-default"), &route.RouteConfig{
		RouteTableId: public.Id(), DestinationCidrBlock: tf.S("0.0.0.0/0"), GatewayId: igw.Id(),
	})
	for i, s := range subnets[config.TierPublic] {
		routetableassociation.NewRouteTableAssociation(c, tf.S(fmt.Sprintf("public-%d-rta", i)), &routetableassociation.RouteTableAssociationConfig{
			SubnetId: s.Id(), RouteTableId: public.Id(),
		})
	}

	// NAT: one for the VPC (single) or one per AZ.
	natCount := p.Network.AZCount
	if p.Network.NatStrategy == config.NatSingle {
		natCount = 1
	}
	out.NatGatewayCount = natCount
	var nats []natgateway.NatGateway
	for i := 0; i < natCount; i++ {
		ip := eip.NewEip(c, tf.S(fmt.Sprintf("nat-%d-eip", i)), &eip.EipConfig{Domain: tf.S("vpc"), Tags: name(fmt.Sprintf("nat-%d", i))})
		nats = append(nats, natgateway.NewNatGateway(c, tf.S(fmt.Sprintf("nat-%d", i)), &natgateway.NatGatewayConfig{
			AllocationId: ip.Id(),
			SubnetId:     subnets[config.TierPublic][i].Id(),
			Tags:         name(fmt.Sprintf("nat-%d", i)),
			DependsOn:    &[]cdktf.ITerraformDependable{igw},
		}))
	}

	// Private: one route table per AZ, default route to its NAT (or the single one).
	var privateRTs []string
	for i, s := range subnets[config.TierPrivate] {
		rt := routetable.NewRouteTable(c, tf.S(fmt.Sprintf("private-%d-rt", i)), &routetable.RouteTableConfig{VpcId: v.Id(), Tags: name(fmt.Sprintf("private-%d", i))})
		route.NewRoute(c, tf.S(fmt.Sprintf("private-%d-default", i)), &route.RouteConfig{
			RouteTableId: rt.Id(), DestinationCidrBlock: tf.S("0.0.0.0/0"), NatGatewayId: nats[i%natCount].Id(),
		})
		routetableassociation.NewRouteTableAssociation(c, tf.S(fmt.Sprintf("private-%d-rta", i)), &routetableassociation.RouteTableAssociationConfig{
			SubnetId: s.Id(), RouteTableId: rt.Id(),
		})
		privateRTs = append(privateRTs, *rt.Id())
	}

	// Database: local routes only, no path to the internet.
	dbRT := routetable.NewRouteTable(c, tf.S("database-rt"), &routetable.RouteTableConfig{VpcId: v.Id(), Tags: name("database")})
	for i, s := range subnets[config.TierDatabase] {
		routetableassociation.NewRouteTableAssociation(c, tf.S(fmt.Sprintf("database-%d-rta", i)), &routetableassociation.RouteTableAssociationConfig{
			SubnetId: s.Id(), RouteTableId: dbRT.Id(),
		})
	}

	// S3 gateway endpoint: free, and keeps ECR layer pulls off the NAT.
	vpcendpoint.NewVpcEndpoint(c, tf.S("s3-endpoint"), &vpcendpoint.VpcEndpointConfig{
		VpcId:           v.Id(),
		ServiceName:     tf.S("com.amazonaws." + p.Region + ".s3"),
		VpcEndpointType: tf.S("Gateway"),
		RouteTableIds:   tf.Ss(privateRTs...),
		Tags:            name("s3"),
	})

	if !p.NoFlowLogs {
		newFlowLogs(c, p, *v.Id())
	}
	out.SecurityGroups = newSecurityGroups(c, p, *v.Id())
	return out
}

func newFlowLogs(c constructs.Construct, p Props, vpcID string) {
	group := cloudwatchloggroup.NewCloudwatchLogGroup(c, tf.S("flow-logs"), &cloudwatchloggroup.CloudwatchLogGroupConfig{
		Name:            tf.S("/aws/vpc/flow-logs/" + p.Name),
		RetentionInDays: tf.N(p.LogRetentionDays),
		KmsKeyId:        tf.S(p.Key.Arn),
	})
	role := iam.NewRole(c, "flow-logs-role", iam.RoleProps{
		Name:          p.Name + "-vpc-flow-logs",
		Description:   "VPC flow logs of " + p.Name + " write to their log group",
		Service:       "vpc-flow-logs.amazonaws.com",
		SourceAccount: p.AccountID,
	})
	arn := *group.Arn()
	role.Grant("write-flow-logs", iam.Allow("WriteFlowLogs",
		[]string{"logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"}, arn, arn+":*"))
	flowlog.NewFlowLog(c, tf.S("flow-log"), &flowlog.FlowLogConfig{
		VpcId:                  tf.S(vpcID),
		TrafficType:            tf.S("ALL"),
		LogDestinationType:     tf.S("cloud-watch-logs"),
		LogDestination:         group.Arn(),
		IamRoleArn:             role.Resource.Arn(),
		MaxAggregationInterval: tf.N(60),
	})
}

// rule is one ingress or egress rule; exactly one of cidr and peer is set.
type rule struct {
	id, description string
	port            int
	cidr            string
	peer            *string
}

// cidrBlock is the rule's CIDR, or nil when it names a peer group.
func (r rule) cidrBlock() *string {
	if r.cidr == "" {
		return nil
	}
	return tf.S(r.cidr)
}

func newSecurityGroups(c constructs.Construct, p Props, vpcID string) SecurityGroups {
	group := func(id, description string) securitygroup.SecurityGroup {
		return securitygroup.NewSecurityGroup(c, tf.S(id+"-sg"), &securitygroup.SecurityGroupConfig{
			Name:        tf.S(p.Name + "-" + id),
			Description: tf.S(description),
			VpcId:       tf.S(vpcID),
			Tags:        tf.Tags(map[string]string{"Name": p.Name + "-" + id}),
		})
	}
	alb := group("alb", "Internet-facing load balancer: HTTP/HTTPS in, api container port out")
	api := group("api", "api service tasks: container port from the load balancer only")
	worker := group("worker", "worker service tasks: no ingress")
	migrate := group("migrate", "one-off database migration task: no ingress")
	// A group's description cannot change without replacing the group, which
	// RDS holds: this one predates the migration task taking the place of
	// the scheduler function (now outside the VPC). The rules below are
	// what is allowed.
	db := group("database", "PostgreSQL: 5432 from the api, worker and scheduler only")

	ingress := func(sg securitygroup.SecurityGroup, r rule) {
		vpcsecuritygroupingressrule.NewVpcSecurityGroupIngressRule(c, tf.S(r.id), &vpcsecuritygroupingressrule.VpcSecurityGroupIngressRuleConfig{
			SecurityGroupId: sg.Id(), Description: tf.S(r.description), IpProtocol: tf.S("tcp"),
			FromPort: tf.N(r.port), ToPort: tf.N(r.port), CidrIpv4: r.cidrBlock(), ReferencedSecurityGroupId: r.peer,
		})
	}
	egress := func(sg securitygroup.SecurityGroup, r rule) {
		vpcsecuritygroupegressrule.NewVpcSecurityGroupEgressRule(c, tf.S(r.id), &vpcsecuritygroupegressrule.VpcSecurityGroupEgressRuleConfig{
			SecurityGroupId: sg.Id(), Description: tf.S(r.description), IpProtocol: tf.S("tcp"),
			FromPort: tf.N(r.port), ToPort: tf.N(r.port), CidrIpv4: r.cidrBlock(), ReferencedSecurityGroupId: r.peer,
		})
	}

	// The only ingress from the internet: the load balancer's listeners.
	ingress(alb, rule{id: "alb-in-http", description: "HTTP from the internet (redirected to HTTPS where a domain is set)", port: 80, cidr: "0.0.0.0/0"})
	ingress(alb, rule{id: "alb-in-https", description: "HTTPS from the internet", port: 443, cidr: "0.0.0.0/0"})
	egress(alb, rule{id: "alb-out-api", description: "To api tasks on the container port", port: p.ContainerPort, peer: api.Id()})

	ingress(api, rule{id: "api-in-alb", description: "From the load balancer on the container port", port: p.ContainerPort, peer: alb.Id()})
	for _, sg := range []struct {
		id, what string
		g        securitygroup.SecurityGroup
	}{{"api", "api", api}, {"worker", "worker", worker}, {"migrate", "migration task", migrate}} {
		// Tasks reach AWS APIs (ECR, SQS, Secrets Manager, Logs) over HTTPS through the NAT.
		egress(sg.g, rule{id: sg.id + "-out-https", description: "HTTPS to AWS APIs through the NAT gateway", port: 443, cidr: "0.0.0.0/0"})
		egress(sg.g, rule{id: sg.id + "-out-db", description: "PostgreSQL to the database", port: PostgresPort, peer: db.Id()})
		ingress(db, rule{id: "database-in-" + sg.id, description: "PostgreSQL from the " + sg.what, port: PostgresPort, peer: sg.g.Id()})
	}
	return SecurityGroups{ALB: *alb.Id(), API: *api.Id(), Worker: *worker.Id(), Migrate: *migrate.Id(), Database: *db.Id()}
}
