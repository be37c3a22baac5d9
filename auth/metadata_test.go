package auth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelarts-go/modelarts/internal/errs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sign signs a fresh request and returns it.
func sign(t testing.TB, s Signer) *http.Request {
	t.Helper()
	req := newRequest(t)
	require.NoError(t, s.Sign(req))
	return req
}

func TestMetadataSignerSignsWithAgencyCredentialsTheGatewayAccepts(t *testing.T) {
	f := newFakeSource(t)
	s := newMetadata(t, f)
	req := sign(t, s)
	assert.Equal(t, "AKTEMP0001QWERTYUIOP", f.verify(t, req))
	assert.Equal(t, "security-token-0001-gQpjbi1ub3J0aC00", req.Header.Get(HeaderSecurityToken))
	assert.Contains(t, req.Header.Get("Authorization"), "x-security-token")
	assert.Equal(t, "metadata-session-1-5f1c2e9a7d", f.lastSess, "the session token goes with the key request")
	assert.EqualValues(t, 1, f.fetches.Load())
}

func TestMetadataSignerGoesOnWithoutSessionTokenOnAnOlderService(t *testing.T) {
	for _, status := range []int{404, 405, 503} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			f := newFakeSource(t)
			f.noSession = status
			s := newMetadata(t, f)
			f.verify(t, sign(t, s))
			assert.Empty(t, f.lastSess, "no X-Metadata-Token without a session token")
		})
	}
}

func TestMetadataSessionTokenRefusedOtherwiseIsAnError(t *testing.T) {
	f := newFakeSource(t)
	f.noSession = 403
	s := newMetadata(t, f)
	err := s.Sign(newRequest(t))
	var ce *CredentialError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, 403, ce.StatusCode)
	assert.False(t, IsTemporary(err))
	assert.Contains(t, err.Error(), "auth: ECS metadata: the metadata session token from "+f.srv.URL+"/meta-data/latest/api/token failed with HTTP 403")
}

func TestMetadata500GoroutinesCauseOneFetch(t *testing.T) {
	f := newFakeSource(t)
	s := newMetadata(t, f)
	gate, arrived := make(chan struct{}), make(chan struct{}, 1)
	f.hold(gate, arrived)
	var wg sync.WaitGroup
	errc := make(chan error, 500)
	for i := 0; i < 500; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req := newRequest(t)
			errc <- s.Sign(req)
		}()
	}
	<-arrived // the one fetch is at the service, held by the gate
	close(gate)
	wg.Wait()
	close(errc)
	for err := range errc {
		require.NoError(t, err)
	}
	assert.EqualValues(t, 1, f.fetches.Load())
}

// The count the closing note asks for: 10,000 calls spread evenly over 30
// hours, across the expiry of the first 24-hour credentials, make exactly
// two fetches: the first, and one refresh 40 minutes before the first
// credentials expire. Every call is verified as the gateway would.
func TestMetadataFetchesPer10000CallsAcrossAnExpiry(t *testing.T) {
	f := newFakeSource(t)
	s := newMetadata(t, f)
	step := 30 * time.Hour / 10000
	for i := 0; i < 10000; i++ {
		f.verify(t, sign(t, s))
		f.clock.advance(step)
	}
	t.Logf("fetches for 10,000 calls over 30 h of 24-hour credentials: %d", f.fetches.Load())
	assert.EqualValues(t, 2, f.fetches.Load())
}

func TestMetadataRefreshesFortyMinutesBeforeTheEndOfADayAndProportionallyEarlierForShorterLives(t *testing.T) {
	for _, tc := range []struct {
		life, margin time.Duration
	}{{24 * time.Hour, 40 * time.Minute}, {6 * time.Hour, 10 * time.Minute}, {15 * time.Minute, 25 * time.Second}} {
		t.Run(tc.life.String(), func(t *testing.T) {
			f := newFakeSource(t)
			f.lifetime = tc.life
			s := newMetadata(t, f)
			sign(t, s)
			f.clock.advance(tc.life - tc.margin - time.Second)
			sign(t, s)
			assert.EqualValues(t, 1, f.fetches.Load(), "outside the margin")
			f.clock.advance(2 * time.Second)
			req := sign(t, s)
			assert.EqualValues(t, 2, f.fetches.Load(), "inside the margin")
			assert.Equal(t, "AKTEMP0002QWERTYUIOP", f.verify(t, req))
		})
	}
}

