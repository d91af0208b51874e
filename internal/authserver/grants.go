package authserver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// grantLockTTL bounds how long a replica holds a grant's refresh lock (a
// crashed one releases it then); longer than the refresh request's timeout.
const grantLockTTL = 45 * time.Second

// grant is a Supabase token set as kept (sealed) in the Store.
type grant struct {
	AccessToken  string    `json:"access_token"`
	RefreshToken string    `json:"refresh_token"`
	Expiry       time.Time `json:"expiry"`
}

func grantOf(t *oauth2.Token) *grant {
	return &grant{AccessToken: t.AccessToken, RefreshToken: t.RefreshToken, Expiry: t.Expiry}
}

func (s *Server) upstreamCtx(ctx context.Context) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, s.cfg.HTTPClient)
}

// grantTTL: a grant lives as long as a refresh token issued for it could,
// counted from its last use; an abandoned one expires.
func (s *Server) grantTTL() time.Duration { return s.cfg.RefreshTokenLifetime + time.Hour }

func (s *Server) saveGrant(ctx context.Context, id string, g *grant) error {
	b, err := json.Marshal(g)
	if err != nil {
		return err
	}
	return s.cfg.Store.Put(ctx, keyGrant+id, s.keys.seal(keyGrant+id, b), s.grantTTL())
}

func (s *Server) loadGrant(ctx context.Context, id string) (*grant, []byte, error) {
	sealed, err := s.cfg.Store.Get(ctx, keyGrant+id)
	if err != nil {
		return nil, nil, err
	}
	b, err := s.keys.open(keyGrant+id, sealed)
	if err != nil {
		return nil, nil, err
	}
	var g grant
	if err := json.Unmarshal(b, &g); err != nil {
		return nil, nil, err
	}
	return &g, sealed, nil
}

// touchGrant extends a grant's life when its client refreshes.
func (s *Server) touchGrant(ctx context.Context, id string) {
	if sealed, err := s.cfg.Store.Get(ctx, keyGrant+id); err == nil {
		_ = s.cfg.Store.Put(ctx, keyGrant+id, sealed, s.grantTTL())
	}
}

// dropGrant revokes a grant at Supabase and deletes it here.
func (s *Server) dropGrant(ctx context.Context, id string) {
	g, _, err := s.loadGrant(ctx, id)
	_ = s.cfg.Store.Delete(ctx, keyGrant+id)
	if err != nil {
		return
	}
	if err := s.revokeUpstream(ctx, g.RefreshToken); err != nil {
		s.log.Warn("the Supabase grant was deleted here but Supabase did not confirm its revocation; revoke the app's access in the Supabase dashboard if needed", "err", err)
	}
}

// revokeUpstream is Supabase's POST /v1/oauth/revoke (a JSON body).
func (s *Server) revokeUpstream(ctx context.Context, refreshToken string) error {
	body, _ := json.Marshal(map[string]string{"client_id": s.cfg.Upstream.ClientID, "client_secret": s.cfg.Upstream.ClientSecret, "refresh_token": refreshToken})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(s.cfg.Upstream.APIURL, "/")+"/v1/oauth/revoke", bytes.NewReader(body))
	if err != nil {
		return errors.New("the revoke URL is unusable")
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.cfg.HTTPClient.Do(req)
	if err != nil {
		return errors.New("the revoke request failed (network or timeout)")
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return errors.New("Supabase answered the revoke request with status " + resp.Status)
	}
	return nil
}

func (s *Server) grantLock(id string) *sync.Mutex {
	s.refreshMu.Lock()
	defer s.refreshMu.Unlock()
	m, ok := s.refreshing[id]
	if !ok {
		if len(s.refreshing) > 4096 { // forget idle locks; a new one is as good
			clear(s.refreshing)
		}
		m = &sync.Mutex{}
		s.refreshing[id] = m
	}
	return m
}

// SupabaseToken returns the current Supabase access token of a grant (from
// Verify), refreshing it at Supabase when it is about to expire. It is for
// this server's own API calls only: it never goes to an MCP client.
func (s *Server) SupabaseToken(ctx context.Context, grantID string) (string, error) {
	g, _, err := s.loadGrant(ctx, grantID)
	if errors.Is(err, ErrNotFound) {
		return "", ErrGrantRevoked
	}
	if err != nil {
		s.log.Warn("could not read a Supabase grant", "err", err)
		return "", ErrUpstreamUnavailable
	}
	if g.Expiry.IsZero() || time.Until(g.Expiry) > refreshMargin {
		return g.AccessToken, nil
	}
	m := s.grantLock(grantID)
	m.Lock()
	defer m.Unlock()
	g, before, err := s.loadGrant(ctx, grantID) // another call may have refreshed it
	if err != nil {
		return "", ErrGrantRevoked
	}
	if time.Until(g.Expiry) > refreshMargin {
		return g.AccessToken, nil
	}
	// One replica at a time: the others use the token while it lasts, and
	// are told to retry shortly once it has expired.
	lockKey := keyGrantLock + grantID
	got, err := s.cfg.Store.PutNew(ctx, lockKey, []byte("1"), grantLockTTL)
	if err != nil || !got {
		if err == nil && time.Until(g.Expiry) > 0 {
			return g.AccessToken, nil
		}
		return "", ErrUpstreamUnavailable
	}
	defer s.cfg.Store.Delete(context.WithoutCancel(ctx), lockKey)
	if g, before, err = s.loadGrant(ctx, grantID); err != nil { // refreshed by another replica before the lock?
		return "", ErrGrantRevoked
	}
	if time.Until(g.Expiry) > refreshMargin {
		return g.AccessToken, nil
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	tok, err := s.upstream.TokenSource(s.upstreamCtx(rctx), &oauth2.Token{RefreshToken: g.RefreshToken, Expiry: time.Unix(1, 0)}).Token()
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && re.ErrorCode == "invalid_grant" {
			// Another replica may have rotated it meanwhile: use its result.
			if now, sealed, lerr := s.loadGrant(ctx, grantID); lerr == nil && !bytes.Equal(sealed, before) {
				return now.AccessToken, nil
			}
			s.log.Info("Supabase refused to refresh a grant; it was revoked there", "err", summarise(err))
			_ = s.cfg.Store.Delete(ctx, keyGrant+grantID)
			return "", ErrGrantRevoked
		}
		s.log.Warn("could not refresh a Supabase grant", "err", summarise(err))
		return "", ErrUpstreamUnavailable
	}
	ng := grantOf(tok)
	if ng.RefreshToken == "" {
		ng.RefreshToken = g.RefreshToken
	}
	if err := s.saveGrant(ctx, grantID, ng); err != nil {
		s.log.Warn("could not store a refreshed Supabase grant", "err", err)
	}
	return ng.AccessToken, nil
}
