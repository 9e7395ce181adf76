package report

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
)

//go:embed prices/us-east-1.json
var pricesJSON []byte

// Prices is the dated price sheet (report/prices/us-east-1.json).
type Prices struct {
	Region        string             `json:"region"`
	AsOf          string             `json:"as_of"`
	Source        string             `json:"source"`
	HoursPerMonth float64            `json:"hours_per_month"`
	Hourly        map[string]float64 `json:"hourly"`
	RDSHourly     map[string]float64 `json:"rds_hourly_single_az"`
	Monthly       map[string]float64 `json:"monthly"`
	Assumptions   Assumptions        `json:"assumptions"`
}

// Assumptions are the usage the estimate assumes.
type Assumptions struct {
	ALBLCU         float64  `json:"alb_lcu"`
	NATProcessedGB float64  `json:"nat_processed_gb"`
	LogGBPerTask   float64  `json:"log_gb_per_task"`
	FlowLogGBPerAZ float64  `json:"flow_log_gb_per_az"`
	Notes          []string `json:"notes"`
}

// LoadPrices reads the embedded price sheet.
func LoadPrices() (Prices, error) {
	var p Prices
	if err := json.Unmarshal(pricesJSON, &p); err != nil {
		return p, fmt.Errorf("report/prices/us-east-1.json: %w", err)
	}
	return p, nil
}

// Line is one cost item at minimum and maximum scale, in USD a month.
type Line struct {
	Item     string
	Min, Max float64
	// How shows the arithmetic, so a reader can redo it from the sheet.
	How string
}

// Estimate prices the facts. Every line is quantity x unit price x hours.
func Estimate(f Facts, p Prices) ([]Line, error) {
	h := p.HoursPerMonth
	a := p.Assumptions
	var lines []Line
	add := func(item string, min, max float64, how string, args ...any) {
		lines = append(lines, Line{Item: item, Min: min, Max: max, How: fmt.Sprintf(how, args...)})
	}
	if f.NATGateways > 0 {
		hours := float64(f.NATGateways) * h * p.Hourly["nat_gateway"]
		data := a.NATProcessedGB * p.Monthly["nat_processed_gb"]
		add("NAT gateways", hours+data, hours+data, "%d x %.0f h x $%.4g + %.0f GB x $%.4g", f.NATGateways, h, p.Hourly["nat_gateway"], a.NATProcessedGB, p.Monthly["nat_processed_gb"])
	}
	ips := float64(f.PublicIPs) * h * p.Hourly["public_ipv4"]
	add("Public IPv4 addresses", ips, ips, "%d x %.0f h x $%.4g (NAT EIPs + one per ALB AZ)", f.PublicIPs, h, p.Hourly["public_ipv4"])
	alb := h * (p.Hourly["alb"] + a.ALBLCU*p.Hourly["alb_lcu"])
	add("Application Load Balancer", alb, alb, "%.0f h x ($%.4g + %.0f LCU x $%.4g)", h, p.Hourly["alb"], a.ALBLCU, p.Hourly["alb_lcu"])

	rate, ok := p.RDSHourly[f.DBClass]
	if !ok {
		return nil, fmt.Errorf("report: no price for %s in the %s price sheet (as of %s); add it", f.DBClass, p.Region, p.AsOf)
	}
	azFactor := 1.0
	if f.DBMultiAZ {
		azFactor = 2
	}
	db := rate * h * azFactor
	add("RDS instance "+f.DBClass, db, db, "$%.4g x %.0f h x %.0f (multi-AZ doubles)", rate, h, azFactor)
	maxStorage := f.DBStorageGB
	if f.DBMaxStorageGB > 0 {
		maxStorage = f.DBMaxStorageGB
	}
	gb := p.Monthly["rds_gp3_gb"] * azFactor
	add("RDS gp3 storage", float64(f.DBStorageGB)*gb, float64(maxStorage)*gb, "%d GB (max: %d GB autoscaled) x $%.4g x %.0f", f.DBStorageGB, maxStorage, p.Monthly["rds_gp3_gb"], azFactor)

	minTasks, maxTasks := 0, 0
	for _, s := range f.Services {
		arch := strings.ToLower(s.Architecture)
		perTask := h * (s.VCPU*p.Hourly["fargate_vcpu_"+arch] + s.MemoryGB*p.Hourly["fargate_gb_"+arch])
		add("Fargate "+s.Name, float64(s.MinTasks)*perTask, float64(s.MaxTasks)*perTask,
			"%d..%d tasks x %.0f h x (%.4g vCPU x $%.5g + %.4g GB x $%.5g) %s", s.MinTasks, s.MaxTasks, h, s.VCPU, p.Hourly["fargate_vcpu_"+arch], s.MemoryGB, p.Hourly["fargate_gb_"+arch], s.Architecture)
		minTasks += s.MinTasks
		maxTasks += s.MaxTasks
	}
	flow := 0.0
	if f.FlowLogs {
		flow = float64(f.AZs) * a.FlowLogGBPerAZ
	}
	logsMin := (float64(minTasks)*a.LogGBPerTask + flow) * p.Monthly["log_ingest_gb"]
	logsMax := (float64(maxTasks)*a.LogGBPerTask + flow) * p.Monthly["log_ingest_gb"]
	add("CloudWatch Logs ingestion", logsMin, logsMax, "(tasks x %.0f GB + %.0f GB flow logs) x $%.4g", a.LogGBPerTask, flow, p.Monthly["log_ingest_gb"])
	alarms := float64(f.AlarmMetrics) * p.Monthly["alarm_metric"]
	add("CloudWatch alarms", alarms, alarms, "%d alarms, %d metrics x $%.4g", f.Alarms, f.AlarmMetrics, p.Monthly["alarm_metric"])
	dash := float64(f.Dashboards) * p.Monthly["dashboard"]
	add("CloudWatch dashboard", dash, dash, "%d x $%.4g", f.Dashboards, p.Monthly["dashboard"])
	kms := float64(f.KMSKeys) * p.Monthly["kms_key"]
	add("KMS keys", kms, kms, "%d x $%.4g (environment key + state key)", f.KMSKeys, p.Monthly["kms_key"])
	sec := float64(f.Secrets) * p.Monthly["secret"]
	add("Secrets Manager", sec, sec, "%d x $%.4g (RDS master secret + app secret)", f.Secrets, p.Monthly["secret"])
	return lines, nil
}

// Total sums the lines.
func Total(lines []Line) (min, max float64) {
	for _, l := range lines {
		min += l.Min
		max += l.Max
	}
	return min, max
}

// Largest is the line with the highest minimum-scale cost.
func Largest(lines []Line) Line {
	var top Line
	for _, l := range lines {
		if l.Min > top.Min {
			top = l
		}
	}
	return top
}
