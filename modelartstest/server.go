// Package modelartstest is an in-memory fake of the ModelArts image API for
// tests: start one with NewServer, get a client wired to it with
// Server.Client, and exercise your code with no cloud account, the way
// net/http/httptest fakes a server.
//
// The fake behaves like the service and its gateway as the API pages
// describe them, not like this SDK's client: it answers in the documented
// JSON shapes (every documented field set) and error codes, validates
// requests by the rules of the API pages, matches listing names fuzzily
// unless name_fuzzy_match=false is sent, checks X-Auth-Token or AK/SK
// signatures, and issues IAM tokens. It also serves the credential sources
// of auth's chain, so that a test runs the chain offline: the ECS metadata
// service (RouteMetadataToken, RouteMetadataSecurityKey), CCE pod identity
// (RoutePodIdentity), IAM's OIDC federation (RouteIAMIDToken,
// RouteIAMSecurityTokens) and IAM's project listing (RouteIAMProjects).
// The temporary credentials they issue are accepted by its gateway until
// they expire or RevokeIssuedCredentials; faults are injected on these
// routes like on any other.
//
// State changes are paced by polls, never by time, so tests are
// deterministic: a saved image moves INIT → CREATING → ACTIVE one step per
// read of it, of its notebook or of a listing holding it (see
// WithPollsPerStep) while its notebook shows SNAPSHOTTING; a notebook moves
// STARTING → RUNNING and STOPPING → STOPPED one step per read; a
// training-job save moves INIT → CREATING → ACTIVE per read. Faults
// (error answers, raw bodies, dropped or hung connections, delays, lost
// answers after handling) can be injected per Route with InjectFault, and
// creates can be answered "201 Created" with an empty body
// (AnswerCreatesWithEmptyBody).
//
// Beyond the happy path, the fake misbehaves on request the ways the real
// service can (WithMisbehaviour at start, Server.Misbehave mid-test): a
// listing that lags behind creates, a service or gateway clock off the
// caller's, capped pages, listings without total, an ignored offset or
// sort, rotating orders, null items, notebooks that never show
// SNAPSHOTTING, and another caller acting while a request is in flight.
//
// It is open to tests: Requests logs what it received, Wrap and Replace
// change one route's handler, Handler mounts it in a server of your own,
// and WithClock gives it a ManualClock the test moves, so that no test
// sleeps.
//
// One documented behaviour is left out on purpose: the service refuses to
// delete an image in use, but the API pages name no error code for it, and
// the fake does not invent one that tests would then rely on.
package modelartstest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sync"
	"time"

	"github.com/modelarts-go/modelarts"
	"github.com/modelarts-go/modelarts/auth"
)

// Defaults of a new Server.
const (
	DefaultProjectID = "a4a5d4098fb4474fa22cd05f897d6b99"
	DefaultDomain    = "example-domain"
	DefaultUsername  = "example-user"
)

// Pacing of the client Server.Client returns: the fake changes state per
// poll, not per second, so waiting longer between polls only slows tests.
const (
	// ClientPollMin and ClientPollMax are the poll interval of waits.
	ClientPollMin = time.Millisecond
	ClientPollMax = 2 * time.Millisecond
	// ClientNotFoundGrace is how long a wait takes a not-found for the
	// eventual consistency of a resource just made: a few polls, since the
	// fake finds what it made at once.
	ClientNotFoundGrace = 5 * ClientPollMax
	// ClientReconcileWindow is how long a create whose answer was lost
	// keeps looking for its image: zero, one look, since the fake lists a
	// create at once (unless told to lag, see ListingLagReads).
	ClientReconcileWindow = time.Duration(0)
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

	handler   http.Handler
	closed    chan struct{} // closed by Close
	closeOnce sync.Once

	mu           sync.Mutex
	clock        Clock
	bhv          behaviour      // misbehaviour (misbehaviour.go)
	served       map[Route]bool // routes the mux serves, for InjectFault
	wrappers     map[Route][]func(http.Handler) http.Handler
	log          []*Request            // every request, in order (requests.go)
	tokens       map[string]tokenState // X-Auth-Tokens issued or accepted
	keys         map[string]string     // AK → SK
	stsTokens    map[string]string     // AK → security token of a temporary key pair (gateway.go)
	images       map[string]*image
	order        []string // image IDs, oldest first
	groups       map[string]*groupMeta
	swrDeleted   []string // SWR paths whose content a forced delete removed
	notebooks    map[string]*notebook
	nbOrder      []string             // notebook IDs, oldest first
	parts        map[reflect.Type]any // state of an API kept in its own file (partLocked)
	pollsPerStep int
	failNext     []string // status messages for the next saved images
	failStart    []string // fail reasons for the next notebook starts
	emptyCreates bool     // answer creates 201 with no body
	faults       map[Route][]*injected
	counts       map[Route]int
}

