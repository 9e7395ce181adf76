// Package registry holds the environment's ECR repositories: scanned on push,
// encrypted with the environment key, with a lifecycle that never expires a
// release image, expires untagged images after N days and keeps only the
// newest M other tagged images.
package registry

import (
	"encoding/json"
	"fmt"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/ecrlifecyclepolicy"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/ecrrepository"

	"github.com/flow-builder/infra/constructs/encryption"
	"github.com/flow-builder/infra/internal/iam"
	"github.com/flow-builder/infra/internal/tf"
)

// Props configures the repositories.
type Props struct {
	// Name prefixes each repository, e.g. flow-builder-dev. Required.
	Name string
	// Repositories are the short names, e.g. api, worker. Required.
	Repositories []string
	// Key encrypts the images. Required.
	Key *encryption.Key
	// ImmutableTags makes tags IMMUTABLE. Default: false (MUTABLE).
	ImmutableTags bool
	// UntaggedExpiryDays expires untagged images after this many days. Required.
	UntaggedExpiryDays int
	// ReleaseTagPattern matches release tags (ECR tagPatternList syntax);
	// release images never expire. Required.
	ReleaseTagPattern string
	// KeepOtherImages keeps this many of the newest other images; older ones
	// expire. Required.
	KeepOtherImages int
	// ForceDelete lets Terraform delete a repository that still holds images
	// (disposable environments, which must destroy as configured).
	// Default: false.
	ForceDelete bool
}

// Repository is one ECR repository.
type Repository struct {
	// Name is the repository name.
	Name string
	// URL is the repository URL images are pushed to and pulled from.
	URL string
	// Arn is the repository ARN.
	Arn string
}

// Registry maps short names to repositories.
type Registry map[string]*Repository

// New creates the repositories.
func New(scope constructs.Construct, id string, p Props) Registry {
	if p.Name == "" || p.Key == nil || len(p.Repositories) == 0 || p.UntaggedExpiryDays < 1 || p.KeepOtherImages < 1 || p.ReleaseTagPattern == "" {
		panic("registry.New: Name, Key, Repositories, UntaggedExpiryDays, ReleaseTagPattern and KeepOtherImages are required")
	}
	c := constructs.NewConstruct(scope, &id)
	mutability := "MUTABLE"
	if p.ImmutableTags {
		mutability = "IMMUTABLE"
	}
	out := Registry{}
	for _, short := range p.Repositories {
		name := p.Name + "/" + short
		repo := ecrrepository.NewEcrRepository(c, tf.S(short), &ecrrepository.EcrRepositoryConfig{
			Name:                       tf.S(name),
			ImageTagMutability:         tf.S(mutability),
			ImageScanningConfiguration: &ecrrepository.EcrRepositoryImageScanningConfiguration{ScanOnPush: tf.B(true)},
			EncryptionConfiguration: []*ecrrepository.EcrRepositoryEncryptionConfiguration{{
				EncryptionType: tf.S("KMS"),
				KmsKey:         tf.S(p.Key.Arn),
			}},
			ForceDelete: tf.B(p.ForceDelete),
		})
		ecrlifecyclepolicy.NewEcrLifecyclePolicy(c, tf.S(short+"-lifecycle"), &ecrlifecyclepolicy.EcrLifecyclePolicyConfig{
			Repository: repo.Name(),
			Policy:     tf.S(LifecyclePolicy(p.ReleaseTagPattern, p.UntaggedExpiryDays, p.KeepOtherImages)),
		})
		out[short] = &Repository{Name: name, URL: *repo.RepositoryUrl(), Arn: *repo.Arn()}
	}
	return out
}

// KeepReleases is how many release images the first rule keeps: more than a
// repository can hold in practice, so it never expires one (AWS's own CDK
// documents the same "protect" rule with 9999).
const KeepReleases = 9999

// LifecyclePolicy is the ECR lifecycle document. An image matched by a
// higher-priority rule can never be expired by a lower one (ECR lifecycle
// evaluation rules), so rule 1 shields every release image, whichever
// environment runs it; untagged images expire after untaggedDays; of the
// other tagged images only the newest keep remain.
func LifecyclePolicy(releasePattern string, untaggedDays, keep int) string {
	type selection struct {
		TagStatus      string   `json:"tagStatus"`
		TagPatternList []string `json:"tagPatternList,omitempty"`
		CountType      string   `json:"countType"`
		CountUnit      string   `json:"countUnit,omitempty"`
		CountNumber    int      `json:"countNumber"`
	}
	type rule struct {
		RulePriority int               `json:"rulePriority"`
		Description  string            `json:"description"`
		Selection    selection         `json:"selection"`
		Action       map[string]string `json:"action"`
	}
	doc := map[string][]rule{"rules": {
		{1, fmt.Sprintf("Never expire release images (%s): environments run and roll back to them", releasePattern),
			selection{TagStatus: "tagged", TagPatternList: []string{releasePattern}, CountType: "imageCountMoreThan", CountNumber: KeepReleases},
			map[string]string{"type": "expire"}},
		{2, fmt.Sprintf("Expire untagged images after %d days", untaggedDays),
			selection{TagStatus: "untagged", CountType: "sinceImagePushed", CountUnit: "days", CountNumber: untaggedDays},
			map[string]string{"type": "expire"}},
		{3, fmt.Sprintf("Keep the newest %d other images", keep),
			selection{TagStatus: "any", CountType: "imageCountMoreThan", CountNumber: keep},
			map[string]string{"type": "expire"}},
	}}
	out, err := json.Marshal(doc)
	if err != nil {
		panic(err)
	}
	return string(out)
}

// GrantPull lets role pull images from the repository (ECS execution roles).
// ecr:GetAuthorizationToken has no resource scope: AWS only accepts "*".
func (r *Repository) GrantPull(role *iam.Role, id string) {
	role.Grant(id,
		iam.Allow("PullImages", []string{"ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"}, r.Arn),
		iam.Allow("GetRegistryToken", []string{"ecr:GetAuthorizationToken"}, "*"),
	)
}
