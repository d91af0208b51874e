// Package login signs a user in to the Supabase Management API with OAuth2
// (authorization code with PKCE, for an OAuth app the user registered),
// keeps the token set in the user's config directory, refreshes it before it
// expires, and revokes it on logout.
package login

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/oauth2"
)

// ErrNotLoggedIn means no token set is stored.
var ErrNotLoggedIn = errors.New("not signed in: run `supabase-mcp login`")

// Stored is the token set `supabase-mcp login` keeps, with the OAuth app
// and API it belongs to (refreshing needs both).
type Stored struct {
	APIURL       string    `json:"api_url"`
	ClientID     string    `json:"client_id"`
	ClientSecret string    `json:"client_secret"`
	AccessToken  string    `json:"access_token"`
	RefreshToken string    `json:"refresh_token"`
	TokenType    string    `json:"token_type,omitempty"`
	Expiry       time.Time `json:"expiry,omitzero"`
}

func (s *Stored) token() *oauth2.Token {
	return &oauth2.Token{AccessToken: s.AccessToken, RefreshToken: s.RefreshToken, TokenType: s.TokenType, Expiry: s.Expiry}
}

func (s *Stored) setToken(t *oauth2.Token) {
	s.AccessToken, s.TokenType, s.Expiry = t.AccessToken, t.TokenType, t.Expiry
	if t.RefreshToken != "" {
		s.RefreshToken = t.RefreshToken
	}
}

// DefaultPath is login.json in supabase-mcp's directory under the user
// config directory ($XDG_CONFIG_HOME or ~/.config on Linux, ~/Library/Application
// Support on macOS, %AppData% on Windows).
func DefaultPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("cannot find the user config directory: %w", err)
	}
	return filepath.Join(dir, "supabase-mcp", "login.json"), nil
}

// Exists reports whether a token set is stored at path.
func Exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// Load reads the token set at path; ErrNotLoggedIn when there is none.
func Load(path string) (*Stored, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotLoggedIn
	}
	if err != nil {
		return nil, err
	}
	var s Stored
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("%s is damaged (%v): run `supabase-mcp login` again", filepath.Base(path), err)
	}
	if s.AccessToken == "" && s.RefreshToken == "" {
		return nil, fmt.Errorf("%s holds no token: run `supabase-mcp login` again", filepath.Base(path))
	}
	return &s, nil
}

// Save writes the token set atomically with mode 0600: a temporary file in
// the same directory, synced, then renamed over the old one, so a reader
// (another server process) sees the old or the new set, never half of one.
func Save(path string, s *Stored) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".login-*.tmp") // CreateTemp uses mode 0600
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op after the rename
	if err := f.Chmod(0o600); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		f.Close()
		return err
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// Remove deletes the stored token set; no error if there is none. (The
// lock file stays: another process may hold it.)
func Remove(path string) error {
	err := os.Remove(path)
	if errors.Is(err, fs.ErrNotExist) {
		err = nil
	}
	return err
}
