package login

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"

	"golang.org/x/oauth2"
)

// The OAuth endpoints, as named in messages.
const (
	tokenEndpoint  = "token"
	revokeEndpoint = "revoke"
)

// endpointError summarises a failed answer from the OAuth token or revoke
// endpoint: the status and, when it is one the RFC defines, the OAuth error
// code, and a sentence of our own. The body is never kept: authorization
// servers have been seen echoing the refresh token, client secret and code
// in it, and this text ends up in tool results and logs.
type endpointError struct {
	endpoint string
	status   int
	code     string // "" unless a code of knownOAuthError
}

func (e *endpointError) Error() string {
	msg := fmt.Sprintf("the OAuth %s endpoint answered %d", e.endpoint, e.status)
	if t := http.StatusText(e.status); t != "" {
		msg += " " + t
	}
	if e.code != "" {
		msg += " (" + e.code + ")"
	}
	return msg + ": " + oauthErrorSentence(e.code, e.status)
}

// knownOAuthError returns code if it is an error code of RFC 6749 (4.1.2.1,
// 5.2) or RFC 7009 (2.2.1), else "": an allowlist, so that nothing the
// server chose to put there is repeated.
func knownOAuthError(code string) string {
	switch code {
	case "invalid_request", "invalid_client", "invalid_grant", "unauthorized_client",
		"unsupported_grant_type", "invalid_scope", "access_denied", "unsupported_response_type",
		"server_error", "temporarily_unavailable", "unsupported_token_type":
		return code
	}
	return ""
}

func oauthErrorSentence(code string, status int) string {
	switch code {
	case "invalid_client", "unauthorized_client":
		return "the OAuth app's client id or secret was refused"
	case "invalid_grant":
		return "the grant is invalid, expired or revoked"
	case "invalid_request", "unsupported_grant_type", "unsupported_token_type", "invalid_scope", "unsupported_response_type":
		return "the request was refused as malformed"
	case "access_denied":
		return "access was denied"
	}
	switch {
	case status == http.StatusTooManyRequests:
		return "rate limited; try again in a minute"
	case status >= 500 || code == "server_error" || code == "temporarily_unavailable":
		return "the authorization server failed; try again later"
	}
	return "the request was refused"
}

// summarise turns an error from a request to an OAuth endpoint of the API
// at apiURL into a summary that repeats nothing from the answer.
func summarise(endpoint, apiURL string, err error) error {
	if re, ok := errors.AsType[*oauth2.RetrieveError](err); ok {
		status := 0
		if re.Response != nil {
			status = re.Response.StatusCode
		}
		return &endpointError{endpoint: endpoint, status: status, code: knownOAuthError(re.ErrorCode)}
	}
	host := hostOf(apiURL)
	switch ue, isURL := errors.AsType[*url.Error](err); {
	case errors.Is(err, context.DeadlineExceeded) || isURL && ue.Timeout():
		return fmt.Errorf("the OAuth %s endpoint at %s did not answer in time", endpoint, host)
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("the request to the OAuth %s endpoint was cancelled", endpoint)
	case isURL:
		reason := "the connection failed"
		if oe, ok := errors.AsType[*net.OpError](err); ok && oe.Err != nil {
			reason = oe.Err.Error() // e.g. "connect: connection refused": no addresses, no data
		} else if de, ok := errors.AsType[*net.DNSError](err); ok {
			reason = "lookup failed: " + de.Err
		}
		return fmt.Errorf("cannot reach the OAuth %s endpoint at %s: %s", endpoint, host, reason)
	}
	return fmt.Errorf("the OAuth %s endpoint at %s gave an unusable answer", endpoint, host)
}

// hostOf is the host of an API URL, for messages (API URLs are not secret).
func hostOf(apiURL string) string {
	if u, err := url.Parse(apiURL); err == nil && u.Host != "" {
		return u.Host
	}
	return apiURL
}
