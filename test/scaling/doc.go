// Package scaling replays, minute by minute, what AWS does with the scaling
// wiring of a synthesized application stack: CloudWatch alarms (single
// metrics and metric math), Application Auto Scaling step and target-tracking
// policies with their cooldowns, the scalable targets' bounds, the load
// balancer answering 503 while no task is healthy, Fargate start-up and
// health checks, and SQS visibility.
//
// It reads the stack's Terraform JSON (the released golden files under
// stacks/testdata/released/) and is pure Go: no jsii, no AWS. Every rule it
// applies cites, next to the code, the AWS page that documents it. Where AWS
// documents nothing and the replay has to choose, the comment says so
// ("Assumption:") and the choice is the conservative one.
package scaling
