package modelartstest

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// allRoutes are the routes the files of the fake declare.
var allRoutes = func() []Route {
	var out []Route
	for _, a := range apis {
		out = append(out, a.route)
	}
	return out
}()

// concrete fills a route's pattern with values.
func concrete(s *Server, r Route) (method, path string) {
	method, path, _ = strings.Cut(string(r), " ")
	return method, strings.NewReplacer("{project_id}", s.ProjectID(), "{id}", "x1", "{job_id}", "j1", "{task_id}", "worker-0").Replace(path)
}

func TestEveryRouteConstantReachesItsHandler(t *testing.T) {
	s := NewServer()
	defer s.Close()
	for _, r := range allRoutes {
		method, path := concrete(s, r)
		s.InjectFault(r, ErrorAnswer{Status: 418, Code: "Test.0001"})
		status, m, _ := raw(t, s, method, path, "{}", nil)
		assert.Equal(t, 418, status, r)
		assert.Equal(t, "Test.0001", m["error_code"], r)
		assert.Equal(t, 1, s.RequestCount(r), r)
	}
}

func TestRouteMisuseFailsLoudly(t *testing.T) {
	s := NewServer()
	defer s.Close()
	for name, call := range map[string]func(){
		"InjectFault":  func() { s.InjectFault("GET /v1/{project_id}/image/{id}", ErrorAnswer{Status: 503}) },
		"RequestCount": func() { s.RequestCount(Route("GET /images")) },
	} {
		func() {
			defer func() {
				msg, _ := recover().(string)
				require.NotEmpty(t, msg, name+" must panic")
				assert.Contains(t, msg, name)
				assert.Contains(t, msg, "serves no such route")
				assert.Contains(t, msg, string(RouteGetImage), "the message lists the routes")
			}()
			call()
		}()
	}
	assert.Equal(t, 0, s.RequestCount(RouteGetImage), "a served route counts from zero")
}
