package authserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/ory/fosite"
)

// fositeStore adapts a Store to the storage interfaces of fosite's
// authorization-code, refresh, revocation and PKCE handlers. Token records
// are keyed by the token's HMAC signature (fosite never hands the storage a
// usable token), and their request forms keep only the parameters a later
// step reads, never a secret, code, verifier or refresh token.
type fositeStore struct {
	store Store
	// ttl is how long each kind of record lives.
	codeTTL, accessTTL, refreshTTL time.Duration
}

// Key prefixes of the Store.
const (
	keyClient     = "client:"
	keyCode       = "code:"
	keyPKCE       = "pkce:"
	keyAccess     = "access:"
	keyRefresh    = "refresh:"
	keyReqAccess  = "req-access:"
	keyReqRefresh = "req-refresh:"
	keyGrant      = "grant:"
	keyPending    = "pending:"
	keyGrantLock  = "grant-lock:"
)

// keptFormFields are the request parameters stored with a record.
var keptFormFields = []string{"redirect_uri", "code_challenge", "code_challenge_method", "resource", "scope", "response_type"}

// requestRecord is a fosite.Requester as stored.
type requestRecord struct {
	ID                string                 `json:"id"`
	RequestedAt       time.Time              `json:"requested_at"`
	ClientID          string                 `json:"client_id"`
	RequestedScope    []string               `json:"requested_scope,omitempty"`
	GrantedScope      []string               `json:"granted_scope,omitempty"`
	RequestedAudience []string               `json:"requested_audience,omitempty"`
	GrantedAudience   []string               `json:"granted_audience,omitempty"`
	Form              url.Values             `json:"form,omitempty"`
	Session           *fosite.DefaultSession `json:"session"`
	// Inactive: an authorization code already redeemed, or a refresh token
	// already rotated (kept so that its reuse revokes the family).
	Inactive bool `json:"inactive,omitempty"`
}

// clientRecord is a registered client as stored.
type clientRecord struct {
	fosite.DefaultClient
	Name         string    `json:"client_name,omitempty"`
	AuthMethod   string    `json:"token_endpoint_auth_method"`
	RegisteredAt time.Time `json:"registered_at"`
}

func (s *fositeStore) putJSON(ctx context.Context, key string, v any, ttl time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.store.Put(ctx, key, b, ttl)
}

func (s *fositeStore) saveClient(ctx context.Context, c *clientRecord) error {
	return s.putJSON(ctx, keyClient+c.ID, c, 0)
}

func (s *fositeStore) client(ctx context.Context, id string) (*clientRecord, error) {
	b, err := s.store.Get(ctx, keyClient+id)
	if errors.Is(err, ErrNotFound) {
		return nil, fosite.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	var c clientRecord
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("authserver: stored client %q is unreadable: %w", id, err)
	}
	return &c, nil
}

// GetClient implements fosite.ClientManager.
func (s *fositeStore) GetClient(ctx context.Context, id string) (fosite.Client, error) {
	c, err := s.client(ctx, id)
	if err != nil {
		return nil, err
	}
	return &c.DefaultClient, nil
}

// Client assertions (RFC 7523) are not enabled; these are never reached.
func (s *fositeStore) ClientAssertionJWTValid(context.Context, string) error {
	return errors.New("authserver: client assertions are not supported")
}

func (s *fositeStore) SetClientAssertionJWT(context.Context, string, time.Time) error {
	return errors.New("authserver: client assertions are not supported")
}

func recordOf(r fosite.Requester) (*requestRecord, error) {
	sess, ok := r.GetSession().(*fosite.DefaultSession)
	if !ok {
		return nil, fmt.Errorf("authserver: unexpected session type %T", r.GetSession())
	}
	form := url.Values{}
	for _, k := range keptFormFields {
		if v, ok := r.GetRequestForm()[k]; ok {
			form[k] = v
		}
	}
	return &requestRecord{
		ID: r.GetID(), RequestedAt: r.GetRequestedAt(), ClientID: r.GetClient().GetID(),
		RequestedScope: r.GetRequestedScopes(), GrantedScope: r.GetGrantedScopes(),
		RequestedAudience: r.GetRequestedAudience(), GrantedAudience: r.GetGrantedAudience(),
		Form: form, Session: sess,
	}, nil
}

func (s *fositeStore) requester(ctx context.Context, rec *requestRecord) (fosite.Requester, error) {
	c, err := s.GetClient(ctx, rec.ClientID)
	if err != nil {
		return nil, err
	}
	sess := rec.Session
	if sess == nil {
		sess = &fosite.DefaultSession{}
	}
	return &fosite.Request{
		ID: rec.ID, RequestedAt: rec.RequestedAt, Client: c,
		RequestedScope: rec.RequestedScope, GrantedScope: rec.GrantedScope,
		RequestedAudience: rec.RequestedAudience, GrantedAudience: rec.GrantedAudience,
		Form: rec.Form, Session: sess,
	}, nil
}

func (s *fositeStore) create(ctx context.Context, key string, r fosite.Requester, ttl time.Duration) error {
	rec, err := recordOf(r)
	if err != nil {
		return err
	}
	return s.putJSON(ctx, key, rec, ttl)
}

