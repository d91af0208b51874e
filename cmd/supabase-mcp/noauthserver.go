//go:build !authserver

package main

import (
	"errors"
	"log/slog"

	"github.com/supabase-mcp/supabase-mcp/internal/config"
	"github.com/supabase-mcp/supabase-mcp/internal/server"
	"github.com/supabase-mcp/supabase-mcp/internal/shared"
)

// noAuthServer says why --auth oauth cannot run and what to do. The OAuth
// authorization server and its library (with OpenTelemetry, gRPC and more)
// would add about 20 ms and 6 MB to every start, stdio included, for a mode
// only team deployments use; the container image is built with it.
const noAuthServer = "--auth oauth needs a build with the OAuth authorization server, which this binary leaves out: " +
	"run the container image, or build with `go build -tags authserver ./cmd/supabase-mcp` " +
	"(or `go install -tags authserver github.com/supabase-mcp/supabase-mcp/cmd/supabase-mcp@latest`)"

// newAuthServer fails: this build has no authorization server. (config
// refuses --auth oauth first; this is the backstop.)
func newAuthServer(*config.Config, shared.Store, *slog.Logger) (server.AuthServer, error) {
	return nil, errors.New(noAuthServer)
}
