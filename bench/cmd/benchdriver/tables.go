package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

const (
	benchSchema = "bench_list_tables"
	benchTables = 300
)

// createBenchTables makes benchTables small tables in their own schema of the
// test PostgreSQL behind the fake API, and returns a function that drops them.
func createBenchTables(ctx context.Context, dbURL string) (func(), error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return nil, err
	}
	defer conn.Close(context.Background())
	var b strings.Builder
	fmt.Fprintf(&b, "drop schema if exists %[1]s cascade; create schema %[1]s;\n", benchSchema)
	for i := 1; i <= benchTables; i++ {
		fmt.Fprintf(&b, "create table %s.table_%03d (id bigint generated always as identity primary key, name text not null, created_at timestamptz not null default now(), owner_id uuid);\n", benchSchema, i)
		fmt.Fprintf(&b, "comment on table %s.table_%03d is 'Benchmark table %d';\n", benchSchema, i, i)
	}
	if _, err := conn.Exec(ctx, b.String()); err != nil {
		return nil, err
	}
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if conn, err := pgx.Connect(ctx, dbURL); err == nil {
			_, _ = conn.Exec(ctx, "drop schema if exists "+benchSchema+" cascade")
			_ = conn.Close(ctx)
		}
	}, nil
}
