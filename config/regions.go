package config

import "strings"

// The known AWS regions, by partition, as of 2026-11.
//
// Source: the "regions" of each partition in partitions.json of
// github.com/aws/aws-sdk-go-v2 v1.48.0 (released 2026-11-10, the version
// go.mod requires), internal/endpoints/awsrulesfn/partitions.json, without
// the pseudo regions aws-global, aws-cn-global and aws-us-gov-global. To
// update: bump the SDK, list the same file and add the new names here.
// Deliberately left out: the isolated partitions (aws-iso*) and the AWS
// European Sovereign Cloud (aws-eusc, eusc-de-east-1), which need their own
// accounts and endpoints this application has never been built for.

// CommercialRegions are the regions of the aws partition.
var CommercialRegions = []string{
	"af-south-1",
	"ap-east-1", "ap-east-2",
	"ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
	"ap-south-1", "ap-south-2",
	"ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
	"ap-southeast-5", "ap-southeast-6", "ap-southeast-7",
	"ca-central-1", "ca-west-1",
	"eu-central-1", "eu-central-2",
	"eu-north-1",
	"eu-south-1", "eu-south-2",
	"eu-west-1", "eu-west-2", "eu-west-3",
	"il-central-1",
	"me-central-1", "me-south-1", "me-west-1",
	"mx-central-1",
	"sa-east-1", "sa-west-1",
	"us-east-1", "us-east-2",
	"us-west-1", "us-west-2",
}

// GovCloudRegions are the regions of the aws-us-gov partition.
var GovCloudRegions = []string{"us-gov-east-1", "us-gov-west-1"}

// ChinaRegions are the regions of the aws-cn partition.
var ChinaRegions = []string{"cn-north-1", "cn-northwest-1"}

// knownRegion reports whether region is in one of the lists above.
func knownRegion(region string) bool {
	return contains(CommercialRegions, region) || contains(GovCloudRegions, region) || contains(ChinaRegions, region)
}

// partitionOf names the partition a region name belongs to, by its prefix
// (so that an unlisted region is placed too): aws-us-gov, aws-cn or aws.
func partitionOf(region string) string {
	switch {
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	}
	return "aws"
}
