package modelarts

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelarts-go/modelarts/auth"
)

// iamServer answers POST /v3/auth/tokens: 503 for the first failures
// requests, then a token valid for a day (the IAM token specification: the token is the
// X-Subject-Token header, its expiry token.expires_at in the body).
func iamServer(t *testing.T, failures int32) (*httptest.Server, *atomic.Int32) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		if n <= failures {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprint(w, `{"error":{"code":503,"message":"IAM is busy","title":"Service Unavailable"}}`)
			return
		}
		w.Header().Set("X-Subject-Token", "iam-issued-token-0123456789")
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"token":{"expires_at":%q}}`, time.Now().Add(24*time.Hour).UTC().Format(time.RFC3339))
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

func iamSigner(t *testing.T, endpoint string) *auth.IAMTokenSigner {
	s, err := auth.NewIAMTokenSigner(auth.PasswordCredentials{IAMEndpoint: endpoint, DomainName: "d", Username: "u",
		Password: auth.NewSecret("iam-password-secret"), ProjectName: "cn-north-4"})
	require.NoError(t, err)
	return s
}

func TestAFirstTokenIAM503IsRetriedLikeAnyOther503(t *testing.T) {
	iam, iamCalls := iamServer(t, 1)
	c, mt, _ := newMockClientWithSigner(t, iamSigner(t, iam.URL))
	mt.RegisterResponder("GET", imageURL, jsonResponder(200, `{"id":"img-1"}`))
	img, err := c.GetImage(context.Background(), "img-1")
	require.NoError(t, err)
	assert.Equal(t, "img-1", img.ID)
	assert.Equal(t, int32(2), iamCalls.Load(), "IAM asked again after its 503")
	assert.Equal(t, 1, mt.GetTotalCallCount(), "one ModelArts request, signed with the token")
}

func TestAnIAMOutageDoesNotEndAWait(t *testing.T) {
	iam, _ := iamServer(t, 5) // more than one call's retries
	c, mt, _ := newMockClientWithSigner(t, iamSigner(t, iam.URL))
	mt.RegisterResponder("GET", imageURL, jsonResponder(200, `{"id":"img-1","status":"ACTIVE"}`))
	img, err := c.WaitForActive(context.Background(), "img-1", WithPollInterval(time.Millisecond, time.Millisecond))
	require.NoError(t, err, "an IAM hiccup is transient for the wait too")
	assert.Equal(t, ImageStatusActive, img.Status)
}

func TestAnIAMRefusalIsNotRetried(t *testing.T) {
	var calls atomic.Int32
	iam := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"error":{"code":401,"message":"The username or password is wrong.","title":"Unauthorized"}}`)
	}))
	defer iam.Close()
	c, mt, _ := newMockClientWithSigner(t, iamSigner(t, iam.URL))
	_, err := c.GetImage(context.Background(), "img-1")
	require.ErrorIs(t, err, ErrUnauthorized)
	assert.Equal(t, int32(1), calls.Load())
	assert.Zero(t, mt.GetTotalCallCount())
	assert.NotContains(t, err.Error(), "iam-password-secret")
}
