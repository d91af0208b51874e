// Command benchdriver measures what users of supabase-mcp feel: cold start
// over stdio, memory, per-call overhead, throughput, rate-limiter accuracy
// and the context a model pays for tools/list and common results. It starts
// the fake Management API in-process, spawns the servers as child processes
// and talks raw JSON-RPC to them, then prints one table.
//
// Run it through bench/run.sh, which builds the binary (and, when npm is
// there, installs the official server to compare with).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"github.com/supabase-mcp/supabase-mcp/internal/sandbox"
)

const token = "sbp_bench_0123456789abcdef0123456789abcdef"

type options struct {
	ours, oursPure, official string
	floor, bareFloor         string
	runs, samples, calls     int
	concurrency              int
	limiter                  bool
	limiterRate, burst       int
	limiterConcurrency       int
	settle                   time.Duration
	settleRuns               int
	only                     map[string]bool
}

// wants reports whether a section is to run (-only empty means all).
func (o options) wants(section string) bool { return len(o.only) == 0 || o.only[section] }

func main() {
	var o options
	flag.StringVar(&o.ours, "bin", "", "supabase-mcp binary to measure (required)")
	flag.StringVar(&o.oursPure, "bin-purego", "", "optional CGO_ENABLED=0 build of the same source (the container image's flavour)")
	flag.StringVar(&o.floor, "bin-empty", "", "optional empty mcp-go stdio server linking the same SQL parser (bench/cmd/emptyserver): the start-up floor with the parser")
	flag.StringVar(&o.bareFloor, "bin-bare", "", "optional empty mcp-go stdio server with no SQL parser (bench/cmd/emptybare): the bare start-up floor")
	flag.StringVar(&o.official, "official", "", "optional path to the official server's mcp-server-supabase script")
	flag.IntVar(&o.runs, "runs", 20, "cold starts per server")
	flag.IntVar(&o.samples, "samples", 3000, "sequential calls for the per-call latencies")
	flag.IntVar(&o.calls, "calls", 1000, "tool calls for the memory growth check")
	flag.IntVar(&o.concurrency, "concurrency", 16, "concurrent callers for the throughput figure")
	flag.BoolVar(&o.limiter, "limiter", false, "also measure limiter accuracy (about 2.5 minutes at 120/min)")
	flag.IntVar(&o.limiterRate, "limiter-rate", 120, "requests per minute for --limiter")
	flag.IntVar(&o.burst, "limiter-burst", 300, "calls for --limiter")
	flag.IntVar(&o.limiterConcurrency, "limiter-concurrency", 40, "calls in flight at once for --limiter (a session may have 50 waiting for the limiter; more are refused)")
	flag.DurationVar(&o.settle, "settle", 3*time.Second, "how long after start the settled memory is read")
	flag.IntVar(&o.settleRuns, "settle-runs", 5, "starts per server for the settled memory")
	only := flag.String("only", "", "comma list of sections to run: start, context, calls, memory, limiter (default: all; limiter needs --limiter)")
	flag.Parse()
	if *only != "" {
		o.only = map[string]bool{}
		for _, s := range strings.Split(*only, ",") {
			o.only[strings.TrimSpace(s)] = true
		}
		o.limiter = o.limiter || o.only["limiter"]
	}
	if o.ours == "" {
		fmt.Fprintln(os.Stderr, "benchdriver: --bin is required (use bench/run.sh)")
		os.Exit(2)
	}
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "benchdriver:", err)
		os.Exit(1)
	}
}

