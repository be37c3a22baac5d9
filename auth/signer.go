// Package auth holds the request signers of the ModelArts client: a static
// IAM token, IAM password credentials exchanged for cached, refreshed tokens,
// and AK/SK request signing (SDK-HMAC-SHA256).
//
// A Signer is called once per attempt, right before the request is sent, so
// every retry carries a fresh date, signature or token. No signer ever prints
// its secret: String, GoString and LogValue show "[REDACTED]" instead.
package auth

import (
	"log/slog"
	"net/http"
)

// Signer authenticates one HTTP request attempt. Sign is called once per
// attempt, right before sending; any I/O it does (fetching a token) uses
// req.Context(). Implementations must be safe for concurrent use.
type Signer interface {
	Sign(req *http.Request) error
}

// TokenInvalidator is implemented by signers whose tokens can be refreshed.
// The client calls InvalidateToken with the token the service rejected (401
// with ModelArts.0201/.0202/.0203) and retries the request once; a signer
// ignores the call when it already holds a newer token.
type TokenInvalidator interface {
	InvalidateToken(rejected string)
}

// Header names used by the signers.
const (
	HeaderAuthToken     = "X-Auth-Token"
	HeaderSecurityToken = "X-Security-Token"
	HeaderProjectID     = "X-Project-Id"
	HeaderSubjectToken  = "X-Subject-Token"
)

// Redacted is what every signer prints in place of a secret.
const Redacted = "[REDACTED]"

// tokenSigner sets a fixed X-Auth-Token.
type tokenSigner struct {
	token secret
}

// NewTokenSigner returns a Signer that sets X-Auth-Token to token on every
// request. Use it when the caller already holds an IAM token; for tokens the
// SDK should obtain and refresh itself, use NewIAMTokenSigner.
func NewTokenSigner(token string) Signer {
	return &tokenSigner{token: newSecret(token)}
}

// Sign sets X-Auth-Token.
func (s *tokenSigner) Sign(req *http.Request) error {
	tok := s.token()
	if tok == "" {
		return errEmptyToken
	}
	req.Header.Set(HeaderAuthToken, tok)
	return nil
}

// String prints the signer without its token.
func (s *tokenSigner) String() string { return "auth.TokenSigner{Token:" + Redacted + "}" }

// GoString prints the signer without its token for %#v.
func (s *tokenSigner) GoString() string { return s.String() }

// Format makes every fmt verb (%v, %+v, %#v, %s) print the redacted form.
func (s *tokenSigner) Format(f fmtState, verb rune) { formatRedacted(f, s.String()) }

// LogValue keeps the token out of slog records.
func (s *tokenSigner) LogValue() slog.Value {
	return slog.GroupValue(slog.String("kind", "token"), slog.String("token", Redacted))
}
