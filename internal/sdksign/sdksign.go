// Package sdksign implements the API Gateway "SDK-HMAC-SHA256" request
// signature: the canonical request, the string to sign and the signature.
//
// It is shared by the client-side signer (package auth) and the gateway-side
// verifier used by the fake server (package modelartstest), so both always
// agree on canonicalisation.
package sdksign

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"
)

// Algorithm is the name of the signature algorithm.
const Algorithm = "SDK-HMAC-SHA256"

// DateFormat is the layout of the X-Sdk-Date header.
const DateFormat = "20060102T150405Z"

// HeaderDate is the header carrying the signing time.
const HeaderDate = "X-Sdk-Date"

// MaxClockSkew is how far the gateway lets X-Sdk-Date drift (APIGW.0303).
const MaxClockSkew = 15 * time.Minute

// EmptyBodyHash is hex(sha256("")).
const EmptyBodyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// shouldEscape reports whether b must be percent-encoded: only the RFC 3986
// unreserved characters stay as they are.
func shouldEscape(b byte) bool {
	switch {
	case 'A' <= b && b <= 'Z', 'a' <= b && b <= 'z', '0' <= b && b <= '9':
		return false
	case b == '-', b == '_', b == '.', b == '~':
		return false
	}
	return true
}

const upperHex = "0123456789ABCDEF"

// appendEscaped appends s percent-encoded with uppercase hex.
func appendEscaped(sb *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if shouldEscape(c) {
			sb.WriteByte('%')
			sb.WriteByte(upperHex[c>>4])
			sb.WriteByte(upperHex[c&15])
		} else {
			sb.WriteByte(c)
		}
	}
}

// Escape percent-encodes s the way the canonical request needs it.
func Escape(s string) string {
	var sb strings.Builder
	sb.Grow(len(s) + 8)
	appendEscaped(&sb, s)
	return sb.String()
}

// writeCanonicalURI writes each segment of the decoded path percent-encoded,
// always ending in "/".
func writeCanonicalURI(sb *strings.Builder, path string) {
	if path == "" {
		sb.WriteByte('/')
		return
	}
	start := 0
	for i := 0; i <= len(path); i++ {
		if i == len(path) || path[i] == '/' {
			appendEscaped(sb, path[start:i])
			if i < len(path) {
				sb.WriteByte('/')
			}
			start = i + 1
		}
	}
	if path[len(path)-1] != '/' {
		sb.WriteByte('/')
	}
}

// CanonicalURI returns the canonical form of a decoded URL path.
func CanonicalURI(path string) string {
	var sb strings.Builder
	writeCanonicalURI(&sb, path)
	return sb.String()
}

// writeCanonicalQuery writes keys sorted, each key's values sorted, "k=v"
// pairs joined by "&", keys and values percent-encoded.
func writeCanonicalQuery(sb *strings.Builder, rawQuery string) error {
	if rawQuery == "" {
		return nil
	}
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return fmt.Errorf("sdksign: query %q cannot be parsed: %w", rawQuery, err)
	}
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	first := true
	for _, k := range keys {
		vs := q[k]
		sort.Strings(vs)
		for _, v := range vs {
			if !first {
				sb.WriteByte('&')
			}
			first = false
			appendEscaped(sb, k)
			sb.WriteByte('=')
			appendEscaped(sb, v)
		}
	}
	return nil
}

// CanonicalQuery returns the canonical form of a raw query string.
func CanonicalQuery(rawQuery string) (string, error) {
	var sb strings.Builder
	err := writeCanonicalQuery(&sb, rawQuery)
	return sb.String(), err
}

// headerValue returns the value the signature covers for a signed header:
// "host" comes from the request's Host (http.Request keeps it out of Header).
func headerValue(r *http.Request, name string) string {
	if name == "host" {
		if r.Host != "" {
			return r.Host
		}
		return r.URL.Host
	}
	return strings.TrimSpace(r.Header.Get(name))
}

var sha256Pool = sync.Pool{New: func() any { return sha256.New() }}

// CanonicalRequest builds the canonical request for r. signedHeaders must be
// lowercase and sorted; bodyHash is the hex SHA-256 of the exact body sent.
func CanonicalRequest(r *http.Request, signedHeaders []string, bodyHash string) (string, error) {
	var sb strings.Builder
	sb.Grow(256)
	sb.WriteString(r.Method)
	sb.WriteByte('\n')
	writeCanonicalURI(&sb, r.URL.Path)
	sb.WriteByte('\n')
	if err := writeCanonicalQuery(&sb, r.URL.RawQuery); err != nil {
		return "", err
	}
	sb.WriteByte('\n')
	for _, h := range signedHeaders {
		sb.WriteString(h)
		sb.WriteByte(':')
		sb.WriteString(headerValue(r, h))
		sb.WriteByte('\n')
	}
	sb.WriteByte('\n')
	for i, h := range signedHeaders {
		if i > 0 {
			sb.WriteByte(';')
		}
		sb.WriteString(h)
	}
	sb.WriteByte('\n')
	sb.WriteString(bodyHash)
	return sb.String(), nil
}