// ServerOption configures NewServer.
type ServerOption interface{ applyServer(*Server) }

// serverOption makes a ServerOption of a function.
type serverOption func(*Server)

func (f serverOption) applyServer(s *Server) { f(s) }

// WithProjectID sets the project ID (default DefaultProjectID).
func WithProjectID(id string) ServerOption { return serverOption(func(s *Server) { s.projectID = id }) }

// WithToken sets the X-Auth-Token the server accepts (default: random).
func WithToken(tok string) ServerOption { return serverOption(func(s *Server) { s.token = tok }) }

// WithAKSK makes the server accept requests signed with this key pair.
func WithAKSK(ak, sk string) ServerOption { return serverOption(func(s *Server) { s.keys[ak] = sk }) }

// WithIAMUser sets the IAM user whose password POST /v3/auth/tokens
// accepts (default DefaultDomain, DefaultUsername and a random password,
// see IAMCredentials).
func WithIAMUser(domain, user, password string) ServerOption {
	return serverOption(func(s *Server) { s.iamDomain, s.iamUser, s.iamPass = domain, user, password })
}

// WithPollsPerStep sets how many reads of a saved image (or of its
// notebook, or of a listing holding it), a starting or stopping notebook,
// or a training-job save move it one step (default 1: a saved image is
// ACTIVE on the second read). n must be at least 1; it panics otherwise.
func WithPollsPerStep(n int) ServerOption {
	if n < 1 {
		panic(fmt.Sprintf("modelartstest: WithPollsPerStep(%d): the count must be at least 1", n))
	}
	return serverOption(func(s *Server) { s.pollsPerStep = n })
}

// NewServer starts a fake on 127.0.0.1 with a random port. It knows two
// built-in images; add notebooks with AddNotebook and training jobs with
// AddTrainingJob. Close stops it.
func NewServer(opts ...ServerOption) *Server {
	s := &Server{
		projectID:    DefaultProjectID,
		token:        "fake-token-" + randomHex(16),
		iamDomain:    DefaultDomain,
		iamUser:      DefaultUsername,
		iamPass:      "fake-password-" + randomHex(8),
		closed:       make(chan struct{}),
		clock:        wallClock{},
		served:       map[Route]bool{},
		wrappers:     map[Route][]func(http.Handler) http.Handler{},
		tokens:       map[string]tokenState{},
		keys:         map[string]string{},
		images:       map[string]*image{},
		groups:       map[string]*groupMeta{},
		notebooks:    map[string]*notebook{},
		parts:        map[reflect.Type]any{},
		pollsPerStep: 1,
		faults:       map[Route][]*injected{},
		counts:       map[Route]int{},
	}
	for _, o := range opts {
		if o != nil {
			o.applyServer(s)
		}
	}
	s.tokens[s.token] = tokenState{}
	s.seedBuiltIns()
	s.handler = s.routes()
	s.srv = httptest.NewServer(s.handler)
	return s
}

// URL returns the server's base URL, the client's endpoint.
func (s *Server) URL() string { return s.srv.URL }

// ProjectID returns the project the server serves.
func (s *Server) ProjectID() string { return s.projectID }

// Token returns a valid X-Auth-Token.
func (s *Server) Token() string { return s.token }

