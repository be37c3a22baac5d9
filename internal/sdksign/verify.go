package sdksign

import (
	"crypto/hmac"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// HeaderContentSHA256 lets a client sign UnsignedPayload instead of the
// body hash; the official SDK sends it for content types other than JSON.
const HeaderContentSHA256 = "X-Sdk-Content-Sha256"

// UnsignedPayload is the literal signed in place of the body hash when the
// request carries HeaderContentSHA256 with this value.
const UnsignedPayload = "UNSIGNED-PAYLOAD"

// HeaderSecurityToken carries the token of a temporary key pair.
const HeaderSecurityToken = "X-Security-Token"

// Errors Verify returns, wrapped with the detail, so that a gateway can map
// each to its own error code with errors.Is.
var (
	// ErrMalformed: no usable Authorization header, an X-Sdk-Date that does
	// not parse, or SignedHeaders that miss what the gateway requires.
	ErrMalformed = errors.New("sdksign: malformed signature")
	// ErrUnknownAccessKey: the AK is not known to the verifier.
	ErrUnknownAccessKey = errors.New("sdksign: unknown access key")
	// ErrExpired: X-Sdk-Date is more than MaxClockSkew off the server clock.
	ErrExpired = errors.New("sdksign: X-Sdk-Date is outside the allowed clock skew")
	// ErrSignatureMismatch: the recomputed signature differs (wrong SK, or
	// the method, path, query, a signed header or the body was changed).
	ErrSignatureMismatch = errors.New("sdksign: signature does not match")
)

// Verify checks r's signature the way the API Gateway does:
//
//   - the Authorization header is "SDK-HMAC-SHA256 Access=…,
//     SignedHeaders=…, Signature=…" and secretFor knows the AK;
//   - X-Sdk-Date is in DateFormat and within MaxClockSkew of now;
//   - SignedHeaders include x-sdk-date (host is not required: the official
//     SDK never signs it), x-security-token when the request carries one,
//     and every header they list is present in the request;
//   - the signature, recomputed over the headers the client listed and the
//     hex SHA-256 of body (the exact bytes received), or the literal
//     UnsignedPayload when X-Sdk-Content-Sha256 says so, matches.
//
// The error wraps ErrMalformed, ErrUnknownAccessKey, ErrExpired or
// ErrSignatureMismatch and never contains the SK or the expected signature.
func Verify(r *http.Request, body []byte, secretFor func(ak string) (string, bool), now time.Time) error {
	a, err := ParseAuthorization(r.Header.Get("Authorization"))
	if err != nil {
		return err
	}
	date := r.Header.Get(HeaderDate)
	t, err := time.Parse(DateFormat, date)
	if err != nil {
		return fmt.Errorf("%w: X-Sdk-Date %q is not in %s form", ErrMalformed, date, DateFormat)
	}
	if err := checkSignedHeaders(r, a.SignedHeaders); err != nil {
		return err
	}
	sk, ok := secretFor(a.Access)
	if !ok {
		return fmt.Errorf("%w %q", ErrUnknownAccessKey, a.Access)
	}
	if d := now.Sub(t); d > MaxClockSkew || d < -MaxClockSkew {
		return fmt.Errorf("%w: X-Sdk-Date %s is more than %s off the server clock (%s)",
			ErrExpired, date, MaxClockSkew, now.UTC().Format(DateFormat))
	}
	cr, err := CanonicalRequest(r, a.SignedHeaders, PayloadHash(r, body))
	if err != nil {
		return fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	want := Signature(sk, date, cr)
	if !hmac.Equal([]byte(want), []byte(a.Signature)) {
		return fmt.Errorf("%w: recomputed over %s %s with SignedHeaders=%s",
			ErrSignatureMismatch, r.Method, r.URL.Path, strings.Join(a.SignedHeaders, ";"))
	}
	return nil
}

// PayloadHash returns what the canonical request of r ends with: the
// literal UnsignedPayload when r declares it in X-Sdk-Content-Sha256, else
// the hex SHA-256 of body.
func PayloadHash(r *http.Request, body []byte) string {
	if r.Header.Get(HeaderContentSHA256) == UnsignedPayload {
		return UnsignedPayload
	}
	return HashHex(body)
}

// checkSignedHeaders enforces what the gateway requires of SignedHeaders.
func checkSignedHeaders(r *http.Request, signed []string) error {
	hasDate, hasToken := false, false
	for _, h := range signed {
		switch h {
		case "x-sdk-date":
			hasDate = true
		case "x-security-token":
			hasToken = true
		case "host":
			continue // always present: it comes from the request line or Host
		}
		if len(r.Header.Values(h)) == 0 {
			return fmt.Errorf("%w: signed header %q is not in the request", ErrMalformed, h)
		}
	}
	if !hasDate {
		return fmt.Errorf("%w: SignedHeaders=%s must include x-sdk-date", ErrMalformed, strings.Join(signed, ";"))
	}
	if !hasToken && r.Header.Get(HeaderSecurityToken) != "" {
		return fmt.Errorf("%w: the request carries X-Security-Token, so SignedHeaders=%s must include x-security-token",
			ErrMalformed, strings.Join(signed, ";"))
	}
	return nil
}
