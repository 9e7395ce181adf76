// Package scheduler is the Lambda function EventBridge Scheduler invokes on
// the environment's schedule. Each invocation puts one schedule.tick message
// on the jobs queue; the worker turns ticks into the flow runs that are due.
package scheduler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// MessageType is the type attribute and field of every tick.
const MessageType = "schedule.tick"

// Sender is the part of the SQS client the handler uses.
type Sender interface {
	SendMessage(ctx context.Context, in *sqs.SendMessageInput, opts ...func(*sqs.Options)) (*sqs.SendMessageOutput, error)
}

// Event is the input EventBridge Scheduler sends (see the schedule's target
// input: {"scheduled_time": "<aws.scheduler.scheduled-time>"}).
type Event struct {
	// ScheduledTime is when the invocation was scheduled, not when it ran:
	// retries of one invocation carry the same value.
	ScheduledTime string `json:"scheduled_time"`
}

// Tick is the message body.
type Tick struct {
	Type string `json:"type"`
	// ScheduledTime is the schedule's time for this tick, RFC 3339, UTC.
	ScheduledTime string `json:"scheduled_time"`
	// IdempotencyKey is the same for every retry of one scheduled invocation,
	// so the worker can drop duplicates.
	IdempotencyKey string `json:"idempotency_key"`
}

// Result is what the function returns (visible in the Lambda console and in
// on-success destinations).
type Result struct {
	MessageID      string `json:"message_id"`
	IdempotencyKey string `json:"idempotency_key"`
}

// Handler sends ticks to QueueURL.
type Handler struct {
	QueueURL string
	SQS      Sender
	// Now is the clock for manual invocations without a scheduled time.
	Now func() time.Time
}

// Handle turns one scheduled invocation into one tick message.
func (h Handler) Handle(ctx context.Context, ev Event) (Result, error) {
	if h.QueueURL == "" {
		return Result{}, errors.New("scheduler: JOBS_QUEUE_URL is not set")
	}
	at, err := h.scheduledTime(ev)
	if err != nil {
		return Result{}, err
	}
	tick := Tick{
		Type:           MessageType,
		ScheduledTime:  at.Format(time.RFC3339),
		IdempotencyKey: MessageType + "/" + at.Format(time.RFC3339),
	}
	body, err := json.Marshal(tick)
	if err != nil {
		return Result{}, err
	}
	out, err := h.SQS.SendMessage(ctx, &sqs.SendMessageInput{
		QueueUrl:    aws.String(h.QueueURL),
		MessageBody: aws.String(string(body)),
		MessageAttributes: map[string]types.MessageAttributeValue{
			"type":            {DataType: aws.String("String"), StringValue: aws.String(MessageType)},
			"idempotency_key": {DataType: aws.String("String"), StringValue: aws.String(tick.IdempotencyKey)},
		},
	})
	if err != nil {
		// Returning the error makes Lambda retry, then use the on-failure destination.
		return Result{}, fmt.Errorf("scheduler: send %s: %w", tick.IdempotencyKey, err)
	}
	return Result{MessageID: aws.ToString(out.MessageId), IdempotencyKey: tick.IdempotencyKey}, nil
}

// scheduledTime reads the event's time, or for a manual invocation without
// one, the current minute.
func (h Handler) scheduledTime(ev Event) (time.Time, error) {
	if ev.ScheduledTime == "" {
		now := time.Now
		if h.Now != nil {
			now = h.Now
		}
		return now().UTC().Truncate(time.Minute), nil
	}
	at, err := time.Parse(time.RFC3339, ev.ScheduledTime)
	if err != nil {
		return time.Time{}, fmt.Errorf("scheduler: scheduled_time %q is not RFC 3339: %w", ev.ScheduledTime, err)
	}
	return at.UTC(), nil
}
