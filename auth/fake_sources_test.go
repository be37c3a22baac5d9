package auth

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelarts-go/modelarts/internal/sdksign"
	"github.com/stretchr/testify/require"
)

// fakeSource is a loopback credential source written from CREDENTIALS.md:
// the ECS metadata service (session token and securitykey routes), the CCE
// pod identity endpoint and IAM's two federation routes, in one server. It
// issues numbered credentials that live `lifetime` on the shared clock, and
// remembers them so a request signed with them can be verified.
type fakeSource struct {
	t        *testing.T
	srv      *httptest.Server
	clock    *fakeClock
	lifetime time.Duration

	fetches  atomic.Int32 // credentials issued (securitykey, pod, securitytokens)
	sessions atomic.Int32 // metadata session tokens issued
	calls    atomic.Int32 // every request

	mu sync.Mutex
	// fault, when set, answers a request instead of the routes; it returns
	// false to let the route answer.
	fault   func(w http.ResponseWriter, r *http.Request) bool
	gate    chan struct{} // when set, credential routes wait for it
	arrived chan struct{} // told when a credential route is reached
	// noSession makes the token route answer the given status (404, 405,
	// 503: an older service).
	noSession int
	issued    map[string]string // ak → sk
	podToken  string            // what the pod route expects in Authorization
	idToken   string            // what the id-token route expects
	idpID     string
	lastIAM   map[string]any    // the last security-token request body
	lastSess  string            // the X-Metadata-Token last seen
	bodies    map[string]string // the last request body, by path
}

func newFakeSource(t *testing.T) *fakeSource {
	f := &fakeSource{t: t, clock: newFakeClock(), lifetime: 24 * time.Hour, issued: map[string]string{}, bodies: map[string]string{}, idpID: "idp-1"}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeSource) setFault(fn func(w http.ResponseWriter, r *http.Request) bool) {
	f.mu.Lock()
	f.fault = fn
	f.mu.Unlock()
}

// failAll makes every route answer status until cleared with setFault(nil).
func (f *fakeSource) failAll(status int) {
	f.setFault(func(w http.ResponseWriter, _ *http.Request) bool {
		w.WriteHeader(status)
		io.WriteString(w, `{"error":"unavailable"}`)
		return true
	})
}

func (f *fakeSource) hold(gate, arrived chan struct{}) {
	f.mu.Lock()
	f.gate, f.arrived = gate, arrived
	f.mu.Unlock()
}

// issue makes the next credentials and returns their JSON object.
func (f *fakeSource) issue() map[string]string {
	n := f.fetches.Add(1)
	ak := fmt.Sprintf("AKTEMP%04dQWERTYUIOP", n)
	sk := fmt.Sprintf("sk-temp-%04d-0123456789abcdefghij", n)
	f.mu.Lock()
	f.issued[ak] = sk
	f.mu.Unlock()
	return map[string]string{
		"access": ak, "secret": sk,
		"securitytoken": fmt.Sprintf("security-token-%04d-gQpjbi1ub3J0aC00", n),
		"expires_at":    f.clock.now().Add(f.lifetime).UTC().Format("2006-01-02T15:04:05.000000Z"),
	}
}

