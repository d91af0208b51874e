package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/supabase-mcp/supabase-mcp/internal/sandbox"
)

// startResult is one server's cold-start figures.
type startResult struct {
	name    string
	version string
	init    durations // process start to the initialize response
	list    durations // process start to the first tools/list response
	hwm     []int64   // VmHWM right after tools/list, KiB
	anon    []int64   // RssAnon right after tools/list, KiB
	// Read o.settle after the start, once start-up work done in the
	// background has run: the peak (VmHWM) and the current RSS, KiB.
	settledHWM, settledRSS []int64
	tools                  int
	listBytes              int
}

// coldStarts starts every server runs times, interleaved so that machine
// noise spreads evenly, and times the handshake and the first tools/list.
func coldStarts(ctx context.Context, servers []spec, runs int) ([]startResult, error) {
	out := make([]startResult, len(servers))
	for i, s := range servers {
		out[i].name = s.name
	}
	for range runs {
		for i, s := range servers {
			if err := oneStart(ctx, s, &out[i]); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

func oneStart(ctx context.Context, s spec, r *startResult) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	p, err := launch(s)
	if err != nil {
		return err
	}
	defer p.close()
	im, err := p.initialize(ctx)
	if err != nil {
		return err
	}
	lm, err := p.toolsList(ctx)
	if err != nil {
		return err
	}
	mem, err := p.memory()
	if err != nil {
		return err
	}
	r.init = append(r.init, im.at.Sub(p.started))
	r.list = append(r.list, lm.at.Sub(p.started))
	r.hwm = append(r.hwm, mem.HWM)
	r.anon = append(r.anon, mem.Anon)
	if r.version == "" {
		r.version = serverVersion(im)
		tools, n, err := listedTools(lm)
		if err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		r.tools, r.listBytes = len(tools), n
	}
	return nil
}

// settled starts a server, lists its tools and reads its memory once the
// start-up work done in the background (such as warming the SQL parser) has
// had time to run.
func settled(ctx context.Context, s spec, after time.Duration) (memory, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second+after)
	defer cancel()
	p, err := launch(s)
	if err != nil {
		return memory{}, err
	}
	defer p.close()
	if _, err := p.initialize(ctx); err != nil {
		return memory{}, err
	}
	if _, err := p.toolsList(ctx); err != nil {
		return memory{}, err
	}
	time.Sleep(time.Until(p.started.Add(after)))
	return p.memory()
}

// listedTool is what the benchmark reads of a listed tool.
type listedTool struct {
	Name        string `json:"name"`
	InputSchema struct {
		Properties map[string]struct {
			Enum []string `json:"enum"`
		} `json:"properties"`
	} `json:"inputSchema"`
}

// listedTools decodes a tools/list response and measures it: the compact
// JSON of the result, which is what a client passes on to the model.
func listedTools(m *message) ([]listedTool, int, error) {
	var r struct {
		Tools []listedTool `json:"tools"`
	}
	if err := json.Unmarshal(m.Result, &r); err != nil {
		return nil, 0, fmt.Errorf("tools/list: %w", err)
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, m.Result); err != nil {
		return nil, 0, err
	}
	return r.Tools, buf.Len(), nil
}

// contextRow is one line of the context-cost table: bytes (and tools) per server.
type contextRow struct {
	what  string
	cells map[string]string // server name -> cell
	bytes map[string]int
}

// contextCost lists tools under several flag sets and measures common
// results, for ours and (when there) the official server.
func contextCost(ctx context.Context, servers []spec, dbURL string) ([]contextRow, error) {
	type variant struct {
		what           string
		ours, official []string
	}
	variants := []variant{
		{"tools/list, default features", nil, nil},
		{"tools/list, all feature groups", []string{"--features", "all"}, []string{"--features", officialAllFeatures}},
		{"tools/list, --read-only", []string{"--read-only"}, []string{"--read-only"}},
		{"tools/list, --project-ref", []string{"--project-ref", sandbox.SeedProjectActive}, []string{"--project-ref", sandbox.SeedProjectActive}},
	}
	var rows []contextRow
	for _, v := range variants {
		row := contextRow{what: v.what, cells: map[string]string{}, bytes: map[string]int{}}
		for _, s := range servers {
			if s.name != "ours" && s.name != "official" {
				continue // the same tools as ours, or none
			}
			args := v.ours
			if s.name == "official" {
				args = v.official
			}
			err := withServer(ctx, s, args, func(p *proc) error {
				m, err := p.toolsList(ctx)
				if err != nil {
					return err
				}
				tools, n, err := listedTools(m)
				if err != nil {
					return err
				}
				row.cells[s.name] = fmt.Sprintf("%s (%d tools)", num(n), len(tools))
				row.bytes[s.name] = n
				return nil
			})
			if err != nil {
				return nil, err
			}
		}
		rows = append(rows, row)
	}

	// Results: what one common call puts into the context.
	projects := contextRow{what: "result: list projects (4 projects)", cells: map[string]string{}, bytes: map[string]int{}}
	tables := contextRow{what: fmt.Sprintf("result: list_tables, %d tables", benchTables), cells: map[string]string{}, bytes: map[string]int{}}
	var dropTables func()
	defer func() {
		if dropTables != nil {
			dropTables()
		}
	}()
	for _, s := range servers {
		if s.name != "ours" && s.name != "official" {
			continue
		}
		err := withServer(ctx, s, nil, func(p *proc) error {
			m, err := p.toolsList(ctx)
			if err != nil {
				return err
			}
			tools, _, err := listedTools(m)
			if err != nil {
				return err
			}
			name, args := "projects_read", map[string]any{"operation": "list"}
			if s.name == "official" {
				name, args = "list_projects", map[string]any{}
			}
			projects.cells[s.name], projects.bytes[s.name] = resultBytes(ctx, p, name, args)

			// list_tables: ours gets it from the database helper operations
			// being built; the slot fills itself once tools/list offers it.
			name, args, ok := listTablesCall(s.name, tools)
			switch {
			case !ok:
				tables.cells[s.name] = "slot: needs database.list_tables"
				return nil
			case dbURL == "":
				tables.cells[s.name] = "needs " + sandbox.EnvDatabaseURL
				return nil
			}
			if dropTables == nil {
				if dropTables, err = createBenchTables(ctx, dbURL); err != nil {
					tables.cells[s.name] = "could not create tables: " + err.Error()
					dropTables = func() {}
					return nil
				}
			}
			tables.cells[s.name], tables.bytes[s.name] = resultBytes(ctx, p, name, args)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return append(rows, projects, tables), nil
}

const officialAllFeatures = "docs,account,database,debugging,development,functions,branching,storage"

// withServer starts s with extra flags, initializes it and runs f.
func withServer(ctx context.Context, s spec, extra []string, f func(*proc) error) error {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	p, err := launch(s, extra...)
	if err != nil {
		return err
	}
	defer p.close()
	if _, err := p.initialize(ctx); err != nil {
		return err
	}
	return f(p)
}

// resultBytes calls a tool and measures the text the model reads.
func resultBytes(ctx context.Context, p *proc, name string, args map[string]any) (string, int) {
	r, err := p.callTool(ctx, name, args)
	if err != nil {
		return "failed: " + err.Error(), 0
	}
	text := r.text()
	if r.IsError {
		return "tool error: " + clip(text, 80), 0
	}
	return num(len(text)), len(text)
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// listTablesCall finds the list_tables call of a server, if it has one.
func listTablesCall(server string, tools []listedTool) (string, map[string]any, bool) {
	for _, t := range tools {
		if server == "official" && t.Name == "list_tables" {
			return t.Name, map[string]any{"project_id": sandbox.SeedProjectActive, "schemas": []string{benchSchema}}, true
		}
		if server != "official" && t.Name == "database_read" && slices.Contains(t.InputSchema.Properties["operation"].Enum, "list_tables") {
			args := map[string]any{"operation": "list_tables", "ref": sandbox.SeedProjectActive}
			if _, ok := t.InputSchema.Properties["schemas"]; ok {
				args["schemas"] = []string{benchSchema}
			} else if _, ok := t.InputSchema.Properties["schema"]; ok {
				args["schema"] = benchSchema
			}
			return t.Name, args, true
		}
	}
	return "", nil, false
}

// perCallResult holds the latency and throughput figures.
type perCallResult struct {
	bare, tool, ping     durations
	bareRate, toolRate   float64 // per second
	concurrency, samples int
}

// perCall times tools/call projects_read.list through the server against a bare
// HTTP GET /v1/projects to the same fake API, alternating the two so that
// both see the same machine state; then throughput with many callers.
func perCall(ctx context.Context, s spec, api *sandbox.Server, samples, concurrency int) (*perCallResult, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	p, err := launch(s, "--rate-limit", "0")
	if err != nil {
		return nil, err
	}
	defer p.close()
	if _, err := p.initialize(ctx); err != nil {
		return nil, err
	}
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 2 * concurrency}}
	bare := func() error {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, api.URL()+"/v1/projects", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Accept", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if _, err := io.Copy(io.Discard, resp.Body); err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("bare GET /v1/projects: %s", resp.Status)
		}
		return nil
	}
	// The warm-up checks the full result; the timed calls only look for the
	// error flag, so that the client's JSON work stays out of the figure.
	checked := func() error {
		r, err := p.callTool(ctx, "projects_read", map[string]any{"operation": "list"})
		if err != nil {
			return err
		}
		if r.IsError || !strings.Contains(r.text(), sandbox.SeedProjectActive) {
			return fmt.Errorf("projects_read.list: %s", r.text())
		}
		return nil
	}
	params := []byte(`{"name":"projects_read","arguments":{"operation":"list"}}`)
	tool := func() error {
		res, err := p.callRaw(ctx, "tools/call", params)
		if err == nil && bytes.Contains(res, []byte(`"isError":true`)) {
			err = fmt.Errorf("projects_read.list: %s", res)
		}
		return err
	}
	ping := func() error {
		_, err := p.callRaw(ctx, "ping", []byte(`{}`))
		return err
	}
	for range 200 { // warm up every path: connections, buffers, first-use set-up
		for _, f := range []func() error{bare, checked, ping} {
			if err := f(); err != nil {
				return nil, err
			}
		}
	}
	res := &perCallResult{concurrency: concurrency, samples: samples}
	for range samples {
		for _, m := range []struct {
			f   func() error
			out *durations
		}{{bare, &res.bare}, {tool, &res.tool}, {ping, &res.ping}} {
			t := time.Now()
			if err := m.f(); err != nil {
				return nil, err
			}
			*m.out = append(*m.out, time.Since(t))
		}
	}
	if res.bareRate, err = throughput(concurrency, samples, bare); err != nil {
		return nil, err
	}
	if res.toolRate, err = throughput(concurrency, samples, tool); err != nil {
		return nil, err
	}
	return res, nil
}

// throughput runs total calls of f from n goroutines and returns calls per second.
func throughput(n, total int, f func() error) (float64, error) {
	var next atomic.Int64
	var wg sync.WaitGroup
	var once sync.Once
	var firstErr error
	start := time.Now()
	for range n {
		wg.Go(func() {
			for next.Add(1) <= int64(total) {
				if err := f(); err != nil {
					once.Do(func() { firstErr = err })
					return
				}
			}
		})
	}
	wg.Wait()
	return float64(total) / time.Since(start).Seconds(), firstErr
}

// growthResult is the memory of one server process over many calls.
type growthResult struct {
	calls                          int
	afterList, warm, first, second memory
	mix                            []string
}

// memoryOverCalls runs calls tool calls twice over (a mix of reads, SQL
// included) and reads the memory after tools/list and after each round.
//
// The calls start settle after the start, once start-up work is over (the
// deferred first garbage collection, the pure-Go parser's warm-up), so that
// the figures are about calls.
func memoryOverCalls(ctx context.Context, s spec, calls int, settle time.Duration) (*growthResult, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	p, err := launch(s, "--rate-limit", "0")
	if err != nil {
		return nil, err
	}
	defer p.close()
	if _, err := p.initialize(ctx); err != nil {
		return nil, err
	}
	if _, err := p.toolsList(ctx); err != nil {
		return nil, err
	}
	ref := sandbox.SeedProjectActive
	mix := []struct {
		label string
		tool  string
		args  map[string]any
	}{
		{"projects_read.list", "projects_read", map[string]any{"operation": "list"}},
		{"organizations_read.list", "organizations_read", map[string]any{"operation": "list"}},
		{"projects_read.get", "projects_read", map[string]any{"operation": "get", "ref": ref}},
		{"database_read.list_migrations", "database_read", map[string]any{"operation": "list_migrations", "ref": ref}},
		{"database_read.execute_readonly_sql", "database_read", map[string]any{"operation": "execute_readonly_sql", "ref": ref, "query": "select n, md5(n::text) from generate_series(1, 20) n"}},
	}
	res := &growthResult{calls: calls}
	for _, m := range mix {
		res.mix = append(res.mix, m.label)
	}
	time.Sleep(time.Until(p.started.Add(settle)))
	if res.afterList, err = p.memory(); err != nil {
		return nil, err
	}
	round := func(calls int) (memory, error) {
		for i := range calls {
			m := mix[i%len(mix)]
			// The SQL call is a tool error without a database behind the
			// fake; it still goes through the SQL guard and the client.
			if _, err := p.callTool(ctx, m.tool, m.args); err != nil {
				return memory{}, err
			}
		}
		return p.memory()
	}
	// One call of each kind first: first-use set-up (the HTTP connection,
	// the SQL parser's protobuf types) is not growth over calls.
	if res.warm, err = round(len(mix)); err != nil {
		return nil, err
	}
	if res.first, err = round(calls); err != nil {
		return nil, err
	}
	if res.second, err = round(calls); err != nil {
		return nil, err
	}
	return res, nil
}

// limiterResult is the outcome of a burst against a rate-limited fake.
type limiterResult struct {
	rate, burst int
	concurrency int // calls in flight at once
	limited     int // 429s the fake answered
	failed      int // calls that ended in a tool or protocol error
	elapsed     time.Duration
	perMinute   float64 // calls completed per minute over the whole burst
	maxWindow   int     // most requests the fake saw in any 60 s window
	firstErr    string
}

func expectedLimiterTime(rate, n int) time.Duration {
	b := max(1, rate/30)
	if n <= b {
		return 0
	}
	return time.Duration(float64(n-b) / float64(max(rate-b, 1)) * float64(time.Minute))
}

// limiterAccuracy sends burst calls, concurrency at a time, through a server
// limited to rate per minute, against a fake that answers 429 above rate per
// minute. One session may have only so many calls waiting for the limiter,
// so concurrency stays below that bound.
func limiterAccuracy(ctx context.Context, s spec, api *sandbox.Server, rate, burst, concurrency int) (*limiterResult, error) {
	api.SetRateLimit(rate)
	ctx, cancel := context.WithTimeout(ctx, 2*expectedLimiterTime(rate, burst)+2*time.Minute)
	defer cancel()
	p, err := launch(s, "--rate-limit", fmt.Sprint(rate))
	if err != nil {
		return nil, err
	}
	defer p.close()
	if _, err := p.initialize(ctx); err != nil {
		return nil, err
	}
	res := &limiterResult{rate: rate, burst: burst, concurrency: concurrency}
	var mu sync.Mutex
	var wg sync.WaitGroup
	inFlight := make(chan struct{}, max(concurrency, 1))
	api.ResetRequests()
	start := time.Now()
	for range burst {
		inFlight <- struct{}{}
		wg.Go(func() {
			defer func() { <-inFlight }()
			r, err := p.callTool(ctx, "projects_read", map[string]any{"operation": "get", "ref": sandbox.SeedProjectActive})
			if err == nil && r.IsError {
				err = fmt.Errorf("tool error: %s", clip(r.text(), 200))
			}
			if err != nil {
				mu.Lock()
				res.failed++
				if res.firstErr == "" {
					res.firstErr = err.Error()
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	res.limited = api.RateLimited()
	res.perMinute = float64(burst-res.failed) / res.elapsed.Minutes()
	var times []time.Time
	for _, r := range api.Requests() {
		times = append(times, r.Time)
	}
	res.maxWindow = maxInWindow(times, time.Minute)
	return res, nil
}

// maxInWindow is the largest number of times within any window of length w.
func maxInWindow(times []time.Time, w time.Duration) int {
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	best, lo := 0, 0
	for hi := range times {
		for times[hi].Sub(times[lo]) >= w {
			lo++
		}
		best = max(best, hi-lo+1)
	}
	return best
}

// newContentStub answers the official server's Content API schema query, so
// that its docs tool can be listed without the network. The stub schema is
// small; the real one makes that tool's description about 1.3 KB longer.
func newContentStub() *httptest.Server {
	const schema = `schema { query: RootQueryType } type RootQueryType { searchDocs(query: String!, limit: Int): SearchResultCollection } type SearchResultCollection { nodes: [SearchResult!]! } interface SearchResult { title: String href: String content: String }`
	body, _ := json.Marshal(map[string]any{"data": map[string]any{"schema": schema}})
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
}
