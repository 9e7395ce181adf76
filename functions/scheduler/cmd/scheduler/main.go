// Command scheduler is the Lambda entry point (provided.al2023, arm64; the
// binary is named bootstrap in the deployment package).
package main

import (
	"context"
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/flow-builder/infra/functions/scheduler"
)

func main() {
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		log.Fatalf("scheduler: load AWS config: %v", err)
	}
	h := scheduler.Handler{QueueURL: os.Getenv("JOBS_QUEUE_URL"), SQS: sqs.NewFromConfig(cfg)}
	lambda.Start(h.Handle)
}
