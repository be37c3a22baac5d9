package auth

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelarts-go/modelarts/internal/sdksign"
)

const (
	vecProject = "a4a5d4098fb4474fa22cd05f897d6b99"
	vecHost    = "modelarts.cn-north-4.myhuaweicloud.com"
)

var vecDate = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

func fixedSigner(t *testing.T, opts ...AKSKOption) *AKSKSigner {
	t.Helper()
	s, err := NewAKSKSigner("AKEXAMPLE", "SKEXAMPLE", opts...)
	require.NoError(t, err)
	s.now = func() time.Time { return vecDate }
	return s
}

// The expected values were computed by an independent implementation of
// the algorithm as the signing specification states it.
func TestAKSKVectorGETWithTrickyQuery(t *testing.T) {
	req, err := http.NewRequest("GET", "https://"+vecHost+"/v1/"+vecProject+
		"/images?name=py%20torch&limit=10&type=DEDICATED&name=%C3%BCber%2Fx%26y%3Dz", nil)
	require.NoError(t, err)
	req.Header.Set(HeaderProjectID, vecProject)
	require.NoError(t, fixedSigner(t).Sign(req))

	assert.Equal(t, "20261122T100000Z", req.Header.Get("X-Sdk-Date"))
	assert.Equal(t, "SDK-HMAC-SHA256 Access=AKEXAMPLE, SignedHeaders=host;x-project-id;x-sdk-date, "+
		"Signature=92e1aee05639090c72e8a6ce64227a248e9a7fa379f70c8234026f202802c5a3", req.Header.Get("Authorization"))

	cr, err := sdksign.CanonicalRequest(req, []string{"host", "x-project-id", "x-sdk-date"}, sdksign.EmptyBodyHash)
	require.NoError(t, err)
	assert.Equal(t, "GET\n/v1/"+vecProject+"/images/\nlimit=10&name=py%20torch&name=%C3%BCber%2Fx%26y%3Dz&type=DEDICATED\n"+
		"host:"+vecHost+"\nx-project-id:"+vecProject+"\nx-sdk-date:20261122T100000Z\n\nhost;x-project-id;x-sdk-date\n"+sdksign.EmptyBodyHash, cr)
}

func TestAKSKVectorPOSTWithBodyAndSecurityToken(t *testing.T) {
	body := `{"name":"pytorch1_4","namespace":"atelier-auto"}`
	req, err := http.NewRequest("POST", "https://"+vecHost+"/v1/"+vecProject+"/notebooks/nb-1/create-image", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set(HeaderProjectID, vecProject)
	require.NoError(t, fixedSigner(t, WithSecurityToken("TEMPTOKEN")).Sign(req))
	assert.Equal(t, "SDK-HMAC-SHA256 Access=AKEXAMPLE, SignedHeaders=host;x-project-id;x-sdk-date;x-security-token, "+
		"Signature=8f05482c79e482272439f04ac9efcb9a947ffc51d4919476dbca71fedd9a1f8b", req.Header.Get("Authorization"))
	assert.Equal(t, "TEMPTOKEN", req.Header.Get("X-Security-Token"))

	sent, err := io.ReadAll(req.Body)
	require.NoError(t, err)
	assert.Equal(t, body, string(sent), "the body is still there to send")
	again, err := req.GetBody()
	require.NoError(t, err)
	b2, _ := io.ReadAll(again)
	assert.Equal(t, body, string(b2))
}

func TestCanonicalURIAndQuery(t *testing.T) {
	assert.Equal(t, "/", sdksign.CanonicalURI(""))
	assert.Equal(t, "/", sdksign.CanonicalURI("/"))
	assert.Equal(t, "/v1/p/images/", sdksign.CanonicalURI("/v1/p/images"))
	assert.Equal(t, "/v1/p/images/", sdksign.CanonicalURI("/v1/p/images/"))
	assert.Equal(t, "/a%20b/%C3%BC/c~d/", sdksign.CanonicalURI("/a b/ü/c~d"))

	cases := map[string]string{
		"":                     "",
		"b=2&a=1":              "a=1&b=2",
		"a=2&a=1&a=10":         "a=1&a=10&a=2",
		"q=a+b":                "q=a%20b",
		"q=a%2Bb":              "q=a%2Bb",
		"path=%2Fx%2Fy":        "path=%2Fx%2Fy",
		"k=%26%3D":             "k=%26%3D",
		"u=%E6%97%A5%E6%9C%AC": "u=%E6%97%A5%E6%9C%AC",
		"empty=&flag":          "empty=&flag=",
		"tilde=~a-b_c.d":       "tilde=~a-b_c.d",
		"star=*":               "star=%2A",
	}
	for in, want := range cases {
		got, err := sdksign.CanonicalQuery(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	_, err := sdksign.CanonicalQuery("bad=%zz")
	assert.Error(t, err)
}

// verifyingServer recomputes each request's signature as the gateway does
// and answers 200 or 401.
func verifyingServer(t *testing.T, keys map[string]string) (*httptest.Server, *[]string) {
	var failures []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		err := sdksign.Verify(r, body, func(ak string) (string, bool) { sk, ok := keys[ak]; return sk, ok }, time.Now())
		if err != nil {
			failures = append(failures, err.Error())
			w.WriteHeader(401)
			return
		}
		w.WriteHeader(200)
	}))
	t.Cleanup(srv.Close)
	return srv, &failures
}

