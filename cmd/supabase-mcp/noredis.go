//go:build !redis

package main

import "errors"

// noRedis says why --redis-url cannot run and what to do. go-redis would
// add its package initialisation and about 1.3 MB of resident memory to
// every start, stdio included, for a mode only team deployments use; the
// container image is built with it.
const noRedis = "--redis-url needs a build with the Redis store, which this binary leaves out: " +
	"run the container image, or build with `go build -tags redis ./cmd/supabase-mcp` " +
	"(or `go install -tags redis github.com/supabase-mcp/supabase-mcp/cmd/supabase-mcp@latest`)"

// openRedis fails: this build has no Redis store. (config refuses
// --redis-url first; this is the backstop.)
func openRedis(string) (teamStore, error) { return nil, errors.New(noRedis) }
