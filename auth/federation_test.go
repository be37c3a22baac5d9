package auth

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/modelarts-go/modelarts/internal/errs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func newFederation(t *testing.T, f *fakeSource, idTokenFile string) *FederationSigner {
	t.Helper()
	s, err := NewFederationSigner(FederationConfig{IAMEndpoint: f.srv.URL, IdentityProviderID: "idp-1", IDTokenFile: idTokenFile},
		WithFederationHTTPClient(f.srv.Client()))
	require.NoError(t, err)
	s.tc.now = f.clock.now
	return s
}

func TestFederationExchangesTheIDTokenForKeysTheGatewayAccepts(t *testing.T) {
	f := newFakeSource(t)
	f.idToken = "id-token-eyJraWQiOiJrMSJ9-1"
	s := newFederation(t, f, writeFile(t, t.TempDir(), "id", f.idToken))
	assert.Equal(t, "AKTEMP0001QWERTYUIOP", f.verify(t, sign(t, s)))
	ident := f.lastIAM["auth"].(map[string]any)["identity"].(map[string]any)
	assert.Equal(t, []any{"token"}, ident["methods"])
	assert.EqualValues(t, 21600, ident["token"].(map[string]any)["duration_seconds"])
}

func TestFederationRereadsTheRotatedIDTokenOnEveryExchange(t *testing.T) {
	f := newFakeSource(t)
	f.lifetime = 6 * time.Hour
	dir := t.TempDir()
	f.idToken = "id-token-eyJraWQiOiJrMSJ9-1"
	s := newFederation(t, f, writeFile(t, dir, "id", f.idToken))
	sign(t, s)
	f.mu.Lock()
	f.idToken = "id-token-eyJraWQiOiJrMSJ9-2"
	f.mu.Unlock()
	writeFile(t, dir, "id", "id-token-eyJraWQiOiJrMSJ9-2")
	f.clock.advance(6*time.Hour - 9*time.Minute) // inside the 10-minute margin of a 6-hour life
	assert.Equal(t, "AKTEMP0002QWERTYUIOP", f.verify(t, sign(t, s)))
}

func TestFederationRefusedIDTokenIsAPermanentErrorNamingTheIdentityProvider(t *testing.T) {
	f := newFakeSource(t)
	f.idToken = "the-expected-id-token-0123"
	s := newFederation(t, f, writeFile(t, t.TempDir(), "id", "a-stale-id-token-0123456789"))
	err := s.Sign(newRequest(t))
	require.Error(t, err)
	assert.False(t, IsTemporary(err))
	assert.ErrorIs(t, err, ErrUnauthorized)
	assert.Contains(t, err.Error(), "auth: OIDC federation: the id-token exchange from "+f.srv.URL+"/v3.0/OS-AUTH/id-token/tokens failed with HTTP 401")
	assert.Contains(t, err.Error(), EnvIdpID)
	assert.NotContains(t, err.Error(), "a-stale-id-token")
}

func TestFederationIAMOutageWhileHeldFailsNoCallAndAfterExpiryIsTransient(t *testing.T) {
	f := newFakeSource(t)
	f.idToken = "id-token-eyJraWQiOiJrMSJ9-1"
	s := newFederation(t, f, writeFile(t, t.TempDir(), "id", f.idToken))
	sign(t, s)
	f.clock.advance(24*time.Hour - 30*time.Minute)
	f.setFault(func(w http.ResponseWriter, r *http.Request) bool {
		w.WriteHeader(503)
		return true
	})
	assert.Equal(t, "AKTEMP0001QWERTYUIOP", f.verify(t, sign(t, s)))
	f.clock.advance(time.Hour)
	err := s.Sign(newRequest(t))
	var ce *CredentialError
	require.ErrorAs(t, err, &ce)
	assert.True(t, IsTemporary(err))
}

func TestFederationScopedExchangeNamesTheProject(t *testing.T) {
	f := newFakeSource(t)
	f.idToken = "id-token-eyJraWQiOiJrMSJ9-1"
	f.failAll(500)
	s, err := NewFederationSigner(FederationConfig{IAMEndpoint: f.srv.URL, IdentityProviderID: "idp-1",
		IDTokenFile: writeFile(t, t.TempDir(), "id", f.idToken), ProjectID: "proj-9"}, WithFederationHTTPClient(f.srv.Client()))
	require.NoError(t, err)
	_ = s.Sign(newRequest(t))
	f.mu.Lock()
	defer f.mu.Unlock()
	assert.Contains(t, f.bodies["/v3.0/OS-AUTH/id-token/tokens"], `"scope":{"project":{"id":"proj-9"}}`)
}

func TestNewFederationSignerRefusesBadConfig(t *testing.T) {
	for name, cfg := range map[string]FederationConfig{
		"no idp":        {IDTokenFile: "/f"},
		"no file":       {IdentityProviderID: "idp"},
		"plain http":    {IAMEndpoint: "http://iam.example.com", IdentityProviderID: "idp", IDTokenFile: "/f"},
		"with userinfo": {IAMEndpoint: "https://u:pw@iam.example.com", IdentityProviderID: "idp", IDTokenFile: "/f"},
	} {
		_, err := NewFederationSigner(cfg)
		assert.ErrorIs(t, err, errs.ErrInvalidRequest, name)
		assert.True(t, strings.HasPrefix(err.Error(), "auth: NewFederationSigner: "), name)
		assert.NotContains(t, err.Error(), "pw@", name)
	}
	s, err := NewFederationSigner(FederationConfig{IdentityProviderID: "idp", IDTokenFile: "/f"})
	require.NoError(t, err)
	assert.Equal(t, DefaultIAMEndpoint, s.iam)
}

