//go:build redis

package main

import "github.com/supabase-mcp/supabase-mcp/internal/shared/redisstore"

// noRedis is empty: this build has the Redis store.
const noRedis = ""

// openRedis is the store replicas share on the Redis at url.
func openRedis(url string) (teamStore, error) {
	s, err := redisstore.Open(url, "")
	if err != nil {
		return nil, err
	}
	return s, nil
}