func run(o options) error {
	ctx := context.Background()
	dbURL := os.Getenv(sandbox.EnvDatabaseURL)
	api := sandbox.New(sandbox.Options{Token: token, DatabaseURL: dbURL})
	defer api.Close()
	content := newContentStub()
	defer content.Close()

	ours := spec{name: "ours", path: o.ours, env: []string{"SUPABASE_ACCESS_TOKEN=" + token}}
	servers := []spec{ours}
	if o.oursPure != "" {
		servers = append(servers, spec{name: "ours CGO_ENABLED=0", path: o.oursPure, env: ours.env})
	}
	if o.floor != "" {
		servers = append(servers, spec{name: "empty mcp-go + parser", path: o.floor})
	}
	if o.bareFloor != "" {
		servers = append(servers, spec{name: "empty mcp-go", path: o.bareFloor})
	}
	var official *spec
	if o.official != "" {
		official = &spec{name: "official", path: o.official, env: []string{
			"SUPABASE_ACCESS_TOKEN=" + token,
			// Its docs tool fetches a GraphQL schema at tools/list; a stub answers.
			"SUPABASE_CONTENT_API_URL=" + content.URL + "/graphql",
		}}
		servers = append(servers, *official)
	}
	withAPI := func(s spec, url string) spec {
		s.args = append([]string{"--api-url", url}, s.args...)
		return s
	}
	for i := range servers {
		servers[i] = withAPI(servers[i], api.URL())
	}

	r := &report{opts: o, dbURL: dbURL != "", machine: machine()}
	r.binSize = fileSize(o.ours)
	if o.oursPure != "" {
		r.pureSize = fileSize(o.oursPure)
	}
	if official != nil {
		r.nodeVersion = commandOutput("node", "--version")
	}

	var err error
	if o.wants("start") {
		progress("cold start: %d runs per server", o.runs)
		if r.starts, err = coldStarts(ctx, servers, o.runs); err != nil {
			return err
		}
		progress("settled memory: %d runs per server, read %s after the start", o.settleRuns, o.settle)
		for range o.settleRuns {
			for i, s := range servers {
				m, err := settled(ctx, s, o.settle)
				if err != nil {
					return err
				}
				r.starts[i].settledHWM = append(r.starts[i].settledHWM, m.HWM)
				r.starts[i].settledRSS = append(r.starts[i].settledRSS, m.RSS)
			}
		}
	}

	if o.wants("context") {
		progress("context cost")
		if r.context, err = contextCost(ctx, servers, dbURL); err != nil {
			return err
		}
	}

	// Per-call figures: ours only, each on a fresh fake so recorded requests
	// and rate-limit state start empty. The limiter is off (--rate-limit 0).
	if o.wants("calls") {
		progress("per-call latency: %d sequential calls", o.samples)
		fresh := sandbox.New(sandbox.Options{Token: token, DatabaseURL: dbURL})
		r.perCall, err = perCall(ctx, withAPI(ours, fresh.URL()), fresh, o.samples, o.concurrency)
		fresh.Close()
		if err != nil {
			return err
		}
	}

	if o.wants("memory") {
		progress("memory over %d calls", o.calls)
		fresh := sandbox.New(sandbox.Options{Token: token, DatabaseURL: dbURL})
		r.growth, err = memoryOverCalls(ctx, withAPI(ours, fresh.URL()), o.calls, o.settle)
		fresh.Close()
		if err != nil {
			return err
		}
	}

	if o.limiter {
		progress("limiter: %d calls, %d at a time, at %d/min (about %s)", o.burst, o.limiterConcurrency, o.limiterRate, expectedLimiterTime(o.limiterRate, o.burst).Round(time.Second))
		fresh := sandbox.New(sandbox.Options{Token: token})
		r.limiter, err = limiterAccuracy(ctx, withAPI(ours, fresh.URL()), fresh, o.limiterRate, o.burst, o.limiterConcurrency)
		fresh.Close()
		if err != nil {
			return err
		}
	}

	r.print(os.Stdout)
	return nil
}

func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}

// machineInfo describes where the figures come from.
type machineInfo struct {
	cpu, kernel, goVersion, os string
	cores                      int
	memGiB                     float64
}

func machine() machineInfo {
	m := machineInfo{goVersion: runtime.Version(), os: runtime.GOOS + "/" + runtime.GOARCH, cores: runtime.NumCPU()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.kernel = strings.TrimSpace(string(b))
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kib float64
		if _, err := fmt.Sscanf(string(b), "MemTotal: %f kB", &kib); err == nil {
			m.memGiB = kib / (1 << 20)
		}
	}
	return m
}

func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

func commandOutput(name string, args ...string) string {
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// serverVersion reads serverInfo.version from an initialize response.
func serverVersion(m *message) string {
	var r struct {
		ServerInfo struct {
			Version string `json:"version"`
		} `json:"serverInfo"`
	}
	_ = json.Unmarshal(m.Result, &r)
	return r.ServerInfo.Version
}
