package scheduler

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type fakeSQS struct {
	sent []*sqs.SendMessageInput
	err  error
}

func (f *fakeSQS) SendMessage(_ context.Context, in *sqs.SendMessageInput, _ ...func(*sqs.Options)) (*sqs.SendMessageOutput, error) {
	if f.err != nil {
		return nil, f.err
	}
	f.sent = append(f.sent, in)
	return &sqs.SendMessageOutput{MessageId: aws.String("m-1")}, nil
}

const queueURL = "https://sqs.us-east-1.amazonaws.com/111111111111/flow-builder-dev-jobs"

func TestHandleSendsOneTick(t *testing.T) {
	f := &fakeSQS{}
	h := Handler{QueueURL: queueURL, SQS: f}
	res, err := h.Handle(context.Background(), Event{ScheduledTime: "2026-11-28T10:15:00Z"})
	require.NoError(t, err)
	require.Len(t, f.sent, 1)
	in := f.sent[0]
	assert.Equal(t, queueURL, aws.ToString(in.QueueUrl))
	var tick Tick
	require.NoError(t, json.Unmarshal([]byte(aws.ToString(in.MessageBody)), &tick))
	assert.Equal(t, Tick{Type: "schedule.tick", ScheduledTime: "2026-11-28T10:15:00Z", IdempotencyKey: "schedule.tick/2026-11-28T10:15:00Z"}, tick)
	assert.Equal(t, "schedule.tick", aws.ToString(in.MessageAttributes["type"].StringValue))
	assert.Equal(t, tick.IdempotencyKey, aws.ToString(in.MessageAttributes["idempotency_key"].StringValue))
	assert.Equal(t, Result{MessageID: "m-1", IdempotencyKey: tick.IdempotencyKey}, res)
}

func TestRetriesOfOneInvocationShareTheKey(t *testing.T) {
	f := &fakeSQS{}
	h := Handler{QueueURL: queueURL, SQS: f}
	// The same scheduled time in another offset is the same instant.
	for _, at := range []string{"2026-11-28T10:15:00Z", "2026-11-28T11:15:00+01:00"} {
		_, err := h.Handle(context.Background(), Event{ScheduledTime: at})
		require.NoError(t, err)
	}
	require.Len(t, f.sent, 2)
	assert.Equal(t, f.sent[0].MessageAttributes["idempotency_key"].StringValue, f.sent[1].MessageAttributes["idempotency_key"].StringValue)
}

func TestManualInvocationUsesTheCurrentMinute(t *testing.T) {
	f := &fakeSQS{}
	h := Handler{QueueURL: queueURL, SQS: f, Now: func() time.Time { return time.Date(2026, 11, 28, 9, 7, 42, 5, time.FixedZone("X", 3600)) }}
	res, err := h.Handle(context.Background(), Event{})
	require.NoError(t, err)
	assert.Equal(t, "schedule.tick/2026-11-28T08:07:00Z", res.IdempotencyKey)
}

func TestFailures(t *testing.T) {
	_, err := Handler{SQS: &fakeSQS{}}.Handle(context.Background(), Event{})
	assert.ErrorContains(t, err, "JOBS_QUEUE_URL is not set")

	_, err = Handler{QueueURL: queueURL, SQS: &fakeSQS{}}.Handle(context.Background(), Event{ScheduledTime: "yesterday"})
	assert.ErrorContains(t, err, `scheduled_time "yesterday" is not RFC 3339`)

	boom := errors.New("throttled")
	_, err = Handler{QueueURL: queueURL, SQS: &fakeSQS{err: boom}}.Handle(context.Background(), Event{ScheduledTime: "2026-11-28T10:15:00Z"})
	assert.ErrorIs(t, err, boom, "a send failure fails the invocation so Lambda retries")
}
