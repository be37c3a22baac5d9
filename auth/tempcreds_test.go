package auth

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Tests of the engine shared by the signers of temporary credentials, at
// the limits it keeps: the signing guard, the back-off after a failed
// refresh, the size of an answer and of a token file, the range of
// statuses taken as redirects, and what a transport failure keeps.

// A 24-hour life has a 40-minute margin and a one-minute guard.
func TestTempCredsHeldCredentialsAreNotServedInsideTheirLastMinuteWhenTheRefreshFails(t *testing.T) {
	f := newFakeSource(t)
	s := newMetadata(t, f)
	sign(t, s)
	f.clock.advance(24*time.Hour - time.Minute - 10*time.Second) // inside the margin, before the guard
	f.failAll(503)
	assert.Equal(t, "AKTEMP0001QWERTYUIOP", f.verify(t, sign(t, s)), "a failed refresh before the guard serves the held credentials")

	f.clock.advance(20 * time.Second) // inside the guard, 20 s after the failure
	err := s.Sign(newRequest(t))
	var ce *CredentialError
	require.ErrorAs(t, err, &ce, "credentials in their last minute are never used, even within the back-off")
	assert.True(t, IsTemporary(err))
}

func TestTempCredsHeldCredentialsAreServedUpToTheStartOfTheGuard(t *testing.T) {
	f := newFakeSource(t)
	s := newMetadata(t, f)
	sign(t, s)
	f.failAll(503)
	f.clock.advance(24*time.Hour - time.Minute - time.Nanosecond)
	assert.Equal(t, "AKTEMP0001QWERTYUIOP", f.verify(t, sign(t, s)), "one nanosecond before the guard")
	f.clock.advance(time.Nanosecond)
	assert.Error(t, s.Sign(newRequest(t)), "at the start of the guard")
}

func TestTempCredsSourceIsAskedAgainExactlyThirtySecondsAfterAFailedRefresh(t *testing.T) {
	f := newFakeSource(t)
	s := newMetadata(t, f)
	sign(t, s)
	f.clock.advance(24*time.Hour - 30*time.Minute) // inside the margin
	f.failAll(503)
	assert.Equal(t, "AKTEMP0001QWERTYUIOP", f.verify(t, sign(t, s)))
	f.setFault(nil)
	calls := f.calls.Load()

	f.clock.advance(30*time.Second - time.Nanosecond)
	assert.Equal(t, "AKTEMP0001QWERTYUIOP", f.verify(t, sign(t, s)), "inside the back-off the held credentials are served")
	assert.Equal(t, calls, f.calls.Load(), "inside the back-off the source is not asked")

	f.clock.advance(time.Nanosecond)
	assert.Equal(t, "AKTEMP0002QWERTYUIOP", f.verify(t, sign(t, s)), "30 s after the failure the source is asked again")
}

func TestTempCredsAnswerOfExactly64KiBIsAccepted(t *testing.T) {
	f := newFakeSource(t)
	f.setFault(func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != "/openstack/latest/securitykey" {
			return false
		}
		body, err := json.Marshal(map[string]any{"credential": f.issue()})
		if err != nil {
			panic(err)
		}
		body = append(body, strings.Repeat(" ", maxCredBody-len(body))...)
		w.Write(body)
		return true
	})
	assert.Equal(t, "AKTEMP0001QWERTYUIOP", f.verify(t, sign(t, newMetadata(t, f))))
}

func TestTempCredsAnswerOfOneByteOver64KiBIsRefused(t *testing.T) {
	f := newFakeSource(t)
	f.setFault(func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != "/openstack/latest/securitykey" {
			return false
		}
		body, err := json.Marshal(map[string]any{"credential": f.issue()})
		if err != nil {
			panic(err)
		}
		body = append(body, strings.Repeat(" ", maxCredBody+1-len(body))...)
		w.Write(body)
		return true
	})
	err := newMetadata(t, f).Sign(newRequest(t))
	assert.ErrorContains(t, err, "the answer is longer than 65536 bytes")
}

func TestTempCredsStatusesFrom300To399AreRedirectsAndNoOthers(t *testing.T) {
	for _, tc := range []struct {
		status   int
		redirect bool
	}{{299, false}, {300, true}, {399, true}, {400, false}} {
		t.Run(fmt.Sprint(tc.status), func(t *testing.T) {
			f := newFakeSource(t)
			f.setFault(func(w http.ResponseWriter, r *http.Request) bool {
				if r.URL.Path != "/openstack/latest/securitykey" {
					return false
				}
				w.Header().Set("Location", "http://elsewhere.example/steal")
				w.WriteHeader(tc.status)
				io.WriteString(w, `{"error":"no"}`)
				return true
			})
			err := newMetadata(t, f).Sign(newRequest(t))
			var ce *CredentialError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, tc.status, ce.StatusCode)
			if tc.redirect {
				assert.Contains(t, err.Error(), "the service redirected the request to http://elsewhere.example")
			} else {
				assert.NotContains(t, err.Error(), "redirect")
			}
		})
	}
}

// transportFailure is what a RoundTripper returns instead of an answer.
type transportFailure struct{ msg string }

func (e *transportFailure) Error() string { return e.msg }

type failingTransport struct{ err error }

func (t failingTransport) RoundTrip(*http.Request) (*http.Response, error) { return nil, t.err }