// IAMCredentials returns credentials the fake IAM accepts, for
// auth.NewIAMTokenSigner (give it auth.WithIAMHTTPClient(s.HTTPClient())).
// Its Password field is the fake user's password.
func (s *Server) IAMCredentials() auth.PasswordCredentials {
	return auth.PasswordCredentials{
		IAMEndpoint: s.srv.URL, DomainName: s.iamDomain, Username: s.iamUser,
		Password: auth.NewSecret(s.iamPass), ProjectID: s.projectID,
	}
}

// Client returns a client of the server, signed with its token, that is
// fast in tests by default: waits poll every ClientPollMin to ClientPollMax
// and take a not-found as the answer after ClientNotFoundGrace, retries do
// not back off (a Retry-After the fake sends is still honoured),
// and a create whose answer was lost looks for its image once
// (ClientReconcileWindow). opts come after these, so they override them.
//
// Use Client for everything the SDK's calls do; use HTTPClient to build a
// client of your own (another signer, options of your own) or to send raw
// requests.
func (s *Server) Client(opts ...modelarts.Option) *modelarts.Client {
	return s.ClientWith(auth.NewTokenSigner(s.token), opts...)
}

// ClientWith is Client signing with signer instead of the server's token:
// a MetadataSigner pointed at URL, a PodIdentitySigner at PodIdentityURI, a
// FederationSigner at URL, or auth.DefaultSigner with
// MODELARTS_METADATA_ENDPOINT set to URL, whose credentials the fake's
// gateway accepts. It panics for a signer NewClient refuses.
func (s *Server) ClientWith(signer auth.Signer, opts ...modelarts.Option) *modelarts.Client {
	all := append([]modelarts.Option{
		modelarts.WithHTTPClient(s.srv.Client()),
		modelarts.WithCallDefaults(modelarts.WithPollInterval(ClientPollMin, ClientPollMax), modelarts.WithNotFoundGrace(ClientNotFoundGrace)),
		modelarts.WithRetry(modelarts.RetryPolicy{ZeroWait: true}),
		modelarts.WithReconcileWindow(ClientReconcileWindow),
	}, opts...)
	c, err := modelarts.NewClient(s.srv.URL, s.projectID, signer, all...)
	if err != nil {
		panic("modelartstest: cannot build a client for the fake: " + err.Error())
	}
	return c
}

// HTTPClient returns the *http.Client to reach the server with when you
// build a client yourself (modelarts.WithHTTPClient, auth.WithIAMHTTPClient)
// or send raw requests: Close shuts its connections, so no goroutine
// outlives the test. Prefer Client when its defaults suit you.
func (s *Server) HTTPClient() *http.Client { return s.srv.Client() }

// Close stops the server and closes every connection, idle ones included.
func (s *Server) Close() {
	s.closeOnce.Do(func() { close(s.closed) })
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// FailNextImage makes the next image saved (from a notebook or a training
// job) end CREATE_FAILED with statusMessage instead of ACTIVE; calls queue.
func (s *Server) FailNextImage(statusMessage string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext = append(s.failNext, statusMessage)
}

// AnswerCreatesWithEmptyBody makes the fake answer every create (register,
// save a notebook as an image, training-job save) with "201 Created" and
// an empty body while still creating what was asked, as the 2025 edition
// of the save-notebook page documents; false restores the 200 answers with
// the created object. It lets you test code against both documented
// answers.
func (s *Server) AnswerCreatesWithEmptyBody(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.emptyCreates = on
}

// answerCreate answers a create: 200 with v, or 201 with no body when
// AnswerCreatesWithEmptyBody is on.
func (s *Server) answerCreate(w http.ResponseWriter, v any) {
	s.mu.Lock()
	empty := s.emptyCreates
	s.mu.Unlock()
	if empty {
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(http.StatusCreated)
		return
	}
	writeJSON(w, http.StatusOK, v)
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
	return formatUUID(b)
}

func formatUUID(b []byte) string {
	h := hex.EncodeToString(b[:16])
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
