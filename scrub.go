package modelarts

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"reflect"
	"slices"
	"syscall"
	"time"

	"github.com/modelarts-go/modelarts/auth"
	"github.com/modelarts-go/modelarts/internal/redact"
	"github.com/modelarts-go/modelarts/internal/textutil"
)

// The scrubbing boundary.
//
// Whatever a server, gateway, WAF or transport sends back may quote a
// credential: a 401 whose message repeats the token, a 403 page echoing
// X-Auth-Token, a build log in status_message that printed an environment,
// a transport error quoting a malformed header line. The client knows its
// secrets, so it removes them, in every encoding the wire uses, from every
// string that came from a server before anything holds it. This file is
// the one place that does it; the engine calls it at each way in:
//
//   - a decoded answer: every string reachable in it (scrubValue);
//   - an error answer: code, message, request ID (parseAPIError's clean);
//   - response headers kept in an error or a Response (scrubHeader);
//   - a foreign error (transport, JSON decoder): replaced by a stand-in
//     when its text held a secret (scrubError).
//
// The secrets are the signer's own (auth.SecretRedactor) and the credential
// headers the attempt carried, whatever signer made them.

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

// sentSecrets is the set of credentials the attempt's request carried,
// read once per attempt into the attempt itself: the Set is a value over
// them, so redacting with it allocates nothing.
func (at *attempt) sentSecrets() redact.Set {
	if !at.credsRead && at.reqHeader != nil {
		at.credsRead = true
		at.creds = at.credBuf[:0]
		for _, h := range secretHeaders {
			for _, v := range at.reqHeader.Values(h) {
				if h == "Authorization" {
					v = signatureOf(v)
				}
				if len(v) >= redact.MinLen && !slices.Contains(at.creds, v) {
					at.creds = append(at.creds, v) // past credBuf, a slice of its own
				}
			}
		}
	}
	return redact.Of(at.creds)
}

// scrub removes every secret the client knows from s.
func (c *Client) scrub(at *attempt, s string) string {
	if s == "" {
		return s
	}
	if c.redactor != nil {
		s = c.redactor(s)
	}
	if at != nil {
		sent := at.sentSecrets()
		s = sent.Redact(s)
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
		// A name can echo a secret too (a header named after the token),
		// re-cased by Go's canonical form.
		if k = c.bounded(at, k, maxHeaderValueLen); at != nil && sentContainsFold(at, k) {
			k = redact.Placeholder
		}
		out[k] = append(out[k], cp...)
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

var timeType = reflect.TypeOf(time.Time{})

// scrubValue scrubs, in place, every string reachable from v (a pointer to
// a decoded answer): struct fields, slice and array elements, map keys and
// values, through pointers and interfaces. It is generic so that a field
// added to a model is scrubbed without anyone remembering to.
func (c *Client) scrubValue(at *attempt, v any) {
	if sent := at.sentSecrets(); c.redactor == nil && sent.Len() == 0 {
		return
	}
	c.scrubReflect(at, reflect.ValueOf(v))
}

func (c *Client) scrubReflect(at *attempt, v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		if s := v.String(); v.CanSet() {
			if clean := c.scrub(at, s); clean != s {
				v.SetString(clean)
			}
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			c.scrubReflect(at, v.Elem())
		}
	case reflect.Struct:
		if v.Type() == timeType {
			return
		}
		for i := range v.NumField() {
			if f := v.Field(i); f.CanSet() { // unexported fields are the SDK's own
				c.scrubReflect(at, f)
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 { // raw bytes are not text the SDK shows
			return
		}
		for i := range v.Len() {
			c.scrubReflect(at, v.Index(i))
		}
	case reflect.Map:
		c.scrubMap(at, v)
	}
}

// scrubMap scrubs a map's keys and values; map entries are not
// addressable, so each is copied, scrubbed and stored back.
func (c *Client) scrubMap(at *attempt, m reflect.Value) {
	if m.IsNil() {
		return
	}
	keys := m.MapKeys()
	for _, k := range keys {
		val := reflect.New(m.Type().Elem()).Elem()
		val.Set(m.MapIndex(k))
		c.scrubReflect(at, val)
		nk := reflect.New(m.Type().Key()).Elem()
		nk.Set(k)
		c.scrubReflect(at, nk)
		if !nk.Equal(k) {
			m.SetMapIndex(k, reflect.Value{})
		}
		m.SetMapIndex(nk, val)
	}
}

// scrubError returns err itself when its text holds no secret, and
// otherwise a stand-in that prints the scrubbed text and answers errors.Is
// for the sentinels err matched. The original is dropped: kept at the end
// of the chain, its text would still reach whoever printed it. errors.As
// can then no longer reach the foreign types inside it (*net.OpError,
// *url.Error, TLS and HTTP/2 errors); the stand-in is a net.Error that
// reports Timeout as the original did.
func (c *Client) scrubError(at *attempt, err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	clean := c.scrub(at, msg)
	if clean == msg {
		return err
	}
	se := &scrubbedError{msg: clean}
	for _, s := range standInSentinels {
		if errors.Is(err, s) {
			se.is = append(se.is, s)
		}
	}
	var ne net.Error
	se.timeout = errors.As(err, &ne) && ne.Timeout()
	return se
}

// standInSentinels are the sentinels a scrubbed stand-in keeps answering:
// the ones callers and the retry policy test transport errors against.
var standInSentinels = []error{
	context.DeadlineExceeded, context.Canceled, os.ErrDeadlineExceeded,
	io.EOF, io.ErrUnexpectedEOF, net.ErrClosed, http.ErrHandlerTimeout,
	syscall.ECONNRESET, syscall.ECONNREFUSED, syscall.ECONNABORTED, syscall.EPIPE,
	syscall.ETIMEDOUT, syscall.EHOSTUNREACH, syscall.ENETUNREACH,
}

// scrubbedError stands in for a foreign error whose text quoted a secret.
type scrubbedError struct {
	msg     string
	is      []error
	timeout bool
}

func (e *scrubbedError) Error() string { return e.msg }

// Is answers for the sentinels the original matched.
func (e *scrubbedError) Is(target error) bool {
	for _, s := range e.is {
		if s == target {
			return true
		}
	}
	return false
}

// Timeout and Temporary make the stand-in a net.Error like the original.
func (e *scrubbedError) Timeout() bool   { return e.timeout }
func (e *scrubbedError) Temporary() bool { return e.timeout }

// sentContainsFold reports whether a credential the attempt carried occurs
// in text, in any case.
func sentContainsFold(at *attempt, text string) bool {
	sent := at.sentSecrets()
	return sent.ContainsFold(text)
}