func TestAKSKVerifiedServerSide(t *testing.T) {
	srv, failures := verifyingServer(t, map[string]string{"AK1": "SK1-secret"})
	signer, err := NewAKSKSigner("AK1", "SK1-secret")
	require.NoError(t, err)
	tmp, err := NewAKSKSigner("AK1", "SK1-secret", WithSecurityToken("temporary-token"))
	require.NoError(t, err)

	queries := []string{
		"", "name=py%20torch", "name=a+b", "p=%2Fa%2Fb", "x=%26%3D%3F", "u=%E6%97%A5%E6%9C%AC&u=abc&u=%C3%BC",
		"a=1&a=1&b=", "name_fuzzy_match=true&limit=200&offset=400&sort_dir=DESC",
	}
	for _, q := range queries {
		for _, s := range []Signer{signer, tmp} {
			req, _ := http.NewRequest("GET", srv.URL+"/v1/p/images?"+q, nil)
			req.Header.Set(HeaderProjectID, "p")
			require.NoError(t, s.Sign(req))
			resp, err := srv.Client().Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, 200, resp.StatusCode, "query %q: %v", q, *failures)
		}
	}
	for _, body := range []string{`{"swr_path":"swr.x/o/n:t"}`, "", strings.Repeat("é", 10000)} {
		req, _ := http.NewRequest("POST", srv.URL+"/v1/p/images", bytes.NewBufferString(body))
		require.NoError(t, tmp.Sign(req))
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, 200, resp.StatusCode, "%v", *failures)
	}
}

func TestAKSKTamperingIsRejected(t *testing.T) {
	srv, _ := verifyingServer(t, map[string]string{"AK1": "SK1-secret"})
	signer, err := NewAKSKSigner("AK1", "SK1-secret", WithSecurityToken("tok-0123"))
	require.NoError(t, err)
	tamper := map[string]func(r *http.Request){
		"body": func(r *http.Request) {
			r.Body = io.NopCloser(strings.NewReader(`{"swr_path":"swr.x/o/evil:t"}`))
			r.ContentLength = -1
		},
		"path":  func(r *http.Request) { r.URL.Path = "/v1/p/images/other" },
		"query": func(r *http.Request) { r.URL.RawQuery = "limit=11" },
		"date": func(r *http.Request) {
			r.Header.Set("X-Sdk-Date", time.Now().UTC().Add(time.Second).Format(sdksign.DateFormat))
		},
		"stale date": func(r *http.Request) {
			// re-sign 20 minutes in the past: a valid signature, an expired date
			s, _ := NewAKSKSigner("AK1", "SK1-secret", WithSecurityToken("tok-0123"))
			s.now = func() time.Time { return time.Now().Add(-20 * time.Minute) }
			_ = s.Sign(r)
		},
		"security token": func(r *http.Request) { r.Header.Set("X-Security-Token", "other") },
		"project":        func(r *http.Request) { r.Header.Set(HeaderProjectID, "q") },
		"wrong key": func(r *http.Request) {
			s, _ := NewAKSKSigner("AK1", "WRONG")
			_ = s.Sign(r)
		},
		"unknown ak": func(r *http.Request) {
			s, _ := NewAKSKSigner("AK2", "SK1-secret")
			_ = s.Sign(r)
		},
	}
	for name, f := range tamper {
		t.Run(name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", srv.URL+"/v1/p/images?limit=10", strings.NewReader(`{"swr_path":"swr.x/o/n:t"}`))
			req.Header.Set(HeaderProjectID, "p")
			require.NoError(t, signer.Sign(req))
			f(req)
			resp, err := srv.Client().Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, 401, resp.StatusCode)
		})
	}
}

func TestAKSKFreshDatePerAttempt(t *testing.T) {
	s := fixedSigner(t)
	now := vecDate
	s.now = func() time.Time { now = now.Add(time.Second); return now }
	req, _ := http.NewRequest("GET", "https://"+vecHost+"/v1/p/images", nil)
	require.NoError(t, s.Sign(req))
	first, firstAuth := req.Header.Get("X-Sdk-Date"), req.Header.Get("Authorization")
	require.NoError(t, s.Sign(req))
	assert.NotEqual(t, first, req.Header.Get("X-Sdk-Date"))
	assert.NotEqual(t, firstAuth, req.Header.Get("Authorization"))
}

func TestAKSKRejectsBadInput(t *testing.T) {
	_, err := NewAKSKSigner("", "sk")
	assert.Error(t, err)
	_, err = NewAKSKSigner("ak", "")
	assert.Error(t, err)
	assert.NotContains(t, err.Error(), "sk\"")

	s := fixedSigner(t)
	big := bytes.Repeat([]byte("a"), MaxSignedBodyBytes+1)
	req, _ := http.NewRequest("POST", "https://"+vecHost+"/v1/p/images", bytes.NewReader(big))
	err = s.Sign(req)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "12 MB")

	req, _ = http.NewRequestWithContext(context.Background(), "GET", "https://"+vecHost+"/x?bad=%zz", nil)
	req.URL = &url.URL{Scheme: "https", Host: vecHost, Path: "/x", RawQuery: "bad=%zz"}
	assert.Error(t, s.Sign(req))
}

func TestTooShortSecretsAreRefused(t *testing.T) {
	_, err := NewAKSKSigner("AK-0123", "sk3")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "sk3")
	assert.Error(t, NewTokenSigner("abc").Validate())
	assert.NoError(t, NewTokenSigner("abcd").Validate())
	_, err = NewAKSKSigner("AK-0123", "SK-0123", nil)
	assert.ErrorContains(t, err, "nil")
}
