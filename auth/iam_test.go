package auth

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testPassword = "Pa55w0rd!-very-secret"

// fakeIAM issues tokens numbered by request; hooks can change its answers.
type fakeIAM struct {
	srv      *httptest.Server
	calls    atomic.Int32
	lifetime time.Duration
	now      func() time.Time
	gate     chan struct{} // when set, each request waits for it
	arrived  chan int32    // when set, gets each request's number on arrival
	answer   func(w http.ResponseWriter, n int32) bool
	lastBody atomic.Value

	mu sync.Mutex // guards gate and arrived when a test changes them between requests
}

// hold sets gate and arrived (nil for none) between requests.
func (f *fakeIAM) hold(gate chan struct{}, arrived chan int32) {
	f.mu.Lock()
	f.gate, f.arrived = gate, arrived
	f.mu.Unlock()
}

func newFakeIAM(t *testing.T) *fakeIAM {
	f := &fakeIAM{lifetime: 24 * time.Hour, now: time.Now}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := f.calls.Add(1)
		body, _ := io.ReadAll(r.Body)
		f.lastBody.Store(string(body))
		f.mu.Lock()
		gate, arrived := f.gate, f.arrived
		f.mu.Unlock()
		if arrived != nil {
			arrived <- n
		}
		if gate != nil {
			<-gate
		}
		if r.URL.Path != "/v3/auth/tokens" || r.Method != "POST" {
			w.WriteHeader(404)
			return
		}
		if f.answer != nil && f.answer(w, n) {
			return
		}
		w.Header().Set("X-Subject-Token", fmt.Sprintf("token-%d", n))
		w.WriteHeader(201)
		fmt.Fprintf(w, `{"token":{"expires_at":%q,"issued_at":"x"}}`, f.now().Add(f.lifetime).UTC().Format("2006-01-02T15:04:05.000000Z"))
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeIAM) creds() PasswordCredentials {
	return PasswordCredentials{IAMEndpoint: f.srv.URL, DomainName: "dom", Username: "alice", Password: NewSecret(testPassword), ProjectID: "proj-1"}
}

func newIAM(t *testing.T, f *fakeIAM, opts ...IAMOption) *IAMTokenSigner {
	s, err := NewIAMTokenSigner(f.creds(), append([]IAMOption{WithIAMHTTPClient(f.srv.Client())}, opts...)...)
	require.NoError(t, err)
	return s
}

func signedToken(t *testing.T, s Signer) string {
	t.Helper()
	req, _ := http.NewRequest("GET", "https://modelarts.example.com/v1/p/images", nil)
	require.NoError(t, s.Sign(req))
	return req.Header.Get(HeaderAuthToken)
}

func TestIAMRequestBody(t *testing.T) {
	f := newFakeIAM(t)
	s := newIAM(t, f)
	assert.Equal(t, "token-1", signedToken(t, s))
	var body map[string]any
	require.NoError(t, json.Unmarshal([]byte(f.lastBody.Load().(string)), &body))
	assert.Equal(t, map[string]any{"auth": map[string]any{
		"identity": map[string]any{"methods": []any{"password"}, "password": map[string]any{"user": map[string]any{
			"name": "alice", "password": testPassword, "domain": map[string]any{"name": "dom"}}}},
		"scope": map[string]any{"project": map[string]any{"id": "proj-1"}},
	}}, body)

	creds := f.creds()
	creds.ProjectID, creds.ProjectName = "", "cn-north-4"
	s2, err := NewIAMTokenSigner(creds, WithIAMHTTPClient(f.srv.Client()))
	require.NoError(t, err)
	signedToken(t, s2)
	assert.Contains(t, f.lastBody.Load().(string), `"project":{"name":"cn-north-4"}`)
}

