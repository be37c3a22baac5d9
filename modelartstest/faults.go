package modelartstest

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"time"
)

// Fault is what happens to one request in place of (or after) its
// handling; InjectFault arranges it. The types that implement it are
// ErrorAnswer, RawAnswer, Drop, Hang, CutBody (these are Answers too),
// AfterHandling and what Delay returns. Each value of them means one thing,
// so no Fault can be ambiguous or do nothing.
type Fault interface{ fault() }

// Answer is a Fault that answers (or fails to answer) a request:
// ErrorAnswer, RawAnswer, Drop, Hang or CutBody. AfterHandling and Delay
// take one to say what follows.
type Answer interface {
	Fault
	answer(s *Server, w http.ResponseWriter, r *http.Request, h http.HandlerFunc)
}

// ErrorAnswer answers with the service's JSON error: Status (0: 500),
// error_code Code (default ModelArts.0000), error_msg Message (default
// the status text) and a Retry-After header when RetryAfter is set
// (seconds or an HTTP date). The request is not handled.
type ErrorAnswer struct {
	Status     int    // HTTP status; 0 means 500
	Code       string // error_code; "" means ModelArts.0000
	Message    string // error_msg; "" means the status text
	RetryAfter string // Retry-After header, seconds or an HTTP date; "" for none
}

// RawAnswer answers with Body as is, status Status (0: 200), a
// Content-Type of ContentType (default: sniffed from Body) and a
// Retry-After header when RetryAfter is set: an HTML error page of a
// proxy, a truncated JSON, an empty 2xx. The request is not handled.
type RawAnswer struct {
	Status      int    // HTTP status; 0 means 200
	Body        string // the body, sent as is
	ContentType string // Content-Type header; "" means sniffed from Body
	RetryAfter  string // Retry-After header; "" for none
}

// Drop closes the connection without an answer.
type Drop struct{}

// Hang sends no answer until the client gives up (or the server closes):
// a service that never answers.
type Hang struct{}

// CutBody sends the status line, the headers and half of Body (status
// 200), or of the handler's own answer (with its status) when Body is
// empty, then closes the connection: a reset after the response headers.
// With an empty Body the request is handled.
type CutBody struct {
	Body string // the body to cut; "" means the handler's own answer
}

// AfterHandling handles the request (a create really happens), discards
// its answer and answers as Then does: Drop (also when Then is nil) or
// Hang for a lost answer, a RawAnswer for "201 Created" with a body that is
// not the object, an ErrorAnswer for a gateway timeout after the service
// acted.
type AfterHandling struct {
	Then Answer // what the client gets instead of the answer; nil means Drop
}

type delay struct {
	d    time.Duration
	then Answer
}

// Delay waits d (ended early if the client leaves), then answers as then
// does, or handles the request normally when then is nil. It panics when
// d is not positive.
func Delay(d time.Duration, then Answer) Fault {
	if d <= 0 {
		panic(fmt.Sprintf("modelartstest: Delay(%s): the delay must be positive", d))
	}
	return delay{d, then}
}

func (ErrorAnswer) fault()   {}
func (RawAnswer) fault()     {}
func (Drop) fault()          {}
func (Hang) fault()          {}
func (CutBody) fault()       {}
func (AfterHandling) fault() {}
func (delay) fault()         {}

func (f ErrorAnswer) answer(s *Server, w http.ResponseWriter, _ *http.Request, _ http.HandlerFunc) {
	s.gatewayDate(w)
	status, code, msg := f.Status, f.Code, f.Message
	if status == 0 {
		status = http.StatusInternalServerError
	}
	if code == "" {
		code = "ModelArts.0000"
	}
	if msg == "" {
		msg = http.StatusText(status) + " (injected)"
	}
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	writeError(w, status, code, msg)
}

func (f RawAnswer) answer(s *Server, w http.ResponseWriter, _ *http.Request, _ http.HandlerFunc) {
	s.gatewayDate(w)
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	if f.ContentType != "" {
		w.Header().Set("Content-Type", f.ContentType)
	}
	if f.Body == "" {
		w.Header().Set("Content-Length", "0")
	}
	w.WriteHeader(cmpOr(f.Status, http.StatusOK))
	_, _ = w.Write([]byte(f.Body))
}

func (Drop) answer(_ *Server, w http.ResponseWriter, _ *http.Request, _ http.HandlerFunc) {
	dropConnection(w)
}

