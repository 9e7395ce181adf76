package scaling

import (
	"fmt"
	"sort"
)

// Scenario is the load replayed against a stack, minute by minute.
type Scenario struct {
	Name    string
	Minutes int
	// Requests is the number of api requests in a minute, spread evenly over it.
	Requests func(minute int) int
	// Jobs is the number of messages sent to the jobs queue in a minute,
	// spread evenly over it.
	Jobs func(minute int) int
	// JobSeconds is how long a worker takes for one message (one at a time
	// per task). Default: 10.
	JobSeconds int
	// StartupSeconds is how long Fargate takes from a new desired count to a
	// running container (provisioning, image pull, start). Default: 60.
	StartupSeconds int
	// CPUPercent and MemoryPercent are the api tasks' utilization while
	// running. Default: 10 and 20 (a lightly loaded api).
	CPUPercent, MemoryPercent float64
	// Initial is each service's desired count at minute 0. Default: the
	// target's minimum (or 0 when RestFromIdle).
	Initial map[string]int
	// Idle starts the alarms as after a long quiet spell: every scaling
	// alarm's history is its missing-data treatment. Default: alarms start
	// in INSUFFICIENT_DATA with no history, as when just created.
	Idle bool
}

// Row is the state at the end of one minute.
type Row struct {
	Minute int
	// Desired and Ready (healthy api tasks / running worker tasks) per service.
	Desired, Ready map[string]int
	// Requests, Served and Rejected (HTTP 503 from the load balancer) in the minute.
	Requests, Served, Rejected int
	// Visible and InFlight messages at the end of the minute.
	Visible, InFlight int
	// States of every scaling alarm after this minute's evaluation.
	States map[string]State
	// Activities are the scaling activities of the minute.
	Activities []string
	// Lowered marks a service whose desired count some activity of the
	// minute lowered (even if another raised it again).
	Lowered map[string]bool
}

// Result is a replayed scenario.
type Result struct {
	Scenario Scenario
	Alarms   []string
	Rows     []Row
	// FirstRequest and FirstServed are the seconds of the first request and
	// of the first request a task answered (-1: none).
	FirstRequest, FirstServed int
	// Interrupted counts messages whose task was stopped before it finished
	// them; Redelivered counts receives beyond the first; DeadLettered
	// counts messages moved to the DLQ.
	Interrupted, Redelivered, DeadLettered int
	// Done counts messages processed and deleted.
	Done  int
	world *world
}

type task struct {
	service  string
	running  int // second the container runs
	ready    int // second it serves (api: after health checks)
	stopping bool
	goneAt   int // second it exits (stopping)
	busy     *message
	doneAt   int
}

type message struct {
	sentAt, visibleAt int
	receives          int
	done, dlq         bool
}

type agg struct{ sum, max, min, n float64 }

type world struct {
	s        *Stack
	sc       Scenario
	cap      map[string]*capacity
	tasks    []*task
	msgs     []*message
	metrics  map[string]map[int]*agg
	states   map[*Alarm]State
	lastBusy int // last second the queue saw a send or receive call
	res      *Result
}

