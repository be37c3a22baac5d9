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
	"fmt"
	"hash"
	"net/http"
	"net/url"
	"slices"
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
func appendEscaped(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if shouldEscape(c) {
			dst = append(dst, '%', upperHex[c>>4], upperHex[c&15])
		} else {
			dst = append(dst, c)
		}
	}
	return dst
}

// Escape percent-encodes s the way the canonical request needs it.
func Escape(s string) string { return string(appendEscaped(nil, s)) }

// appendCanonicalURI appends each segment of the decoded path
// percent-encoded, always ending in "/".
func appendCanonicalURI(dst []byte, path string) []byte {
	if path == "" {
		return append(dst, '/')
	}
	start := 0
	for i := 0; i <= len(path); i++ {
		if i == len(path) || path[i] == '/' {
			dst = appendEscaped(dst, path[start:i])
			if i < len(path) {
				dst = append(dst, '/')
			}
			start = i + 1
		}
	}
	if path[len(path)-1] != '/' {
		dst = append(dst, '/')
	}
	return dst
}

// CanonicalURI returns the canonical form of a decoded URL path.
func CanonicalURI(path string) string { return string(appendCanonicalURI(nil, path)) }

// queryPair is one decoded key and value.
type queryPair struct{ k, v string }

// appendCanonicalQuery appends keys sorted, each key's values sorted, "k=v"
// pairs joined by "&", keys and values percent-encoded. It parses the raw
// query itself (as url.ParseQuery does) to avoid the map.
func appendCanonicalQuery(dst []byte, rawQuery string) ([]byte, error) {
	if rawQuery == "" {
		return dst, nil
	}
	var stack [16]queryPair
	pairs := stack[:0]
	for q := rawQuery; q != ""; {
		var part string
		part, q, _ = strings.Cut(q, "&")
		if part == "" {
			continue
		}
		if strings.Contains(part, ";") {
			return dst, fmt.Errorf("sdksign: query %q contains a semicolon", rawQuery)
		}
		k, v, _ := strings.Cut(part, "=")
		var err error
		if k, err = url.QueryUnescape(k); err != nil {
			return dst, fmt.Errorf("sdksign: query %q cannot be parsed: %w", rawQuery, err)
		}
		if v, err = url.QueryUnescape(v); err != nil {
			return dst, fmt.Errorf("sdksign: query %q cannot be parsed: %w", rawQuery, err)
		}
		pairs = append(pairs, queryPair{k, v})
	}
	slices.SortFunc(pairs, func(a, b queryPair) int {
		if c := strings.Compare(a.k, b.k); c != 0 {
			return c
		}
		return strings.Compare(a.v, b.v)
	})
	for i, p := range pairs {
		if i > 0 {
			dst = append(dst, '&')
		}
		dst = appendEscaped(dst, p.k)
		dst = append(dst, '=')
		dst = appendEscaped(dst, p.v)
	}
	return dst, nil
}

