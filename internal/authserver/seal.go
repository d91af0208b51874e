package authserver

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"
)

// MinKeyBytes is the shortest master key accepted.
const MinKeyBytes = 32

// keys are derived from the master key with HKDF, one per use, so that the
// key sealing grants never doubles as fosite's HMAC secret.
type keys struct {
	sealer cipher.AEAD // AES-256-GCM for the Supabase grants at rest
	hmac   []byte      // fosite's global secret (token signatures)
}

func deriveKeys(master []byte) (*keys, error) {
	if len(master) < MinKeyBytes {
		return nil, errors.New("authserver: the key must hold at least 32 bytes")
	}
	sealKey, err := hkdf.Key(sha256.New, master, nil, "supabase-mcp authserver grant sealing v1", 32)
	if err != nil {
		return nil, err
	}
	hmacKey, err := hkdf.Key(sha256.New, master, nil, "supabase-mcp authserver token hmac v1", 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(sealKey)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &keys{sealer: aead, hmac: hmacKey}, nil
}

// seal encrypts plaintext bound to id (a sealed value moved to another
// key does not open): a random nonce followed by the ciphertext.
func (k *keys) seal(id string, plaintext []byte) []byte {
	nonce := make([]byte, k.sealer.NonceSize(), k.sealer.NonceSize()+len(plaintext)+k.sealer.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return k.sealer.Seal(nonce, nonce, plaintext, []byte(id))
}

func (k *keys) open(id string, sealed []byte) ([]byte, error) {
	n := k.sealer.NonceSize()
	if len(sealed) < n+k.sealer.Overhead() {
		return nil, errors.New("authserver: a sealed grant is truncated")
	}
	out, err := k.sealer.Open(nil, sealed[:n], sealed[n:], []byte(id))
	if err != nil {
		return nil, errors.New("authserver: a sealed grant does not open with this key (wrong key, or altered)")
	}
	return out, nil
}
