package modelartstest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelarts-go/modelarts"
	"github.com/modelarts-go/modelarts/auth"
	"github.com/modelarts-go/modelarts/internal/sdksign"
)

// gatewayCall is one request signed the way the official Huawei Cloud SDK
// signs: user-agent, x-project-id and x-sdk-date (plus x-security-token and
// x-sdk-content-sha256 when sent), never host.
type gatewayCall struct {
	method, path, body string
	ak, sk, token      string
	date               time.Time
	unsignedPayload    bool
	sentBody           string // the body on the wire, when it differs from body
}

func (c gatewayCall) do(t *testing.T, s *Server) (int, map[string]any, http.Header) {
	t.Helper()
	sent := c.body
	if c.sentBody != "" {
		sent = c.sentBody
	}
	req, err := http.NewRequest(c.method, s.URL()+c.path, strings.NewReader(sent))
	require.NoError(t, err)
	date := c.date.UTC().Format(sdksign.DateFormat)
	req.Header.Set("User-Agent", "huaweicloud-usdk-go/3.0")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Project-Id", s.ProjectID())
	req.Header.Set(sdksign.HeaderDate, date)
	signed := []string{"user-agent", "x-project-id"}
	payload := sdksign.HashHex([]byte(c.body))
	if c.unsignedPayload {
		req.Header.Set(sdksign.HeaderContentSHA256, sdksign.UnsignedPayload)
		signed = append(signed, "x-sdk-content-sha256")
		payload = sdksign.UnsignedPayload
	}
	signed = append(signed, "x-sdk-date")
	if c.token != "" {
		req.Header.Set(sdksign.HeaderSecurityToken, c.token)
		signed = append(signed, "x-security-token")
	}
	cr, err := sdksign.CanonicalRequest(req, signed, payload)
	require.NoError(t, err)
	req.Header.Set("Authorization", sdksign.AuthorizationHeader(c.ak, signed, sdksign.Signature(c.sk, date, cr)))
	resp, err := s.HTTPClient().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m), "%s", b)
	return resp.StatusCode, m, resp.Header
}

func TestGatewayChecksAKSKLikeAPIG(t *testing.T) {
	s := NewServer(WithAKSK("AKPERM", "SKPERM"), WithTemporaryAKSK("AKTEMP", "SKTEMP", "sts-token"))
	defer s.Close()
	images := "/v1/" + s.ProjectID() + "/images"
	get := images + "/" + builtinPyTorchID
	now := time.Now()
	register := `{"swr_path":"swr.cn-north-4.myhuaweicloud.com/team/unsigned:v1"}`

	cases := []struct {
		name       string
		call       gatewayCall
		wantStatus int
		wantCode   string
	}{
		{"official SDK signing, no host", gatewayCall{method: "GET", path: get, ak: "AKPERM", sk: "SKPERM", date: now}, 200, ""},
		{"query with spaces", gatewayCall{method: "GET", path: images + "?show_name=py%20torch&limit=10", ak: "AKPERM", sk: "SKPERM", date: now}, 200, ""},
		{"date 10 minutes behind", gatewayCall{method: "GET", path: get, ak: "AKPERM", sk: "SKPERM", date: now.Add(-10 * time.Minute)}, 200, ""},
		{"temporary key with its token", gatewayCall{method: "GET", path: get, ak: "AKTEMP", sk: "SKTEMP", token: "sts-token", date: now}, 200, ""},
		{"permanent key with a token", gatewayCall{method: "GET", path: get, ak: "AKPERM", sk: "SKPERM", token: "any", date: now}, 200, ""},
		{"unsigned payload declared", gatewayCall{method: "POST", path: images, body: "not what is sent", sentBody: register,
			ak: "AKPERM", sk: "SKPERM", date: now, unsignedPayload: true}, 200, ""},

		{"stale date", gatewayCall{method: "GET", path: get, ak: "AKPERM", sk: "SKPERM", date: now.Add(-20 * time.Minute)}, 401, "APIGW.0303"},
		{"date ahead", gatewayCall{method: "GET", path: get, ak: "AKPERM", sk: "SKPERM", date: now.Add(20 * time.Minute)}, 401, "APIGW.0303"},
		{"tampered body", gatewayCall{method: "POST", path: images, body: register, sentBody: `{"swr_path":"swr.x/evil/n:t"}`,
			ak: "AKPERM", sk: "SKPERM", date: now}, 401, "APIGW.0301"},
		{"wrong SK", gatewayCall{method: "GET", path: get, ak: "AKPERM", sk: "WRONG", date: now}, 401, "APIGW.0301"},
		{"unknown AK", gatewayCall{method: "GET", path: get, ak: "AKNONE", sk: "SKPERM", date: now}, 401, "APIGW.0301"},
		{"temporary key without a token", gatewayCall{method: "GET", path: get, ak: "AKTEMP", sk: "SKTEMP", date: now}, 401, "APIGW.0301"},
		{"temporary key with another token", gatewayCall{method: "GET", path: get, ak: "AKTEMP", sk: "SKTEMP", token: "other", date: now}, 401, "APIGW.0301"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, m, h := c.call.do(t, s)
			require.Equal(t, c.wantStatus, status, "%v", m)
			if c.wantCode == "" {
				return
			}
			assert.Equal(t, c.wantCode, m["error_code"])
			assert.NotEmpty(t, m["request_id"])
			assert.Equal(t, h.Get("X-Request-Id"), m["request_id"], "the body's request_id is the header's")
			assert.NotContains(t, m["error_msg"], "SKPERM")
		})
	}
}