func TestMetadataOutageWhileValidCredentialsAreHeldFailsNoCall(t *testing.T) {
	f := newFakeSource(t)
	s := newMetadata(t, f)
	sign(t, s)
	f.clock.advance(24*time.Hour - 30*time.Minute) // inside the margin
	f.failAll(503)
	for i := 0; i < 100; i++ {
		req := sign(t, s)
		assert.Equal(t, "AKTEMP0001QWERTYUIOP", f.verify(t, req))
		f.clock.advance(time.Second)
	}
	// Each attempt is two requests (session token, key); the first fetch
	// was two more.
	assert.LessOrEqual(t, f.calls.Load(), int32(2+2*4), "one refresh attempt per 30 s, not one per call")
	f.setFault(nil)
	f.clock.advance(30 * time.Second)
	assert.Equal(t, "AKTEMP0002QWERTYUIOP", f.verify(t, sign(t, s)), "fetched again once the service is back")
}

func TestMetadataOutageAfterExpiryIsATypedTransientError(t *testing.T) {
	for name, fault := range map[string]func(*fakeSource){
		"503":     func(f *fakeSource) { f.failAll(503) },
		"refused": func(f *fakeSource) { f.srv.Close() },
	} {
		t.Run(name, func(t *testing.T) {
			f := newFakeSource(t)
			s := newMetadata(t, f)
			sign(t, s)
			f.clock.advance(25 * time.Hour)
			fault(f)
			err := s.Sign(newRequest(t))
			var ce *CredentialError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, SourceMetadata, ce.Source)
			assert.True(t, IsTemporary(err), "the client retries it: %v", err)
			assert.True(t, strings.HasPrefix(err.Error(), "auth: ECS metadata: "), err.Error())
			assert.Equal(t, 1, strings.Count(err.Error(), "auth: "))
		})
	}
}

func TestMetadataTimeoutIsTransientAndTheCallersContextEndingIsNot(t *testing.T) {
	f := newFakeSource(t)
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	f.setFault(func(http.ResponseWriter, *http.Request) bool { <-release; return true })
	s := newMetadata(t, f)
	s.timeout = 50 * time.Millisecond
	err := s.Sign(newRequest(t))
	assert.True(t, IsTemporary(err), "%v", err)
	assert.Contains(t, err.Error(), "no answer in time")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := newRequest(t).WithContext(ctx)
	err = s.Sign(req)
	assert.ErrorIs(t, err, context.Canceled)
	assert.False(t, IsTemporary(err))
}

func TestMetadataWithoutAgencyIsAPermanentErrorSayingAttachOne(t *testing.T) {
	f := newFakeSource(t)
	f.setFault(func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != "/openstack/latest/securitykey" {
			return false
		}
		w.WriteHeader(404)
		io.WriteString(w, `{"error": "Please configure Cloud Service Agency first"}`)
		return true
	})
	err := newMetadata(t, f).Sign(newRequest(t))
	assert.False(t, IsTemporary(err))
	assert.Contains(t, err.Error(), "attach a cloud service agency to this instance")
}

func TestMetadataInvalidateDropsTheRejectedCredentialsOnly(t *testing.T) {
	f := newFakeSource(t)
	s := newMetadata(t, f)
	first := sign(t, s)
	s.InvalidateToken("some-older-token")
	assert.Equal(t, "AKTEMP0001QWERTYUIOP", f.verify(t, sign(t, s)), "another token's rejection changes nothing")
	s.InvalidateToken(first.Header.Get(HeaderSecurityToken))
	assert.Equal(t, "AKTEMP0002QWERTYUIOP", f.verify(t, sign(t, s)), "fetched again after the gateway refused them")
}

func TestMetadataRedirectIsNeverFollowed(t *testing.T) {
	f := newFakeSource(t)
	f.setFault(func(w http.ResponseWriter, r *http.Request) bool {
		http.Redirect(w, r, "http://elsewhere.example/steal", http.StatusFound)
		return true
	})
	err := newMetadata(t, f).Sign(newRequest(t))
	assert.Contains(t, err.Error(), "redirected the request to http://elsewhere.example")
	assert.EqualValues(t, 1, f.calls.Load())
}