func TestIAMTokenIsCachedAndRefreshedBeforeExpiry(t *testing.T) {
	f := newFakeIAM(t)
	clock := time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	advance := func(d time.Duration) { mu.Lock(); clock = clock.Add(d); mu.Unlock() }
	f.now = now
	s := newIAM(t, f, WithRefreshMargin(10*time.Minute))
	s.now = now

	assert.Equal(t, "token-1", signedToken(t, s))
	assert.Equal(t, "token-1", signedToken(t, s), "cached")
	advance(23*time.Hour + 49*time.Minute)
	assert.Equal(t, "token-1", signedToken(t, s), "11 minutes left: still good")
	advance(2 * time.Minute)
	assert.Equal(t, "token-2", signedToken(t, s), "9 minutes left: inside the margin, refreshed")
	assert.Equal(t, int32(2), f.calls.Load())
}

func TestIAMConcurrentFirstUseMakesOneRequest(t *testing.T) {
	f := newFakeIAM(t)
	f.gate = make(chan struct{})
	s := newIAM(t, f)
	const n = 50
	var wg sync.WaitGroup
	tokens := make([]string, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			tok, err := s.Token(context.Background())
			assert.NoError(t, err)
			tokens[i] = tok
		}(i)
	}
	time.Sleep(20 * time.Millisecond) // let them all queue on the one fetch
	close(f.gate)
	wg.Wait()
	assert.Equal(t, int32(1), f.calls.Load())
	for _, tok := range tokens {
		assert.Equal(t, "token-1", tok)
	}
}

func TestIAMFailureIsNotCachedAndDoesNotWedge(t *testing.T) {
	f := newFakeIAM(t)
	f.answer = func(w http.ResponseWriter, n int32) bool {
		if n == 1 {
			w.WriteHeader(500)
			return true
		}
		return false
	}
	s := newIAM(t, f)
	_, err := s.Token(context.Background())
	require.Error(t, err)
	tok, err := s.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "token-2", tok)
}

func TestIAMWaiterHonoursItsContext(t *testing.T) {
	f := newFakeIAM(t)
	f.gate = make(chan struct{})
	f.arrived = make(chan int32, 4)
	s := newIAM(t, f)
	first := make(chan string, 1)
	go func() {
		tok, err := s.Token(context.Background())
		assert.NoError(t, err)
		first <- tok
	}()
	<-f.arrived // the first caller's request is at IAM

	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { _, err := s.Token(ctx); errc <- err }()
	cancel()
	err := <-errc
	assert.ErrorIs(t, err, context.Canceled)
	assert.False(t, IsTemporary(err), "a caller that left is not worth a retry")

	close(f.gate)
	assert.Equal(t, "token-1", <-first, "the waiter leaving did not disturb the request")
	assert.Equal(t, int32(1), f.calls.Load())
}

func TestIAMCancelledFetcherHandsOverToAWaiter(t *testing.T) {
	f := newFakeIAM(t)
	f.gate = make(chan struct{})
	f.arrived = make(chan int32, 4)
	s := newIAM(t, f)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { _, err := s.Token(ctx); errc <- err }()
	<-f.arrived // request 1 is at IAM, made by the caller about to leave

	second := make(chan string, 1)
	go func() {
		tok, err := s.Token(context.Background())
		assert.NoError(t, err)
		second <- tok
	}()
	cancel()
	assert.ErrorIs(t, <-errc, context.Canceled)
	assert.Equal(t, int32(2), <-f.arrived, "the caller still there asks IAM itself")
	close(f.gate)
	assert.Equal(t, "token-2", <-second)
}

func TestIAMInvalidateToken(t *testing.T) {
	f := newFakeIAM(t)
	s := newIAM(t, f)
	assert.Equal(t, "token-1", signedToken(t, s))
	s.InvalidateToken("some-older-token")
	assert.Equal(t, "token-1", signedToken(t, s), "a stale rejection does not drop a newer token")
	s.InvalidateToken("token-1")
	assert.Equal(t, "token-2", signedToken(t, s))
}

