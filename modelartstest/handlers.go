package modelartstest

import (
	"context"
	"net/http"
)

// maxBody bounds what the fake reads of a request body.
const maxBody = 12 << 20

// logKey carries a request's log entry in its context, for the gateway
// to fill in the identity.
type logKey struct{}

// Handler returns the fake as an http.Handler, to mount it in a server of
// your own (under its root: the fake serves the API's own paths). The
// server NewServer started keeps serving it too.
func (s *Server) Handler() http.Handler { return s.handler }

// routes builds the handler of every declared route, and the gateway's
// 404 for any other path.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	for _, a := range apis {
		s.served[a.route] = true
		mux.HandleFunc(string(a.route), s.serveRoute(a))
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", randomHex(16))
		s.record("", r)
		s.mu.Lock()
		w.Header().Set("Date", s.gatewayNow().UTC().Format(http.TimeFormat))
		s.mu.Unlock()
		writeError(w, http.StatusNotFound, "APIGW.0101", "The API does not exist or has not been published in the environment")
	})
	return mux
}

// serveRoute is the path of a request to one API: logged, met by another
// caller's action if one is due, then faults, the gateway's checks, the
// handler (or what Wrap put in its place), and another caller's action
// due after handling.
func (s *Server) serveRoute(a api) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", randomHex(16))
		e := s.record(a.route, r)
		s.mu.Lock()
		w.Header().Set("Date", s.now().UTC().Format(http.TimeFormat))
		s.mu.Unlock()
		r = r.WithContext(context.WithValue(r.Context(), logKey{}, e))
		s.anotherCallerActs(a.route, WhenArrived)
		s.withFaults(a.route, func(w http.ResponseWriter, r *http.Request) {
			h := s.wrapped(a.route, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { a.handle(s, w, r) }))
			if !a.public {
				h = s.authenticated(h)
			}
			h.ServeHTTP(w, r)
			s.anotherCallerActs(a.route, WhenHandled)
		})(w, r)
	}
}

// Wrap puts mw around route's handler, from now on: mw gets the request
// after the gateway accepted it (faults and authentication come first)
// and next is the fake's own handler, or what an earlier Wrap made of it.
// To replace the handler, ignore next. Wrappers stack, the last outermost.
// It panics for a route the fake does not serve and for a nil mw.
func (s *Server) Wrap(route Route, mw func(next http.Handler) http.Handler) {
	if mw == nil {
		panic("modelartstest: Wrap(" + string(route) + "): mw is nil")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mustServe("Wrap", route)
	s.wrappers[route] = append(s.wrappers[route], mw)
}

// Replace makes h answer route from now on, in place of the fake's
// handler (after faults and authentication, like Wrap). It panics for a
// nil h.
func (s *Server) Replace(route Route, h http.Handler) {
	if h == nil {
		panic("modelartstest: Replace(" + string(route) + "): the handler is nil")
	}
	s.Wrap(route, func(http.Handler) http.Handler { return h })
}

// Unwrap removes what Wrap and Replace put on route.
func (s *Server) Unwrap(route Route) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mustServe("Unwrap", route)
	delete(s.wrappers, route)
}

func (s *Server) wrapped(route Route, h http.Handler) http.Handler {
	s.mu.Lock()
	mws := s.wrappers[route]
	s.mu.Unlock()
	for _, mw := range mws {
		h = mw(h)
	}
	return h
}