func (Hang) answer(s *Server, w http.ResponseWriter, r *http.Request, _ http.HandlerFunc) {
	select {
	case <-r.Context().Done():
	case <-s.closed:
	}
	dropConnection(w)
}

func (f CutBody) answer(_ *Server, w http.ResponseWriter, r *http.Request, h http.HandlerFunc) {
	cutBody(w, r, f.Body, h)
}

func cmpOr(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// gatewayDate dates an answer the gateway makes by the gateway's clock.
func (s *Server) gatewayDate(w http.ResponseWriter) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w.Header().Set("Date", s.gatewayNow().UTC().Format(http.TimeFormat))
}

// injected is a fault still to apply to n more requests (n < 0: all).
type injected struct {
	f Fault
	n int
}

// InjectFault makes the next request to route meet f. Faults on a route
// apply in the order injected. It panics when the fake does not serve
// route (a misspelt or converted string): a fault that no request can meet
// would make the test pass without testing anything; and when f is nil.
func (s *Server) InjectFault(route Route, f Fault) { s.InjectFaultTimes(route, 1, f) }

// InjectFaultTimes makes the next n requests to route meet f, every
// request from now on when n is Always. It panics as InjectFault does,
// and when n is neither positive nor Always.
func (s *Server) InjectFaultTimes(route Route, n int, f Fault) {
	if f == nil {
		panic("modelartstest: InjectFault(" + string(route) + "): the Fault is nil")
	}
	if n < 1 && n != Always {
		panic(fmt.Sprintf("modelartstest: InjectFaultTimes(%s, %d): n must be positive or Always", route, n))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mustServe("InjectFault", route)
	s.faults[route] = append(s.faults[route], &injected{f, n})
}

// Always is the count of InjectFaultTimes for a fault on every request.
const Always = -1

// ClearFaults removes the faults still pending on route.
func (s *Server) ClearFaults(route Route) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mustServe("ClearFaults", route)
	delete(s.faults, route)
}

// takeFault returns the fault to apply to this request of route, if any.
func (s *Server) takeFault(route Route) Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	fs := s.faults[route]
	if len(fs) == 0 {
		return nil
	}
	f := fs[0].f
	if fs[0].n > 0 {
		fs[0].n--
		if fs[0].n == 0 {
			s.faults[route] = fs[1:]
		}
	}
	return f
}

// hijack takes the connection over from net/http; a writer that cannot be
// hijacked aborts the handler, which closes the connection too.
func hijack(w http.ResponseWriter) (net.Conn, *bufio.ReadWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	return conn, buf
}

// dropConnection closes the client's connection without an answer.
func dropConnection(w http.ResponseWriter) {
	conn, _ := hijack(w)
	conn.Close()
}

// withFaults applies the next fault of route, if any, around h.
func (s *Server) withFaults(route Route, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f := s.takeFault(route)
		if f == nil {
			h(w, r)
			return
		}
		s.apply(f, w, r, h)
	}
}

func (s *Server) apply(f Fault, w http.ResponseWriter, r *http.Request, h http.HandlerFunc) {
	switch f := f.(type) {
	case delay:
		t := time.NewTimer(f.d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return
		case <-s.closed:
			return
		}
		if f.then == nil {
			h(w, r)
			return
		}
		f.then.answer(s, w, r, h)
	case AfterHandling:
		h(&discardWriter{header: http.Header{}}, r)
		if f.Then == nil {
			dropConnection(w)
			return
		}
		f.Then.answer(s, w, r, h)
	case Answer:
		f.answer(s, w, r, h)
	}
}

// discardWriter swallows the answer of a request handled before its
// connection is dropped.
type discardWriter struct{ header http.Header }

func (d *discardWriter) Header() http.Header         { return d.header }
func (d *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d *discardWriter) WriteHeader(int)             {}

// cutBody sends the status line, headers and half of the body, then drops
// the connection: a reset after the response headers.
func cutBody(w http.ResponseWriter, r *http.Request, body string, h http.HandlerFunc) {
	status := http.StatusOK
	if body == "" {
		rec := httptest.NewRecorder()
		h(rec, r)
		body, status = rec.Body.String(), rec.Code
	}
	// Announce at least one byte more than is sent, so the answer is cut
	// even when the handler's body is empty (a create answered 201).
	length := max(len(body), 1)
	conn, buf := hijack(w)
	defer conn.Close()
	fmt.Fprintf(buf, "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
		status, http.StatusText(status), length, body[:len(body)/2])
	_ = buf.Flush()
}