// Run replays a scenario against the stack.
func Run(s *Stack, sc Scenario) (*Result, error) {
	if sc.JobSeconds == 0 {
		sc.JobSeconds = 10
	}
	if sc.StartupSeconds == 0 {
		sc.StartupSeconds = 60
	}
	if sc.CPUPercent == 0 {
		sc.CPUPercent = 10
	}
	if sc.MemoryPercent == 0 {
		sc.MemoryPercent = 20
	}
	if sc.Requests == nil {
		sc.Requests = func(int) int { return 0 }
	}
	if sc.Jobs == nil {
		sc.Jobs = func(int) int { return 0 }
	}
	w := &world{s: s, sc: sc, cap: map[string]*capacity{}, metrics: map[string]map[int]*agg{}, states: map[*Alarm]State{},
		res: &Result{Scenario: sc, FirstRequest: -1, FirstServed: -1}, lastBusy: -1 << 30}
	w.res.world = w
	for _, name := range []string{"api", "worker"} {
		t := s.Targets[name]
		n, ok := sc.Initial[name]
		if !ok {
			n = t.Min
		}
		w.cap[name] = newCapacity(t, n)
		for i := 0; i < w.cap[name].desired; i++ {
			w.tasks = append(w.tasks, &task{service: name, running: -3600, ready: -3600})
		}
	}
	for _, a := range s.Alarms {
		w.states[a] = InsufficientData
		w.res.Alarms = append(w.res.Alarms, a.Name)
	}
	for m := 0; m < sc.Minutes; m++ {
		row := Row{Minute: m, Desired: map[string]int{}, Ready: map[string]int{}, States: map[string]State{}, Lowered: map[string]bool{}}
		if err := w.evaluate(m, &row); err != nil {
			return nil, err
		}
		w.reconcile(60 * m)
		w.minute(m, &row)
		for _, name := range []string{"api", "worker"} {
			row.Desired[name] = w.cap[name].desired
			row.Ready[name] = w.count(name, 60*m+59, true)
		}
		for _, a := range s.Alarms {
			row.States[a.Name] = w.states[a]
		}
		w.res.Rows = append(w.res.Rows, row)
	}
	return w.res, nil
}

// evaluate runs every alarm at the start of minute m over the datapoints of
// the minutes before it, then the policies its state invokes.
//
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-actions.html:
// except for Auto Scaling actions, actions happen only on state transitions;
// an alarm whose action is a scaling policy invokes it again every period
// (here every minute) it stays in the state.
func (w *world) evaluate(m int, row *Row) error {
	now := 60 * m
	for _, a := range w.s.Alarms {
		if a.Period != 60 {
			return fmt.Errorf("alarm %s: period %d: only 60-second periods are replayed", a.Name, a.Period)
		}
		points := make([]*float64, a.EvaluationPeriods)
		for i := range points {
			minute := m - a.EvaluationPeriods + i
			if minute < 0 {
				if !w.sc.Idle {
					continue // no history yet: missing
				}
				minute = -1 // before the scenario: the quiet past
			}
			v, err := a.value(w, minute)
			if err != nil {
				return err
			}
			points[i] = v
		}
		if m == 0 && !w.sc.Idle {
			continue // a new alarm starts in INSUFFICIENT_DATA
		}
		st, err := nextState(w.states[a], points, a.Comparison, a.Threshold, a.TreatMissingData, a.DatapointsToAlarm)
		if err != nil {
			return fmt.Errorf("alarm %s: %w", a.Name, err)
		}
		w.states[a] = st
		actions := map[State][]*Policy{InAlarm: a.AlarmActions, OK: a.OKActions}[st]
		for _, p := range actions {
			before := w.cap[p.Target.Service].desired
			msg, err := w.cap[p.Target.Service].applyStep(p, a, points[len(points)-1], now)
			if w.cap[p.Target.Service].desired < before {
				row.Lowered[p.Target.Service] = true
			}
			if err != nil {
				return err
			}
			if msg != "" {
				row.Activities = append(row.Activities, a.Name+" → "+msg)
				// Each activity sets the service's desired count at once;
				// ECS acts on it before the next one.
				w.reconcile(now)
			}
		}
	}
	for _, name := range []string{"api", "worker"} {
		points := map[*Policy][]*float64{}
		for _, p := range w.s.Targets[name].Policies {
			if p.Track == nil {
				continue
			}
			for i := trackInPoints; i >= 1; i-- {
				points[p] = append(points[p], w.serviceMetric(name, p.Track.Metric, m-i))
			}
		}
		if len(points) > 0 {
			before := w.cap[name].desired
			if msg := w.cap[name].applyTracking(points, now); msg != "" {
				row.Activities = append(row.Activities, name+" "+msg)
				row.Lowered[name] = row.Lowered[name] || w.cap[name].desired < before
				w.reconcile(now)
			}
		}
	}
	return nil
}

