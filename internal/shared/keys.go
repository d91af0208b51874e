package shared

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"
)

// Keys is the server's secret keys: the first signs and seals, all of them
// verify and open, so that a key can be rotated without breaking sessions
// and confirmations in flight (the overlap window). Every use gets its own
// subkey, derived with HKDF, so one purpose's output never verifies as
// another's.
type Keys struct {
	masters [][]byte
}

// Purposes of the derived subkeys.
const (
	PurposeSessionID   = "supabase-mcp session id v1"
	PurposeElicitation = "supabase-mcp elicitation state v1"
	PurposeOAuthGrant  = "supabase-mcp oauth grant v1"
)

// MinKeyBytes is the least key material accepted per key.
const MinKeyBytes = 32

// RandomKeys is one fresh random key: for one process (stdio, a single
// replica), where nothing it signs must survive a restart.
func RandomKeys() *Keys {
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		panic("crypto/rand: " + err.Error())
	}
	return &Keys{masters: [][]byte{k}}
}

// ParseKeys reads keys from text: one key per line or comma-separated,
// each base64 (standard or URL, padded or not) or hex, of at least
// MinKeyBytes bytes; blank lines and lines starting with # are skipped.
// The first key is the current one.
func ParseKeys(text string) (*Keys, error) {
	var ks Keys
	for _, line := range strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == ',' || r == '\r' }) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, err := decodeKey(line)
		if err != nil {
			return nil, fmt.Errorf("session key %d: %w", len(ks.masters)+1, err)
		}
		ks.masters = append(ks.masters, k)
	}
	if len(ks.masters) == 0 {
		return nil, errors.New("no session key given (generate one with: openssl rand -base64 32)")
	}
	return &ks, nil
}

// LoadKeysFile is ParseKeys on a file's contents.
func LoadKeysFile(path string) (*Keys, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the session key file: %w", err)
	}
	return ParseKeys(string(b))
}

func decodeKey(s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil && len(b) >= MinKeyBytes {
			return b, nil
		}
	}
	if b, err := hex.DecodeString(s); err == nil && len(b) >= MinKeyBytes {
		return b, nil
	}
	return nil, fmt.Errorf("not base64 or hex of at least %d bytes (generate one with: openssl rand -base64 32)", MinKeyBytes)
}

// Len is the number of keys (the current one and those still accepted).
func (k *Keys) Len() int { return len(k.masters) }

func (k *Keys) derive(i int, purpose string) []byte {
	sub, err := hkdf.Key(sha256.New, k.masters[i], nil, purpose, 32)
	if err != nil { // only for lengths HKDF cannot produce
		panic(err)
	}
	return sub
}

// MAC is an HMAC-SHA256 of msg under the current key's subkey for purpose.
func (k *Keys) MAC(purpose string, msg []byte) []byte {
	m := hmac.New(sha256.New, k.derive(0, purpose))
	m.Write(msg)
	return m.Sum(nil)
}

// VerifyMAC reports whether mac (possibly truncated, at least 16 bytes) is
// msg's MAC under any of the keys.
func (k *Keys) VerifyMAC(purpose string, msg, mac []byte) bool {
	if len(mac) < 16 {
		return false
	}
	for i := range k.masters {
		m := hmac.New(sha256.New, k.derive(i, purpose))
		m.Write(msg)
		if sum := m.Sum(nil); len(mac) <= len(sum) && hmac.Equal(sum[:len(mac)], mac) {
			return true
		}
	}
	return false
}

// Sealer encrypts with AES-256-GCM under the current key's subkey for its
// purpose and opens what any of the keys sealed. A sealed value starts
// with a 4-byte key id (a hash of the subkey), then the nonce, then the
// ciphertext; associated data binds it to where it is stored.
type Sealer struct {
	aeads []cipher.AEAD
	ids   [][4]byte
}

// Sealer returns the sealer for purpose.
func (k *Keys) Sealer(purpose string) *Sealer {
	s := &Sealer{}
	for i := range k.masters {
		sub := k.derive(i, purpose)
		block, err := aes.NewCipher(sub)
		if err != nil {
			panic(err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			panic(err)
		}
		sum := sha256.Sum256(append([]byte("key id\x00"), sub...))
		s.aeads = append(s.aeads, aead)
		s.ids = append(s.ids, [4]byte(sum[:4]))
	}
	return s
}

// ErrSealed is returned by Open for anything it cannot open: tampered,
// sealed for other associated data, or under a key no longer accepted.
var ErrSealed = errors.New("sealed value cannot be opened")

// Seal encrypts plaintext bound to ad.
func (s *Sealer) Seal(plaintext, ad []byte) []byte {
	aead := s.aeads[0]
	out := make([]byte, 4, 4+aead.NonceSize()+len(plaintext)+aead.Overhead())
	copy(out, s.ids[0][:])
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic("crypto/rand: " + err.Error())
	}
	out = append(out, nonce...)
	return aead.Seal(out, nonce, plaintext, ad)
}

// Open decrypts what Seal returned for the same ad.
func (s *Sealer) Open(sealed, ad []byte) ([]byte, error) {
	if len(sealed) < 4 {
		return nil, ErrSealed
	}
	for i, id := range s.ids {
		if [4]byte(sealed[:4]) != id {
			continue
		}
		aead := s.aeads[i]
		rest := sealed[4:]
		if len(rest) < aead.NonceSize() {
			return nil, ErrSealed
		}
		if pt, err := aead.Open(nil, rest[:aead.NonceSize()], rest[aead.NonceSize():], ad); err == nil {
			return pt, nil
		}
	}
	return nil, ErrSealed
}

// SealedStore keeps values encrypted at rest in a Store: what the OAuth
// authorization-server mode uses for the upstream Supabase grants. The key
// is the associated data, so a value moved to another key does not open.
type SealedStore struct {
	Store  Store
	Sealer *Sealer
}

// Set seals value and stores it under key for ttl.
func (s SealedStore) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return s.Store.Set(ctx, key, s.Sealer.Seal(value, []byte(key)), ttl)
}

// Get opens key's value; ok is false when it is absent. A value that does
// not open (tampered, or under a retired key) is an error wrapping ErrSealed.
func (s SealedStore) Get(ctx context.Context, key string) ([]byte, bool, error) {
	v, ok, err := s.Store.Get(ctx, key)
	if err != nil || !ok {
		return nil, ok, err
	}
	pt, err := s.Sealer.Open(v, []byte(key))
	if err != nil {
		return nil, false, err
	}
	return pt, true, nil
}

// Take is Get that deletes atomically (a refresh token used once).
func (s SealedStore) Take(ctx context.Context, key string) ([]byte, bool, error) {
	v, ok, err := s.Store.Take(ctx, key)
	if err != nil || !ok {
		return nil, ok, err
	}
	pt, err := s.Sealer.Open(v, []byte(key))
	if err != nil {
		return nil, false, err
	}
	return pt, true, nil
}

// Delete removes key.
func (s SealedStore) Delete(ctx context.Context, key string) error { return s.Store.Delete(ctx, key) }
