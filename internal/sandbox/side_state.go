package sandbox

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
)

// groupState returns the state an endpoint group keeps for project ref (auth
// config, domains, network), created by seed on first use. It lives in the
// Server like all other state (s.groups); callers hold s.mu.
func groupState[T any](s *Server, ref string, seed func(ref string) *T) *T {
	key := fmt.Sprintf("%T/%s", (*T)(nil), ref)
	if s.groups == nil {
		s.groups = map[string]any{}
	}
	v, ok := s.groups[key].(*T)
	if !ok {
		v = seed(ref)
		s.groups[key] = v
	}
	return v
}

// sideUUID is a random version 4 UUID.
func sideUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

var uuidPattern = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
})

// pathUUID reads a UUID path value, answering 400 when it is not one.
func pathUUID(w http.ResponseWriter, r *http.Request, name string) (string, bool) {
	v := r.PathValue(name)
	if !uuidPattern().MatchString(v) {
		badRequest(w, "%s must be a UUID", name)
		return "", false
	}
	return strings.ToLower(v), true
}
