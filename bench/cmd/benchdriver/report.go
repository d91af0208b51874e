package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

type report struct {
	opts        options
	dbURL       bool
	machine     machineInfo
	binSize     int64
	pureSize    int64
	nodeVersion string

	starts  []startResult
	context []contextRow
	perCall *perCallResult
	growth  *growthResult
	limiter *limiterResult
}

func (r *report) start(name string) *startResult {
	for i := range r.starts {
		if r.starts[i].name == name {
			return &r.starts[i]
		}
	}
	return nil
}

func (r *report) print(w io.Writer) {
	m := r.machine
	fmt.Fprintf(w, "\nsupabase-mcp benchmark, %s\n", time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(w, "machine: %s, %d cores, %.0f GiB, %s, kernel %s, %s\n", m.cpu, m.cores, m.memGiB, m.os, m.kernel, m.goVersion)
	hasOfficial := r.opts.official != ""
	version := func(name string) string {
		if s := r.start(name); s != nil && s.version != "" {
			return s.version
		}
		return "(version read at start-up)"
	}
	fmt.Fprintf(w, "ours: supabase-mcp %s, %.1f MB binary (cgo SQL parser)", version("ours"), float64(r.binSize)/1e6)
	if r.opts.oursPure != "" {
		fmt.Fprintf(w, "; ours CGO_ENABLED=0 (as in the container image): %.1f MB (WebAssembly SQL parser)", float64(r.pureSize)/1e6)
	}
	fmt.Fprintln(w)
	if hasOfficial {
		fmt.Fprintf(w, "official: @supabase/mcp-server-supabase %s on node %s\n", version("official"), r.nodeVersion)
	} else {
		fmt.Fprintln(w, "official: not measured (needs node and npm)")
	}
	if len(r.starts) > 0 {
		r.printStarts(w)
	}
	if len(r.context) > 0 {
		r.printContext(w, hasOfficial)
	}
	r.printCalls(w)
	r.printTargets(w)
}

func (r *report) printStarts(w io.Writer) {
	ours, official := r.start("ours"), r.start("official")
	names := []string{}
	for _, s := range r.starts {
		names = append(names, s.name)
	}
	fmt.Fprintf(w, "\n== Start-up over stdio: %d cold starts each, from exec to the response; memory %d more starts each\n", r.opts.runs, r.opts.settleRuns)
	tw := table(w)
	header := "\t" + strings.Join(names, "\t")
	if official != nil {
		header += "\tofficial/ours"
	}
	fmt.Fprintln(tw, header)
	row := func(label string, cell func(*startResult) string, ratioOf func(*startResult) float64) {
		line := label
		for i := range r.starts {
			line += "\t" + cell(&r.starts[i])
		}
		if official != nil && ratioOf != nil {
			line += "\t" + ratio(ratioOf(official), ratioOf(ours))
		}
		fmt.Fprintln(tw, line)
	}
	row("initialize, ms min / median / max", func(s *startResult) string {
		return ms(s.init.min()) + " / " + ms(s.init.pct(50)) + " / " + ms(s.init.max())
	}, func(s *startResult) float64 { return float64(s.init.pct(50)) })
	row("first tools/list, ms min / median / max", func(s *startResult) string {
		return ms(s.list.min()) + " / " + ms(s.list.pct(50)) + " / " + ms(s.list.max())
	}, func(s *startResult) float64 { return float64(s.list.pct(50)) })
	row("peak RSS at the tools/list response, MB (median)", func(s *startResult) string {
		return mb(medianInt(s.hwm)) + " (private " + mb(medianInt(s.anon)) + ")"
	}, func(s *startResult) float64 { return float64(medianInt(s.hwm)) })
	row(fmt.Sprintf("%s after start: peak RSS, MB (median)", r.opts.settle), func(s *startResult) string {
		return mb(medianInt(s.settledHWM))
	}, func(s *startResult) float64 { return float64(medianInt(s.settledHWM)) })
	row(fmt.Sprintf("%s after start: RSS now, MB (median)", r.opts.settle), func(s *startResult) string {
		return mb(medianInt(s.settledRSS))
	}, func(s *startResult) float64 { return float64(medianInt(s.settledRSS)) })
	tw.Flush()
	fmt.Fprintln(w, "(peak RSS is VmHWM, so it includes the work a server does in the background after answering;")
	fmt.Fprintln(w, " private = RssAnon, the rest of RSS being the mapped executable, shared with the page cache)")
}

func (r *report) printContext(w io.Writer, official bool) {
	ctxNames := []string{"ours"}
	if official {
		ctxNames = append(ctxNames, "official")
	}
	fmt.Fprintln(w, "\n== Context cost: compact JSON bytes of tools/list; text bytes of results")
	tw := table(w)
	header := "\t" + strings.Join(ctxNames, "\t")
	if official {
		header += "\tofficial/ours"
	}
	fmt.Fprintln(tw, header)
	for _, c := range r.context {
		line := c.what
		for _, n := range ctxNames {
			line += "\t" + c.cells[n]
		}
		if official {
			line += "\t" + ratio(float64(c.bytes["official"]), float64(c.bytes["ours"]))
		}
		fmt.Fprintln(tw, line)
	}
	tw.Flush()
	if official {
		fmt.Fprintln(w, "(official: its docs tool's GraphQL schema comes from a small local stub; the real one adds about 1.3 KB to each tools/list that includes docs)")
	}

}

func (r *report) printCalls(w io.Writer) {
	if pc := r.perCall; pc != nil {
		fmt.Fprintf(w, "\n== Per call (ours, limiter off, %s sequential calls each, alternating), µs\n", num(pc.samples))
		tw := table(w)
		fmt.Fprintln(tw, "\tp50\tp99")
		fmt.Fprintf(tw, "bare HTTP GET /v1/projects (same fake, loopback)\t%s\t%s\n", us(pc.bare.pct(50)), us(pc.bare.pct(99)))
		fmt.Fprintf(tw, "tools/call projects_read.list through the server\t%s\t%s\n", us(pc.tool.pct(50)), us(pc.tool.pct(99)))
		fmt.Fprintf(tw, "overhead (difference)\t%s\t%s\n", us(pc.tool.pct(50)-pc.bare.pct(50)), us(pc.tool.pct(99)-pc.bare.pct(99)))
		fmt.Fprintf(tw, "of which the stdio round trip alone (ping)\t%s\t%s\n", us(pc.ping.pct(50)), us(pc.ping.pct(99)))
		tw.Flush()
		fmt.Fprintf(w, "throughput, %d concurrent callers: %s calls/s through the server (bare HTTP: %s requests/s)\n",
			pc.concurrency, num(int(pc.toolRate)), num(int(pc.bareRate)))
	}

	// Memory growth.
	if g := r.growth; g != nil {
		sql := "no database behind the fake, so the SQL call is a tool error after the guard parsed it"
		if r.dbURL {
			sql = "SQL on PostgreSQL"
		}
		fmt.Fprintf(w, "\n== Memory over calls (ours, limiter off, calls from %s after start; round robin of %s; %s)\n", r.opts.settle, strings.Join(g.mix, ", "), sql)
		tw := table(w)
		fmt.Fprintln(tw, "\tpeak RSS, MB\tRSS now, MB\tprivate, MB")
		fmt.Fprintf(tw, "before the calls\t%s\t%s\t%s\n", mb(g.afterList.HWM), mb(g.afterList.RSS), mb(g.afterList.Anon))
		fmt.Fprintf(tw, "after one call of each kind\t%s (%s)\t%s\t%s\n", mb(g.warm.HWM), signedMB(g.warm.HWM-g.afterList.HWM), mb(g.warm.RSS), mb(g.warm.Anon))
		fmt.Fprintf(tw, "after %s calls\t%s (%s)\t%s\t%s\n", num(g.calls), mb(g.first.HWM), signedMB(g.first.HWM-g.warm.HWM), mb(g.first.RSS), mb(g.first.Anon))
		fmt.Fprintf(tw, "after %s more\t%s (%s)\t%s\t%s\n", num(g.calls), mb(g.second.HWM), signedMB(g.second.HWM-g.first.HWM), mb(g.second.RSS), mb(g.second.Anon))
		tw.Flush()
	}

	// Limiter.
	fmt.Fprintln(w)
	if l := r.limiter; l != nil {
		fmt.Fprintf(w, "== Limiter: --rate-limit %d, %d calls, %d at a time, fake answers 429 above %d per sliding minute\n", l.rate, l.burst, l.concurrency, l.rate)
		tw := table(w)
		fmt.Fprintf(tw, "429s reaching the server\t%d\n", l.limited)
		fmt.Fprintf(tw, "failed calls\t%d\n", l.failed)
		fmt.Fprintf(tw, "elapsed\t%s\n", l.elapsed.Round(100*time.Millisecond))
		fmt.Fprintf(tw, "throughput\t%.1f calls/min (%.1f%% of %d)\n", l.perMinute, 100*l.perMinute/float64(l.rate), l.rate)
		fmt.Fprintf(tw, "most requests in any 60 s window\t%d\n", l.maxWindow)
		tw.Flush()
		if l.firstErr != "" {
			fmt.Fprintln(w, "first failure:", l.firstErr)
		}
	} else {
		fmt.Fprintln(w, "== Limiter: not run (bash bench/run.sh --limiter; about 2.5 minutes)")
	}
}

func (r *report) printTargets(w io.Writer) {
	fmt.Fprintln(w, "\n== Targets")
	tw := table(w)
	check := func(ok bool, what, detail string) {
		mark := "ok"
		if !ok {
			mark = "MISSED"
		}
		fmt.Fprintf(tw, "[%s]\t%s\t%s\n", mark, what, detail)
	}
	na := func(what, why string) { fmt.Fprintf(tw, "[n/a]\t%s\t%s\n", what, why) }
	ours, pure, official := r.start("ours"), r.start("ours CGO_ENABLED=0"), r.start("official")
	switch {
	case ours == nil:
		na("initialize, tools/list and peak RSS vs official", "start-up not measured")
	case official != nil:
		oi, oo := ours.init.pct(50), official.init.pct(50)
		check(oi*30 <= oo, "initialize median <= 1/30 of official", fmt.Sprintf("%s vs %s ms (%s)", ms(oi), ms(oo), ratio(float64(oo), float64(oi))))
		li, lo := ours.list.pct(50), official.list.pct(50)
		check(li*30 <= lo, "first tools/list median <= 1/30 of official", fmt.Sprintf("%s vs %s ms (%s)", ms(li), ms(lo), ratio(float64(lo), float64(li))))
		hi, ho := medianInt(ours.settledHWM), medianInt(official.settledHWM)
		check(hi*5 <= ho, "peak RSS <= 1/5 of official", fmt.Sprintf("%s vs %s MB, %s after start (%s)", mb(hi), mb(ho), r.opts.settle, ratio(float64(ho), float64(hi))))
	default:
		na("initialize, tools/list and peak RSS vs official", "official not measured")
	}
	if bare := r.start("empty mcp-go"); ours != nil && bare != nil {
		oi, bi := ours.init.pct(50), bare.init.pct(50)
		check(oi-bi <= 5*time.Millisecond, "initialize median within 5 ms of the bare floor", fmt.Sprintf("%s vs %s ms (empty mcp-go, no SQL parser): +%s ms", ms(oi), ms(bi), ms(oi-bi)))
		oh, bh := medianInt(ours.hwm), medianInt(bare.hwm)
		check(oh-bh <= 6<<10, "peak RSS at tools/list within 6 MB of the bare floor", fmt.Sprintf("%s vs %s MB: %s MB", mb(oh), mb(bh), signedMB(oh-bh)))
	} else {
		na("start-up vs the bare floor", "needs --bin-bare")
	}
	if g := r.growth; g != nil {
		d := g.first.HWM - g.warm.HWM
		check(d <= 2048, fmt.Sprintf("peak RSS growth over %s calls <= 2 MB", num(g.calls)),
			fmt.Sprintf("%s MB after one call of each kind; %s MB over the next %s", signedMB(d), signedMB(g.second.HWM-g.first.HWM), num(g.calls)))
	}
	if pc := r.perCall; pc != nil {
		o := pc.tool.pct(50) - pc.bare.pct(50)
		check(o < 200*time.Microsecond, "per-call overhead p50 < 200 µs", us(o)+" µs")
	}
	if l := r.limiter; l != nil {
		ok := l.limited == 0 && l.failed == 0 && l.perMinute >= 0.95*float64(l.rate) && l.perMinute <= 1.05*float64(l.rate)
		check(ok, fmt.Sprintf("limiter at %d/min: no 429, throughput within 5%%", l.rate), fmt.Sprintf("%d 429s, %.1f calls/min", l.limited, l.perMinute))
	} else {
		na("limiter accuracy", "run with --limiter")
	}
	if pure != nil && len(pure.init) > 0 {
		// The WebAssembly parser takes a second or more to compile: if it
		// were on the start-up path, this build would take that long.
		p := pure.init.pct(50)
		check(p < 100*time.Millisecond, "SQL parser not on the start-up path", fmt.Sprintf("CGO_ENABLED=0 build, whose parser compiles for 1-2 s, answers initialize in %s ms", ms(p)))
	} else {
		na("SQL parser not on the start-up path", "needs --bin-purego")
	}
	tw.Flush()
}

func table(w io.Writer) *tabwriter.Writer {
	return tabwriter.NewWriter(w, 0, 0, 3, ' ', 0)
}
