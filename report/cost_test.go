package report

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sheet is a price sheet with round numbers so every expected value below can
// be checked by hand.
func sheet() Prices {
	return Prices{
		Region: "test-1", AsOf: "2026-01-01", HoursPerMonth: 100,
		Hourly: map[string]float64{
			"nat_gateway": 0.1, "alb": 0.2, "alb_lcu": 0.01, "public_ipv4": 0.01,
			"fargate_vcpu_arm64": 0.04, "fargate_gb_arm64": 0.004,
		},
		RDSHourly: map[string]float64{"db.test.small": 0.5},
		Monthly: map[string]float64{
			"rds_gp3_gb": 0.1, "kms_key": 1, "secret": 0.5, "alarm_metric": 0.1,
			"dashboard": 3, "log_ingest_gb": 0.5, "nat_processed_gb": 0.05,
		},
		Assumptions: Assumptions{ALBLCU: 2, NATProcessedGB: 10, LogGBPerTask: 1, FlowLogGBPerAZ: 1},
	}
}

func facts() Facts {
	return Facts{
		Env: "test", AZs: 2, NATGateways: 2, PublicIPs: 4, FlowLogs: true,
		DBClass: "db.test.small", DBStorageGB: 20, DBMaxStorageGB: 50, DBMultiAZ: true,
		Services: []Service{
			{Name: "api", VCPU: 0.5, MemoryGB: 1, MinTasks: 1, MaxTasks: 3, Architecture: "ARM64"},
			{Name: "worker", VCPU: 1, MemoryGB: 2, MinTasks: 0, MaxTasks: 2, Architecture: "ARM64"},
		},
		KMSKeys: 2, Secrets: 2, Alarms: 5, AlarmMetrics: 6, Dashboards: 1,
	}
}

func TestEstimateByHand(t *testing.T) {
	lines, err := Estimate(facts(), sheet())
	require.NoError(t, err)
	got := map[string][2]float64{}
	for _, l := range lines {
		got[l.Item] = [2]float64{l.Min, l.Max}
		assert.NotEmpty(t, l.How, l.Item)
	}
	want := map[string][2]float64{
		"NAT gateways":               {2*100*0.1 + 10*0.05, 2*100*0.1 + 10*0.05},                       // 20.5
		"Public IPv4 addresses":      {4 * 100 * 0.01, 4 * 100 * 0.01},                                 // 4
		"Application Load Balancer":  {100 * (0.2 + 2*0.01), 100 * (0.2 + 2*0.01)},                     // 22
		"RDS instance db.test.small": {0.5 * 100 * 2, 0.5 * 100 * 2},                                   // 100: multi-AZ doubles
		"RDS gp3 storage":            {20 * 0.1 * 2, 50 * 0.1 * 2},                                     // 4 .. 10
		"Fargate api":                {1 * 100 * (0.5*0.04 + 1*0.004), 3 * 100 * (0.5*0.04 + 1*0.004)}, // 2.4 .. 7.2
		"Fargate worker":             {0, 2 * 100 * (1*0.04 + 2*0.004)},                                // 0 .. 9.6
		"CloudWatch Logs ingestion":  {(1 + 2) * 0.5, (5 + 2) * 0.5},                                   // tasks + 2 AZs of flow logs
		"CloudWatch alarms":          {0.6, 0.6},
		"CloudWatch dashboard":       {3, 3},
		"KMS keys":                   {2, 2},
		"Secrets Manager":            {1, 1},
	}
	require.Len(t, got, len(want))
	for item, w := range want {
		assert.InDelta(t, w[0], got[item][0], 1e-9, item+" min")
		assert.InDelta(t, w[1], got[item][1], 1e-9, item+" max")
	}
	lo, hi := Total(lines)
	assert.InDelta(t, 20.5+4+22+100+4+2.4+0+1.5+0.6+3+2+1, lo, 1e-9)
	assert.InDelta(t, 20.5+4+22+100+10+7.2+9.6+3.5+0.6+3+2+1, hi, 1e-9)
	assert.Equal(t, "RDS instance db.test.small", Largest(lines).Item)
}

func TestEstimateNeedsAPriceForTheDatabaseClass(t *testing.T) {
	f := facts()
	f.DBClass = "db.x99.huge"
	_, err := Estimate(f, sheet())
	assert.ErrorContains(t, err, "no price for db.x99.huge")
}

func TestRealSheetLoads(t *testing.T) {
	p, err := LoadPrices()
	require.NoError(t, err)
	assert.Equal(t, "us-east-1", p.Region)
	assert.NotEmpty(t, p.AsOf)
	assert.Equal(t, 730.0, p.HoursPerMonth)
	for _, k := range []string{"nat_gateway", "alb", "public_ipv4", "fargate_vcpu_arm64", "fargate_gb_arm64"} {
		assert.Greater(t, p.Hourly[k], 0.0, k)
	}
	assert.False(t, math.IsNaN(p.Monthly["kms_key"]))
}

func TestCountReadsImageGatedCapacity(t *testing.T) {
	assert.Equal(t, 10, count("${(length(var.api_image_tag) >= 1) ? 10 : 0}"))
	assert.Equal(t, 0, count(0.0))
	assert.Equal(t, 3, count(3.0))
}
