package sandbox

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// authorizeCode runs the auto-approving authorize step and returns the code.
func authorizeCode(t *testing.T, s *Server, verifier, redirect string) string {
	t.Helper()
	sum := sha256.Sum256([]byte(verifier))
	q := url.Values{"client_id": {SeedOAuthClientID}, "response_type": {"code"}, "redirect_uri": {redirect}, "state": {"st-1"},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"}}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(s.URL() + "/v1/oauth/authorize?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || loc.Query().Get("state") != "st-1" || !strings.HasPrefix(loc.String(), redirect) {
		t.Fatalf("authorize: %d %s", resp.StatusCode, loc)
	}
	return loc.Query().Get("code")
}

func tokenCall(t *testing.T, s *Server, form url.Values) (int, map[string]any) {
	t.Helper()
	resp, err := http.PostForm(s.URL()+"/v1/oauth/token", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	json.Unmarshal(b, &m)
	return resp.StatusCode, m
}

func creds(extra url.Values) url.Values {
	extra.Set("client_id", SeedOAuthClientID)
	extra.Set("client_secret", SeedOAuthClientSecret)
	return extra
}

func TestOAuthCodeFlow(t *testing.T) {
	s := New(Options{Token: testToken})
	defer s.Close()
	redirect := "http://127.0.0.1:5555/callback"
	code := authorizeCode(t, s, "the-verifier-0123456789012345678901234567", redirect)

	// Wrong verifier, wrong redirect, wrong secret: refused, code still usable.
	if st, m := tokenCall(t, s, creds(url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect}, "code_verifier": {"wrong"}})); st != 400 || m["error"] != "invalid_grant" {
		t.Fatalf("wrong verifier: %d %v", st, m)
	}
	if st, _ := tokenCall(t, s, creds(url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {"http://127.0.0.1:1/x"}, "code_verifier": {"the-verifier-0123456789012345678901234567"}})); st != 400 {
		t.Fatalf("wrong redirect: %d", st)
	}
	if st, m := tokenCall(t, s, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "client_id": {SeedOAuthClientID}, "client_secret": {"nope"}}); st != 401 || m["error"] != "invalid_client" {
		t.Fatalf("wrong secret: %d %v", st, m)
	}
	if st, _ := tokenCall(t, s, creds(url.Values{"grant_type": {"authorization_code"}, "code": {code}, "extra": {"x"}})); st != 400 {
		t.Fatalf("unknown field: %d", st)
	}
	// JSON is not accepted: the endpoint is form-encoded.
	if st, _, _ := call(t, s, "POST", "/v1/oauth/token", map[string]string{"grant_type": "authorization_code"}); st != 400 {
		t.Fatalf("JSON body: %d", st)
	}

	good := creds(url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect}, "code_verifier": {"the-verifier-0123456789012345678901234567"}})
	st, tok := tokenCall(t, s, good)
	if st != http.StatusCreated || tok["token_type"] != "Bearer" || tok["expires_in"] != float64(3600) || tok["refresh_token"] == "" {
		t.Fatalf("exchange: %d %v", st, tok)
	}
	if st, _ := tokenCall(t, s, good); st != 400 {
		t.Fatalf("code reused: %d", st)
	}
	access, refresh := tok["access_token"].(string), tok["refresh_token"].(string)
	if st, _, _ := call(t, s, "GET", "/v1/organizations", nil, "Authorization", "Bearer "+access); st != 200 {
		t.Fatalf("access token refused: %d", st)
	}

	// Refresh rotates: the old refresh token works once.
	s.SetOAuthTokenLifetime(time.Second)
	st, tok2 := tokenCall(t, s, creds(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}}))
	if st != http.StatusCreated || tok2["expires_in"] != float64(1) || tok2["refresh_token"] == refresh {
		t.Fatalf("refresh: %d %v", st, tok2)
	}
	if st, _ := tokenCall(t, s, creds(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}})); st != 400 {
		t.Fatalf("rotated refresh token reused: %d", st)
	}
	time.Sleep(1100 * time.Millisecond)
	if st, _, _ := call(t, s, "GET", "/v1/organizations", nil, "Authorization", "Bearer "+tok2["access_token"].(string)); st != 401 {
		t.Fatalf("expired access token: %d", st)
	}

	// Revoke: JSON body with the client credentials; the grant's tokens die.
	if st, _, _ := call(t, s, "POST", "/v1/oauth/revoke", map[string]string{"client_id": SeedOAuthClientID, "client_secret": "nope", "refresh_token": "x"}); st != 401 {
		t.Fatalf("revoke with a wrong secret: %d", st)
	}
	if st, _, _ := call(t, s, "POST", "/v1/oauth/revoke", map[string]string{"client_id": SeedOAuthClientID, "client_secret": SeedOAuthClientSecret, "refresh_token": tok2["refresh_token"].(string)}); st != 204 {
		t.Fatalf("revoke: %d", st)
	}
	if st, _, _ := call(t, s, "GET", "/v1/organizations", nil, "Authorization", "Bearer "+access); st != 401 {
		t.Fatalf("access token of a revoked grant: %d", st)
	}
	if st, _ := tokenCall(t, s, creds(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok2["refresh_token"].(string)}})); st != 400 {
		t.Fatalf("refresh of a revoked grant: %d", st)
	}
	if issued, live := s.OAuthGrants(); issued != 1 || live != 0 {
		t.Fatalf("grants %d/%d", issued, live)
	}
}

