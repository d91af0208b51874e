// Package sharedtest gives tests a Redis: the one named by
// SUPABASE_MCP_TEST_REDIS_URL (bash .ci/run starts one), or a redis-server
// of their own on a free port, which a test may stop and start again.
package sharedtest

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/supabase-mcp/supabase-mcp/internal/shared/redisstore"
)

// EnvRedisURL names a Redis for tests; EnvRequireRedis (set by .ci/run)
// turns a missing Redis into a failure instead of a skip.
const (
	EnvRedisURL     = "SUPABASE_MCP_TEST_REDIS_URL"
	EnvRequireRedis = "SUPABASE_MCP_TEST_REQUIRE_REDIS"
)

func missing(t testing.TB, what string) {
	t.Helper()
	if os.Getenv(EnvRequireRedis) != "" {
		t.Fatalf("%s; %s is set, so this test must run", what, EnvRequireRedis)
	}
	t.Skipf("%s (bash .ci/run provides it)", what)
}

// Prefix is a key prefix of this test's own, so that tests sharing one
// Redis never see each other's keys.
func Prefix(t testing.TB) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return "test-" + hex.EncodeToString(b) + ":"
}

// URL is the shared test Redis, or this test's own redis-server.
func URL(t testing.TB) string {
	t.Helper()
	if u := os.Getenv(EnvRedisURL); u != "" {
		return u
	}
	return Start(t).URL()
}

// Open is a store on URL(t) under a fresh Prefix.
func Open(t testing.TB) *redisstore.Store {
	t.Helper()
	r, err := redisstore.Open(URL(t), Prefix(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// Server is a redis-server process of the test's own.
type Server struct {
	t    testing.TB
	port int
	dir  string
	cmd  *exec.Cmd
}

// Start runs redis-server on a free loopback port (no persistence), stopped
// when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		missing(t, "redis-server is not installed")
	}
	_ = bin
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	s := &Server{t: t, port: port, dir: t.TempDir()}
	s.Restart()
	t.Cleanup(s.Kill)
	return s
}

// URL is the server's redis:// URL.
func (s *Server) URL() string { return fmt.Sprintf("redis://127.0.0.1:%d/0", s.port) }

// Kill stops the server at once (SIGKILL), as a crash would.
func (s *Server) Kill() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
	s.cmd = nil
}

// Restart starts the server again on the same port and waits until it
// accepts commands.
func (s *Server) Restart() {
	s.t.Helper()
	if s.cmd != nil {
		return
	}
	cmd := exec.Command("redis-server", "--port", fmt.Sprint(s.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", s.dir, "--protected-mode", "no")
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("starting redis-server: %v", err)
	}
	s.cmd = cmd
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		if pingRaw(s.port) {
			return
		}
		select {
		case <-ctx.Done():
			s.t.Fatalf("redis-server on port %d did not come up", s.port)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func pingRaw(port int) bool {
	c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), 200*time.Millisecond)
	if err != nil {
		return false
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(200 * time.Millisecond))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return false
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	return err == nil && strings.HasPrefix(line, "+PONG")
}
