package sandbox

import "sync"

// tokenUsers says whom the fake's tokens belong to: GET /v1/profile names
// the user, a user may hold more than one token (AcceptToken), and the 429
// emulation can count per user, as the real API does (CountRateLimitPerUser).
type tokenUsers struct {
	mu      sync.Mutex
	id      string          // gotrue_id of the fake's user; "" means userAlice
	extra   map[string]bool // more tokens of the same user
	perUser bool            // SetRateLimit counts the user's tokens together
}

// SetProfileUser makes GET /v1/profile name another user id (so that two
// fakes stand for two users).
func (s *Server) SetProfileUser(id string) {
	s.users.mu.Lock()
	defer s.users.mu.Unlock()
	s.users.id = id
}

// AcceptToken makes token a second token of the fake's user.
func (s *Server) AcceptToken(token string) {
	s.users.mu.Lock()
	defer s.users.mu.Unlock()
	if s.users.extra == nil {
		s.users.extra = map[string]bool{}
	}
	s.users.extra[token] = true
}

// CountRateLimitPerUser makes SetRateLimit count the requests of all the
// user's tokens together.
func (s *Server) CountRateLimitPerUser() {
	s.users.mu.Lock()
	defer s.users.mu.Unlock()
	s.users.perUser = true
}

func (u *tokenUsers) accepts(token string) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.extra[token]
}

// rateKey is what the 429 emulation counts token's request under.
func (u *tokenUsers) rateKey(token string) string {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.perUser {
		return "user"
	}
	return token
}

func (u *tokenUsers) profileID() string {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.id == "" {
		return userAlice
	}
	return u.id
}