func TestOAuthAuthorizeValidates(t *testing.T) {
	s := New(Options{Token: testToken})
	defer s.Close()
	for _, q := range []string{
		"client_id=nope&response_type=code&redirect_uri=http://127.0.0.1:1/cb",
		"client_id=" + SeedOAuthClientID + "&response_type=token&redirect_uri=http://127.0.0.1:1/cb",
		"client_id=" + SeedOAuthClientID + "&response_type=code&redirect_uri=https://evil.example/cb",
		"client_id=" + SeedOAuthClientID + "&response_type=code&redirect_uri=http://127.0.0.1:1/cb&code_challenge=x&code_challenge_method=md5",
	} {
		if st, _, _ := call(t, s, "GET", "/v1/oauth/authorize?"+q, nil); st != 400 {
			t.Errorf("%s: %d", q, st)
		}
	}
}

// EchoOAuthErrors makes the token and revoke endpoints fail with a body
// repeating what they were sent; OAuthGrantLive follows a grant's rotation.
func TestOAuthEchoAndGrantLive(t *testing.T) {
	s := New(Options{Token: testToken})
	defer s.Close()
	redirect := "http://127.0.0.1:5555/callback"
	verifier := "the-verifier-0123456789012345678901234567"
	code := authorizeCode(t, s, verifier, redirect)
	st, tok := tokenCall(t, s, creds(url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect}, "code_verifier": {verifier}}))
	refresh, _ := tok["refresh_token"].(string)
	if st != http.StatusCreated || !s.OAuthGrantLive(refresh) || s.OAuthGrantLive("nope") {
		t.Fatalf("exchange %d; live %v", st, s.OAuthGrantLive(refresh))
	}

	s.EchoOAuthErrors(&OAuthEcho{Status: 400, ErrorCode: "invalid_grant"})
	st, m := tokenCall(t, s, creds(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}}))
	if st != 400 || m["error"] != "invalid_grant" || !strings.Contains(m["error_description"].(string), refresh) || !strings.Contains(m["message"].(string), SeedOAuthClientSecret) {
		t.Fatalf("token echo: %d %v", st, m)
	}
	s.EchoOAuthErrors(&OAuthEcho{Status: 500})
	st, _, body := call(t, s, "POST", "/v1/oauth/revoke", map[string]string{"client_id": SeedOAuthClientID, "client_secret": SeedOAuthClientSecret, "refresh_token": refresh})
	if e := decode[map[string]string](t, body); st != 500 || !strings.Contains(e["error"], refresh) {
		t.Fatalf("revoke echo: %d %s", st, body)
	}
	if !s.OAuthGrantLive(refresh) {
		t.Fatal("an echoed request changed the grant")
	}

	s.EchoOAuthErrors(nil)
	st, tok = tokenCall(t, s, creds(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}}))
	next, _ := tok["refresh_token"].(string)
	if st != http.StatusCreated || s.OAuthGrantLive(refresh) || !s.OAuthGrantLive(next) {
		t.Fatalf("after rotation: %d, old live %v, new live %v", st, s.OAuthGrantLive(refresh), s.OAuthGrantLive(next))
	}
}
