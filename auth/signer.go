// Package auth holds the request signers of the ModelArts client: a static
// IAM token (TokenSigner), IAM password credentials exchanged for cached,
// refreshed tokens (IAMTokenSigner), and AK/SK request signing with
// SDK-HMAC-SHA256 (AKSKSigner).
//
// A Signer is called once per attempt, right before the request is sent, so
// every retry carries a fresh date, signature or token. No signer ever prints
// its secret: String, GoString, Format and LogValue show "[REDACTED]"
// instead, and RedactSecrets removes the signer's secrets from any text a
// server sent back.
package auth

import (
	"net/http"

	"github.com/modelarts-go/modelarts/internal/redact"
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

// Validator is implemented by signers that can tell, before any request, that
// they can never sign one (an empty token, a signer not built by its
// constructor). modelarts.NewClient calls Validate and refuses such a signer.
type Validator interface {
	Validate() error
}

// SecretRedactor is implemented by every signer of this package. RedactSecrets
// returns s with each secret the signer holds (token, password, AK, SK,
// security token, every IAM token it obtained), raw or in any encoding a
// server may echo it in (JSON and other backslash escapes, percent-encoding,
// HTML references), replaced by Redacted. The client applies it to every
// server-derived string before it is stored in an error or logged. Secrets
// shorter than 4 bytes are not redacted: real credentials are far longer,
// and replacing a tiny string everywhere would shred ordinary text.
type SecretRedactor interface {
	RedactSecrets(s string) string
}

// Header names used by the signers.
const (
	HeaderAuthToken     = "X-Auth-Token"
	HeaderSecurityToken = "X-Security-Token"
	HeaderProjectID     = "X-Project-Id"
	HeaderSubjectToken  = "X-Subject-Token"
)

// Redacted is what every signer prints in place of a secret.
const Redacted = redact.Placeholder

// The signers implement every optional interface.
var (
	_ interface {
		Signer
		Validator
		SecretRedactor
	} = (*TokenSigner)(nil)
	_ interface {
		Signer
		Validator
		SecretRedactor
	} = (*AKSKSigner)(nil)
	_ interface {
		Signer
		Validator
		SecretRedactor
		TokenInvalidator
	} = (*IAMTokenSigner)(nil)
)
