package client

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"sync"
	"time"
)

// The Management API limits requests per user, across all of that user's
// tokens (two personal tokens, or a token and an OAuth login). So the
// limiter keys its buckets by user where it can: the first request with a
// token is GET /v1/profile, which names the user, and the mapping is kept
// (in the process, and in the shared store when there is one).

// userTTL is how long a token's user is remembered. A token belongs to one
// user for its whole life, so this only bounds what is kept.
const userTTL = 24 * time.Hour

// maxUsers bounds the in-process token-to-user mappings.
const maxUsers = 4096

// UserStore keeps token-to-user mappings for every replica (redisstore.Store).
type UserStore interface {
	Get(ctx context.Context, key string) ([]byte, bool, error)
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
}

// userStorePrefix matches shared.PrefixTokenUser.
const userStorePrefix = "token-user:"

type userCache struct {
	mu    sync.Mutex
	users map[[sha256.Size]byte]userEntry
}

type userEntry struct {
	user    string
	expires time.Time
}

func newUserCache() userCache { return userCache{users: map[[sha256.Size]byte]userEntry{}} }

// WithUserStore makes p share token-to-user mappings through store.
func (p *LimiterPool) WithUserStore(store UserStore) *LimiterPool {
	p.userStore = store
	return p
}

// userKey is the bucket key for a user.
func userKey(user string) string { return "user\x00" + user }

// knownUser is the user token belongs to, if known here or in the store.
func (p *LimiterPool) knownUser(ctx context.Context, token string) (string, bool) {
	sum := sha256.Sum256([]byte(token))
	now := time.Now()
	p.users.mu.Lock()
	e, ok := p.users.users[sum]
	p.users.mu.Unlock()
	if ok && now.Before(e.expires) {
		return e.user, true
	}
	if p.userStore != nil {
		if v, ok, err := p.userStore.Get(ctx, userStorePrefix+hex.EncodeToString(sum[:])); err == nil && ok && len(v) > 0 {
			p.rememberUser(ctx, token, string(v), false)
			return string(v), true
		}
	}
	return "", false
}

func (p *LimiterPool) rememberUser(ctx context.Context, token, user string, share bool) {
	sum := sha256.Sum256([]byte(token))
	now := time.Now()
	p.users.mu.Lock()
	if len(p.users.users) >= maxUsers {
		for k := range p.users.users { // forget arbitrary ones: they are looked up again
			if len(p.users.users) < maxUsers*3/4 {
				break
			}
			delete(p.users.users, k)
		}
	}
	p.users.users[sum] = userEntry{user: user, expires: now.Add(userTTL)}
	p.users.mu.Unlock()
	if share && p.userStore != nil {
		_ = p.userStore.Set(context.WithoutCancel(ctx), userStorePrefix+hex.EncodeToString(sum[:]), []byte(user), userTTL) // a cache: best effort
	}
}

// profileUser reads the user id from a GET /v1/profile answer.
func profileUser(body []byte) string {
	var p struct {
		GotrueID string `json:"gotrue_id"`
	}
	if json.Unmarshal(body, &p) != nil {
		return ""
	}
	return p.GotrueID
}

// isProfile: req is exactly what resolving a user sends.
func isProfile(method string, req *Request) bool {
	return method == http.MethodGet && req.Path == profilePath && len(req.Query) == 0
}

const profilePath = "/v1/profile"
