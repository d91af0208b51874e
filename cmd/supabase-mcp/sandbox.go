package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"

	"github.com/supabase-mcp/supabase-mcp/internal/config"
	"github.com/supabase-mcp/supabase-mcp/internal/sandbox"
)

// startSandbox starts the in-process Management API simulator of --sandbox
// on a loopback port, with a token made up for this process. It is only
// reached with --sandbox: a normal start never initialises it.
func startSandbox(cfg *config.Config, logger *slog.Logger) (*sandbox.Server, string, error) {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, "", err
	}
	token := "sbx_" + hex.EncodeToString(b[:])
	if cfg.SandboxReset {
		if err := os.Remove(cfg.SandboxState); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, "", fmt.Errorf("--sandbox-reset: %w", err)
		}
	}
	opts := sandbox.Options{Token: token, DatabaseURL: cfg.SandboxDatabaseURL, StateFile: cfg.SandboxState, TransitionReads: 1}
	if len(cfg.SandboxFaultRates) > 0 || cfg.SandboxDelay > 0 {
		opts.Chaos = &sandbox.Chaos{Rates: cfg.SandboxFaultRates, Delay: cfg.SandboxDelay}
	}
	sb, err := sandbox.Open(opts)
	if err != nil {
		return nil, "", err
	}
	state := "in memory (lost on exit)"
	if cfg.SandboxState != "" {
		state = cfg.SandboxState
	}
	logger.Warn("SANDBOX: serving a simulated Supabase Management API with demo data; no Supabase account is used and nothing leaves this machine",
		"state", state, "database", cfg.SandboxDatabaseURL != "", "faults", cfg.SandboxFaultRates, "delay", cfg.SandboxDelay)
	return sb, token, nil
}
