// Package auth holds the request signers of the ModelArts client: a static
// IAM token (TokenSigner), IAM password credentials exchanged for cached,
// refreshed tokens (IAMTokenSigner), AK/SK request signing with
// SDK-HMAC-SHA256 (AKSKSigner), and signers of temporary credentials that
// hold no long-lived key: an ECS agency through the metadata service
// (MetadataSigner), a CCE pod identity (PodIdentitySigner) and an OIDC
// identity federated through IAM (FederationSigner). DefaultSigner is the
// credential chain: the environment, the credentials file, pod identity,
// then the metadata service.
//
// A Signer is called once per attempt, right before the request is sent, so
// every retry carries a fresh date, signature or token. RedactSecrets removes
// the signer's secrets from any text a server sent back.
//
// # Printing
//
// No signer of this package prints a secret, under any fmt verb and through
// any slog handler: the token, the password, the secret key, the security
// token, every IAM token the signer obtained, the id-token, the pod token
// and the metadata session token never show, and the access
// key shows by its first four characters only. This holds for every verb
// (%v, %+v, %#v, %s, %q, %x, %X, %d, %p, %w, a verb fmt does not know, with
// any flag, width or precision), for Print and Println, for slog's
// TextHandler and JSONHandler; for a signer by pointer or by value (a copy,
// *s), on its own or inside a caller's struct, slice, map, array or
// interface, in an exported field or an unexported one, however deep; and
// for a modelarts.Client holding the signer, placed anywhere the same way.
//
// Two mechanisms make it so. Where fmt calls methods (the value printed, an
// exported field, an element), the signer's Format (String, GoString,
// LogValue) prints the redacted form, "[REDACTED]" in place of each secret.
// Where fmt calls none (anything reached through an unexported field, and
// an operand %w or %p does not take, which fmt prints with no method called;
// a verb such as %s meeting a pointer there makes fmt print it again with
// %v, expanding the struct it points to), fmt prints fields raw: so no
// secret is kept in a field, or in a field of a struct a field points to.
// Each secret, and each set of secrets kept for RedactSecrets, is held in a
// func value, which fmt prints as an address. Printed raw, a signer shows
// addresses, the IAM endpoint, domain, user name and project, and numbers.
//
// PasswordCredentials, the input of NewIAMTokenSigner, holds its password
// the same way: Password is a Secret, a func value within, which fmt prints
// as an address where it calls no method and as Redacted where it does, and
// which encoding/json writes as Redacted.
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

// TokenInvalidator is implemented by signers whose tokens or temporary
// credentials can be fetched again. The client calls InvalidateToken with
// what the refused request carried (its X-Auth-Token, else its
// X-Security-Token) when the answer is a 401 that fresh credentials cure
// (ModelArts.0201/.0202/.0203, or a gateway APIGW code other than
// APIGW.0303, the clock), and retries the request once; a signer ignores
// the call when it already holds newer credentials.
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
	_ interface {
		Signer
		Validator
		SecretRedactor
		TokenInvalidator
	} = (*MetadataSigner)(nil)
	_ interface {
		Signer
		Validator
		SecretRedactor
		TokenInvalidator
	} = (*PodIdentitySigner)(nil)
	_ interface {
		Signer
		Validator
		SecretRedactor
		TokenInvalidator
	} = (*FederationSigner)(nil)
)
