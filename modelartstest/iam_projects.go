package modelartstest

import "net/http"

// RouteIAMProjects is IAM's project listing, GET /v3/projects?name=<region>,
// which the SDK asks to discover the project ID of a region. It needs
// credentials, like any gateway route.
const RouteIAMProjects Route = "GET /v3/projects"

var _ = declare(RouteIAMProjects, (*Server).listProjects)

// DefaultRegion is the region of the fake's project.
const DefaultRegion = "cn-north-4"

// listProjects answers the server's one project for its region's name,
// and no project for any other name.
func (s *Server) listProjects(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	projects := []map[string]any{}
	if name == "" || name == DefaultRegion {
		projects = append(projects, map[string]any{"id": s.projectID, "name": DefaultRegion, "enabled": true})
	}
	writeJSON(w, http.StatusOK, map[string]any{"projects": projects, "links": map[string]any{"self": s.srv.URL + r.URL.String()}})
}