func TestFederationIDTokenExchangeAcceptsEvery2xxStatus(t *testing.T) {
	for _, status := range []int{200, 201, 299} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			f := newFakeSource(t)
			f.idToken = "id-token-eyJraWQiOiJrMSJ9-1"
			f.setFault(func(w http.ResponseWriter, r *http.Request) bool {
				if r.URL.Path != "/v3.0/OS-AUTH/id-token/tokens" {
					return false
				}
				w.Header().Set(HeaderSubjectToken, "MIIunscoped-federated-token-2xx")
				writeJSON(w, status, map[string]any{"token": map[string]any{}})
				return true
			})
			s := newFederation(t, f, writeFile(t, t.TempDir(), "id", f.idToken))
			assert.Equal(t, "AKTEMP0001QWERTYUIOP", f.verify(t, sign(t, s)))
		})
	}
}

func TestFederationSecurityTokenExchangeAcceptsEvery2xxStatus(t *testing.T) {
	for _, status := range []int{200, 201, 299} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			f := newFakeSource(t)
			f.idToken = "id-token-eyJraWQiOiJrMSJ9-1"
			f.setFault(func(w http.ResponseWriter, r *http.Request) bool {
				if r.URL.Path != "/v3.0/OS-CREDENTIAL/securitytokens" {
					return false
				}
				writeJSON(w, status, map[string]any{"credential": f.issue()})
				return true
			})
			s := newFederation(t, f, writeFile(t, t.TempDir(), "id", f.idToken))
			assert.Equal(t, "AKTEMP0001QWERTYUIOP", f.verify(t, sign(t, s)))
		})
	}
}

func TestFederationExchangeStatusesOutside2xxAreErrors(t *testing.T) {
	for _, tc := range []struct {
		path   string
		status int
	}{
		{"/v3.0/OS-AUTH/id-token/tokens", 300}, {"/v3.0/OS-AUTH/id-token/tokens", 404},
		{"/v3.0/OS-CREDENTIAL/securitytokens", 300}, {"/v3.0/OS-CREDENTIAL/securitytokens", 404},
	} {
		t.Run(fmt.Sprint(tc.path, tc.status), func(t *testing.T) {
			f := newFakeSource(t)
			f.idToken = "id-token-eyJraWQiOiJrMSJ9-1"
			f.setFault(func(w http.ResponseWriter, r *http.Request) bool {
				if r.URL.Path != tc.path {
					return false
				}
				w.Header().Set(HeaderSubjectToken, "MIIunscoped-federated-token-x")
				writeJSON(w, tc.status, map[string]any{"credential": f.issue(), "token": map[string]any{}})
				return true
			})
			err := newFederation(t, f, writeFile(t, t.TempDir(), "id", f.idToken)).Sign(newRequest(t))
			var ce *CredentialError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, tc.status, ce.StatusCode)
		})
	}
}

// A refused id-token (400, 401, 403) is advised on; IAM's own failure is not.
func TestFederationIDTokenRefusalAdvisesCheckingTheIdentityProviderAndAnOutageDoesNot(t *testing.T) {
	for status, advised := range map[int]bool{400: true, 401: true, 403: true, 404: false, 500: false, 503: false} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			f := newFakeSource(t)
			f.idToken = "id-token-eyJraWQiOiJrMSJ9-1"
			f.setFault(func(w http.ResponseWriter, r *http.Request) bool {
				writeJSON(w, status, map[string]any{"error": map[string]any{"code": "IAM.0001", "message": "no"}})
				return true
			})
			err := newFederation(t, f, writeFile(t, t.TempDir(), "id", f.idToken)).Sign(newRequest(t))
			require.Error(t, err)
			if advised {
				assert.Contains(t, err.Error(), "check the identity provider ID ("+EnvIdpID+")")
			} else {
				assert.NotContains(t, err.Error(), "check the identity provider ID")
			}
		})
	}
}

func TestFederationKeepsTheTimeoutOfTheClientItIsGivenAndOtherwiseUses30s(t *testing.T) {
	s, err := NewFederationSigner(FederationConfig{IdentityProviderID: "idp", IDTokenFile: "/f"}, WithFederationHTTPClient(&http.Client{Timeout: 7 * time.Second}))
	require.NoError(t, err)
	assert.Equal(t, 7*time.Second, s.hc.Timeout)
	s, err = NewFederationSigner(FederationConfig{IdentityProviderID: "idp", IDTokenFile: "/f"})
	require.NoError(t, err)
	assert.Equal(t, 30*time.Second, s.hc.Timeout)
}

func TestFederationNilSignerInvalidatesNothingAndRedactsNothing(t *testing.T) {
	var s *FederationSigner
	assert.NotPanics(t, func() { s.InvalidateToken("tok") })
	assert.Equal(t, "text", s.RedactSecrets("text"))
}