func metadataFailingWith(t *testing.T, err error) *MetadataSigner {
	t.Helper()
	s, e := NewMetadataSigner(WithMetadataEndpoint("http://127.0.0.1:1"), WithMetadataHTTPClient(&http.Client{Transport: failingTransport{err}}))
	require.NoError(t, e)
	return s
}

func TestTempCredsTransportFailureUpTo300BytesWithNoSecretIsKeptAsItIs(t *testing.T) {
	for _, n := range []int{len("connection refused"), maxCredText} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			cause := &transportFailure{msg: strings.Repeat("x", n-len("connection refused")) + "connection refused"}
			err := metadataFailingWith(t, cause).Sign(newRequest(t))
			var got *transportFailure
			require.ErrorAs(t, err, &got, "the network failure itself, not a copy of its text")
			assert.Same(t, cause, got)
			assert.True(t, IsTemporary(err))
		})
	}
}

func TestTempCredsTransportFailureOver300BytesIsShortened(t *testing.T) {
	cause := &transportFailure{msg: strings.Repeat("x", maxCredText+1)}
	err := metadataFailingWith(t, cause).Sign(newRequest(t))
	var ce *CredentialError
	require.ErrorAs(t, err, &ce)
	require.Error(t, ce.Err)
	assert.LessOrEqual(t, len(ce.Err.Error()), maxCredText+len("…"))
	assert.NotContains(t, err.Error(), strings.Repeat("x", maxCredText+1))
	assert.True(t, IsTemporary(err))
}

// cutTransport passes requests to next until cut is set, then fails them
// with err.
type cutTransport struct {
	next http.RoundTripper
	cut  atomic.Bool
	err  error
}

func (c *cutTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if c.cut.Load() {
		return nil, c.err
	}
	return c.next.RoundTrip(r)
}

func TestTempCredsTransportFailureQuotingASecretItSawIsRedacted(t *testing.T) {
	f := newFakeSource(t)
	ct := &cutTransport{next: f.srv.Client().Transport}
	s, err := NewMetadataSigner(WithMetadataEndpoint(f.srv.URL), WithMetadataHTTPClient(&http.Client{Transport: ct}))
	require.NoError(t, err)
	s.tc.now = f.clock.now
	f.verify(t, sign(t, s))
	f.mu.Lock()
	sk := f.issued["AKTEMP0001QWERTYUIOP"]
	f.mu.Unlock()
	ct.err = &transportFailure{msg: "proxy refused " + sk}
	ct.cut.Store(true)
	f.clock.advance(24 * time.Hour)
	err = s.Sign(newRequest(t))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), sk)
	assert.Contains(t, err.Error(), "proxy refused "+Redacted)
}

func TestTempCredsTokenFileOfExactly64KiBIsReadWhole(t *testing.T) {
	f := newFakeSource(t)
	f.podToken = strings.Repeat("p", maxTokenFile)
	s := newPod(t, f, writeFile(t, t.TempDir(), "token", f.podToken))
	assert.Equal(t, "AKTEMP0001QWERTYUIOP", f.verify(t, sign(t, s)))
}

func TestTempCredsTokenFileOfOneByteOver64KiBIsRefused(t *testing.T) {
	f := newFakeSource(t)
	path := writeFile(t, t.TempDir(), "token", strings.Repeat("p", maxTokenFile+1))
	err := newPod(t, f, path).Sign(newRequest(t))
	assert.ErrorContains(t, err, fmt.Sprintf("%q is longer than 65536 bytes", path))
	assert.EqualValues(t, 0, f.calls.Load(), "the endpoint is not asked")
}

func TestTempCredsCredentialsExpiringWhenFetchedAreRefusedAndOneSecondLaterAccepted(t *testing.T) {
	for _, tc := range []struct {
		life time.Duration
		ok   bool
	}{{-time.Second, false}, {0, false}, {time.Second, true}} {
		t.Run(tc.life.String(), func(t *testing.T) {
			f := newFakeSource(t)
			f.lifetime = tc.life
			err := newMetadata(t, f).Sign(newRequest(t))
			if tc.ok {
				assert.NoError(t, err)
				return
			}
			var ce *CredentialError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, "the issued credentials", ce.Step)
			assert.Contains(t, err.Error(), "they expired at "+f.clock.now().Add(tc.life).Format(time.RFC3339)+", before they were fetched")
			assert.False(t, IsTemporary(err))
			f.mu.Lock()
			defer f.mu.Unlock()
			for _, sk := range f.issued {
				assert.NotContains(t, err.Error(), sk)
			}
		})
	}
}

func TestTempCredsRedactionKeepsTheMostRecentSecretsOnly(t *testing.T) {
	f := newFakeSource(t)
	s := newMetadata(t, f)
	const fetches = 30 // several secrets each: well over the 64 kept
	for i := 0; i < fetches; i++ {
		sign(t, s)
		s.InvalidateToken("")
	}
	require.EqualValues(t, fetches, f.fetches.Load())
	f.mu.Lock()
	first, last := f.issued["AKTEMP0001QWERTYUIOP"], f.issued[fmt.Sprintf("AKTEMP%04dQWERTYUIOP", fetches)]
	f.mu.Unlock()
	assert.Equal(t, Redacted, s.RedactSecrets(last))
	assert.Equal(t, first, s.RedactSecrets(first), "the oldest secrets are forgotten")
}
