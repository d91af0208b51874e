package login

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// DefaultEarlyRefresh is how long before expiry a token is refreshed.
const DefaultEarlyRefresh = time.Minute

// ErrLoginInvalid means the stored login can no longer be refreshed (it
// was revoked, or the refresh token expired): the user must log in again.
var ErrLoginInvalid = errors.New("the stored login was revoked or has expired: run `supabase-mcp login` again")

// ErrSignedOut means the login file was removed (`supabase-mcp logout`)
// while the server was running.
var ErrSignedOut = errors.New("signed out: the stored login was removed; run `supabase-mcp login`")

// Source is an oauth2.TokenSource over the stored login. It hands out the
// stored access token until EarlyRefresh before it expires, then refreshes
// it and stores the new set atomically. Several server processes may share
// one login: a refresh happens under a lock on the file, after re-reading
// it, so a token another process refreshed is picked up instead of
// spending the (single-use) refresh token twice.
//
// Every Token call checks whether the file changed (inode, size, mtime):
// a new login is picked up without a restart, and a removed one is no
// longer used. The issuer is fixed when the Source is made: a file that
// now belongs to another API is refused, and refreshes only ever go to
// the issuer.
type Source struct {
	path   string
	issuer string
	http   *http.Client
	early  time.Duration

	// Log, when set, hears about a refreshed token set that could not be
	// stored, and about a new login being picked up.
	Log *slog.Logger

	mu   sync.Mutex
	cur  *Stored
	seen os.FileInfo // the file cur was read from (or written to)
}

// NewSource reads the stored login at path. app.APIURL, when set, is the
// API URL the server was given: a login issued by another is refused.
// app.HTTPClient makes the refresh requests. The stored OAuth app
// credentials are used for refreshing (the grant is theirs). early <= 0
// means DefaultEarlyRefresh.
func NewSource(path string, app App, early time.Duration) (*Source, error) {
	s, fi, err := load(path, true)
	if err != nil {
		return nil, err
	}
	if app.APIURL != "" && app.APIURL != s.APIURL {
		return nil, fmt.Errorf("the stored login is for %s, not %s: pass --api-url %s, or run `supabase-mcp login --api-url %s`", s.APIURL, app.APIURL, s.APIURL, app.APIURL)
	}
	if early <= 0 {
		early = DefaultEarlyRefresh
	}
	return &Source{path: path, issuer: s.APIURL, http: app.HTTPClient, early: early, cur: s, seen: fi}, nil
}

// Issuer is the API URL the stored login belongs to: the only one its
// tokens may be sent to.
func (s *Source) Issuer() string { return s.issuer }

// Stored returns a copy of the token set in use (for tests and messages).
func (s *Source) Stored() Stored {
	s.mu.Lock()
	defer s.mu.Unlock()
	return *s.cur
}

func (s *Source) fresh(st *Stored) bool {
	return st.AccessToken != "" && (st.Expiry.IsZero() || time.Until(st.Expiry) > s.early)
}

// reread picks up the stored file if it changed since it was last read.
// Writers rename a complete file into place, so no lock is needed to read.
func (s *Source) reread() error {
	fi, err := os.Lstat(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return ErrSignedOut
	}
	if err != nil {
		return err
	}
	if sameFile(fi, s.seen) {
		return nil
	}
	st, fi, err := load(s.path, true)
	if errors.Is(err, ErrNotLoggedIn) {
		return ErrSignedOut
	}
	if err != nil {
		return err
	}
	if err := s.adopt(st, fi); err != nil {
		return err
	}
	return nil
}

// adopt makes st, read from the file fi, the token set in use, unless it
// belongs to another issuer.
func (s *Source) adopt(st *Stored, fi os.FileInfo) error {
	if st.APIURL != s.issuer {
		return fmt.Errorf("the stored login is now for %s, but this server sends its requests to %s: restart it (with --api-url %s to use the new login)", st.APIURL, s.issuer, st.APIURL)
	}
	if s.Log != nil && st.RefreshToken != s.cur.RefreshToken && st.AccessToken != s.cur.AccessToken {
		s.Log.Debug("picked up the stored login from " + s.path)
	}
	s.cur, s.seen = st, fi
	return nil
}

// Token implements oauth2.TokenSource.
func (s *Source) Token() (*oauth2.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.reread(); err != nil {
		return nil, err
	}
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
	st, fi, err := load(s.path, true) // another process may have refreshed meanwhile
	if errors.Is(err, ErrNotLoggedIn) {
		return nil, ErrSignedOut
	}
	if err != nil {
		return nil, err
	}
	if err := s.adopt(st, fi); err != nil {
		return nil, err
	}
	if s.fresh(st) {
		return st.token(), nil
	}
	app := st.app(s.http)
	// An empty access token makes x/oauth2 refresh at once.
	tok, err := app.config("").TokenSource(app.ctx(ctx), &oauth2.Token{RefreshToken: st.RefreshToken}).Token()
	if err != nil {
		err = summarise(tokenEndpoint, app.APIURL, err)
		if ee, ok := errors.AsType[*endpointError](err); ok && ee.status >= 400 && ee.status < 500 && ee.status != http.StatusTooManyRequests {
			return nil, fmt.Errorf("%w (%v)", ErrLoginInvalid, err)
		}
		return nil, fmt.Errorf("refreshing the stored login: %w", err)
	}
	next := *st
	next.setToken(tok)
	s.cur = &next
	written, err := save(s.path, &next)
	if err != nil {
		// This process carries on with the new set, but the stored refresh
		// token is spent: others (and the next start) must log in again.
		if s.Log != nil {
			s.Log.Error("refreshed the login but could not store it; other processes will need `supabase-mcp login`", "error", err)
		}
		return next.token(), nil
	}
	s.seen = written
	return next.token(), nil
}
