package interop

import (
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/signer"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/request"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelarts-go/modelarts/modelartstest"
)

// officialSigned builds a request the official SDK signs with AKPERM.
func officialSigned(t *testing.T, srv *modelartstest.Server, method, path string, query map[string]string, body string) *http.Request {
	t.Helper()
	b := request.NewHttpRequestBuilder().
		WithEndpoint(srv.URL()).
		WithPath(path).
		WithMethod(method).
		AddHeaderParam("Content-Type", "application/json").
		AddHeaderParam("X-Project-Id", srv.ProjectID())
	for k, v := range query {
		b = b.AddQueryParam(k, reflect.ValueOf(v))
	}
	if body != "" {
		b = b.WithBody("", body)
	}
	req := b.Build()
	added, err := signer.Sign(req, "AKPERM", "SKPERM")
	require.NoError(t, err)
	httpReq, err := req.ConvertRequest()
	require.NoError(t, err)
	for k, v := range added {
		httpReq.Header.Set(k, v)
	}
	return httpReq
}

func send(t *testing.T, srv *modelartstest.Server, req *http.Request) (int, map[string]any) {
	t.Helper()
	resp, err := srv.HTTPClient().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return resp.StatusCode, m
}

// The fake's gateway verifies with code of its own; the official SDK's
// canonicalisation of queries with characters to encode, several keys
// and a body must agree with it.
func TestFakesOwnVerifierAcceptsOfficialSignaturesOfOddRequests(t *testing.T) {
	srv := modelartstest.NewServer(modelartstest.WithAKSK("AKPERM", "SKPERM"))
	defer srv.Close()
	images := "/v1/" + srv.ProjectID() + "/images"
	st, m := send(t, srv, officialSigned(t, srv, "GET", images,
		map[string]string{"type": "DEDICATED", "namespace": "team", "name": "a.b_c-d", "sort_key": "name,create_at", "limit": "5"}, ""))
	assert.Equal(t, 200, st, m)
	st, m = send(t, srv, officialSigned(t, srv, "POST", images, nil,
		`{"swr_path":"swr.cn-north-4.myhuaweicloud.com/team/odd:v1","description":"with spaces, commas & ampersands"}`))
	assert.Equal(t, 200, st, m)
}

// A request the official SDK signed and something changed afterwards is
// refused by the fake's gateway (401 APIGW.0301).
func TestFakesOwnVerifierRefusesOfficialSignaturesTamperedAfterSigning(t *testing.T) {
	srv := modelartstest.NewServer(modelartstest.WithAKSK("AKPERM", "SKPERM"))
	defer srv.Close()
	images := "/v1/" + srv.ProjectID() + "/images"
	for name, tamper := range map[string]func(r *http.Request){
		"query changed": func(r *http.Request) { r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "DEDICATED", "BUILD_IN", 1) },
		"query added":   func(r *http.Request) { r.URL.RawQuery += "&limit=7" },
		"path changed":  func(r *http.Request) { r.URL.Path += "/group" },
		"signed header changed": func(r *http.Request) {
			r.Header.Set("X-Project-Id", strings.Repeat("f", 32))
		},
		"signature altered": func(r *http.Request) {
			a := r.Header.Get("Authorization")
			// Another hex digit in the last place ("01"[c%2] kept a
			// final '0' or '1' as it was, one signature in eight).
			last := "0"
			if a[len(a)-1] == '0' {
				last = "1"
			}
			r.Header.Set("Authorization", a[:len(a)-1]+last)
		},
	} {
		t.Run(name, func(t *testing.T) {
			req := officialSigned(t, srv, "GET", images, map[string]string{"type": "DEDICATED"}, "")
			tamper(req)
			st, m := send(t, srv, req)
			assert.Equal(t, 401, st, m)
			assert.Equal(t, "APIGW.0301", m["error_code"])
		})
	}
	t.Run("body changed", func(t *testing.T) {
		req := officialSigned(t, srv, "POST", images, nil, `{"swr_path":"swr.cn-north-4.myhuaweicloud.com/team/tampered:v1"}`)
		sent := `{"swr_path":"swr.cn-north-4.myhuaweicloud.com/team/tampered:v2"}`
		req.Body, req.ContentLength = io.NopCloser(strings.NewReader(sent)), int64(len(sent))
		st, m := send(t, srv, req)
		assert.Equal(t, 401, st, m)
		assert.Equal(t, "APIGW.0301", m["error_code"])
	})
}
