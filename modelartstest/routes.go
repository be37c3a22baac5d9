package modelartstest

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
)

// Route is one API the fake serves, as "METHOD /path/pattern"; use the
// Route constants (declared with each API's handler) with InjectFault,
// RequestCount, Wrap and AnotherCaller.
type Route string

// api is one route the fake serves and its handler.
type api struct {
	route  Route
	handle func(s *Server, w http.ResponseWriter, r *http.Request)
	// public routes need no credentials (IAM's token issue).
	public bool
}

// apis are the routes the fake serves, each declared by the file that
// implements it (declare).
var apis []api

// declare adds a route to the fake: the one line, next to the Route
// constant, the handler, its rules and its state, that adding an API
// takes.
func declare(route Route, handle func(*Server, http.ResponseWriter, *http.Request)) bool {
	apis = append(apis, api{route: route, handle: handle})
	return true
}

// mustServe panics when the fake does not serve route: a fault or a count
// on a route no request can reach would silently test nothing.
func (s *Server) mustServe(method string, route Route) {
	if s.served[route] {
		return
	}
	known := make([]string, 0, len(s.served))
	for r := range s.served {
		known = append(known, string(r))
	}
	sort.Strings(known)
	panic(fmt.Sprintf("modelartstest: %s(%q): the fake serves no such route; use a Route constant, one of:\n\t%s",
		method, string(route), strings.Join(known, "\n\t")))
}

// RequestCount returns how many requests reached route (faulted ones
// included), e.g. RequestCount(RouteGetImage). It panics for a route the
// fake does not serve, which could only ever count 0.
func (s *Server) RequestCount(route Route) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mustServe("RequestCount", route)
	return s.counts[route]
}
