package tools

import (
	"errors"
	"time"
)

// AnalyticsRequests are the analytics tool's operations.
type AnalyticsRequests struct {
	GetLogs                GetLogs
	QueryLogs              QueryLogs
	GetApiCounts           GetAPICounts
	GetApiRequestsCount    GetAPIRequestsCount
	GetFunctionStats       GetFunctionStats
	GetSecurityAdvisors    GetSecurityAdvisors
	GetPerformanceAdvisors GetPerformanceAdvisors
}

type QueryLogs struct {
	ProjectRef
	SQL   string `json:"sql,omitempty" in:"query" jsonschema_description:"SQL on edge_logs, postgres_logs, auth_logs..."`
	Start string `json:"iso_timestamp_start,omitempty" in:"query" check:"format=date-time" jsonschema_description:"At most 24h before the end."`
	End   string `json:"iso_timestamp_end,omitempty" in:"query" check:"format=date-time" jsonschema_description:"Range end."`
}

// Validate checks the timestamps: the API takes RFC 3339 and a range of at
// most 24 hours.
func (r QueryLogs) Validate() error {
	var start, end time.Time
	for _, ts := range []struct {
		name, v string
		t       *time.Time
	}{{"iso_timestamp_start", r.Start, &start}, {"iso_timestamp_end", r.End, &end}} {
		if ts.v == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339, ts.v)
		if err != nil {
			return errors.New(ts.name + " must be an RFC 3339 timestamp such as 2025-03-01T00:00:00Z")
		}
		*ts.t = t
	}
	if !start.IsZero() && !end.IsZero() && (!end.After(start) || end.Sub(start) > 24*time.Hour) {
		return errors.New("iso_timestamp_end must be after iso_timestamp_start, by at most 24 hours")
	}
	return nil
}

type GetAPICounts struct {
	ProjectRef
	Interval string `json:"interval,omitempty" in:"query" jsonschema:"enum=15min,enum=30min,enum=1hr,enum=3hr,enum=1day,enum=3day,enum=7day" jsonschema_description:"Window."`
}

type GetAPIRequestsCount struct{ ProjectRef }

type GetFunctionStats struct {
	ProjectRef
	Interval   string `json:"interval" in:"query" jsonschema:"required,enum=15min,enum=1hr,enum=3hr,enum=1day" jsonschema_description:"Window."`
	FunctionID string `json:"function_id" in:"query" jsonschema:"required" jsonschema_description:"Id."`
}
