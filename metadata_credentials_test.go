package modelarts

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelarts-go/modelarts/auth"
)

// metadataServer is an ECS metadata service as CREDENTIALS.md describes
// it: a session token route and a securitykey route issuing numbered
// agency credentials that live a day; the first `failures` key requests
// answer 503.
func metadataServer(t *testing.T, failures int32) (*httptest.Server, *atomic.Int32) {
	var keys atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/meta-data/latest/api/token":
			fmt.Fprint(w, "metadata-session-token-0123456789")
		case "/openstack/latest/securitykey":
			n := keys.Add(1)
			if n <= failures {
				w.WriteHeader(503)
				return
			}
			fmt.Fprintf(w, `{"credential":{"access":"AKMETA%04dQWERTYUIOP","secret":"sk-meta-%04d-0123456789abcdef","securitytoken":"sec-token-%04d-0123456789","expires_at":%q}}`,
				n, n, n, time.Now().Add(24*time.Hour).UTC().Format(time.RFC3339))
		default:
			w.WriteHeader(404)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &keys
}

func metadataSigner(t *testing.T, endpoint string) *auth.MetadataSigner {
	s, err := auth.NewMetadataSigner(auth.WithMetadataEndpoint(endpoint))
	require.NoError(t, err)
	return s
}

func gatewayError(status int, code string) httpmock.Responder {
	return jsonResponder(status, fmt.Sprintf(`{"error_code":%q,"error_msg":"refused"}`, code))
}

func TestAGateway401DropsTheMetadataCredentialsAndRetriesOnceWithNewOnes(t *testing.T) {
	md, keys := metadataServer(t, 0)
	c, mt, _ := newMockClientWithSigner(t, metadataSigner(t, md.URL))
	var tokens []string
	mt.RegisterResponder("GET", imageURL, func(r *http.Request) (*http.Response, error) {
		tokens = append(tokens, r.Header.Get(auth.HeaderSecurityToken))
		if len(tokens) == 1 {
			return gatewayError(401, "APIGW.0301")(r)
		}
		return jsonResponder(200, `{"id":"img-1"}`)(r)
	})
	_, err := c.GetImage(context.Background(), "img-1")
	require.NoError(t, err)
	assert.Equal(t, []string{"sec-token-0001-0123456789", "sec-token-0002-0123456789"}, tokens)
	assert.EqualValues(t, 2, keys.Load())
}

func TestAGateway401IsRetriedOnceOnly(t *testing.T) {
	md, keys := metadataServer(t, 0)
	c, mt, _ := newMockClientWithSigner(t, metadataSigner(t, md.URL))
	mt.RegisterResponder("GET", imageURL, gatewayError(401, "APIGW.0301"))
	_, err := c.GetImage(context.Background(), "img-1")
	assert.ErrorIs(t, err, ErrUnauthorized)
	assert.Equal(t, 2, mt.GetTotalCallCount())
	assert.EqualValues(t, 2, keys.Load())
}

func TestAClockSkew401KeepsTheMetadataCredentials(t *testing.T) {
	md, keys := metadataServer(t, 0)
	c, mt, _ := newMockClientWithSigner(t, metadataSigner(t, md.URL))
	mt.RegisterResponder("GET", imageURL, gatewayError(401, CodeSignatureExpired))
	_, err := c.GetImage(context.Background(), "img-1")
	assert.ErrorIs(t, err, ErrUnauthorized)
	assert.Equal(t, 1, mt.GetTotalCallCount(), "new keys do not fix a clock")
	assert.EqualValues(t, 1, keys.Load())
}

func TestAMetadata503IsRetriedLikeAnyOther503(t *testing.T) {
	md, keys := metadataServer(t, 1)
	c, mt, _ := newMockClientWithSigner(t, metadataSigner(t, md.URL))
	mt.RegisterResponder("GET", imageURL, jsonResponder(200, `{"id":"img-1"}`))
	_, err := c.GetImage(context.Background(), "img-1")
	require.NoError(t, err)
	assert.EqualValues(t, 2, keys.Load())
	assert.Equal(t, 1, mt.GetTotalCallCount())
}
