package modelarts

import (
	"net/http"

	"github.com/modelarts-go/modelarts/auth"
	"github.com/modelarts-go/modelarts/internal/redact"
	"github.com/modelarts-go/modelarts/internal/textutil"
)

// Whatever a server, gateway or WAF sends back may quote a credential: a
// 401 whose message repeats the token, a 403 page echoing X-Auth-Token, an
// error echoing the signed request. The client knows its secrets, so it
// removes them, in every encoding the wire uses, from each server-derived
// string before the string is stored in an error or logged: the signer's
// own secrets (through auth.SecretRedactor) and the credential headers the
// attempt carried, whatever signer made them.

// maxRequestIDLen bounds a request ID kept from a response.
const maxRequestIDLen = 128

// secretHeaders are the request headers whose values are credentials.
var secretHeaders = []string{auth.HeaderAuthToken, auth.HeaderSecurityToken, "Authorization"}

// redactorOf returns the signer's redaction, if it has one.
func redactorOf(signer auth.Signer) func(string) string {
	if r, ok := signer.(auth.SecretRedactor); ok {
		return r.RedactSecrets
	}
	return nil
}

// scrub removes every secret the client knows from s.
func (c *Client) scrub(at *attempt, s string) string {
	if s == "" {
		return s
	}
	if c.redactor != nil {
		s = c.redactor(s)
	}
	if at != nil && at.reqHeader != nil {
		var sent []string
		for _, h := range secretHeaders {
			for _, v := range at.reqHeader.Values(h) {
				if h == "Authorization" {
					v = signatureOf(v)
				}
				sent = append(sent, v)
			}
		}
		s = redact.New(sent...).Redact(s)
	}
	return s
}

// bounded scrubs s and shortens it to at most n characters.
func (c *Client) bounded(at *attempt, s string, n int) string {
	return textutil.Shorten(c.scrub(at, s), n)
}

// maxHeaderValueLen bounds each response header value kept in an error.
const maxHeaderValueLen = 512

// scrubHeader returns a copy of a response's headers with secrets removed
// and values bounded, fit to keep in an error.
func (c *Client) scrubHeader(at *attempt, h http.Header) http.Header {
	out := make(http.Header, len(h))
	for k, vs := range h {
		cp := make([]string, len(vs))
		for i, v := range vs {
			cp[i] = c.bounded(at, v, maxHeaderValueLen)
		}
		out[k] = cp
	}
	return out
}

// signatureOf is the Signature= part of an SDK-HMAC-SHA256 Authorization
// header (the secret-derived part), or the whole value for other schemes.
func signatureOf(v string) string {
	const key = "Signature="
	for i := 0; i+len(key) <= len(v); i++ {
		if v[i:i+len(key)] == key {
			return v[i+len(key):]
		}
	}
	return v
}