// HashHex returns the hex SHA-256 of b.
func HashHex(b []byte) string {
	if len(b) == 0 {
		return EmptyBodyHash
	}
	h := sha256Pool.Get().(hash.Hash)
	h.Reset()
	h.Write(b)
	var sum [sha256.Size]byte
	out := hex.EncodeToString(h.Sum(sum[:0]))
	sha256Pool.Put(h)
	return out
}

// Signature returns the hex HMAC-SHA256 of the string to sign for the
// canonical request and date, keyed with sk.
func Signature(sk, date, canonicalRequest string) string {
	h := sha256Pool.Get().(hash.Hash)
	h.Reset()
	h.Write([]byte(canonicalRequest))
	var sum [sha256.Size]byte
	var hexSum [2 * sha256.Size]byte
	hex.Encode(hexSum[:], h.Sum(sum[:0]))
	sha256Pool.Put(h)

	mac := hmac.New(sha256.New, []byte(sk))
	mac.Write([]byte(Algorithm))
	mac.Write([]byte{'\n'})
	mac.Write([]byte(date))
	mac.Write([]byte{'\n'})
	mac.Write(hexSum[:])
	return hex.EncodeToString(mac.Sum(sum[:0]))
}

// StringToSign returns the string the HMAC covers (exposed for test vectors).
func StringToSign(date, canonicalRequest string) string {
	sum := sha256.Sum256([]byte(canonicalRequest))
	return Algorithm + "\n" + date + "\n" + hex.EncodeToString(sum[:])
}

// AuthorizationHeader formats the Authorization header value.
func AuthorizationHeader(ak string, signedHeaders []string, signature string) string {
	var sb strings.Builder
	sb.Grow(len(Algorithm) + len(ak) + len(signature) + 64)
	sb.WriteString(Algorithm)
	sb.WriteString(" Access=")
	sb.WriteString(ak)
	sb.WriteString(", SignedHeaders=")
	for i, h := range signedHeaders {
		if i > 0 {
			sb.WriteByte(';')
		}
		sb.WriteString(h)
	}
	sb.WriteString(", Signature=")
	sb.WriteString(signature)
	return sb.String()
}

// Authorization is a parsed Authorization header.
type Authorization struct {
	Access        string
	SignedHeaders []string
	Signature     string
}

// ParseAuthorization parses an "SDK-HMAC-SHA256 Access=…, SignedHeaders=…,
// Signature=…" header value.
func ParseAuthorization(v string) (Authorization, error) {
	var a Authorization
	rest, ok := strings.CutPrefix(v, Algorithm+" ")
	if !ok {
		return a, errors.New("authorization header does not use " + Algorithm)
	}
	for _, part := range strings.Split(rest, ",") {
		k, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return a, fmt.Errorf("authorization header part %q has no '='", part)
		}
		switch k {
		case "Access":
			a.Access = val
		case "SignedHeaders":
			a.SignedHeaders = strings.Split(val, ";")
		case "Signature":
			a.Signature = val
		}
	}
	if a.Access == "" || len(a.SignedHeaders) == 0 || a.Signature == "" {
		return a, errors.New("authorization header lacks Access, SignedHeaders or Signature")
	}
	return a, nil
}

// Verify checks r's signature as the gateway does: it recomputes it over the
// headers the client listed, with body as the exact bytes received. secretFor
// returns the SK for an AK. now is the server's clock.
func Verify(r *http.Request, body []byte, secretFor func(ak string) (string, bool), now time.Time) error {
	a, err := ParseAuthorization(r.Header.Get("Authorization"))
	if err != nil {
		return err
	}
	sk, ok := secretFor(a.Access)
	if !ok {
		return errors.New("unknown access key")
	}
	date := r.Header.Get(HeaderDate)
	t, err := time.Parse(DateFormat, date)
	if err != nil {
		return fmt.Errorf("X-Sdk-Date %q is not in %s form", date, DateFormat)
	}
	if d := now.Sub(t); d > MaxClockSkew || d < -MaxClockSkew {
		return fmt.Errorf("X-Sdk-Date %s is more than %s off the server clock", date, MaxClockSkew)
	}
	seen := map[string]bool{}
	for _, h := range a.SignedHeaders {
		seen[h] = true
	}
	if !seen["x-sdk-date"] || !seen["host"] {
		return errors.New("signature must cover host and x-sdk-date")
	}
	if r.Header.Get("X-Security-Token") != "" && !seen["x-security-token"] {
		return errors.New("signature must cover x-security-token")
	}
	cr, err := CanonicalRequest(r, a.SignedHeaders, HashHex(body))
	if err != nil {
		return err
	}
	want := Signature(sk, date, cr)
	if !hmac.Equal([]byte(want), []byte(a.Signature)) {
		return errors.New("signature does not match")
	}
	return nil
}