func TestMetadataAnswerLongerThan64KiBIsRefused(t *testing.T) {
	f := newFakeSource(t)
	f.setFault(func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != "/openstack/latest/securitykey" {
			return false
		}
		io.WriteString(w, `{"credential":{"access":"`+strings.Repeat("A", 70<<10)+`"}}`)
		return true
	})
	err := newMetadata(t, f).Sign(newRequest(t))
	assert.Contains(t, err.Error(), "longer than 65536 bytes")
}

func TestMetadataMalformedAnswersNameWhatIsWrongAndNoSecret(t *testing.T) {
	for body, want := range map[string]string{
		`not json`:     "not a JSON object",
		`{"other":{}}`: "holds no credential object",
		`{"credential":{"access":"AKTEMPONLYQWERTYUIOP","secret":"sk-leaked-0123456789"}}`:                                                                           "lacks securitytoken, expires_at",
		`{"credential":{"accessKeyId":"AKALTNAMEQWERTYUIOP","secretAccessKey":"sk-alt-0123456789abc","securitytoken":"tok-alt-0123456789","expires_at":"tomorrow"}}`: `expires_at "tomorrow" is not an RFC 3339 time`,
	} {
		f := newFakeSource(t)
		f.setFault(func(w http.ResponseWriter, r *http.Request) bool {
			if r.URL.Path != "/openstack/latest/securitykey" {
				return false
			}
			io.WriteString(w, body)
			return true
		})
		err := newMetadata(t, f).Sign(newRequest(t))
		require.Error(t, err)
		assert.Contains(t, err.Error(), want)
		for _, sec := range []string{"sk-leaked", "AKTEMPONLY", "sk-alt", "tok-alt"} {
			assert.NotContains(t, err.Error(), sec)
		}
	}
}

func TestMetadataAlternativeKeyNamesAreAccepted(t *testing.T) {
	f := newFakeSource(t)
	f.setFault(func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != "/openstack/latest/securitykey" {
			return false
		}
		c := f.issue()
		c["accessKeyId"], c["secretAccessKey"] = c["access"], c["secret"]
		delete(c, "access")
		delete(c, "secret")
		writeJSON(w, 200, map[string]any{"credential": c})
		return true
	})
	f.verify(t, sign(t, newMetadata(t, f)))
}

func TestMetadataErrorsAndRedactionHoldNoSecretItSaw(t *testing.T) {
	f := newFakeSource(t)
	s := newMetadata(t, f)
	req := sign(t, s)
	ak, tok := "AKTEMP0001QWERTYUIOP", req.Header.Get(HeaderSecurityToken)
	// The service echoes every secret in its error answer.
	f.setFault(func(w http.ResponseWriter, r *http.Request) bool {
		w.WriteHeader(500)
		fmt.Fprintf(w, "failed for %s %s %s %s", ak, "sk-temp-0001-0123456789abcdefghij", tok, "metadata-session-1-5f1c2e9a7d")
		return true
	})
	f.clock.advance(25 * time.Hour)
	err := s.Sign(newRequest(t))
	require.Error(t, err)
	for _, sec := range []string{ak, "sk-temp-0001", tok, "metadata-session-1"} {
		assert.NotContains(t, err.Error(), sec)
		assert.NotContains(t, fmt.Sprintf("%+v %#v", err, err), sec)
	}
	assert.Equal(t, "x "+Redacted+" "+Redacted, s.RedactSecrets("x "+ak+" metadata-session-1-5f1c2e9a7d"))
}

func TestMetadataOptionsRefuseBadValuesAsInvalidRequests(t *testing.T) {
	for name, opt := range map[string]MetadataOption{
		"no scheme":   WithMetadataEndpoint("169.254.169.254"),
		"ftp":         WithMetadataEndpoint("ftp://169.254.169.254"),
		"user info":   WithMetadataEndpoint("http://u:p@169.254.169.254"),
		"query":       WithMetadataEndpoint("http://169.254.169.254?x=1"),
		"nil client":  WithMetadataHTTPClient(nil),
		"nil options": nil,
	} {
		_, err := NewMetadataSigner(opt)
		assert.ErrorIs(t, err, errs.ErrInvalidRequest, name)
		if err != nil {
			assert.True(t, strings.HasPrefix(err.Error(), "auth: NewMetadataSigner: "), err.Error())
			assert.NotContains(t, err.Error(), "u:p@")
		}
	}
	var zero MetadataSigner
	assert.ErrorIs(t, zero.Validate(), errs.ErrInvalidRequest)
	assert.Error(t, zero.Sign(newRequest(t)))
}

