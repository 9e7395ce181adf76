package monitoring

import (
	"encoding/json"
	"sort"

	"github.com/flow-builder/infra/constructs/service"
)

type widget struct {
	Type       string         `json:"type"`
	X          int            `json:"x"`
	Y          int            `json:"y"`
	Width      int            `json:"width"`
	Height     int            `json:"height"`
	Properties map[string]any `json:"properties"`
}

// metric is one line of a graph: namespace, name, dimension pairs, options.
func metric(namespace, name string, dims map[string]string, stat, label string) []any {
	line := []any{namespace, name}
	for _, k := range sortedKeys(dims) {
		line = append(line, k, dims[k])
	}
	return append(line, map[string]string{"stat": stat, "label": label})
}

// dashboard is the CloudWatch dashboard body: one row per concern, two
// graphs a row.
func dashboard(p Props) string {
	lb := map[string]string{"LoadBalancer": p.Platform.LoadBalancerArnSuffix}
	svc := func(s *service.Service) map[string]string {
		return map[string]string{"ClusterName": p.Platform.ClusterName, "ServiceName": s.Name}
	}
	jobs := map[string]string{"QueueName": p.Jobs.Name}
	dlq := map[string]string{"QueueName": p.Jobs.DeadLetter.Name}
	db := map[string]string{"DBInstanceIdentifier": p.Database.Identifier}
	fn := map[string]string{"FunctionName": p.Scheduler.FunctionName}
	ecs := func(s *service.Service, label string) [][]any {
		lines := [][]any{
			metric("AWS/ECS", "CPUUtilization", svc(s), "Average", label+" CPU %"),
			metric("AWS/ECS", "MemoryUtilization", svc(s), "Average", label+" memory %"),
		}
		// The free AWS/ECS metrics carry no task count; Container Insights
		// publishes one (ECS/ContainerInsights RunningTaskCount, dimensions
		// ClusterName and ServiceName). Without it the graph shows none.
		if p.Platform.ContainerInsights {
			tasks := metric("ECS/ContainerInsights", "RunningTaskCount", svc(s), "Maximum", label+" running tasks")
			tasks[len(tasks)-1].(map[string]string)["yAxis"] = "right"
			lines = append(lines, tasks)
		}
		return lines
	}
	ecsTitle := func(name string) string {
		if p.Platform.ContainerInsights {
			return name + ": CPU, memory (left), running tasks (right)"
		}
		return name + ": CPU and memory"
	}
	graphs := []struct {
		title   string
		metrics [][]any
	}{
		{"Load balancer: requests and 5xx", [][]any{
			metric("AWS/ApplicationELB", "RequestCount", lb, "Sum", "requests"),
			metric("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", lb, "Sum", "target 5xx"),
			metric("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", lb, "Sum", "load balancer 5xx"),
		}},
		{"Load balancer: latency p95 (s)", [][]any{
			metric("AWS/ApplicationELB", "TargetResponseTime", lb, "p95", "p95"),
		}},
		{ecsTitle("api"), ecs(p.Platform.API, "api")},
		{ecsTitle("worker"), ecs(p.Platform.Worker, "worker")},
		{"Jobs queue: depth and DLQ", [][]any{
			metric("AWS/SQS", "ApproximateNumberOfMessagesVisible", jobs, "Maximum", "waiting"),
			metric("AWS/SQS", "ApproximateNumberOfMessagesNotVisible", jobs, "Maximum", "in flight"),
			metric("AWS/SQS", "ApproximateNumberOfMessagesVisible", dlq, "Maximum", "dead letters"),
		}},
		{"Jobs queue: age of oldest message (s)", [][]any{
			metric("AWS/SQS", "ApproximateAgeOfOldestMessage", jobs, "Maximum", "oldest"),
		}},
		{"Database: CPU and connections", [][]any{
			metric("AWS/RDS", "CPUUtilization", db, "Average", "CPU %"),
			metric("AWS/RDS", "DatabaseConnections", db, "Maximum", "connections"),
		}},
		{"Database: free storage and freeable memory (bytes)", [][]any{
			metric("AWS/RDS", "FreeStorageSpace", db, "Minimum", "free storage"),
			metric("AWS/RDS", "FreeableMemory", db, "Minimum", "freeable memory"),
		}},
		{"Scheduler: invocations, errors, throttles", [][]any{
			metric("AWS/Lambda", "Invocations", fn, "Sum", "invocations"),
			metric("AWS/Lambda", "Errors", fn, "Sum", "errors"),
			metric("AWS/Lambda", "Throttles", fn, "Sum", "throttles"),
		}},
	}
	var widgets []widget
	for i, g := range graphs {
		widgets = append(widgets, widget{
			Type: "metric", X: (i % 2) * 12, Y: (i / 2) * 6, Width: 12, Height: 6,
			Properties: map[string]any{
				"title": g.title, "region": p.Region, "view": "timeSeries", "stacked": false,
				"period": 60, "metrics": g.metrics,
			},
		})
	}
	out, err := json.Marshal(map[string]any{"widgets": widgets})
	if err != nil {
		panic(err)
	}
	return string(out)
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
