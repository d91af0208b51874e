package login

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// DefaultEarlyRefresh is how long before expiry a token is refreshed.
const DefaultEarlyRefresh = time.Minute

// ErrLoginInvalid means the stored login can no longer be refreshed (it
// was revoked, or the refresh token expired): the user must log in again.
var ErrLoginInvalid = errors.New("the stored login was revoked or has expired: run `supabase-mcp login` again")

// Source is an oauth2.TokenSource over the stored login. It hands out the
// stored access token until EarlyRefresh before it expires, then refreshes
// it and stores the new set atomically. Several server processes may share
// one login: a refresh happens under a lock on the file, after re-reading
// it, so a token another process refreshed is picked up instead of
// spending the (single-use) refresh token twice.
type Source struct {
	path  string
	app   App
	early time.Duration

	// Log, when set, hears about a refreshed token set that could not be stored.
	Log *slog.Logger

	mu  sync.Mutex
	cur *Stored
}

// NewSource reads the stored login at path. Non-empty fields of app
// override the stored API URL and OAuth app credentials; early <= 0 means
// DefaultEarlyRefresh.
func NewSource(path string, app App, early time.Duration) (*Source, error) {
	s, err := Load(path)
	if err != nil {
		return nil, err
	}
	if app.APIURL != "" && app.APIURL != s.APIURL {
		return nil, fmt.Errorf("the stored login is for %s, not %s: pass --api-url %s, or run `supabase-mcp login --api-url %s`", s.APIURL, app.APIURL, s.APIURL, app.APIURL)
	}
	if early <= 0 {
		early = DefaultEarlyRefresh
	}
	return &Source{path: path, app: app, early: early, cur: s}, nil
}

// Stored returns a copy of the token set in use (for tests and messages).
func (s *Source) Stored() Stored {
	s.mu.Lock()
	defer s.mu.Unlock()
	return *s.cur
}

func (s *Source) fresh(st *Stored) bool {
	return st.AccessToken != "" && (st.Expiry.IsZero() || time.Until(st.Expiry) > s.early)
}

// Token implements oauth2.TokenSource.
func (s *Source) Token() (*oauth2.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fresh(s.cur) {
		return s.cur.token(), nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), lockTimeout)
	defer cancel()
	unlock, err := lockFile(ctx, s.path+".lock")
	if err != nil {
		return nil, err
	}
	defer unlock()
	st, err := Load(s.path) // another process may have refreshed meanwhile
	if err != nil {
		return nil, err
	}
	if s.fresh(st) {
		s.cur = st
		return st.token(), nil
	}
	app := s.app
	if app.APIURL == "" {
		app.APIURL = st.APIURL
	}
	if app.ClientID == "" {
		app.ClientID, app.ClientSecret = st.ClientID, st.ClientSecret
	}
	// An empty access token makes x/oauth2 refresh at once.
	tok, err := app.config("").TokenSource(app.ctx(ctx), &oauth2.Token{RefreshToken: st.RefreshToken}).Token()
	if err != nil {
		err = describe(err)
		if ee, ok := errors.AsType[*endpointError](err); ok && ee.status >= 400 && ee.status < 500 && ee.status != http.StatusTooManyRequests {
			return nil, fmt.Errorf("%w (%v)", ErrLoginInvalid, err)
		}
		return nil, fmt.Errorf("refreshing the stored login: %w", err)
	}
	st.setToken(tok)
	s.cur = st
	if err := Save(s.path, st); err != nil && s.Log != nil {
		// This process carries on with the new set, but the stored refresh
		// token is spent: others (and the next start) must log in again.
		s.Log.Error("refreshed the login but could not store it; other processes will need `supabase-mcp login`", "error", err)
	}
	return st.token(), nil
}