// reconcile makes ECS converge on the desired counts at second now.
//
// Stopping a task: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html
// (stopTimeout: after SIGTERM the container has this long before it is
// killed). The image contract: on SIGTERM a worker stops taking work and
// finishes the message it holds if it can.
// Which tasks a scale-in stops: ECS does not know what a task is doing
// unless it is protected (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-scale-in-protection.html),
// so the replay takes the worst case: busy workers first.
func (w *world) reconcile(now int) {
	for _, name := range []string{"api", "worker"} {
		var active []*task
		for _, t := range w.tasks {
			if t.service == name && !t.stopping {
				active = append(active, t)
			}
		}
		want := w.cap[name].desired
		for i := len(active); i < want; i++ {
			t := &task{service: name, running: now + w.sc.StartupSeconds}
			t.ready = t.running
			if name == "api" {
				// A target serves once it passed HealthyThreshold checks,
				// Interval seconds apart.
				// https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html
				t.ready += w.s.HealthCheck.HealthyThreshold * w.s.HealthCheck.IntervalSeconds
			}
			w.tasks = append(w.tasks, t)
		}
		if len(active) <= want {
			continue
		}
		sort.SliceStable(active, func(i, j int) bool { return active[i].busy != nil && active[j].busy == nil })
		for _, t := range active[:len(active)-want] {
			t.stopping = true
			t.goneAt = now
			if t.busy != nil {
				stop := w.s.StopTimeout[name]
				if t.doneAt <= now+stop {
					t.goneAt = t.doneAt // finishes its message, then exits
				} else {
					t.goneAt = now + stop // killed: the message stays invisible until its timeout
					t.busy = nil
					w.res.Interrupted++
				}
			}
		}
	}
}

// count returns the tasks of a service running (ready: serving) at second s.
func (w *world) count(name string, s int, ready bool) int {
	n := 0
	for _, t := range w.tasks {
		at := t.running
		if ready {
			at = t.ready
		}
		if t.service == name && at <= s && (!t.stopping || s < t.goneAt) {
			n++
		}
	}
	return n
}

// minute plays the data plane of minute m second by second.
func (w *world) minute(m int, row *Row) {
	reqs, jobs := w.sc.Requests(m), w.sc.Jobs(m)
	row.Requests = reqs
	for sec := 60 * m; sec < 60*m+60; sec++ {
		off := sec - 60*m
		// Messages: sent evenly over the minute.
		for i := 0; i < jobs; i++ {
			if i*60/jobs == off {
				w.msgs = append(w.msgs, &message{sentAt: sec, visibleAt: sec})
				w.add("AWS/SQS/NumberOfMessagesSent", m, 1)
				w.lastBusy = sec
			}
		}
		w.workers(sec, m)
		// Requests: the load balancer forwards to a healthy target, or
		// answers 503 itself when there is none; RequestCount only counts
		// requests for which it chose a target, HTTPCode_ELB_503_Count the
		// 503s it generated.
		// https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html
		// https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-troubleshooting.html (HTTP 503: no registered targets)
		for i := 0; i < reqs; i++ {
			if i*60/reqs != off {
				continue
			}
			if w.res.FirstRequest < 0 {
				w.res.FirstRequest = sec
			}
			if w.count("api", sec, true) > 0 {
				row.Served++
				w.add("AWS/ApplicationELB/RequestCount", m, 1)
				if w.res.FirstServed < 0 {
					w.res.FirstServed = sec
				}
			} else {
				row.Rejected++
				w.add("AWS/ApplicationELB/HTTPCode_ELB_503_Count", m, 1)
			}
		}
	}
	// Queue depth at the end of the minute, published once a minute while
	// the queue is active; after six hours without activity SQS stops
	// publishing until the queue wakes.
	// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html
	end := 60*m + 59
	for _, msg := range w.msgs {
		switch {
		case msg.done || msg.dlq:
		case msg.visibleAt <= end:
			row.Visible++
		default:
			row.InFlight++
		}
	}
	if end-w.lastBusy < 6*3600 {
		w.add("AWS/SQS/ApproximateNumberOfMessagesVisible", m, float64(row.Visible))
		w.add("AWS/SQS/ApproximateNumberOfMessagesNotVisible", m, float64(row.InFlight))
	}
	if n := w.count("api", end, false); n > 0 {
		w.add("ecs/api/ECSServiceAverageCPUUtilization", m, w.sc.CPUPercent)
		w.add("ecs/api/ECSServiceAverageMemoryUtilization", m, w.sc.MemoryPercent)
	}
}

