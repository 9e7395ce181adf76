package service

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/acmcertificate"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/acmcertificatevalidation"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dataawselbserviceaccount"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/lb"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/lblistener"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/lbtargetgroup"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/route53record"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/flow-builder/infra/constructs/bucket"
	"github.com/flow-builder/infra/internal/iam"
	"github.com/flow-builder/infra/internal/tf"
)

// TLSPolicy allows TLS 1.3 and 1.2 only.
const TLSPolicy = "ELBSecurityPolicy-TLS13-1-2-2021-06"

type loadBalancer struct {
	arnSuffix, targetGroupArnSuffix, targetGroupArn, url string
	// listener is the listener that forwards to the api; the service waits for it.
	listener lblistener.LbListener
}

func newLoadBalancer(c constructs.Construct, p Props) *loadBalancer {
	cfg := &lb.LbConfig{
		Name:                     tf.S(p.Name),
		Internal:                 tf.B(false), // internet-facing by design: the api's front door
		LoadBalancerType:         tf.S("application"),
		Subnets:                  tf.Ss(p.Network.PublicSubnetIDs...),
		SecurityGroups:           tf.Ss(p.Network.SecurityGroups.ALB),
		DropInvalidHeaderFields:  tf.B(true),
		DesyncMitigationMode:     tf.S("defensive"),
		EnableDeletionProtection: tf.B(p.Features.ALBDeletionProtection),
		IdleTimeout:              tf.N(60),
	}
	if p.Features.ALBAccessLogs {
		logs := accessLogBucket(c, p)
		cfg.AccessLogs = &lb.LbAccessLogs{Bucket: tf.S(logs.Name), Prefix: tf.S("alb"), Enabled: tf.B(true)}
		// The ALB checks it may write before it accepts the setting.
		cfg.DependsOn = &[]cdktf.ITerraformDependable{logs.Policy}
	}
	alb := lb.NewLb(c, tf.S("alb"), cfg)

	tg := lbtargetgroup.NewLbTargetGroup(c, tf.S("api-tg"), &lbtargetgroup.LbTargetGroupConfig{
		Name:                tf.S(p.Name + "-api"),
		TargetType:          tf.S("ip"),
		Port:                tf.N(p.Services.ContainerPort),
		Protocol:            tf.S("HTTP"),
		VpcId:               tf.S(p.Network.VpcID),
		DeregistrationDelay: tf.S("30"),
		HealthCheck: &lbtargetgroup.LbTargetGroupHealthCheck{
			Enabled:            tf.B(true),
			Path:               tf.S(p.Services.HealthCheckPath),
			Matcher:            tf.S("200-399"),
			Interval:           tf.N(15),
			Timeout:            tf.N(5),
			HealthyThreshold:   tf.N(2),
			UnhealthyThreshold: tf.N(3),
		},
	})
	out := &loadBalancer{arnSuffix: *alb.ArnSuffix(), targetGroupArnSuffix: *tg.ArnSuffix(), targetGroupArn: *tg.Arn()}
	forward := []*lblistener.LbListenerDefaultAction{{Type: tf.S("forward"), TargetGroupArn: tg.Arn()}}

	if p.DNS.Domain == "" {
		// No domain (dev): plain HTTP on the ALB's own name.
		out.listener = lblistener.NewLbListener(c, tf.S("http"), &lblistener.LbListenerConfig{
			LoadBalancerArn: alb.Arn(), Port: tf.N(80), Protocol: tf.S("HTTP"), DefaultAction: forward,
		})
		out.url = "http://" + *alb.DnsName()
		return out
	}

	cert := acmcertificate.NewAcmCertificate(c, tf.S("certificate"), &acmcertificate.AcmCertificateConfig{
		DomainName:       tf.S(p.DNS.Domain),
		ValidationMethod: tf.S("DNS"),
		KeyAlgorithm:     tf.S("EC_prime256v1"),
		Lifecycle:        &cdktf.TerraformResourceLifecycle{CreateBeforeDestroy: tf.B(true)},
	})
	dvo := cert.DomainValidationOptions().Get(tf.N(0))
	record := route53record.NewRoute53Record(c, tf.S("certificate-validation-record"), &route53record.Route53RecordConfig{
		ZoneId:         tf.S(p.DNS.HostedZoneID),
		Name:           dvo.ResourceRecordName(),
		Type:           dvo.ResourceRecordType(),
		Records:        &[]*string{dvo.ResourceRecordValue()},
		Ttl:            tf.N(60),
		AllowOverwrite: tf.B(true),
	})
	validated := acmcertificatevalidation.NewAcmCertificateValidation(c, tf.S("certificate-validation"), &acmcertificatevalidation.AcmCertificateValidationConfig{
		CertificateArn:        cert.Arn(),
		ValidationRecordFqdns: &[]*string{record.Fqdn()},
	})
	out.listener = lblistener.NewLbListener(c, tf.S("https"), &lblistener.LbListenerConfig{
		LoadBalancerArn: alb.Arn(), Port: tf.N(443), Protocol: tf.S("HTTPS"),
		SslPolicy: tf.S(TLSPolicy), CertificateArn: validated.CertificateArn(), DefaultAction: forward,
	})
	lblistener.NewLbListener(c, tf.S("http-redirect"), &lblistener.LbListenerConfig{
		LoadBalancerArn: alb.Arn(), Port: tf.N(80), Protocol: tf.S("HTTP"),
		DefaultAction: []*lblistener.LbListenerDefaultAction{{
			Type:     tf.S("redirect"),
			Redirect: &lblistener.LbListenerDefaultActionRedirect{Protocol: tf.S("HTTPS"), Port: tf.S("443"), StatusCode: tf.S("HTTP_301")},
		}},
	})
	route53record.NewRoute53Record(c, tf.S("api-alias"), &route53record.Route53RecordConfig{
		ZoneId: tf.S(p.DNS.HostedZoneID),
		Name:   tf.S(p.DNS.Domain),
		Type:   tf.S("A"),
		Alias:  &route53record.Route53RecordAlias{Name: alb.DnsName(), ZoneId: alb.ZoneId(), EvaluateTargetHealth: tf.B(true)},
	})
	out.url = "https://" + p.DNS.Domain
	return out
}

// accessLogBucket is where the ALB writes access logs. ALB log delivery only
// supports SSE-S3, so this is the one bucket without the KMS key.
func accessLogBucket(c constructs.Construct, p Props) *bucket.Bucket {
	elb := dataawselbserviceaccount.NewDataAwsElbServiceAccount(c, tf.S("elb-account"), &dataawselbserviceaccount.DataAwsElbServiceAccountConfig{})
	return bucket.New(c, "alb-logs", bucket.Props{
		Name:              p.Name + "-alb-logs-" + p.AccountID,
		ExpireObjectsDays: p.LogRetentionDays,
		PolicyStatements: func(arn string) []iam.Statement {
			objects := arn + "/alb/AWSLogs/" + p.AccountID + "/*"
			return []iam.Statement{
				// Regions opened before August 2022 deliver as the regional ELB account ...
				{Sid: "ELBAccountWritesAccessLogs", Effect: "Allow", Principal: map[string]any{"AWS": *elb.Arn()},
					Action: []string{"s3:PutObject"}, Resource: []string{objects}},
				// ... newer ones as the log delivery service.
				{Sid: "LogDeliveryWritesAccessLogs", Effect: "Allow", Principal: map[string]any{"Service": "logdelivery.elasticloadbalancing.amazonaws.com"},
					Action: []string{"s3:PutObject"}, Resource: []string{objects}},
			}
		},
	})
}
