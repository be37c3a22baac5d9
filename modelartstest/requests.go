package modelartstest

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"slices"
	"time"
)

// Request is one request the fake received, as Requests returns it.
type Request struct {
	// Route is the API the request reached, "" for a path the fake does
	// not serve (answered 404 APIGW.0101).
	Route Route
	// Method and Path are the request's method and escaped path.
	Method, Path string
	// Query is the request's query, decoded.
	Query url.Values
	// Header is a copy of the request's headers.
	Header http.Header
	// Body is the request body as received (up to 12 MiB).
	Body []byte
	// Identity is who the gateway took the request to be from.
	Identity Identity
	// At is the service's time (Server.Now) when the request arrived.
	At time.Time
}

// AuthKind is how a request authenticated.
type AuthKind string

// How a request authenticated.
const (
	// AuthNone: no credentials were checked, because the request sent
	// none, a fault answered it first, or its route needs none (IAM).
	AuthNone AuthKind = ""
	// AuthToken: an X-Auth-Token header.
	AuthToken AuthKind = "token"
	// AuthAKSK: an SDK-HMAC-SHA256 signature.
	AuthAKSK AuthKind = "aksk"
)

// Identity is who a request claimed to be and whether the gateway agreed.
type Identity struct {
	// Kind is how the request authenticated.
	Kind AuthKind
	// AccessKey is the access key ID a signed request named.
	AccessKey string
	// Temporary is true when AccessKey is a temporary key pair
	// (WithTemporaryAKSK).
	Temporary bool
	// Verified is true when the credentials were accepted.
	Verified bool
}

// Requests returns every request the server received, in the order they
// arrived, faulted and refused ones included. The slices and maps are the
// caller's own.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.log))
	for i, r := range s.log {
		out[i] = *r
		out[i].Query = cloneValues(r.Query)
		out[i].Header = r.Header.Clone()
		out[i].Body = slices.Clone(r.Body)
	}
	return out
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = slices.Clone(vs)
	}
	return out
}

// record logs r as received on route and returns its entry, to be filled
// in with the identity the gateway found; it replaces r.Body with the
// bytes read, so the handlers read it again.
func (s *Server) record(route Route, r *http.Request) *Request {
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxBody))
	r.Body = io.NopCloser(bytes.NewReader(body))
	s.mu.Lock()
	defer s.mu.Unlock()
	e := &Request{
		Route: route, Method: r.Method, Path: r.URL.EscapedPath(), Query: r.URL.Query(),
		Header: r.Header.Clone(), Body: body, At: s.now(),
	}
	s.log = append(s.log, e)
	if route != "" {
		s.counts[route]++
	}
	return e
}

// setIdentity fills in who the gateway took a logged request to be from.
func (s *Server) setIdentity(e *Request, id Identity) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e.Identity = id
}
