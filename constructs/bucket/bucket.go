// Package bucket is a private S3 bucket with every control of the security
// checklist: public access blocked, owner-enforced ownership, versioning,
// encryption, TLS-only policy and a lifecycle for old versions.
package bucket

import (
	"fmt"
	"regexp"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucket"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketlifecycleconfiguration"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketownershipcontrols"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketpolicy"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketpublicaccessblock"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketserversideencryptionconfiguration"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketversioning"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/flow-builder/infra/constructs/encryption"
	"github.com/flow-builder/infra/internal/iam"
	"github.com/flow-builder/infra/internal/tf"
)

// Props configures a bucket.
type Props struct {
	// Name is the globally unique bucket name. Required.
	Name string
	// Key encrypts objects with SSE-KMS. Default: SSE-S3 (AES256), which is
	// what services that cannot use a KMS key need (ALB access logs); say why
	// next to the call.
	Key *encryption.Key
	// NoncurrentVersionDays expires old object versions after this many days. Default: 90.
	NoncurrentVersionDays int
	// ExpireObjectsDays expires current objects after this many days. Default: never.
	ExpireObjectsDays int
	// PolicyStatements are added to the bucket policy after the TLS-only deny.
	// Default: none.
	PolicyStatements func(bucketArn string) []iam.Statement
	// PreventDestroy makes Terraform refuse to destroy the bucket. Default: false.
	PreventDestroy bool
}

// Bucket is the created bucket.
type Bucket struct {
	// Resource is the aws_s3_bucket.
	Resource s3bucket.S3Bucket
	// Name is the bucket name.
	Name string
	// Arn is the bucket ARN (a token).
	Arn string
	// Policy is the bucket policy; resources that need it in place depend on it.
	Policy s3bucketpolicy.S3BucketPolicy
}

var reName = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

// New creates the bucket and its controls.
func New(scope constructs.Construct, id string, p Props) *Bucket {
	if !reName.MatchString(p.Name) {
		panic(fmt.Sprintf("bucket.New: Name %q is not a valid S3 bucket name", p.Name))
	}
	noncurrent := p.NoncurrentVersionDays
	if noncurrent == 0 {
		noncurrent = 90
	}
	c := constructs.NewConstruct(scope, &id)
	var lifecycle *cdktf.TerraformResourceLifecycle
	if p.PreventDestroy {
		lifecycle = &cdktf.TerraformResourceLifecycle{PreventDestroy: tf.B(true)}
	}
	b := s3bucket.NewS3Bucket(c, tf.S("bucket"), &s3bucket.S3BucketConfig{
		Bucket:       tf.S(p.Name),
		ForceDestroy: tf.B(false),
		Lifecycle:    lifecycle,
	})
	pab := s3bucketpublicaccessblock.NewS3BucketPublicAccessBlock(c, tf.S("public-access-block"), &s3bucketpublicaccessblock.S3BucketPublicAccessBlockConfig{
		Bucket:                b.Id(),
		BlockPublicAcls:       tf.B(true),
		BlockPublicPolicy:     tf.B(true),
		IgnorePublicAcls:      tf.B(true),
		RestrictPublicBuckets: tf.B(true),
	})
	s3bucketownershipcontrols.NewS3BucketOwnershipControls(c, tf.S("ownership"), &s3bucketownershipcontrols.S3BucketOwnershipControlsConfig{
		Bucket: b.Id(),
		Rule:   &s3bucketownershipcontrols.S3BucketOwnershipControlsRule{ObjectOwnership: tf.S("BucketOwnerEnforced")},
	})
	versioning := s3bucketversioning.NewS3BucketVersioningA(c, tf.S("versioning"), &s3bucketversioning.S3BucketVersioningAConfig{
		Bucket:                  b.Id(),
		VersioningConfiguration: &s3bucketversioning.S3BucketVersioningVersioningConfiguration{Status: tf.S("Enabled")},
	})
	sse := &s3bucketserversideencryptionconfiguration.S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA{
		SseAlgorithm: tf.S("AES256"),
	}
	if p.Key != nil {
		sse = &s3bucketserversideencryptionconfiguration.S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA{
			SseAlgorithm:   tf.S("aws:kms"),
			KmsMasterKeyId: tf.S(p.Key.Arn),
		}
	}
	s3bucketserversideencryptionconfiguration.NewS3BucketServerSideEncryptionConfigurationA(c, tf.S("encryption"), &s3bucketserversideencryptionconfiguration.S3BucketServerSideEncryptionConfigurationAConfig{
		Bucket: b.Id(),
		Rule: []*s3bucketserversideencryptionconfiguration.S3BucketServerSideEncryptionConfigurationRuleA{{
			ApplyServerSideEncryptionByDefault: sse,
			BucketKeyEnabled:                   tf.B(p.Key != nil),
		}},
	})
	rules := []*s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRule{{
		Id:     tf.S("expire-noncurrent-versions"),
		Status: tf.S("Enabled"),
		Filter: []*s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRuleFilter{{Prefix: tf.S("")}},
		NoncurrentVersionExpiration: []*s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration{{
			NoncurrentDays: tf.N(noncurrent),
		}},
		AbortIncompleteMultipartUpload: []*s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload{{
			DaysAfterInitiation: tf.N(7),
		}},
	}}
	if p.ExpireObjectsDays > 0 {
		rules = append(rules, &s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRule{
			Id:         tf.S("expire-objects"),
			Status:     tf.S("Enabled"),
			Filter:     []*s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRuleFilter{{Prefix: tf.S("")}},
			Expiration: []*s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRuleExpiration{{Days: tf.N(p.ExpireObjectsDays)}},
		})
	}
	s3bucketlifecycleconfiguration.NewS3BucketLifecycleConfiguration(c, tf.S("lifecycle"), &s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationConfig{
		Bucket:    b.Id(),
		Rule:      rules,
		DependsOn: &[]cdktf.ITerraformDependable{versioning},
	})
	arn := *b.Arn()
	statements := []iam.Statement{{
		Sid:       "DenyInsecureTransport",
		Effect:    "Deny",
		Principal: map[string]any{"AWS": "*"},
		Action:    []string{"s3:*"},
		Resource:  []string{arn, arn + "/*"},
		Condition: map[string]map[string]any{"Bool": {"aws:SecureTransport": "false"}},
	}}
	if p.PolicyStatements != nil {
		statements = append(statements, p.PolicyStatements(arn)...)
	}
	policy := s3bucketpolicy.NewS3BucketPolicy(c, tf.S("policy"), &s3bucketpolicy.S3BucketPolicyConfig{
		Bucket: b.Id(),
		Policy: tf.S(iam.Document(statements...)),
		// The public access block must exist first, or a policy naming
		// another account's principal may briefly count as public.
		DependsOn: &[]cdktf.ITerraformDependable{pab},
	})
	return &Bucket{Resource: b, Name: p.Name, Arn: arn, Policy: policy}
}
