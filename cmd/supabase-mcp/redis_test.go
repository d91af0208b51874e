package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/supabase-mcp/supabase-mcp/internal/sandbox"
	"github.com/supabase-mcp/supabase-mcp/internal/shared/sharedtest"
)

// teamArgs serves HTTP with Redis at redisURL and a shared key file.
func teamArgs(t *testing.T, redisURL string) []string {
	keyFile := filepath.Join(t.TempDir(), "session.key")
	if err := os.WriteFile(keyFile, []byte(base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return []string{"--transport", "http", "--listen", "127.0.0.1:0", "--redis-url", redisURL, "--session-key-file", keyFile}
}

// The default build leaves go-redis out and refuses --redis-url at start,
// before listening or dialling, saying how to get a build that has it.
func TestDefaultBuildRefusesRedisURL(t *testing.T) {
	bin := buildBinary(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// Port 1: a binary that wrongly dials would fail differently.
	cmd := exec.CommandContext(ctx, bin, teamArgs(t, "redis://127.0.0.1:1/0")...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "SUPABASE_ACCESS_TOKEN=" + token}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	msg := stderr.String()
	if err == nil || cmd.ProcessState.ExitCode() != 1 || stdout.Len() != 0 {
		t.Errorf("err %v, stdout %q: want exit 1", err, stdout.String())
	}
	for _, want := range []string{"supabase-mcp: --redis-url needs a build with the Redis store", "container image", "go build -tags redis ./cmd/supabase-mcp"} {
		if !strings.Contains(msg, want) {
			t.Errorf("stderr %q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, "listening") || strings.Count(strings.TrimSpace(msg), "\n") != 0 {
		t.Errorf("want the one error line, before listening: %q", msg)
	}
}

// The container image's build keeps its state in Redis: /healthz asks
// Redis and says so, and reports a Redis that stops answering.
func TestTeamBuildUsesRedis(t *testing.T) {
	srv := sharedtest.Start(t) // its own, so that it can be stopped
	bin := buildTeamBinary(t)
	api := sandbox.NewFromEnv(t, token)
	p := start(t, bin, []string{"HOME=" + t.TempDir(), "SUPABASE_API_URL=" + api.URL()}, teamArgs(t, srv.URL())...)
	port := p.waitLine(t, `msg=listening .*addr=\S+:(\d+)`)
	health := func() (int, string) {
		t.Helper()
		resp, err := http.Get("http://127.0.0.1:" + port + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := health(); code != http.StatusOK || !strings.Contains(body, `"redis":"ok"`) {
		t.Fatalf("/healthz with Redis up: %d %s", code, body)
	}
	srv.Kill()
	if code, body := health(); code != http.StatusServiceUnavailable || !strings.Contains(body, `"redis":"unreachable"`) {
		t.Fatalf("/healthz with Redis down: %d %s", code, body)
	}
}
