package modelartstest

// The API Gateway's SDK-HMAC-SHA256 verifier, written from the signing
// rules the gateway documents (the protocol notes of the API reference),
// on purpose without the client's signing code: a rule the client gets
// wrong must fail here, not pass on both sides.

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// The gateway's signing constants.
const (
	sigAlgorithm      = "SDK-HMAC-SHA256"
	sigDateHeader     = "X-Sdk-Date"
	sigDateLayout     = "20060102T150405Z"
	sigMaxSkew        = 15 * time.Minute
	sigTokenHeader    = "X-Security-Token"
	sigPayloadHeader  = "X-Sdk-Content-Sha256" // the official SDK's opt-out of the body hash
	sigUnsignedMarker = "UNSIGNED-PAYLOAD"
)

// Why the gateway refuses a signature: a stale date is APIGW.0303, any
// other failure APIGW.0301.
var (
	errSigMalformed = errors.New("malformed signature")
	errSigUnknownAK = errors.New("unknown access key")
	errSigStale     = errors.New("the request has expired")
	errSigMismatch  = errors.New("signature does not match")
)

// sigAuthorization is a parsed Authorization header.
type sigAuthorization struct {
	access    string
	signed    []string
	signature string
}

// parseSigAuthorization reads "SDK-HMAC-SHA256 Access=AK,
// SignedHeaders=h1;h2, Signature=hex".
func parseSigAuthorization(v string) (sigAuthorization, error) {
	var a sigAuthorization
	rest, ok := strings.CutPrefix(v, sigAlgorithm+" ")
	if !ok {
		return a, fmt.Errorf("%w: the Authorization header is not %s", errSigMalformed, sigAlgorithm)
	}
	for _, part := range strings.Split(rest, ",") {
		k, val, found := strings.Cut(strings.TrimSpace(part), "=")
		if !found {
			return a, fmt.Errorf("%w: %q is not key=value", errSigMalformed, part)
		}
		switch k {
		case "Access":
			a.access = val
		case "SignedHeaders":
			a.signed = strings.Split(val, ";")
		case "Signature":
			a.signature = val
		}
	}
	if a.access == "" || len(a.signed) == 0 || a.signature == "" {
		return a, fmt.Errorf("%w: Access, SignedHeaders and Signature are all required", errSigMalformed)
	}
	return a, nil
}

// verifySignature checks r's signature over body at the gateway's time
// now, with secretFor giving the SK of an access key. It returns the
// access key named and why the signature is refused, nil if it is not.
func verifySignature(r *http.Request, body []byte, now time.Time, secretFor func(ak string) (string, bool)) (string, error) {
	a, err := parseSigAuthorization(r.Header.Get("Authorization"))
	if err != nil {
		return "", err
	}
	date := r.Header.Get(sigDateHeader)
	at, err := time.Parse(sigDateLayout, date)
	if err != nil {
		return a.access, fmt.Errorf("%w: %s %q is not in the form %s", errSigMalformed, sigDateHeader, date, sigDateLayout)
	}
	if err := checkSigned(r, a.signed); err != nil {
		return a.access, err
	}
	sk, ok := secretFor(a.access)
	if !ok {
		return a.access, fmt.Errorf("%w %q", errSigUnknownAK, a.access)
	}
	if skew := now.Sub(at); skew > sigMaxSkew || skew < -sigMaxSkew {
		return a.access, fmt.Errorf("%w: %s %s is more than %s off the gateway's clock", errSigStale, sigDateHeader, date, sigMaxSkew)
	}
	canonical, err := canonicalRequest(r, a.signed, body)
	if err != nil {
		return a.access, err
	}
	sum := sha256.Sum256([]byte(canonical))
	toSign := sigAlgorithm + "\n" + date + "\n" + hex.EncodeToString(sum[:])
	mac := hmac.New(sha256.New, []byte(sk))
	mac.Write([]byte(toSign))
	if !hmac.Equal([]byte(hex.EncodeToString(mac.Sum(nil))), []byte(a.signature)) {
		return a.access, fmt.Errorf("%w over %s %s with SignedHeaders=%s", errSigMismatch, r.Method, r.URL.Path, strings.Join(a.signed, ";"))
	}
	return a.access, nil
}