func TestIAMErrors(t *testing.T) {
	cases := []struct {
		name    string
		status  int
		body    string
		code    string
		msg     string
		is      error
		hasHint string
	}{
		{"wrong password", 401, `{"error":{"code":401,"message":"The username or password is wrong.","title":"Unauthorized"}}`, "401", "The username or password is wrong.", ErrUnauthorized, "check the domain"},
		{"locked", 403, `{"error_code":"IAM.0102","error_msg":"The user is locked."}`, "IAM.0102", "The user is locked.", ErrForbidden, "locked"},
		{"error_message", 400, `{"error_code":"IAM.0001","error_message":"bad body"}`, "IAM.0001", "bad body", nil, ""},
		{"html", 502, `<html>bad gateway</html>`, "", "<html>bad gateway</html>", nil, ""},
		{"echoes password", 401, `{"error":{"code":401,"message":"password ` + testPassword + ` is wrong"}}`, "401", "password [REDACTED] is wrong", ErrUnauthorized, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeIAM(t)
			f.answer = func(w http.ResponseWriter, _ int32) bool {
				w.Header().Set("X-Request-Id", "iam-req-1")
				w.WriteHeader(tc.status)
				io.WriteString(w, tc.body)
				return true
			}
			s := newIAM(t, f)
			req, _ := http.NewRequest("GET", "https://x/v1/p/images", nil)
			err := s.Sign(req)
			var ie *IAMError
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, tc.status, ie.StatusCode)
			assert.Equal(t, tc.code, ie.Code)
			assert.Equal(t, tc.msg, ie.Message)
			assert.Equal(t, "iam-req-1", ie.RequestID)
			assert.Equal(t, "alice", ie.Username)
			if tc.is != nil {
				assert.ErrorIs(t, err, tc.is)
			}
			assert.Contains(t, err.Error(), tc.hasHint)
			assert.NotContains(t, err.Error(), testPassword)
			assert.Empty(t, req.Header.Get(HeaderAuthToken))
		})
	}
}

func TestIAMAnswerWithoutTokenOrExpiry(t *testing.T) {
	f := newFakeIAM(t)
	f.answer = func(w http.ResponseWriter, n int32) bool {
		if n == 1 {
			w.WriteHeader(201)
			io.WriteString(w, `{"token":{}}`)
			return true
		}
		w.Header().Set("X-Subject-Token", "no-expiry")
		w.WriteHeader(201)
		io.WriteString(w, `{"token":{"expires_at":"not a date"}}`)
		return true
	}
	s := newIAM(t, f)
	_, err := s.Token(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "X-Subject-Token")
	tok, err := s.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "no-expiry", tok)
	assert.WithinDuration(t, time.Now().Add(time.Hour), s.st.expires, time.Minute, "a conservative hour")
}

func TestIAMUnreachable(t *testing.T) {
	creds := PasswordCredentials{IAMEndpoint: "http://127.0.0.1:1", DomainName: "d", Username: "u", Password: NewSecret(testPassword), ProjectID: "p"}
	s, err := NewIAMTokenSigner(creds)
	require.NoError(t, err)
	_, err = s.Token(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "127.0.0.1:1")
	assert.NotContains(t, err.Error(), testPassword)
	var ie *IAMError
	require.ErrorAs(t, err, &ie)
	assert.Zero(t, ie.StatusCode)
	assert.Error(t, ie.Err)
	assert.True(t, IsTemporary(err), "an unreachable IAM is a network failure")
	assert.NotErrorIs(t, err, ErrUnauthorized)
}

func TestNewIAMTokenSignerValidation(t *testing.T) {
	_, err := NewIAMTokenSigner(PasswordCredentials{})
	require.Error(t, err)
	for _, f := range []string{"IAMEndpoint", "DomainName", "Username", "Password", "ProjectID or ProjectName"} {
		assert.Contains(t, err.Error(), f)
	}
	base := PasswordCredentials{DomainName: "d", Username: "u", Password: NewSecret(testPassword), ProjectID: "p"}
	for _, ep := range []string{"iam.example.com", "http://iam.example.com", "ftp://x"} {
		c := base
		c.IAMEndpoint = ep
		_, err := NewIAMTokenSigner(c)
		require.Error(t, err, ep)
		assert.NotContains(t, err.Error(), testPassword)
	}
	c := base
	c.IAMEndpoint = "https://iam.cn-north-4.myhuaweicloud.com/"
	s, err := NewIAMTokenSigner(c)
	require.NoError(t, err)
	assert.Equal(t, "https://iam.cn-north-4.myhuaweicloud.com/v3/auth/tokens", s.tokens)
}
