package modelarts

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/modelarts-go/modelarts/auth"
)

// recorded is one request as a recorder server saw it.
type recorded struct {
	Method, Path, Query, Body string
	ContentType               string
}

// reply is one answer of a recorder route.
type reply struct {
	status int
	body   string
}

func ok(body string) reply { return reply{200, body} }

// recorder is an httptest server that records every request and answers
// each "METHOD path" route with its replies in turn, the last repeatedly.
// Unknown routes get a 404 in the service's error shape.
type recorder struct {
	srv    *httptest.Server
	mu     sync.Mutex
	reqs   []recorded
	routes map[string][]reply
	served map[string]int
}

func newRecorder(t *testing.T) *recorder {
	t.Helper()
	r := &recorder{routes: map[string][]reply{}, served: map[string]int{}}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *recorder) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	key := req.Method + " " + req.URL.EscapedPath()
	r.mu.Lock()
	r.reqs = append(r.reqs, recorded{Method: req.Method, Path: req.URL.EscapedPath(), Query: req.URL.RawQuery,
		Body: string(body), ContentType: req.Header.Get("Content-Type")})
	replies, found := r.routes[key]
	rep := reply{404, `{"error_code":"ModelArts.6404","error_msg":"no route ` + key + `"}`}
	if found {
		rep = replies[min(r.served[key], len(replies)-1)]
		r.served[key]++
	}
	r.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Request-Id", "rec-1")
	w.WriteHeader(rep.status)
	_, _ = io.WriteString(w, rep.body)
}

// on sets the replies of a route; path is after the project prefix.
func (r *recorder) on(method, path string, replies ...reply) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.routes[method+" "+projectPath+path] = replies
}

// onPath is on with a full path (for /v2 routes).
func (r *recorder) onPath(method, fullPath string, replies ...reply) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.routes[method+" "+fullPath] = replies
}

func (r *recorder) requests() []recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]recorded(nil), r.reqs...)
}

// client returns a client of the recorder whose sleeps advance a fake
// clock instead of sleeping.
func (r *recorder) client(t *testing.T, opts ...Option) (*Client, *fakeClock) {
	t.Helper()
	c, err := NewClient(r.srv.URL, testProject, auth.NewTokenSigner(testToken), opts...)
	require.NoError(t, err)
	clk := newFakeClock()
	clk.install(c)
	return c, clk
}
