//go:build authserver

package main

import (
	"log/slog"

	"github.com/supabase-mcp/supabase-mcp/internal/authserver"
	"github.com/supabase-mcp/supabase-mcp/internal/config"
	"github.com/supabase-mcp/supabase-mcp/internal/server"
	"github.com/supabase-mcp/supabase-mcp/internal/shared"
)

// noAuthServer is empty: this build has the authorization server.
const noAuthServer = ""

// newAuthServer is the OAuth authorization server of --auth oauth, keeping
// its state in store (nil: in this process, for one replica).
func newAuthServer(cfg *config.Config, store shared.Store, logger *slog.Logger) (server.AuthServer, error) {
	var as authserver.Store
	if store != nil {
		as = authserver.SharedStore{S: store}
	}
	s, err := authserver.New(authserver.Config{
		Store:     as,
		PublicURL: cfg.PublicURL,
		Upstream:  authserver.Upstream{APIURL: cfg.APIURL, ClientID: cfg.OAuthClientID, ClientSecret: cfg.OAuthClientSecret},
		Key:       cfg.OAuthKey,
		Logger:    logger,
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}
