package auth

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/modelarts-go/modelarts/internal/errs"

	"github.com/modelarts-go/modelarts/internal/redact"
)

// TokenSigner sets a fixed X-Auth-Token on every request. Build it with
// NewTokenSigner; a zero TokenSigner signs nothing and Validate says so.
type TokenSigner struct {
	token   secret
	secrets secretSet
}

// NewTokenSigner returns a signer that sets X-Auth-Token to token on every
// request. Use it when the caller already holds an IAM token; for tokens the
// SDK should obtain and refresh itself, use NewIAMTokenSigner.
//
// An empty or unusable token is not refused here (the function has no error
// result); Validate reports it, and modelarts.NewClient refuses such a signer.
func NewTokenSigner(token string) *TokenSigner {
	return &TokenSigner{token: newSecret(token), secrets: newSecretSet(token)}
}

var (
	errEmptyToken  = errs.Invalidf("auth: the token is empty; pass a non-empty IAM token to NewTokenSigner")
	errTokenNotNew = errs.Invalidf("auth: the TokenSigner was not built by NewTokenSigner; use auth.NewTokenSigner(token)")
	errShortToken  = errs.Invalidf("auth: the token is shorter than %d bytes: no IAM token is that short (and one so short could not be kept out of error messages); pass the whole token", redact.MinLen)
	errTokenCtl    = errs.Invalidf("auth: the token contains a control character (a line break or tab?) and cannot be sent in a header; pass the token without surrounding white space")
)

// Validate reports a token that can never authenticate a request: empty,
// only white space, or holding a control character such as a line break
// (which no HTTP header may carry). It never prints the token.
func (s *TokenSigner) Validate() error {
	if s == nil || s.token == nil {
		return errTokenNotNew
	}
	tok := s.token()
	if strings.TrimSpace(tok) == "" {
		return errEmptyToken
	}
	if len(tok) < redact.MinLen {
		return errShortToken
	}
	if strings.ContainsFunc(tok, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return errTokenCtl
	}
	return nil
}

// Sign sets X-Auth-Token, or returns Validate's error.
func (s *TokenSigner) Sign(req *http.Request) error {
	if err := s.Validate(); err != nil {
		return err
	}
	req.Header.Set(HeaderAuthToken, s.token())
	return nil
}

// RedactSecrets replaces the token, in any encoding, with Redacted.
func (s *TokenSigner) RedactSecrets(text string) string {
	if s == nil {
		return text
	}
	return s.secrets.redact(text)
}

// String prints the signer without its token.
func (s *TokenSigner) String() string { return "auth.TokenSigner{Token:" + Redacted + "}" }

// GoString prints the signer without its token for %#v.
func (s *TokenSigner) GoString() string { return s.String() }

// Format makes every fmt verb print the redacted form, for the signer and
// for a TokenSigner value (a copy of one) alike.
func (s TokenSigner) Format(f fmt.State, verb rune) { formatRedacted(f, s.String()) }

// LogValue keeps the token out of slog records.
func (s *TokenSigner) LogValue() slog.Value {
	return slog.GroupValue(slog.String("kind", "token"), slog.String("token", Redacted))
}
