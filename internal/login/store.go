// Package login signs a user in to the Supabase Management API with OAuth2
// (authorization code with PKCE, for an OAuth app the user registered),
// keeps the token set in the user's config directory, refreshes it before it
// expires, and revokes it on logout.
package login

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"golang.org/x/oauth2"
)

// ErrNotLoggedIn means no token set is stored.
var ErrNotLoggedIn = errors.New("not signed in: run `supabase-mcp login`")

// ErrUnsafeStore means the login file or its directory could be read or
// replaced by someone else (or is a symbolic link); the error says how to fix it.
var ErrUnsafeStore = errors.New("the stored login is not private")

// maxStoredBytes bounds what is read from login.json (a token set is < 4 KiB).
const maxStoredBytes = 1 << 20

// Stored is the token set `supabase-mcp login` keeps, with the OAuth app
// and API it belongs to (refreshing needs both). APIURL is the issuer: the
// only host its tokens and app credentials are ever sent to.
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

// app is the OAuth app and issuer the stored grant belongs to.
func (s *Stored) app(httpClient *http.Client) App {
	return App{APIURL: s.APIURL, ClientID: s.ClientID, ClientSecret: s.ClientSecret, HTTPClient: httpClient}
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

// Exists reports whether something is stored at path (a symbolic link
// counts, so that Load explains why it is refused).
func Exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// SecureDir checks the directory of the login file at path, if it exists:
// one that others can write to, or read, is tightened to 0700 when it is
// ours (note then says what was changed, for a warning), and refused when
// it is not. Load, Save and the lock check it too; callers use SecureDir
// to show the note.
func SecureDir(path string) (note string, err error) {
	note, err = secureDir(filepath.Dir(path))
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	return note, err
}

// secureDir follows a symbolic link to the directory (a link there can only
// be made by someone who can already write to the parent) and checks what
// it points to: ours, and private.
func secureDir(dir string) (string, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return "", err
	}
	if !fi.IsDir() {
		return "", fmt.Errorf("%w: %s is not a directory", ErrUnsafeStore, dir)
	}
	if !permissionsApply {
		return "", nil
	}
	if !ownedByMe(fi) {
		return "", fmt.Errorf("%w: the directory %s belongs to another user, who could replace the login file: remove it, or set XDG_CONFIG_HOME to a directory of your own", ErrUnsafeStore, dir)
	}
	perm := fi.Mode().Perm()
	if perm&0o077 == 0 {
		return "", nil
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return "", fmt.Errorf("%w: the directory %s has mode %04o (others can get at the login file) and could not be tightened: %v; run chmod 700 %s", ErrUnsafeStore, dir, perm, err, dir)
	}
	return fmt.Sprintf("the directory %s had mode %04o; tightened to 0700 so that only you can read or replace the login file", dir, perm), nil
}

// Load reads the token set at path; ErrNotLoggedIn when there is none.
// A login file that others can read, that is not ours, or that is a
// symbolic link is refused (ErrUnsafeStore, with how to fix it).
func Load(path string) (*Stored, error) {
	s, _, err := load(path, true)
	return s, err
}

// load reads path without following a symbolic link, and returns the
// file's identity for change detection. private=false skips the mode check
// (ownership and links still count): for revoking a grant whose file
// others could read, which is the best thing to do with it.
func load(path string, private bool) (*Stored, os.FileInfo, error) {
	if _, err := secureDir(filepath.Dir(path)); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil, ErrNotLoggedIn
		}
		return nil, nil, err
	}
	f, err := openNoFollow(path, os.O_RDONLY, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, ErrNotLoggedIn
	}
	if isLinkError(err) {
		return nil, nil, fmt.Errorf("%w: %s is a symbolic link; supabase-mcp does not follow links for its login file: remove it and run `supabase-mcp login`", ErrUnsafeStore, path)
	}
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	switch perm := fi.Mode().Perm(); {
	case !fi.Mode().IsRegular():
		return nil, nil, fmt.Errorf("%w: %s is not a regular file: remove it and run `supabase-mcp login`", ErrUnsafeStore, path)
	case permissionsApply && !ownedByMe(fi):
		return nil, nil, fmt.Errorf("%w: %s belongs to another user: remove it and run `supabase-mcp login`", ErrUnsafeStore, path)
	case private && permissionsApply && perm&0o077 != 0:
		return nil, nil, fmt.Errorf("%w: %s has mode %04o, so others can read its tokens: run chmod 600 %s; if someone may have read it, also run `supabase-mcp logout` and `supabase-mcp login` for a new grant", ErrUnsafeStore, path, perm, path)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxStoredBytes))
	if err != nil {
		return nil, nil, err
	}
	var s Stored
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, nil, fmt.Errorf("%s is damaged (%v): run `supabase-mcp login` again", filepath.Base(path), err)
	}
	if s.AccessToken == "" && s.RefreshToken == "" {
		return nil, nil, fmt.Errorf("%s holds no token: run `supabase-mcp login` again", filepath.Base(path))
	}
	return &s, fi, nil
}

func isLinkError(err error) bool {
	return errors.Is(err, syscall.ELOOP) || errors.Is(err, errSymlink)
}

// Save writes the token set atomically with mode 0600: a temporary file in
// the same directory (created exclusively, so never through a link),
// synced, then renamed over the old one (rename replaces a link rather than
// following it), so a reader (another server process) sees the old or the
// new set, never half of one. Replace is the way to store a new login.
func Save(path string, s *Stored) error {
	_, err := save(path, s)
	return err
}

// save returns the identity of the file it wrote, taken before the rename
// (so a later replacement by someone else is never mistaken for ours).
func save(path string, s *Stored) (os.FileInfo, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	if _, err := secureDir(dir); err != nil {
		return nil, err
	}
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(dir, ".login-*.tmp") // CreateTemp uses mode 0600 and O_EXCL
	if err != nil {
		return nil, err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op after the rename
	if err := f.Chmod(0o600); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		f.Close()
		return nil, err
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	return fi, os.Rename(tmp, path)
}

// Remove deletes the stored token set (a link itself, never its target);
// no error if there is none. (The lock file stays: another process may hold it.)
func Remove(path string) error {
	err := os.Remove(path)
	if errors.Is(err, fs.ErrNotExist) {
		err = nil
	}
	return err
}

// sameFile reports whether b is the file a was, unchanged (same inode,
// size and modification time).
func sameFile(a, b os.FileInfo) bool {
	return a != nil && b != nil && os.SameFile(a, b) && a.Size() == b.Size() && a.ModTime().Equal(b.ModTime())
}
