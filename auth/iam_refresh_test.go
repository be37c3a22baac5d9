package auth

import (
	"context"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeClock is a settable clock shared by the fake IAM and the signer.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *fakeClock) advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// failWith makes the fake IAM answer status for the requests fail says.
func failWith(f *fakeIAM, status int, fail func(n int32) bool) {
	f.answer = func(w http.ResponseWriter, n int32) bool {
		if !fail(n) {
			return false
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, `{"error_code":"IAM.0001","error_msg":"service unavailable"}`)
		return true
	}
}

func TestIAMEarlyRefreshFailureServesTheValidTokenWithOneAttemptPerBurst(t *testing.T) {
	f := newFakeIAM(t)
	clock := newFakeClock()
	f.now = clock.now
	var failing atomic.Bool
	failWith(f, 503, func(int32) bool { return failing.Load() })
	s := newIAM(t, f, WithRefreshMargin(10*time.Minute))
	s.now = clock.now
	require.Equal(t, "token-1", signedToken(t, s))

	// Inside the margin, IAM down: a burst of callers all get token-1, and
	// only one of them asks IAM. The gate holds IAM's answer until every
	// caller has returned, so none could have waited for it.
	clock.advance(24*time.Hour - 5*time.Minute)
	failing.Store(true)
	gate, arrived := make(chan struct{}), make(chan int32, 8)
	f.hold(gate, arrived)
	const burst = 20
	var wg sync.WaitGroup
	results := make(chan string, burst)
	refresher := make(chan string, 1)
	go func() { refresher <- signedTokenNoT(s) }()
	<-arrived // the one refresh is at IAM
	for i := 0; i < burst; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); results <- signedTokenNoT(s) }()
	}
	wg.Wait()
	close(results)
	for tok := range results {
		assert.Equal(t, "token-1", tok, "served while the refresh runs")
	}
	close(gate)
	assert.Equal(t, "token-1", <-refresher, "the refresher itself falls back to the valid token")
	assert.Equal(t, int32(2), f.calls.Load(), "one refresh attempt for the burst")

	// Right after the failure IAM is left alone; the token is still served.
	f.hold(nil, nil)
	assert.Equal(t, "token-1", signedToken(t, s))
	assert.Equal(t, int32(2), f.calls.Load(), "no new attempt within 30 s of a failure")

	// 30 s later IAM is asked again; still failing, the token is still good.
	clock.advance(30 * time.Second)
	assert.Equal(t, "token-1", signedToken(t, s))
	assert.Equal(t, int32(3), f.calls.Load())

	// IAM is back: the next attempt replaces the token.
	failing.Store(false)
	clock.advance(30 * time.Second)
	assert.Equal(t, "token-4", signedToken(t, s))
	assert.Equal(t, "token-4", signedToken(t, s), "fresh again: cached")
	assert.Equal(t, int32(4), f.calls.Load())
}

func TestIAMFailureAfterTheTokenLapsedReachesTheCaller(t *testing.T) {
	f := newFakeIAM(t)
	clock := newFakeClock()
	f.now = clock.now
	var failing atomic.Bool
	failWith(f, 503, func(int32) bool { return failing.Load() })
	s := newIAM(t, f)
	s.now = clock.now
	require.Equal(t, "token-1", signedToken(t, s))

	failing.Store(true)
	clock.advance(24*time.Hour - 30*time.Second) // under a minute left: not sent
	req, _ := http.NewRequest("GET", "https://x/v1/p/images", nil)
	err := s.Sign(req)
	require.Error(t, err)
	assert.True(t, IsTemporary(err))
	assert.Empty(t, req.Header.Get(HeaderAuthToken), "a token about to lapse is not sent")
	assert.Equal(t, int32(2), f.calls.Load())

	_, err = s.Token(context.Background())
	require.Error(t, err, "no valid token: every call asks IAM again")
	assert.Equal(t, int32(3), f.calls.Load())
}

func TestIAMFirstToken503IsTemporaryThenSucceeds(t *testing.T) {
	f := newFakeIAM(t)
	failWith(f, 503, func(n int32) bool { return n == 1 })
	s := newIAM(t, f)
	_, err := s.Token(context.Background())
	var ie *IAMError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, 503, ie.StatusCode)
	assert.True(t, IsTemporary(err), "a first-token 503 can be retried by the client")
	assert.NotErrorIs(t, err, ErrUnauthorized)
	assert.Contains(t, err.Error(), "temporary")

	tok, err := s.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "token-2", tok)
}

func TestIsTemporaryClassifiesIAMAnswers(t *testing.T) {
	for status, want := range map[int]bool{
		400: false, 401: false, 403: false, 404: false, 307: false,
		408: true, 429: true, 500: true, 502: true, 503: true, 504: true,
	} {
		f := newFakeIAM(t)
		failWith(f, status, func(int32) bool { return true })
		s := newIAM(t, f)
		_, err := s.Token(context.Background())
		require.Error(t, err)
		assert.Equal(t, want, IsTemporary(err), "HTTP %d", status)
	}
	assert.False(t, IsTemporary(nil))
	assert.False(t, IsTemporary(context.DeadlineExceeded))
	assert.False(t, IsTemporary(errEmptyToken))
	_, err := NewIAMTokenSigner(PasswordCredentials{})
	assert.False(t, IsTemporary(err), "a validation error")
}

func TestIAMWrongPasswordIsSharedNotRepeated(t *testing.T) {
	f := newFakeIAM(t)
	f.gate = make(chan struct{})
	f.arrived = make(chan int32, 8)
	failWith(f, 401, func(int32) bool { return true })
	s := newIAM(t, f)
	errs := make(chan error, 5)
	go func() { _, err := s.Token(context.Background()); errs <- err }()
	<-f.arrived
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); _, err := s.Token(context.Background()); errs <- err }()
	}
	// The waiters either share the one request's 401 or, arriving after
	// it, ask once more each; no waiter turns a 401 into a loop.
	close(f.gate)
	wg.Wait()
	for i := 0; i < 5; i++ {
		err := <-errs
		assert.ErrorIs(t, err, ErrUnauthorized)
		assert.False(t, IsTemporary(err))
	}
	assert.LessOrEqual(t, f.calls.Load(), int32(5))
}

// signedTokenNoT signs a request off the test goroutine.
func signedTokenNoT(s Signer) string {
	req, _ := http.NewRequest("GET", "https://modelarts.example.com/v1/p/images", nil)
	if err := s.Sign(req); err != nil {
		return "error: " + err.Error()
	}
	return req.Header.Get(HeaderAuthToken)
}

func TestIAMIsNotAskedWithAnEndedContext(t *testing.T) {
	f := newFakeIAM(t)
	s := newIAM(t, f)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.Token(ctx)
	assert.ErrorIs(t, err, context.Canceled)
	assert.False(t, IsTemporary(err))
	assert.Zero(t, f.calls.Load())
}
