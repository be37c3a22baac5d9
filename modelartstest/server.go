// Package modelartstest is an in-memory fake of the ModelArts image API for
// tests: start one with NewServer, get a client wired to it with
// Server.Client, and exercise your code with no cloud account, the way
// net/http/httptest fakes a server.
//
// The fake answers in the documented JSON shapes and error codes, checks
// X-Auth-Token or AK/SK signatures like the gateway, issues IAM tokens, and
// moves saved images through INIT → CREATING → ACTIVE as they are polled.
// Faults (status codes, Retry-After, dropped connections, delays) can be
// injected per route.
package modelartstest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/modelarts-go/modelarts"
	"github.com/modelarts-go/modelarts/auth"
)

// Routes, for InjectFault and RequestCount.
const (
	RouteRegisterImage = "POST /v1/{project_id}/images"
	RouteListImages    = "GET /v1/{project_id}/images"
	RouteGetImage      = "GET /v1/{project_id}/images/{id}"
	RouteDeleteImage   = "DELETE /v1/{project_id}/images/{id}"
	RouteCreateImage   = "POST /v1/{project_id}/notebooks/{id}/create-image"
	RouteGetNotebook   = "GET /v1/{project_id}/notebooks/{id}"
	RouteIAMToken      = "POST /v3/auth/tokens"
)

// Defaults of a new Server.
const (
	DefaultProjectID = "a4a5d4098fb4474fa22cd05f897d6b99"
	DefaultDomain    = "example-domain"
	DefaultUsername  = "example-user"
)

// Server is a fake ModelArts (and IAM) on 127.0.0.1. It is safe for
// concurrent use.
type Server struct {
	srv       *httptest.Server
	projectID string
	token     string
	iamDomain string
	iamUser   string
	iamPass   string

	mu           sync.Mutex
	tokens       map[string]bool   // valid X-Auth-Tokens
	keys         map[string]string // AK → SK
	stsTokens    map[string]string // AK → security token of a temporary key pair (gateway.go)
	images       map[string]*image
	order        []string // image IDs, oldest first
	notebooks    map[string]*notebook
	pollsPerStep int
	failNext     []string // status messages for the next saved images
	faults       map[string][]*Fault
	counts       map[string]int
	now          func() time.Time
}

// ServerOption configures NewServer.
type ServerOption func(*Server)

// WithProjectID sets the project ID (default DefaultProjectID).
func WithProjectID(id string) ServerOption { return func(s *Server) { s.projectID = id } }

// WithToken sets the X-Auth-Token the server accepts (default: random).
func WithToken(tok string) ServerOption { return func(s *Server) { s.token = tok } }

// WithAKSK makes the server accept requests signed with this key pair.
func WithAKSK(ak, sk string) ServerOption { return func(s *Server) { s.keys[ak] = sk } }

// WithIAMUser sets the IAM user whose password POST /v3/auth/tokens
// accepts (default DefaultDomain, DefaultUsername and a random password,
// see IAMPassword).
func WithIAMUser(domain, user, password string) ServerOption {
	return func(s *Server) { s.iamDomain, s.iamUser, s.iamPass = domain, user, password }
}

// WithPollsPerStep sets how many reads of a saved image move it one step
// along INIT → CREATING → ACTIVE (default 1: ACTIVE on the third read).
func WithPollsPerStep(n int) ServerOption {
	return func(s *Server) {
		if n > 0 {
			s.pollsPerStep = n
		}
	}
}

// NewServer starts a fake on 127.0.0.1 with a random port. It knows two
// built-in images; add notebooks with AddNotebook. Close stops it.
func NewServer(opts ...ServerOption) *Server {
	s := &Server{
		projectID:    DefaultProjectID,
		token:        "fake-token-" + randomHex(16),
		iamDomain:    DefaultDomain,
		iamUser:      DefaultUsername,
		iamPass:      "fake-password-" + randomHex(8),
		tokens:       map[string]bool{},
		keys:         map[string]string{},
		images:       map[string]*image{},
		notebooks:    map[string]*notebook{},
		pollsPerStep: 1,
		faults:       map[string][]*Fault{},
		counts:       map[string]int{},
		now:          time.Now,
	}
	for _, o := range opts {
		o(s)
	}
	s.tokens[s.token] = true
	s.seedBuiltIns()
	s.srv = httptest.NewServer(s.routes())
	return s
}

// URL returns the server's base URL, the client's endpoint.
func (s *Server) URL() string { return s.srv.URL }

// ProjectID returns the project the server serves.
func (s *Server) ProjectID() string { return s.projectID }

// Token returns a valid X-Auth-Token.
func (s *Server) Token() string { return s.token }

// IAMPassword returns the password of the fake IAM user.
func (s *Server) IAMPassword() string { return s.iamPass }

// IAMCredentials returns credentials the fake IAM accepts.
func (s *Server) IAMCredentials() auth.PasswordCredentials {
	return auth.PasswordCredentials{
		IAMEndpoint: s.srv.URL, DomainName: s.iamDomain, Username: s.iamUser,
		Password: s.iamPass, ProjectID: s.projectID,
	}
}

// Client returns a client wired to the server with a token signer; opts
// come after the server's own, so they can override them.
func (s *Server) Client(opts ...modelarts.Option) *modelarts.Client {
	all := append([]modelarts.Option{modelarts.WithHTTPClient(s.srv.Client())}, opts...)
	c, err := modelarts.NewClient(s.srv.URL, s.projectID, auth.NewTokenSigner(s.token), all...)
	if err != nil {
		panic("modelartstest: cannot build a client for the fake: " + err.Error())
	}
	return c
}

// HTTPClient returns an HTTP client whose connections Close shuts.
func (s *Server) HTTPClient() *http.Client { return s.srv.Client() }

// Close stops the server and closes every connection, idle ones included.
func (s *Server) Close() {
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// RequestCount returns how many requests reached a route (faulted ones
// included), e.g. RequestCount(RouteGetImage).
func (s *Server) RequestCount(route string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[route]
}

// FailNextImage makes the next notebook image saved end CREATE_FAILED with
// statusMessage instead of ACTIVE.
func (s *Server) FailNextImage(statusMessage string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext = append(s.failNext, statusMessage)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func newUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return fmt.Sprintf("%s-%s-%s-%s-%s", h[:8], h[8:12], h[12:16], h[16:20], h[20:])
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]string{"error_code": code, "error_msg": msg})
}
