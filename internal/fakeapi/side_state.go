package fakeapi

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"weak"
)

// sideState holds the per-project state of an endpoint group that keeps it
// outside the core state (auth config, domains, network), created lazily by
// seed on a project's first use. It is keyed by server through a weak
// pointer, so a closed server's state goes with it. Handlers run under s.mu
// (withProject), which guards the values; st.mu guards only the maps.
type sideState[T any] struct {
	mu sync.Mutex
	m  map[weak.Pointer[Server]]map[string]*T
}

// get returns the state of project ref on server s, seeding it first.
func (st *sideState[T]) get(s *Server, ref string, seed func(ref string) *T) *T {
	byRef := st.server(s)
	st.mu.Lock()
	defer st.mu.Unlock()
	v := byRef[ref]
	if v == nil {
		v = seed(ref)
		byRef[ref] = v
	}
	return v
}

func (st *sideState[T]) server(s *Server) map[string]*T {
	wp := weak.Make(s)
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.m == nil {
		st.m = map[weak.Pointer[Server]]map[string]*T{}
	}
	byRef, ok := st.m[wp]
	if !ok {
		byRef = map[string]*T{}
		st.m[wp] = byRef
		runtime.AddCleanup(s, func(wp weak.Pointer[Server]) {
			st.mu.Lock()
			delete(st.m, wp)
			st.mu.Unlock()
		}, wp)
	}
	return byRef
}

// sideUUID is a random version 4 UUID.
func sideUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// pathUUID reads a UUID path value, answering 400 when it is not one.
func pathUUID(w http.ResponseWriter, r *http.Request, name string) (string, bool) {
	v := r.PathValue(name)
	if !uuidPattern.MatchString(v) {
		badRequest(w, "%s must be a UUID", name)
		return "", false
	}
	return strings.ToLower(v), true
}