func (s *fositeStore) load(ctx context.Context, key string) (*requestRecord, error) {
	b, err := s.store.Get(ctx, key)
	if errors.Is(err, ErrNotFound) {
		return nil, fosite.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	var rec requestRecord
	if err := json.Unmarshal(b, &rec); err != nil {
		return nil, fmt.Errorf("authserver: a stored token record is unreadable: %w", err)
	}
	return &rec, nil
}

func (s *fositeStore) get(ctx context.Context, key string) (fosite.Requester, error) {
	rec, err := s.load(ctx, key)
	if err != nil {
		return nil, err
	}
	return s.requester(ctx, rec)
}

// deactivate takes the record at key (atomically: of two concurrent calls
// one wins) and puts it back marked inactive. It fails when the record is
// gone or already inactive.
func (s *fositeStore) deactivate(ctx context.Context, key string, ttl time.Duration) error {
	b, err := s.store.Take(ctx, key)
	if errors.Is(err, ErrNotFound) {
		return fosite.ErrNotFound
	}
	if err != nil {
		return err
	}
	var rec requestRecord
	if err := json.Unmarshal(b, &rec); err != nil {
		return err
	}
	if rec.Inactive {
		_ = s.store.Put(ctx, key, b, ttl)
		return fosite.ErrInactiveToken
	}
	rec.Inactive = true
	return s.putJSON(ctx, key, &rec, ttl)
}

// Authorization codes.

func (s *fositeStore) CreateAuthorizeCodeSession(ctx context.Context, code string, r fosite.Requester) error {
	return s.create(ctx, keyCode+code, r, s.codeTTL)
}

func (s *fositeStore) GetAuthorizeCodeSession(ctx context.Context, code string, _ fosite.Session) (fosite.Requester, error) {
	rec, err := s.load(ctx, keyCode+code)
	if err != nil {
		return nil, err
	}
	r, err := s.requester(ctx, rec)
	if err != nil {
		return nil, err
	}
	if rec.Inactive {
		return r, fosite.ErrInvalidatedAuthorizeCode
	}
	return r, nil
}

func (s *fositeStore) InvalidateAuthorizeCodeSession(ctx context.Context, code string) error {
	return s.deactivate(ctx, keyCode+code, s.codeTTL)
}

// PKCE.

func (s *fositeStore) CreatePKCERequestSession(ctx context.Context, sig string, r fosite.Requester) error {
	return s.create(ctx, keyPKCE+sig, r, s.codeTTL)
}

func (s *fositeStore) GetPKCERequestSession(ctx context.Context, sig string, _ fosite.Session) (fosite.Requester, error) {
	return s.get(ctx, keyPKCE+sig)
}

func (s *fositeStore) DeletePKCERequestSession(ctx context.Context, sig string) error {
	return s.store.Delete(ctx, keyPKCE+sig)
}

// Access tokens.

func (s *fositeStore) CreateAccessTokenSession(ctx context.Context, sig string, r fosite.Requester) error {
	if err := s.create(ctx, keyAccess+sig, r, s.accessTTL); err != nil {
		return err
	}
	return s.store.Put(ctx, keyReqAccess+r.GetID(), []byte(sig), s.accessTTL)
}

func (s *fositeStore) GetAccessTokenSession(ctx context.Context, sig string, _ fosite.Session) (fosite.Requester, error) {
	return s.get(ctx, keyAccess+sig)
}

func (s *fositeStore) DeleteAccessTokenSession(ctx context.Context, sig string) error {
	return s.store.Delete(ctx, keyAccess+sig)
}

// Refresh tokens.

func (s *fositeStore) CreateRefreshTokenSession(ctx context.Context, sig, _ string, r fosite.Requester) error {
	if err := s.create(ctx, keyRefresh+sig, r, s.refreshTTL); err != nil {
		return err
	}
	return s.store.Put(ctx, keyReqRefresh+r.GetID(), []byte(sig), s.refreshTTL)
}

func (s *fositeStore) GetRefreshTokenSession(ctx context.Context, sig string, _ fosite.Session) (fosite.Requester, error) {
	rec, err := s.load(ctx, keyRefresh+sig)
	if err != nil {
		return nil, err
	}
	r, err := s.requester(ctx, rec)
	if err != nil {
		return nil, err
	}
	if rec.Inactive {
		return r, fosite.ErrInactiveToken
	}
	return r, nil
}

func (s *fositeStore) DeleteRefreshTokenSession(ctx context.Context, sig string) error {
	return s.store.Delete(ctx, keyRefresh+sig)
}

// RotateRefreshToken retires the request's current refresh token (it must
// still be active: two concurrent refreshes with one token cannot both
// succeed) and its access token.
func (s *fositeStore) RotateRefreshToken(ctx context.Context, requestID, sig string) error {
	if err := s.deactivate(ctx, keyRefresh+sig, s.refreshTTL); err != nil {
		return err
	}
	return s.RevokeAccessToken(ctx, requestID)
}

// RevokeRefreshToken and RevokeAccessToken remove the request's current
// tokens (RFC 7009: revoking a refresh token revokes its access token too;
// fosite calls both).
func (s *fositeStore) RevokeRefreshToken(ctx context.Context, requestID string) error {
	return s.revoke(ctx, keyReqRefresh, keyRefresh, requestID)
}

func (s *fositeStore) RevokeAccessToken(ctx context.Context, requestID string) error {
	return s.revoke(ctx, keyReqAccess, keyAccess, requestID)
}

func (s *fositeStore) revoke(ctx context.Context, indexPrefix, prefix, requestID string) error {
	sig, err := s.store.Get(ctx, indexPrefix+requestID)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return s.store.Delete(ctx, prefix+string(sig), indexPrefix+requestID)
}