// CanonicalQuery returns the canonical form of a raw query string.
func CanonicalQuery(rawQuery string) (string, error) {
	b, err := appendCanonicalQuery(nil, rawQuery)
	return string(b), err
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

// appendCanonicalRequest appends the canonical request for r. signedHeaders
// must be lowercase and sorted; bodyHash is the hex SHA-256 of the exact
// body sent.
func appendCanonicalRequest(dst []byte, r *http.Request, signedHeaders []string, bodyHash []byte) ([]byte, error) {
	dst = append(dst, r.Method...)
	dst = append(dst, '\n')
	dst = appendCanonicalURI(dst, r.URL.Path)
	dst = append(dst, '\n')
	var err error
	if dst, err = appendCanonicalQuery(dst, r.URL.RawQuery); err != nil {
		return dst, err
	}
	dst = append(dst, '\n')
	for _, h := range signedHeaders {
		dst = append(dst, h...)
		dst = append(dst, ':')
		dst = append(dst, headerValue(r, h)...)
		dst = append(dst, '\n')
	}
	dst = append(dst, '\n')
	for i, h := range signedHeaders {
		if i > 0 {
			dst = append(dst, ';')
		}
		dst = append(dst, h...)
	}
	dst = append(dst, '\n')
	return append(dst, bodyHash...), nil
}

// CanonicalRequest returns the canonical request for r (see
// appendCanonicalRequest); bodyHash is hex.
func CanonicalRequest(r *http.Request, signedHeaders []string, bodyHash string) (string, error) {
	b, err := appendCanonicalRequest(make([]byte, 0, 256), r, signedHeaders, []byte(bodyHash))
	return string(b), err
}

// HashHex returns the hex SHA-256 of b.
func HashHex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Signature returns the hex HMAC-SHA256, keyed with sk, of the string to
// sign for the canonical request and date.
func Signature(sk, date, canonicalRequest string) string {
	m := NewMAC(sk)
	st := m.pool.Get().(*macState)
	signCanonical(st, date, []byte(canonicalRequest))
	return string(st.sig[:])
}

// MAC signs canonical requests with one secret key, reusing its HMAC and
// buffers across calls. It is safe for concurrent use.
type MAC struct {
	// The key lives only in the pool's closure, never in a field, so no
	// printer that walks this struct can show it.
	pool sync.Pool // of *macState
}

// macState is one signature's working memory. The hash's input and
// output live here, not on the stack: a hash.Hash is an interface, so what
// it is given escapes, and would be allocated on every signature.
type macState struct {
	mac   hash.Hash
	sha   hash.Hash
	buf   []byte // the canonical request
	sts   []byte // the string to sign
	sum   [sha256.Size]byte
	crHex [64]byte
	sig   [64]byte // the hex signature
}

// NewMAC returns a MAC for the secret key sk.
func NewMAC(sk string) *MAC {
	m := &MAC{}
	key := []byte(sk)
	m.pool.New = func() any {
		return &macState{mac: hmac.New(sha256.New, key), sha: sha256.New(), buf: make([]byte, 0, 512), sts: make([]byte, 0, 128)}
	}
	return m
}

// SignRequest computes the signature of r over signedHeaders (lowercase,
// sorted) with the body hashed by bodySHA256 (raw 32 bytes), and returns the
// Authorization header value for access key ak.
func (m *MAC) SignRequest(r *http.Request, ak, date string, signedHeaders []string, bodySHA256 []byte) (string, error) {
	st := m.pool.Get().(*macState)
	defer m.pool.Put(st)
	var bodyHex [64]byte
	hex.Encode(bodyHex[:], bodySHA256)
	cr, err := appendCanonicalRequest(st.buf[:0], r, signedHeaders, bodyHex[:])
	if err != nil {
		return "", err
	}
	st.buf = cr[:0] // keep the grown buffer for the next call
	signCanonical(st, date, cr)
	return appendAuthorization(ak, signedHeaders, st.sig[:]), nil
}

// signCanonical writes into st.sig the hex HMAC of the string to sign for
// the canonical request cr.
func signCanonical(st *macState, date string, cr []byte) {
	st.sha.Reset()
	st.sha.Write(cr)
	hex.Encode(st.crHex[:], st.sha.Sum(st.sum[:0]))

	sts := append(st.sts[:0], Algorithm...)
	sts = append(sts, '\n')
	sts = append(sts, date...)
	sts = append(sts, '\n')
	sts = append(sts, st.crHex[:]...)
	st.sts = sts[:0]
	st.mac.Reset()
	st.mac.Write(sts)
	hex.Encode(st.sig[:], st.mac.Sum(st.sum[:0]))
}

// AuthorizationHeader formats the Authorization header value.
func AuthorizationHeader(ak string, signedHeaders []string, signature string) string {
	return appendAuthorization(ak, signedHeaders, signature)
}

// appendAuthorization is AuthorizationHeader for a signature held as
// bytes or as a string: one allocation, the header itself.
func appendAuthorization[S string | []byte](ak string, signedHeaders []string, signature S) string {
	var stack [256]byte
	b := append(stack[:0], Algorithm...)
	b = append(b, " Access="...)
	b = append(b, ak...)
	b = append(b, ", SignedHeaders="...)
	for i, h := range signedHeaders {
		if i > 0 {
			b = append(b, ';')
		}
		b = append(b, h...)
	}
	b = append(b, ", Signature="...)
	b = append(b, signature...)
	return string(b)
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
		return a, fmt.Errorf("%w: the Authorization header does not use %s", ErrMalformed, Algorithm)
	}
	for _, part := range strings.Split(rest, ",") {
		k, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return a, fmt.Errorf("%w: Authorization header part %q has no '='", ErrMalformed, part)
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
		return a, fmt.Errorf("%w: the Authorization header lacks Access, SignedHeaders or Signature", ErrMalformed)
	}
	return a, nil
}
