// Command bench measures the performance budget of issue 7 on this machine:
// median wall time and peak memory of the whole process tree (Go and its
// Node child) for the floor app and the real app's full synth, plus `make
// test` with a warm build cache. It prints the ratios and exits 1 when a
// budget is exceeded. Ratios in one run cancel out most machine noise.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

func main() {
	runs := flag.Int("runs", 5, "measured runs of each command (after one warm-up)")
	floorBin := flag.String("floor", "build/bench/floor", "floor app binary")
	appBin := flag.String("app", "build/bench/app", "real app binary")
	synthBudget := flag.Float64("synth-budget", 1.5, "max full-synth wall and memory, as a multiple of the floor")
	testBudget := flag.Float64("test-budget", 8, "max `make test` wall time (warm build cache), as a multiple of the floor")
	withTests := flag.Bool("test", true, "also time make test")
	flag.Parse()

	floor := measure("floor app (1 stack)", *runs, func(out string) *exec.Cmd { return synthCmd(*floorBin, out) })
	app := measure("full synth (6 stacks)", *runs, func(out string) *exec.Cmd { return synthCmd(*appBin, out) })
	results := []result{floor, app}
	failed := false
	check := func(what string, got, floorValue, budget float64) {
		ratio := got / floorValue
		status := "ok"
		if ratio > budget {
			status, failed = "OVER BUDGET", true
		}
		fmt.Printf("%-40s %6.2fx (budget %.1fx) %s\n", what, ratio, budget, status)
	}
	var test result
	if *withTests {
		test = measure("make test (warm build cache)", max(1, *runs/2), func(string) *exec.Cmd {
			// Warm build cache, cold test cache: every test really runs.
			c := exec.Command("sh", "-c", "go clean -testcache && make test")
			c.Env = append(os.Environ(), "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20")
			return c
		})
		results = append(results, test)
	}

	fmt.Printf("\n%-32s %12s %14s\n", "command", "median wall", "peak tree RSS")
	for _, r := range results {
		fmt.Printf("%-32s %11.2fs %11.0f MiB\n", r.name, r.wall.Seconds(), r.peakMiB)
	}
	fmt.Println()
	check("full synth wall time / floor", app.wall.Seconds(), floor.wall.Seconds(), *synthBudget)
	check("full synth peak memory / floor", app.peakMiB, floor.peakMiB, *synthBudget)
	if *withTests {
		check("make test wall time / floor", test.wall.Seconds(), floor.wall.Seconds(), *testBudget)
	}
	if failed {
		os.Exit(1)
	}
}

func synthCmd(bin, out string) *exec.Cmd {
	abs, err := filepath.Abs(bin)
	if err != nil {
		panic(err)
	}
	c := exec.Command(abs)
	c.Env = append(os.Environ(), "CDKTF_OUTDIR="+out, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20", "CHECKPOINT_DISABLE=1")
	return c
}

type result struct {
	name    string
	wall    time.Duration
	peakMiB float64
}

// measure runs mk once to warm up, then runs times, and returns the medians.
func measure(name string, runs int, mk func(outdir string) *exec.Cmd) result {
	var walls []time.Duration
	var peaks []float64
	for i := 0; i <= runs; i++ {
		out, err := os.MkdirTemp("", "bench-out-")
		if err != nil {
			panic(err)
		}
		wall, peak, err := run(mk(out))
		os.RemoveAll(out)
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
			os.Exit(2)
		}
		if i == 0 {
			continue // warm-up: page cache, jsii package cache, Go build cache
		}
		walls = append(walls, wall)
		peaks = append(peaks, peak)
	}
	sort.Slice(walls, func(i, j int) bool { return walls[i] < walls[j] })
	sort.Float64s(peaks)
	fmt.Fprintf(os.Stderr, "measured %s: %d runs\n", name, runs)
	return result{name: name, wall: walls[len(walls)/2], peakMiB: peaks[len(peaks)/2]}
}

// run starts cmd and samples the resident memory of its whole process tree
// every 10 ms until it exits.
func run(cmd *exec.Cmd) (time.Duration, float64, error) {
	var stderr strings.Builder
	cmd.Stdout = nil
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var peak float64
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			wall := time.Since(start)
			if err != nil {
				return 0, 0, fmt.Errorf("%v\n%s", err, stderr.String())
			}
			return wall, peak / 1024, nil
		case <-tick.C:
			if kb := treeRSSKiB(cmd.Process.Pid); kb > peak {
				peak = kb
			}
		}
	}
}

// treeRSSKiB sums VmRSS over pid and all its descendants.
func treeRSSKiB(root int) float64 {
	children := map[int][]int{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// Fields after the parenthesised command name: state, ppid, ...
		s := string(stat)
		fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(fields) > 1 {
			if ppid, err := strconv.Atoi(fields[1]); err == nil {
				children[ppid] = append(children[ppid], pid)
			}
		}
	}
	var total float64
	queue := []int{root}
	for len(queue) > 0 {
		pid := queue[0]
		queue = append(queue[1:], children[pid]...)
		status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(status), "\n") {
			if strings.HasPrefix(line, "VmRSS:") {
				if f := strings.Fields(line); len(f) >= 2 {
					kb, _ := strconv.ParseFloat(f[1], 64)
					total += kb
				}
			}
		}
	}
	return total
}