func TestGatewayRequiresSignedDate(t *testing.T) {
	s := NewServer(WithAKSK("AK", "SK-secret"))
	defer s.Close()
	req, err := http.NewRequest("GET", s.URL()+"/v1/"+s.ProjectID()+"/images", nil)
	require.NoError(t, err)
	date := time.Now().UTC().Format(sdksign.DateFormat)
	req.Header.Set(sdksign.HeaderDate, date)
	signed := []string{"host"}
	cr, err := sdksign.CanonicalRequest(req, signed, sdksign.EmptyBodyHash)
	require.NoError(t, err)
	req.Header.Set("Authorization", sdksign.AuthorizationHeader("AK", signed, sdksign.Signature("SK-secret", date, cr)))
	resp, err := s.HTTPClient().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var m map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&m))
	assert.Equal(t, 401, resp.StatusCode)
	assert.Equal(t, "APIGW.0301", m["error_code"])
	assert.Contains(t, m["error_msg"], "x-sdk-date")
}

func TestGatewayAcceptsOurSigner(t *testing.T) {
	s := NewServer(WithAKSK("AK", "SK-secret"), WithTemporaryAKSK("AKT", "SKT-secret", "sts"))
	defer s.Close()
	perm, err := auth.NewAKSKSigner("AK", "SK-secret")
	require.NoError(t, err)
	temp, err := auth.NewAKSKSigner("AKT", "SKT-secret", auth.WithSecurityToken("sts"))
	require.NoError(t, err)
	wrongToken, err := auth.NewAKSKSigner("AKT", "SKT-secret", auth.WithSecurityToken("not-sts"))
	require.NoError(t, err)
	ctx := context.Background()
	for _, signer := range []auth.Signer{perm, temp} {
		c, err := modelarts.NewClient(s.URL(), s.ProjectID(), signer, modelarts.WithHTTPClient(s.HTTPClient()))
		require.NoError(t, err)
		img, err := c.GetImage(ctx, builtinPyTorchID)
		require.NoError(t, err)
		assert.Equal(t, builtinPyTorchID, img.ID)
		_, err = c.ListImagesPage(ctx, &modelarts.ListImagesOptions{ShowName: "py torch&x=1"})
		require.NoError(t, err)
	}
	c, err := modelarts.NewClient(s.URL(), s.ProjectID(), wrongToken, modelarts.WithHTTPClient(s.HTTPClient()))
	require.NoError(t, err)
	_, err = c.GetImage(ctx, builtinPyTorchID)
	require.Error(t, err)
	var apiErr *modelarts.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "APIGW.0301", apiErr.Code)
}
