package auth

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelarts-go/modelarts/internal/errs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
	return p
}

func newPod(t *testing.T, f *fakeSource, tokenFile string) *PodIdentitySigner {
	t.Helper()
	s, err := NewPodIdentitySigner(f.srv.URL+"/pod/credentials", tokenFile, WithPodIdentityHTTPClient(f.srv.Client()))
	require.NoError(t, err)
	s.tc.now = f.clock.now
	return s
}

func TestPodIdentitySignerPostsThePodTokenAndSignsWithWhatItGets(t *testing.T) {
	f := newFakeSource(t)
	f.podToken = "pod-token-1-eyJhbGciOiJSUzI1NiJ9"
	s := newPod(t, f, writeFile(t, t.TempDir(), "token", f.podToken+"\n"))
	assert.Equal(t, "AKTEMP0001QWERTYUIOP", f.verify(t, sign(t, s)))
}

func TestPodIdentityRereadsTheRotatedTokenFileOnEveryFetch(t *testing.T) {
	f := newFakeSource(t)
	dir := t.TempDir()
	f.podToken = "pod-token-1-eyJhbGciOiJSUzI1NiJ9"
	path := writeFile(t, dir, "token", f.podToken)
	s := newPod(t, f, path)
	sign(t, s)
	// The kubelet rotates the token; the endpoint accepts only the new one.
	f.mu.Lock()
	f.podToken = "pod-token-2-eyJhbGciOiJSUzI1NiJ9"
	f.mu.Unlock()
	writeFile(t, dir, "token", "pod-token-2-eyJhbGciOiJSUzI1NiJ9")
	f.clock.advance(24 * time.Hour)
	assert.Equal(t, "AKTEMP0002QWERTYUIOP", f.verify(t, sign(t, s)))
	assert.Equal(t, Redacted, s.RedactSecrets("pod-token-1-eyJhbGciOiJSUzI1NiJ9"), "the old token is still redacted")
}

func TestPodIdentityRefusedTokenIsAPermanentErrorWithoutTheToken(t *testing.T) {
	f := newFakeSource(t)
	f.podToken = "the-right-token-0123456789"
	s := newPod(t, f, writeFile(t, t.TempDir(), "token", "a-wrong-pod-token-0123456789"))
	err := s.Sign(newRequest(t))
	var ce *CredentialError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, 401, ce.StatusCode)
	assert.False(t, IsTemporary(err))
	assert.ErrorIs(t, err, ErrUnauthorized)
	assert.NotContains(t, err.Error(), "a-wrong-pod-token")
	assert.Contains(t, err.Error(), "auth: CCE pod identity: the pod credentials from "+f.srv.URL+"/pod/credentials failed with HTTP 401")
}

func TestPodIdentityMissingOrEmptyTokenFileIsAPermanentErrorNamingTheFile(t *testing.T) {
	f := newFakeSource(t)
	dir := t.TempDir()
	for name, path := range map[string]string{
		"missing": filepath.Join(dir, "nope"), "empty": writeFile(t, dir, "empty", " \n"),
		"two lines": writeFile(t, dir, "two", "a-token-line-one\nline-two-secret"),
	} {
		err := newPod(t, f, path).Sign(newRequest(t))
		require.Error(t, err, name)
		assert.False(t, IsTemporary(err), name)
		assert.Contains(t, err.Error(), path, name)
		assert.Contains(t, err.Error(), EnvPodTokenFile, name)
		assert.NotContains(t, err.Error(), "line-two-secret", name)
	}
	assert.EqualValues(t, 0, f.calls.Load(), "nothing is sent without a token")
}

func TestPodIdentity500GoroutinesCauseOneFetchAndAnOutageWhileHeldFailsNoCall(t *testing.T) {
	f := newFakeSource(t)
	f.podToken = "pod-token-1-eyJhbGciOiJSUzI1NiJ9"
	s := newPod(t, f, writeFile(t, t.TempDir(), "token", f.podToken))
	var wg sync.WaitGroup
	for i := 0; i < 500; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); assert.NoError(t, s.Sign(newRequest(t))) }()
	}
	wg.Wait()
	assert.EqualValues(t, 1, f.fetches.Load())
	f.clock.advance(24*time.Hour - 10*time.Minute)
	f.failAll(502)
	assert.Equal(t, "AKTEMP0001QWERTYUIOP", f.verify(t, sign(t, s)))
	f.clock.advance(11 * time.Minute)
	err := s.Sign(newRequest(t))
	assert.True(t, IsTemporary(err), "after expiry the outage is a transient error: %v", err)
}

func TestNewPodIdentitySignerRefusesBadInput(t *testing.T) {
	for name, build := range map[string]func() (*PodIdentitySigner, error){
		"empty uri":  func() (*PodIdentitySigner, error) { return NewPodIdentitySigner("", "/f") },
		"no scheme":  func() (*PodIdentitySigner, error) { return NewPodIdentitySigner("169.254.170.2/creds", "/f") },
		"empty file": func() (*PodIdentitySigner, error) { return NewPodIdentitySigner("http://169.254.170.2/c", " ") },
		"nil client": func() (*PodIdentitySigner, error) {
			return NewPodIdentitySigner("http://169.254.170.2/c", "/f", WithPodIdentityHTTPClient(nil))
		},
		"nil options": func() (*PodIdentitySigner, error) { return NewPodIdentitySigner("http://169.254.170.2/c", "/f", nil) },
	} {
		_, err := build()
		assert.ErrorIs(t, err, errs.ErrInvalidRequest, name)
		assert.True(t, strings.HasPrefix(err.Error(), "auth: NewPodIdentitySigner: "), name)
	}
}

// A refused pod token (401, 403) is advised on; the endpoint's own failure
// is not.
func TestPodIdentityRefusalAdvisesCheckingTheAssociationAndAnOutageDoesNot(t *testing.T) {
	for status, advised := range map[int]bool{400: false, 401: true, 403: true, 404: false, 500: false, 503: false} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			f := newFakeSource(t)
			f.podToken = "pod-token-1-eyJhbGciOiJSUzI1NiJ9"
			f.setFault(func(w http.ResponseWriter, r *http.Request) bool {
				writeJSON(w, status, map[string]string{"error": "no"})
				return true
			})
			err := newPod(t, f, writeFile(t, t.TempDir(), "token", f.podToken)).Sign(newRequest(t))
			require.Error(t, err)
			if advised {
				assert.Contains(t, err.Error(), "the pod token was refused: check the pod's identity association in CCE")
			} else {
				assert.NotContains(t, err.Error(), "the pod token was refused")
			}
		})
	}
}

func TestPodIdentityKeepsTheTimeoutOfTheClientItIsGivenAndOtherwiseUses10s(t *testing.T) {
	s, err := NewPodIdentitySigner("http://169.254.170.2/c", "/f", WithPodIdentityHTTPClient(&http.Client{Timeout: 7 * time.Second}))
	require.NoError(t, err)
	assert.Equal(t, 7*time.Second, s.hc.Timeout)
	s, err = NewPodIdentitySigner("http://169.254.170.2/c", "/f")
	require.NoError(t, err)
	assert.Equal(t, 10*time.Second, s.hc.Timeout)
}

func TestPodIdentityNilSignerInvalidatesNothingAndRedactsNothing(t *testing.T) {
	var s *PodIdentitySigner
	assert.NotPanics(t, func() { s.InvalidateToken("tok") })
	assert.Equal(t, "text", s.RedactSecrets("text"))
}