// workers: each running worker that is not stopping takes one visible
// message at a time (long polling: as soon as one is visible).
//
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-visibility-timeout.html:
// a received message stays in the queue, invisible for the visibility
// timeout; if it is not deleted by then it becomes visible again.
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html:
// when its receive count exceeds maxReceiveCount it moves to the DLQ.
func (w *world) workers(sec, m int) {
	for _, t := range w.tasks {
		if t.service != "worker" || t.busy == nil || t.doneAt > sec {
			continue
		}
		t.busy.done = true
		t.busy = nil
		w.res.Done++
		w.lastBusy = sec
	}
	for _, t := range w.tasks {
		if t.service != "worker" || t.running > sec || t.stopping || t.busy != nil {
			continue
		}
		w.lastBusy = sec // a running worker long-polls the queue
		for _, msg := range w.msgs {
			if msg.done || msg.dlq || msg.visibleAt > sec {
				continue
			}
			msg.receives++
			if msg.receives > w.s.Queue.MaxReceiveCount {
				msg.dlq = true
				w.res.DeadLettered++
				continue
			}
			if msg.receives > 1 {
				w.res.Redelivered++
			}
			msg.visibleAt = sec + w.s.Queue.VisibilitySeconds
			t.busy, t.doneAt = msg, sec+w.sc.JobSeconds
			break
		}
	}
}

func (w *world) add(key string, minute int, v float64) {
	if w.metrics[key] == nil {
		w.metrics[key] = map[int]*agg{}
	}
	a := w.metrics[key][minute]
	if a == nil {
		a = &agg{max: v, min: v}
		w.metrics[key][minute] = a
	}
	a.sum += v
	a.n++
	a.max, a.min = max(a.max, v), min(a.min, v)
}

// key names a metric the replay publishes; the SQS metrics of other queues
// (the dead-letter queues) are not replayed and have no data.
func (w *world) key(m MetricStat) string {
	if q, ok := m.Dimensions["QueueName"]; ok && q != w.s.Queue.Name {
		return ""
	}
	return m.Namespace + "/" + m.Name
}

// Stat implements Metrics. Minute -1 is the quiet past before the scenario.
func (w *world) Stat(m MetricStat, minute int) *float64 {
	if minute < 0 {
		return nil
	}
	a := w.metrics[w.key(m)][minute]
	if a == nil {
		return nil
	}
	switch m.Stat {
	case "Sum":
		return ptr(a.sum)
	case "Maximum":
		return ptr(a.max)
	case "Minimum":
		return ptr(a.min)
	case "Average":
		return ptr(a.sum / a.n)
	case "SampleCount":
		return ptr(a.n)
	}
	return nil
}

// AnyData implements Metrics.
func (w *world) AnyData(ms []MetricStat, minute int) bool {
	for _, m := range ms {
		if w.Stat(m, minute) != nil {
			return true
		}
	}
	return false
}

func (w *world) serviceMetric(service, metric string, minute int) *float64 {
	a := w.metrics["ecs/"+service+"/"+metric][minute]
	if minute < 0 || a == nil {
		return nil
	}
	return ptr(a.sum / a.n)
}
