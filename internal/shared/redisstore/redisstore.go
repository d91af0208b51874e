// Package redisstore keeps the state replicas share (shared.Store, and the
// shared rate limit) in Redis. It is its own package so that only builds
// with the redis tag link go-redis: its package initialisation and code
// pages would cost every start, stdio included, for a mode only team
// deployments use.
package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/supabase-mcp/supabase-mcp/internal/shared"
)

// Store is a shared.Store (and a shared rate limit, see Allow) on a Redis
// server, shared by every replica that uses the same URL and prefix. The
// client reconnects by itself: while Redis is down every operation fails
// quickly with an error wrapping shared.ErrUnavailable, and works again
// once it is back.
type Store struct {
	rdb    *redis.Client
	prefix string
	gcra   *redis.Script // gcraScript, built here rather than at package init: most starts have no Redis
}

// Timeouts towards Redis: short, so that a Redis outage turns into a clear
// error within about a second rather than a stalled tool call.
const (
	redisDialTimeout = time.Second
	redisIOTimeout   = time.Second
)

// DefaultPrefix namespaces this server's keys in a Redis shared with
// other applications.
const DefaultPrefix = "supabase-mcp:"

// Open parses url (redis:// or rediss://, as go-redis reads it) and
// returns a store whose keys all start with prefix ("" means
// DefaultPrefix). It does not wait for Redis to answer: a server may
// start while Redis is still coming up, and reports it in /healthz.
func Open(url, prefix string) (*Store, error) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		// The URL can hold a password: never quote it.
		return nil, errors.New("--redis-url is not a valid redis:// or rediss:// URL")
	}
	opts.DialTimeout = redisDialTimeout
	opts.ReadTimeout = redisIOTimeout
	opts.WriteTimeout = redisIOTimeout
	// One retry on a broken connection. A retried Take or Add may find its
	// first attempt's effect (the entry gone, or there): both fail closed.
	opts.MaxRetries = 1
	if prefix == "" {
		prefix = DefaultPrefix
	}
	return &Store{rdb: redis.NewClient(opts), prefix: prefix, gcra: redis.NewScript(gcraScript)}, nil
}

// Close releases the connections.
func (r *Store) Close() error { return r.rdb.Close() }

func (r *Store) key(k string) string { return r.prefix + k }

// unavailable wraps a Redis error. Its text names the failure (connection
// refused, timeout) but never the URL or password.
func unavailable(op string, err error) error {
	msg := err.Error()
	if i := strings.Index(msg, "@"); i >= 0 { // defensive: an address with credentials
		msg = "connection failed"
	}
	return fmt.Errorf("%w (%s: %s)", shared.ErrUnavailable, op, msg)
}

// Add implements shared.Store with SET NX PX.
func (r *Store) Add(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	ok, err := r.rdb.SetNX(ctx, r.key(key), value, ttl).Result()
	if err != nil {
		return false, unavailable("add", err)
	}
	return ok, nil
}

// Set implements shared.Store.
func (r *Store) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := r.rdb.Set(ctx, r.key(key), value, ttl).Err(); err != nil {
		return unavailable("set", err)
	}
	return nil
}

// Get implements shared.Store.
func (r *Store) Get(ctx context.Context, key string) ([]byte, bool, error) {
	v, err := r.rdb.Get(ctx, r.key(key)).Bytes()
	switch {
	case errors.Is(err, redis.Nil):
		return nil, false, nil
	case err != nil:
		return nil, false, unavailable("get", err)
	}
	return v, true, nil
}

// Take implements shared.Store with GETDEL (Redis 6.2 or later), atomic on the
// server: two replicas redeeming one token concurrently get it once.
func (r *Store) Take(ctx context.Context, key string) ([]byte, bool, error) {
	v, err := r.rdb.GetDel(ctx, r.key(key)).Bytes()
	switch {
	case errors.Is(err, redis.Nil):
		return nil, false, nil
	case err != nil:
		return nil, false, unavailable("take", err)
	}
	return v, true, nil
}

// Delete implements shared.Store.
func (r *Store) Delete(ctx context.Context, key string) error {
	if err := r.rdb.Del(ctx, r.key(key)).Err(); err != nil {
		return unavailable("delete", err)
	}
	return nil
}

// Ping implements shared.Store.
func (r *Store) Ping(ctx context.Context) error {
	if err := r.rdb.Ping(ctx).Err(); err != nil {
		return unavailable("ping", err)
	}
	return nil
}

// gcraScript is the generic cell rate algorithm, atomic in Redis and timed by
// Redis's own clock (so replicas' clocks do not matter). The key holds the
// theoretical arrival time (TAT) in microseconds. A request is allowed when
// TAT - now <= (burst-1)·interval, and then TAT moves on by one interval:
// at most burst + t/interval requests pass in any span t. force charges the
// request even when it is over (TAT moves on regardless): for a request
// that was already sent, so that it still counts.
//
// KEYS[1] the bucket; ARGV[1] interval (µs); ARGV[2] burst; ARGV[3] force (0/1).
// Returns {allowed (0/1), wait until allowed (µs)}.
const gcraScript = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local wait = tat - now - (burst - 1) * interval
if wait > 0 and ARGV[3] ~= '1' then
  return {0, wait}
end
local new = tat + interval
redis.call('SET', KEYS[1], string.format('%.0f', new), 'PX', math.ceil((new - now) / 1000) + 1000)
return {1, 0}
`

// Allow takes one request from the shared bucket key, whose rate is one
// per interval with the given burst. When not allowed, retryAfter is when
// the next one will be. force counts a request that is sent regardless.
func (r *Store) Allow(ctx context.Context, key string, interval time.Duration, burst int, force bool) (allowed bool, retryAfter time.Duration, err error) {
	f := "0"
	if force {
		f = "1"
	}
	res, err := r.gcra.Run(ctx, r.rdb, []string{r.key(shared.PrefixRateLimit + key)}, interval.Microseconds(), burst, f).Int64Slice()
	if err != nil {
		return false, 0, unavailable("rate limit", err)
	}
	if len(res) != 2 {
		return false, 0, unavailable("rate limit", errors.New("unexpected script answer"))
	}
	return res[0] == 1, time.Duration(res[1]) * time.Microsecond, nil
}
