package guard

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"strings"
	"sync"
	"time"
)

// ConfirmationTTL is how long a confirmation token or elicitation stays valid.
const ConfirmationTTL = 5 * time.Minute

// Confirmation describes a call that needs the user's consent before it is
// sent.
type Confirmation struct {
	// Action says what will happen, e.g. "projects.delete on project abc…".
	Action string
	// Reason says why it needs confirmation.
	Reason string
	// Details are the facts that decide the effect (arguments, body fields,
	// SQL statements), one line each, shown in full under the action.
	Details  []string
	Billable bool
	// Irreversible calls make the user type Target rather than click yes.
	Irreversible bool
	Target       string
}

// Message is the text shown to the user (elicitation) or the model (token).
func (c *Confirmation) Message() string {
	var b strings.Builder
	b.WriteString(c.Action)
	b.WriteString(": ")
	b.WriteString(c.Reason)
	if c.Irreversible {
		b.WriteString(" This cannot be undone.")
	}
	if c.Billable {
		b.WriteString(" It adds to the bill.")
	}
	for _, d := range c.Details {
		b.WriteString("\n- ")
		b.WriteString(d)
	}
	return b.String()
}

// Binding identifies exactly what a confirmation approves: the session, the
// tool, the operation and the canonical arguments.
func Binding(session, tool, operation string, canonicalArgs []byte) string {
	h := sha256.New()
	for _, part := range [][]byte{[]byte(session), []byte(tool), []byte(operation), canonicalArgs} {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(part)))
		h.Write(n[:])
		h.Write(part)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Confirmations issues and redeems single-use proofs of consent: tokens for
// the model to pass back (token flow) and sealed request states for
// elicitation round trips. Both are bound to one Binding and expire.
type Confirmations struct {
	key []byte
	now func() time.Time

	mu     sync.Mutex
	issued map[string]issued // token or nonce -> what it approves
}

type issued struct {
	binding string
	expires time.Time
}

// NewConfirmations uses a fresh random key: state sealed by one process is
// worthless to another.
func NewConfirmations() *Confirmations {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		panic("crypto/rand: " + err.Error())
	}
	return &Confirmations{key: key, now: time.Now, issued: map[string]issued{}}
}

// Errors of Redeem and Open; the texts are for the model.
var (
	ErrConfirmationUnknown  = errors.New("the confirmation token is unknown or was already used: call again without confirm to get a new one")
	ErrConfirmationExpired  = errors.New("the confirmation token has expired: call again without confirm to get a new one")
	ErrConfirmationMismatch = errors.New("the confirmation token was issued for a different call (other arguments, operation or session): call again without confirm to get a token for this one")
)

// IssueToken returns a single-use token (192 random bits) approving binding.
func (c *Confirmations) IssueToken(binding string) string {
	raw := make([]byte, 24)
	_, _ = rand.Read(raw)
	token := "confirm-" + hex.EncodeToString(raw)
	c.remember(token, binding)
	return token
}

// RedeemToken consumes token, whatever the outcome, so that a token cannot
// be probed with other arguments or replayed.
func (c *Confirmations) RedeemToken(token, binding string) error {
	return c.consume(token, binding)
}

// Seal returns an opaque request state for an elicitation round trip: a
// nonce, signed with the process key so a client cannot forge one.
func (c *Confirmations) Seal(binding string) string {
	nonce := make([]byte, 16)
	_, _ = rand.Read(nonce)
	n := hex.EncodeToString(nonce)
	c.remember(n, binding)
	return n + "." + c.sign(n)
}

// Open checks and consumes a sealed state for binding.
func (c *Confirmations) Open(state, binding string) error {
	nonce, sig, ok := strings.Cut(state, ".")
	if !ok || !hmac.Equal([]byte(sig), []byte(c.sign(nonce))) {
		return ErrConfirmationUnknown
	}
	return c.consume(nonce, binding)
}

func (c *Confirmations) sign(s string) string {
	m := hmac.New(sha256.New, c.key)
	m.Write([]byte(s))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (c *Confirmations) remember(id, binding string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	for k, v := range c.issued { // expired entries go; the map stays small
		if now.After(v.expires) {
			delete(c.issued, k)
		}
	}
	c.issued[id] = issued{binding: binding, expires: now.Add(ConfirmationTTL)}
}

func (c *Confirmations) consume(id, binding string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	got, ok := c.issued[id]
	if !ok {
		return ErrConfirmationUnknown
	}
	delete(c.issued, id)
	switch {
	case c.now().After(got.expires):
		return ErrConfirmationExpired
	case !hmac.Equal([]byte(got.binding), []byte(binding)):
		return ErrConfirmationMismatch
	}
	return nil
}
