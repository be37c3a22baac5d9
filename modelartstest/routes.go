package modelartstest

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
)

// Route is one API the fake serves, as "METHOD /path/pattern"; use the
// Route constants with InjectFault and RequestCount.
type Route string

// Routes the fake serves.
const (
	RouteRegisterImage      Route = "POST /v1/{project_id}/images"
	RouteListImages         Route = "GET /v1/{project_id}/images"
	RouteGetImage           Route = "GET /v1/{project_id}/images/{id}"
	RouteDeleteImage        Route = "DELETE /v1/{project_id}/images/{id}"
	RouteSyncImage          Route = "POST /v1/{project_id}/images/{id}/sync"
	RouteListImageGroups    Route = "GET /v1/{project_id}/images/group"
	RouteUpdateImageGroup   Route = "PUT /v1/{project_id}/images/group/{id}"
	RouteDeleteImageGroup   Route = "DELETE /v1/{project_id}/images/group/{id}"
	RouteCreateImage        Route = "POST /v1/{project_id}/notebooks/{id}/create-image"
	RouteListNotebooks      Route = "GET /v1/{project_id}/notebooks"
	RouteGetNotebook        Route = "GET /v1/{project_id}/notebooks/{id}"
	RouteStartNotebook      Route = "POST /v1/{project_id}/notebooks/{id}/start"
	RouteStopNotebook       Route = "POST /v1/{project_id}/notebooks/{id}/stop"
	RouteCreateSaveImageJob Route = "POST /v2/{project_id}/training-jobs/{job_id}/tasks/{task_id}/save-image-job"
	RouteGetSaveImageJob    Route = "GET /v2/{project_id}/training-jobs/{job_id}/tasks/{task_id}/save-image-job"
	RouteIAMToken           Route = "POST /v3/auth/tokens"
)

// api is one route the fake serves and its handler.
type api struct {
	route  Route
	handle func(s *Server, w http.ResponseWriter, r *http.Request)
	// public routes need no credentials (IAM's token issue).
	public bool
}

// apis are the routes the fake serves.
var apis = []api{
	{route: RouteIAMToken, handle: (*Server).issueToken, public: true},
	{route: RouteRegisterImage, handle: (*Server).registerImage},
	{route: RouteListImages, handle: (*Server).listImages},
	{route: RouteGetImage, handle: (*Server).getImage},
	{route: RouteDeleteImage, handle: (*Server).deleteImage},
	{route: RouteSyncImage, handle: (*Server).syncImage},
	{route: RouteListImageGroups, handle: (*Server).listImageGroups},
	{route: RouteUpdateImageGroup, handle: (*Server).updateImageGroup},
	{route: RouteDeleteImageGroup, handle: (*Server).deleteImageGroup},
	{route: RouteCreateImage, handle: (*Server).createImage},
	{route: RouteListNotebooks, handle: (*Server).listNotebooks},
	{route: RouteGetNotebook, handle: (*Server).getNotebook},
	{route: RouteStartNotebook, handle: (*Server).startNotebook},
	{route: RouteStopNotebook, handle: (*Server).stopNotebook},
	{route: RouteCreateSaveImageJob, handle: (*Server).createSaveImageJob},
	{route: RouteGetSaveImageJob, handle: (*Server).getSaveImageJob},
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