func (f *fakeSource) serve(w http.ResponseWriter, r *http.Request) {
	f.calls.Add(1)
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.bodies[r.URL.Path] = string(body)
	fault, gate, arrived, noSession := f.fault, f.gate, f.arrived, f.noSession
	f.mu.Unlock()
	if fault != nil && fault(w, r) {
		return
	}
	credRoute := r.URL.Path == "/openstack/latest/securitykey" || r.URL.Path == "/pod/credentials" || r.URL.Path == "/v3.0/OS-CREDENTIAL/securitytokens"
	if credRoute {
		if arrived != nil {
			arrived <- struct{}{}
		}
		if gate != nil {
			<-gate
		}
	}
	switch {
	case r.Method == http.MethodPut && r.URL.Path == "/meta-data/latest/api/token":
		if noSession != 0 {
			w.WriteHeader(noSession)
			return
		}
		if r.Header.Get("X-Metadata-Token-Ttl-Seconds") != "21600" {
			w.WriteHeader(400)
			return
		}
		n := f.sessions.Add(1)
		fmt.Fprintf(w, "metadata-session-%d-5f1c2e9a7d", n)
	case r.Method == http.MethodGet && r.URL.Path == "/openstack/latest/securitykey":
		sess := r.Header.Get("X-Metadata-Token")
		f.mu.Lock()
		f.lastSess = sess
		f.mu.Unlock()
		if noSession == 0 && !strings.HasPrefix(sess, "metadata-session-") {
			w.WriteHeader(401)
			return
		}
		writeJSON(w, 200, map[string]any{"credential": f.issue()})
	case r.Method == http.MethodPost && r.URL.Path == "/pod/credentials":
		f.mu.Lock()
		want := f.podToken
		f.mu.Unlock()
		if r.Header.Get("Authorization") != want || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") || string(body) != "{}" {
			writeJSON(w, 401, map[string]string{"error": "bad pod token"})
			return
		}
		writeJSON(w, 200, map[string]any{"credentials": f.issue()})
	case r.Method == http.MethodPost && r.URL.Path == "/v3.0/OS-AUTH/id-token/tokens":
		var req struct {
			Auth struct {
				IDToken struct {
					ID string `json:"id"`
				} `json:"id_token"`
			} `json:"auth"`
		}
		f.mu.Lock()
		want, idp := f.idToken, f.idpID
		f.mu.Unlock()
		if json.Unmarshal(body, &req) != nil || req.Auth.IDToken.ID != want || r.Header.Get("X-Idp-Id") != idp {
			writeJSON(w, 401, map[string]any{"error": map[string]any{"code": "IAM.0001", "message": "the id-token is invalid"}})
			return
		}
		w.Header().Set("X-Subject-Token", "MIIunscoped-federated-token-"+fmt.Sprint(f.calls.Load()))
		writeJSON(w, 201, map[string]any{"token": map[string]any{"expires_at": f.clock.now().Add(time.Hour).Format(time.RFC3339)}})
	case r.Method == http.MethodPost && r.URL.Path == "/v3.0/OS-CREDENTIAL/securitytokens":
		var req map[string]any
		_ = json.Unmarshal(body, &req)
		f.mu.Lock()
		f.lastIAM = req
		f.mu.Unlock()
		if !strings.Contains(string(body), "MIIunscoped-federated-token-") {
			writeJSON(w, 401, map[string]any{"error": map[string]any{"code": "IAM.0002", "message": "bad token"}})
			return
		}
		writeJSON(w, 201, map[string]any{"credential": f.issue()})
	default:
		w.WriteHeader(404)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// verify checks a request signed with credentials the fake issued, as the
// gateway would, and returns the access key used.
func (f *fakeSource) verify(t *testing.T, req *http.Request) string {
	t.Helper()
	var ak string
	err := sdksign.Verify(req, nil, func(a string) (string, bool) {
		f.mu.Lock()
		defer f.mu.Unlock()
		ak = a
		sk, ok := f.issued[a]
		return sk, ok
	}, f.clock.now())
	require.NoError(t, err)
	return ak
}

func newMetadata(t *testing.T, f *fakeSource, opts ...MetadataOption) *MetadataSigner {
	t.Helper()
	s, err := NewMetadataSigner(append([]MetadataOption{WithMetadataEndpoint(f.srv.URL), WithMetadataHTTPClient(f.srv.Client())}, opts...)...)
	require.NoError(t, err)
	s.tc.now = f.clock.now
	return s
}

// newRequest is a request to the gateway, to be signed.
func newRequest(t testing.TB) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, "https://modelarts.cn-north-4.myhuaweicloud.com/v1/p/images?limit=1", nil)
	require.NoError(t, err)
	return req
}
