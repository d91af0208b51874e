package sandbox

import (
	"net/http"
	"testing"
)

// A migration whose answer is lost after it was applied (a 5xx, a dropped
// connection) is applied once when resent with its Idempotency-Key, and
// twice without one.
func TestIdempotencyKeyAfterLostAnswer(t *testing.T) {
	t.Parallel()
	path := "/v1/projects/" + SeedProjectActive + "/database/migrations"
	apply := map[string]string{"query": "select 1", "name": "once"}
	for _, tc := range []struct {
		name  string
		fault Fault
		key   string
		want  int // migrations recorded by the two requests
	}{
		{"5xx with key", Fault{Method: "POST", Path: path, Times: 1, Status: http.StatusBadGateway, AfterApply: true}, "key-5xx", 1},
		{"drop with key", Fault{Method: "POST", Path: path, Times: 1, Drop: true, AfterApply: true}, "key-drop", 1},
		{"5xx without key", Fault{Method: "POST", Path: path, Times: 1, Status: http.StatusBadGateway, AfterApply: true}, "", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newServer(t)
			before := len(s.Migrations(SeedProjectActive))
			s.InjectFault(tc.fault)
			var header []string
			if tc.key != "" {
				header = []string{"Idempotency-Key", tc.key}
			}
			// A fresh connection each time, so net/http does not resend the
			// dropped request itself.
			hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
			resp, err := send(hc, s, "POST", path, apply, header...)
			if tc.fault.Drop {
				if err == nil {
					resp.Body.Close()
					t.Fatal("the dropped request got an answer")
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusBadGateway {
					t.Fatalf("faulted request answered %d", resp.StatusCode)
				}
			}
			if got := len(s.Migrations(SeedProjectActive)) - before; got != 1 {
				t.Fatalf("the faulted request recorded %d migrations, want 1 (applied, then its answer lost)", got)
			}
			code, h, b := callWith(t, hc, s, "POST", path, apply, header...)
			wantStatus(t, code, http.StatusOK, b)
			if got := len(s.Migrations(SeedProjectActive)) - before; got != tc.want {
				t.Errorf("recorded %d migrations, want %d", got, tc.want)
			}
			if replayed := h.Get("Idempotent-Replayed") == "true"; replayed != (tc.key != "") {
				t.Errorf("Idempotent-Replayed: %q", h.Get("Idempotent-Replayed"))
			}
		})
	}
}

// The replay is only for the same request: the same key with another body
// or another token is handled as usual, and a failed request is not kept.
func TestIdempotencyKeyOnlyReplaysTheSameRequest(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	path := "/v1/projects/" + SeedProjectActive + "/database/migrations"
	before := len(s.Migrations(SeedProjectActive))

	code, _, b := call(t, s, "POST", path, map[string]string{"query": ""}, "Idempotency-Key", "k")
	wantStatus(t, code, http.StatusBadRequest, b)
	code, h, b := call(t, s, "POST", path, map[string]string{"query": "select 1"}, "Idempotency-Key", "k")
	wantStatus(t, code, http.StatusOK, b)
	if h.Get("Idempotent-Replayed") != "" || len(s.Migrations(SeedProjectActive)) != before+1 {
		t.Fatalf("after a failed request, the next one with its key was not applied: %v", s.Migrations(SeedProjectActive))
	}
	// Upsert keeps its own meaning of the key: it updates the entry.
	code, h, b = call(t, s, "PUT", path, map[string]string{"query": "select 2", "name": "renamed"}, "Idempotency-Key", "k")
	wantStatus(t, code, http.StatusOK, b)
	migs := s.Migrations(SeedProjectActive)
	if h.Get("Idempotent-Replayed") != "" || len(migs) != before+1 || migs[len(migs)-1].Name != "renamed" {
		t.Fatalf("upsert with the key: %+v", migs)
	}
	code, _, b = call(t, s, "POST", path, map[string]string{"query": "select 1"}, "Idempotency-Key", "k", "Authorization", "Bearer other")
	wantStatus(t, code, http.StatusUnauthorized, b)
}
