package modelartstest

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"time"
)

// Fault is a misbehaviour injected on a route. Set one of Status, Drop or
// DropAfterHandling (Delay may go with any, or alone).
type Fault struct {
	Status     int    // answer with this status instead of handling
	Code       string // error_code of the answer (with Status)
	Message    string // error_msg of the answer (with Status)
	Body       string // raw body instead of the JSON error (with Status)
	RetryAfter string // Retry-After header (with Status), seconds or an HTTP date
	Drop       bool   // close the connection without handling or answering
	// DropAfterHandling handles the request (a create really happens), then
	// closes the connection without answering: the lost-answer case.
	DropAfterHandling bool
	// CutBody answers with the headers and half of Body (status 200), or
	// of the handler's own answer (its status) when Body is empty, then
	// closes the connection.
	CutBody bool
	Delay   time.Duration // wait before anything else, ended early if the client leaves
	Times   int           // how many requests it hits (default 1)
}

// InjectFault makes the next f.Times requests to route misbehave as f says.
// Faults on a route apply in the order injected. It panics when the fake
// does not serve route (a misspelt or converted string): a fault that no
// request can meet would make the test pass without testing anything.
//
// It panics too on a Fault that would do nothing or is ambiguous: none of
// Status, Drop, DropAfterHandling, CutBody and Delay set; more than one of
// Status, Drop, DropAfterHandling and CutBody; or Code, Message or
// RetryAfter without Status.
func (s *Server) InjectFault(route Route, f Fault) {
	if err := f.check(); err != nil {
		panic("modelartstest: InjectFault(" + string(route) + "): " + err.Error())
	}
	if f.Times <= 0 {
		f.Times = 1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mustServe("InjectFault", route)
	s.faults[route] = append(s.faults[route], &f)
}

// check refuses a Fault that would do nothing or is ambiguous.
func (f *Fault) check() error {
	kinds := 0
	for _, set := range []bool{f.Status != 0, f.Drop, f.DropAfterHandling, f.CutBody} {
		if set {
			kinds++
		}
	}
	switch {
	case kinds > 1:
		return fmt.Errorf("set one of Status, Drop, DropAfterHandling and CutBody, not %d", kinds)
	case kinds == 0 && f.Delay <= 0:
		return fmt.Errorf("the Fault does nothing: set Status, Drop, DropAfterHandling, CutBody or Delay")
	case f.Status == 0 && (f.Code != "" || f.Message != "" || f.RetryAfter != ""):
		return fmt.Errorf("Code, Message and RetryAfter go with a Status")
	case f.Status == 0 && f.Body != "" && !f.CutBody:
		return fmt.Errorf("Body goes with a Status or CutBody")
	}
	return nil
}

// takeFault returns the fault to apply to this request of route, if any.
func (s *Server) takeFault(route Route) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts[route]++
	fs := s.faults[route]
	if len(fs) == 0 {
		return nil
	}
	f := *fs[0]
	fs[0].Times--
	if fs[0].Times == 0 {
		s.faults[route] = fs[1:]
	}
	return &f
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

// withFaults wraps a route's handler with fault injection and a request ID.
func (s *Server) withFaults(route Route, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", randomHex(16))
		f := s.takeFault(route)
		if f == nil {
			h(w, r)
			return
		}
		if f.Delay > 0 {
			t := time.NewTimer(f.Delay)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		switch {
		case f.Drop:
			dropConnection(w)
		case f.CutBody:
			cutBody(w, r, f.Body, h)
		case f.DropAfterHandling:
			h(&discardWriter{header: http.Header{}}, r)
			dropConnection(w)
		case f.Status != 0:
			if f.RetryAfter != "" {
				w.Header().Set("Retry-After", f.RetryAfter)
			}
			if f.Body != "" {
				w.WriteHeader(f.Status)
				_, _ = w.Write([]byte(f.Body))
				return
			}
			code, msg := f.Code, f.Message
			if code == "" {
				code = "ModelArts.0000"
			}
			if msg == "" {
				msg = http.StatusText(f.Status) + " (injected)"
			}
			writeError(w, f.Status, code, msg)
		default:
			h(w, r)
		}
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
