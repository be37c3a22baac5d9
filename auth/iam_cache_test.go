package auth

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The token cache's time limits, each tested on both sides with a fake
// clock: IAM issues tokens valid for 24 h from the fake's now.

// cachedIAM returns a signer holding token-1, issued at the clock's now
// and valid for 24 h, with a 10-minute refresh margin; failing makes IAM
// answer 503.
func cachedIAM(t *testing.T) (*IAMTokenSigner, *fakeIAM, *fakeClock, *atomic.Bool) {
	t.Helper()
	f := newFakeIAM(t)
	clock := newFakeClock()
	f.now = clock.now
	failing := new(atomic.Bool)
	failWith(f, 503, func(int32) bool { return failing.Load() })
	s := newIAM(t, f, WithRefreshMargin(10*time.Minute))
	s.now = clock.now
	require.Equal(t, "token-1", signedToken(t, s))
	return s, f, clock, failing
}

func TestIAMCachedTokenIsServedUntilTheMarginBeginsThenRefreshed(t *testing.T) {
	s, f, clock, _ := cachedIAM(t)
	clock.advance(24*time.Hour - 10*time.Minute - time.Nanosecond)
	assert.Equal(t, "token-1", signedToken(t, s), "a nanosecond before the margin: cached")
	assert.Equal(t, int32(1), f.calls.Load(), "IAM was not asked")
	clock.advance(time.Nanosecond)
	assert.Equal(t, "token-2", signedToken(t, s), "the margin begins: refreshed")
	assert.Equal(t, int32(2), f.calls.Load())
}

func TestIAMTokenIsNotSentInItsLastMinute(t *testing.T) {
	s, f, clock, failing := cachedIAM(t)
	failing.Store(true)
	clock.advance(24*time.Hour - time.Minute - time.Nanosecond)
	assert.Equal(t, "token-1", signedToken(t, s), "a minute and a nanosecond left: the failed refresh falls back to it")
	assert.Equal(t, int32(2), f.calls.Load())

	clock.advance(time.Nanosecond)
	_, err := s.Token(context.Background())
	require.Error(t, err, "a minute left: the token is not sent, IAM's failure reaches the caller")
	assert.True(t, IsTemporary(err))
	assert.Equal(t, int32(3), f.calls.Load(), "asked at once, whatever the backoff: no valid token is left")
}

func TestIAMIsLeftAloneForThirtySecondsAfterAFailedEarlyRefresh(t *testing.T) {
	s, f, clock, failing := cachedIAM(t)
	failing.Store(true)
	clock.advance(24*time.Hour - 5*time.Minute)
	assert.Equal(t, "token-1", signedToken(t, s))
	assert.Equal(t, int32(2), f.calls.Load(), "the early refresh failed")

	clock.advance(refreshBackoff - time.Nanosecond)
	assert.Equal(t, "token-1", signedToken(t, s))
	assert.Equal(t, int32(2), f.calls.Load(), "within 30 s of the failure IAM is not asked")

	clock.advance(time.Nanosecond)
	failing.Store(false)
	assert.Equal(t, "token-3", signedToken(t, s), "30 s after the failure IAM is asked again")
}

// waitWatcher is a context that says when a caller starts waiting on it.
type waitWatcher struct {
	context.Context
	once    sync.Once
	waiting chan struct{}
}

func (w *waitWatcher) Done() <-chan struct{} {
	w.once.Do(func() { close(w.waiting) })
	return w.Context.Done()
}

func TestIAMCallerDuringARefreshGetsTheCachedTokenWithoutWaiting(t *testing.T) {
	s, f, clock, _ := cachedIAM(t)
	clock.advance(24*time.Hour - 5*time.Minute)
	gate, arrived := make(chan struct{}), make(chan int32, 1)
	f.hold(gate, arrived)
	refreshed := make(chan string, 1)
	go func() { refreshed <- signedTokenNoT(s) }()
	<-arrived // the refresh is at IAM, held there

	// Should the caller wait for the refresh, its context is cancelled the
	// moment it starts to, and it returns that error instead of a token.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := &waitWatcher{Context: ctx, waiting: make(chan struct{})}
	go func() {
		select {
		case <-w.waiting:
			cancel()
		case <-ctx.Done():
		}
	}()
	tok, err := s.Token(w)
	assert.NoError(t, err, "the caller did not wait for the refresh")
	assert.Equal(t, "token-1", tok)

	close(gate)
	assert.Equal(t, "token-2", <-refreshed)
}

func TestIAMDefaultMarginRefreshesTenMinutesBeforeExpiry(t *testing.T) {
	f := newFakeIAM(t)
	clock := newFakeClock()
	f.now = clock.now
	s := newIAM(t, f) // no WithRefreshMargin
	s.now = clock.now
	require.Equal(t, "token-1", signedToken(t, s))
	clock.advance(24*time.Hour - 10*time.Minute - time.Nanosecond)
	assert.Equal(t, "token-1", signedToken(t, s), "just over ten minutes left: cached")
	clock.advance(time.Nanosecond)
	assert.Equal(t, "token-2", signedToken(t, s), "ten minutes left: refreshed")
}