func TestMetadataDefaultEndpointIsTheLinkLocalAddress(t *testing.T) {
	s, err := NewMetadataSigner()
	require.NoError(t, err)
	assert.Equal(t, "http://169.254.169.254", s.endpoint)
}

// A refused connection surfaces as a transient error, whatever the
// network stack's wording.
func TestMetadataRefusedConnectionIsTransient(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	l.Close()
	s, err := NewMetadataSigner(WithMetadataEndpoint("http://" + addr))
	require.NoError(t, err)
	err = s.Sign(newRequest(t))
	assert.True(t, IsTemporary(err), "%v", err)
	var ce *CredentialError
	assert.True(t, errors.As(err, &ce))
}

// Inside the margin one caller refreshes while every other caller keeps
// signing with the held credentials, without waiting for it.
func TestMetadataRefreshInsideTheMarginDoesNotHoldOtherCallers(t *testing.T) {
	f := newFakeSource(t)
	s := newMetadata(t, f)
	sign(t, s)
	f.clock.advance(24*time.Hour - 20*time.Minute)
	gate, arrived := make(chan struct{}), make(chan struct{}, 1)
	f.hold(gate, arrived)
	refreshed := make(chan *http.Request, 1)
	go func() {
		req := newRequest(t)
		_ = s.Sign(req)
		refreshed <- req
	}()
	<-arrived // the refresh is at the service, held
	for i := 0; i < 100; i++ {
		assert.Equal(t, "AKTEMP0001QWERTYUIOP", f.verify(t, sign(t, s)), "served at once while the refresh runs")
	}
	close(gate)
	assert.Equal(t, "AKTEMP0002QWERTYUIOP", f.verify(t, <-refreshed))
	assert.Equal(t, "AKTEMP0002QWERTYUIOP", f.verify(t, sign(t, s)))
	assert.EqualValues(t, 2, f.fetches.Load())
}

// A caller whose context has ended neither waits for another's fetch nor
// disturbs it: the fetch goes on for the others.
func TestMetadataCallerWithAnEndedContextDoesNotWaitForAnothersFetch(t *testing.T) {
	f := newFakeSource(t)
	s := newMetadata(t, f)
	gate, arrived := make(chan struct{}), make(chan struct{}, 1)
	f.hold(gate, arrived)
	first := make(chan error, 1)
	go func() { first <- s.Sign(newRequest(t)) }()
	<-arrived
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := s.Sign(newRequest(t).WithContext(ctx))
	assert.ErrorIs(t, err, context.Canceled)
	close(gate)
	require.NoError(t, <-first)
	assert.EqualValues(t, 1, f.fetches.Load())
}

// A 404, or an answer saying so, means no agency is attached; other
// failures do not.
func TestMetadataAdvisesAttachingAnAgencyOnlyFor404OrTheNoAgencyAnswer(t *testing.T) {
	for status, advised := range map[int]bool{401: false, 403: false, 404: true, 500: false, 503: false} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			f := newFakeSource(t)
			f.setFault(func(w http.ResponseWriter, r *http.Request) bool {
				if r.URL.Path != "/openstack/latest/securitykey" {
					return false
				}
				w.WriteHeader(status)
				io.WriteString(w, "failed")
				return true
			})
			err := newMetadata(t, f).Sign(newRequest(t))
			require.Error(t, err)
			if advised {
				assert.Contains(t, err.Error(), "attach a cloud service agency")
			} else {
				assert.NotContains(t, err.Error(), "attach a cloud service agency")
			}
		})
	}
}

func TestMetadataKeepsTheTimeoutOfTheClientItIsGivenAndOtherwiseUses5s(t *testing.T) {
	s, err := NewMetadataSigner(WithMetadataHTTPClient(&http.Client{Timeout: 7 * time.Second}))
	require.NoError(t, err)
	assert.Equal(t, 7*time.Second, s.hc.Timeout)
	s, err = NewMetadataSigner()
	require.NoError(t, err)
	assert.Equal(t, 5*time.Second, s.hc.Timeout)
}