// checkSigned enforces what the gateway asks of SignedHeaders: lowercase
// names, x-sdk-date among them, x-security-token too when the request
// carries one, and every one of them present in the request. (Host is not
// required: the official SDK never signs it.)
func checkSigned(r *http.Request, signed []string) error {
	seen := map[string]bool{}
	for _, h := range signed {
		if h == "" || h != strings.ToLower(h) {
			return fmt.Errorf("%w: signed header %q is not a lowercase name", errSigMalformed, h)
		}
		if h != "host" && len(r.Header.Values(h)) == 0 {
			return fmt.Errorf("%w: signed header %q is not in the request", errSigMalformed, h)
		}
		seen[h] = true
	}
	switch {
	case !seen["x-sdk-date"]:
		return fmt.Errorf("%w: x-sdk-date must be signed", errSigMalformed)
	case r.Header.Get(sigTokenHeader) != "" && !seen["x-security-token"]:
		return fmt.Errorf("%w: the request carries X-Security-Token, which must be signed", errSigMalformed)
	}
	return nil
}

// canonicalRequest is, line by line: the method; the canonical URI; the
// canonical query; one "name:value" line per signed header, sorted by
// name; the signed names joined by ';'; the hex SHA-256 of the body (or
// the literal UNSIGNED-PAYLOAD when the request opts out of the body
// hash).
func canonicalRequest(r *http.Request, signed []string, body []byte) (string, error) {
	query, err := canonicalQuery(r.URL.RawQuery)
	if err != nil {
		return "", err
	}
	names := append([]string(nil), signed...)
	sort.Strings(names)
	var b strings.Builder
	b.WriteString(r.Method + "\n")
	b.WriteString(canonicalURI(r.URL.Path) + "\n")
	b.WriteString(query + "\n")
	for _, h := range names {
		v := r.Host
		if h != "host" {
			v = r.Header.Get(h)
		}
		b.WriteString(h + ":" + strings.TrimSpace(v) + "\n")
	}
	b.WriteString("\n" + strings.Join(names, ";") + "\n")
	if r.Header.Get(sigPayloadHeader) == sigUnsignedMarker {
		b.WriteString(sigUnsignedMarker)
	} else {
		sum := sha256.Sum256(body)
		b.WriteString(hex.EncodeToString(sum[:]))
	}
	return b.String(), nil
}

// canonicalURI percent-encodes each segment of the decoded path and
// makes sure it ends in '/'.
func canonicalURI(path string) string {
	segs := strings.Split(path, "/")
	for i, s := range segs {
		segs[i] = percentEncode(s)
	}
	uri := strings.Join(segs, "/")
	if !strings.HasSuffix(uri, "/") {
		uri += "/"
	}
	return uri
}

// canonicalQuery sorts the keys, and each key's values, and joins
// percent-encoded "k=v" pairs with '&'.
func canonicalQuery(raw string) (string, error) {
	values, err := url.ParseQuery(raw)
	if err != nil {
		return "", fmt.Errorf("%w: the query cannot be read: %v", errSigMalformed, err)
	}
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var pairs []string
	for _, k := range keys {
		vs := append([]string(nil), values[k]...)
		sort.Strings(vs)
		for _, v := range vs {
			pairs = append(pairs, percentEncode(k)+"="+percentEncode(v))
		}
	}
	return strings.Join(pairs, "&"), nil
}

// percentEncode leaves A-Z a-z 0-9 - _ . ~ as they are and encodes every
// other byte as %XX, uppercase.
func percentEncode(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '_', c == '.', c == '~':
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&15])
		}
	}
	return b.String()
}
