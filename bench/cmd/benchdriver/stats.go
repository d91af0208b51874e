package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// durations summarises a sample of latencies.
type durations []time.Duration

func (d durations) sorted() durations {
	s := slices.Clone(d)
	slices.Sort(s)
	return s
}

// pct is the nearest-rank percentile (0 < q <= 100) of a sample.
func (d durations) pct(q float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := d.sorted()
	i := int(float64(len(s))*q/100+0.999999) - 1
	return s[max(0, min(i, len(s)-1))]
}

func (d durations) min() time.Duration { return slices.Min(d) }
func (d durations) max() time.Duration { return slices.Max(d) }

func medianInt(v []int64) int64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// ms formats a duration in milliseconds with one decimal.
func ms(d time.Duration) string { return strconv.FormatFloat(float64(d)/1e6, 'f', 1, 64) }

// us formats a duration in microseconds.
func us(d time.Duration) string { return strconv.FormatFloat(float64(d)/1e3, 'f', 0, 64) }

// mb formats KiB as MB with one decimal.
func mb(kib int64) string { return strconv.FormatFloat(float64(kib)/1024, 'f', 1, 64) }

// signedMB formats a KiB difference as MB with a sign.
func signedMB(kib int64) string {
	s := mb(kib)
	if kib >= 0 {
		s = "+" + s
	}
	return s
}

// num formats an integer with thousands separators.
func num(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + num(-n)
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// ratio is "a/b" as "12.3x", or "" when either is missing.
func ratio(a, b float64) string {
	if a <= 0 || b <= 0 {
		return ""
	}
	r := a / b
	if r >= 10 {
		return fmt.Sprintf("%.0fx", r)
	}
	return fmt.Sprintf("%.1fx", r)
}
