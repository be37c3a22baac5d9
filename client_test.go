package modelarts

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelarts-go/modelarts/auth"
)

func TestNewClientChecksEndpoint(t *testing.T) {
	signer := auth.NewTokenSigner(testToken)
	ok := map[string]string{
		"https://modelarts.cn-north-4.myhuaweicloud.com":  "https://modelarts.cn-north-4.myhuaweicloud.com",
		"https://modelarts.cn-north-4.myhuaweicloud.com/": "https://modelarts.cn-north-4.myhuaweicloud.com",
		"https://gw.example.com/modelarts/":               "https://gw.example.com/modelarts",
		"http://127.0.0.1:8080":                           "http://127.0.0.1:8080",
		"http://localhost:9000/":                          "http://localhost:9000",
		"http://[::1]:9000":                               "http://[::1]:9000",
	}
	for in, want := range ok {
		c, err := NewClient(in, testProject, signer)
		require.NoError(t, err, in)
		assert.Equal(t, want, c.Endpoint())
	}
	bad := map[string]string{
		"":                             "empty",
		"modelarts.cn-north-4.com":     "absolute",
		"http://modelarts.example.com": "clear text",
		"http://10.0.0.1":              "clear text",
		"ftp://modelarts.example.com":  "scheme",
		"https://user:pw@example.com":  "user info",
		"https://example.com/?a=b":     "query",
		"https://example.com/#frag":    "fragment",
		"https://":                     "absolute",
		"://nonsense":                  "not a URL",
	}
	for in, want := range bad {
		_, err := NewClient(in, testProject, signer)
		require.Error(t, err, in)
		assert.ErrorIs(t, err, ErrInvalidRequest, in)
		assert.Contains(t, err.Error(), want, in)
		assert.NotContains(t, err.Error(), ":pw@", "the password of a URL is never echoed")
	}
}

func TestNewClientChecksProjectSignerAndOptions(t *testing.T) {
	signer := auth.NewTokenSigner(testToken)
	for _, p := range []string{"../x", "a/b", "a b", "..", strings.Repeat("a", 200)} {
		_, err := NewClient(testEndpoint, p, signer)
		assert.ErrorIs(t, err, ErrInvalidRequest, "project %q", p)
	}
	// No project: discovered when the endpoint names the region, refused
	// when nothing names one.
	_, err := NewClient("https://modelarts.example.org", "", signer)
	assert.ErrorIs(t, err, ErrInvalidRequest)
	assert.ErrorContains(t, err, "names no region")
	_, err = NewClient(testEndpoint, testProject, nil)
	assert.ErrorIs(t, err, ErrInvalidRequest)
	assert.Contains(t, err.Error(), "signer")

	for name, opt := range map[string]Option{
		"WithAttemptTimeout": WithAttemptTimeout(0),
		"WithHTTPClient":     WithHTTPClient(nil),
		"WithRetry":          WithRetry(RetryPolicy{MaxAttempts: -1}),
		"WithRateLimit":      WithRateLimit(0, 1),
	} {
		_, err := NewClient(testEndpoint, testProject, signer, opt)
		assert.ErrorIs(t, err, ErrInvalidRequest, name)
		assert.Contains(t, err.Error(), name)
	}
	_, err = NewClient(testEndpoint, testProject, signer, WithRetry(RetryPolicy{MinWait: time.Hour, MaxWait: 10 * time.Millisecond}))
	assert.ErrorIs(t, err, ErrInvalidRequest, "a backoff cap below the first wait")
	assert.Contains(t, err.Error(), "MinWait 1h0m0s")
}

func TestNewClientLeavesTheCallersHTTPClientAlone(t *testing.T) {
	hc := &http.Client{}
	_, err := NewClient(testEndpoint, testProject, auth.NewTokenSigner(testToken), WithHTTPClient(hc))
	require.NoError(t, err)
	assert.Nil(t, hc.Transport)
	assert.Nil(t, hc.CheckRedirect)
	assert.Zero(t, hc.Timeout)
}

func TestRequestHeaders(t *testing.T) {
	c, mt, _ := newMockClient(t, WithUserAgent("my-service/1.2"))
	var got *http.Request
	var body []byte
	mt.RegisterResponder("POST", testEndpoint+projectPath+"/images", func(r *http.Request) (*http.Response, error) {
		got = r
		body, _ = io.ReadAll(r.Body)
		return jsonResponder(200, string(fixture(t, "register_response.json")))(r)
	})
	_, err := c.RegisterImage(context.Background(), &RegisterImageRequest{SWRPath: "swr.x.com/org/name:tag"})
	require.NoError(t, err)
	assert.Equal(t, testToken, got.Header.Get("X-Auth-Token"))
	assert.Equal(t, "application/json;charset=UTF-8", got.Header.Get("Content-Type"))
	assert.Equal(t, "application/json", got.Header.Get("Accept"))
	assert.Equal(t, "modelarts-go/"+Version+" my-service/1.2", got.Header.Get("User-Agent"))
	assert.Equal(t, testProject, got.Header.Get("X-Project-Id"))
	assert.JSONEq(t, `{"swr_path":"swr.x.com/org/name:tag"}`, string(body))
}

func TestDefaultUserAgent(t *testing.T) {
	c, mt, _ := newMockClient(t)
	mt.RegisterResponder("GET", `=~/images/x$`, func(r *http.Request) (*http.Response, error) {
		assert.Equal(t, "modelarts-go/"+Version, r.Header.Get("User-Agent"))
		return jsonResponder(200, `{"id":"x"}`)(r)
	})
	_, err := c.GetImage(context.Background(), "x")
	require.NoError(t, err)
}

func TestPathEscapingAndTraversal(t *testing.T) {
	c, mt, _ := newMockClient(t)
	for _, id := range []string{"../x", "a/b", "a?b", "a#b", "%2F", "..", ".", "a b", "a%2e", "", "ü"} {
		_, err := c.GetImage(context.Background(), id)
		require.Error(t, err, "id %q", id)
		assert.ErrorIs(t, err, ErrInvalidRequest, "id %q", id)
		_, err = c.CreateImageFromNotebook(context.Background(), id, &CreateImageRequest{Name: "n", Namespace: "ns"})
		assert.ErrorIs(t, err, ErrInvalidRequest, "notebook id %q", id)
		assert.ErrorIs(t, c.DeleteImage(context.Background(), id), ErrInvalidRequest)
		_, err = c.GetNotebook(context.Background(), id)
		assert.ErrorIs(t, err, ErrInvalidRequest)
	}
	assert.Zero(t, mt.GetTotalCallCount(), "bad IDs never reach the wire")

	mt.RegisterResponder("GET", testEndpoint+projectPath+"/images/4e0d1854-63e5.v2_x", jsonResponder(200, `{"id":"4e0d1854-63e5.v2_x"}`))
	img, err := c.GetImage(context.Background(), "4e0d1854-63e5.v2_x")
	require.NoError(t, err)
	assert.Equal(t, "4e0d1854-63e5.v2_x", img.ID)
}

func TestBothSuccessCodesAndRedirectsNotFollowed(t *testing.T) {
	c, mt, _ := newMockClient(t)
	mt.RegisterResponder("POST", `=~/create-image$`, jsonResponder(201, string(fixture(t, "create_image_response.json"))))
	img, err := c.CreateImageFromNotebook(context.Background(), "nb-1", &CreateImageRequest{Name: "pytorch1_4", Namespace: "atelier-auto"})
	require.NoError(t, err)
	assert.Equal(t, ImageStatusInit, img.Status)

	mt.RegisterResponder("GET", `=~/images/moved$`, func(r *http.Request) (*http.Response, error) {
		resp := httpmock.NewStringResponse(302, "")
		resp.Header.Set("Location", "https://evil.example.com/steal")
		return resp, nil
	})
	_, err = c.GetImage(context.Background(), "moved")
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 302, apiErr.StatusCode)
	assert.Equal(t, 1, mt.GetTotalCallCount()-1, "the redirect target was never asked")
}

func TestErrorShapes(t *testing.T) {
	cases := []struct {
		name                 string
		status               int
		body                 string
		header               map[string]string
		code, msg, requestID string
		is                   []error
	}{
		{"error_msg", 400, `{"error_code":"ModelArts.6404","error_msg":"Image not found"}`, nil, "ModelArts.6404", "Image not found", "req-123", []error{ErrNotFound}},
		{"error_message", 400, `{"error_code":"ModelArts.6309","error_message":"The instance does not exist."}`, nil, "ModelArts.6309", "The instance does not exist.", "req-123", []error{ErrNotFound}},
		{"code/message", 403, `{"code":"APIGW.0303","message":"signature expired","request_id":"gw-9"}`, map[string]string{"X-Request-Id": ""}, "APIGW.0303", "signature expired", "gw-9", []error{ErrForbidden}},
		{"numeric code", 401, `{"code":401,"message":"bad"}`, nil, "401", "bad", "req-123", []error{ErrUnauthorized}},
		{"html", 502, "<html><body><h1>502 Bad Gateway</h1>\n</body></html>", nil, "", "<html><body><h1>502 Bad Gateway</h1> </body></html>", "req-123", nil},
		{"empty", 404, "", nil, "", "Not Found", "req-123", []error{ErrNotFound}},
		{"6797", 400, `{"error_code":"ModelArts.6797","error_msg":"image cannot be found"}`, nil, "ModelArts.6797", "image cannot be found", "req-123", []error{ErrNotFound}},
		{"throttled 6101", 429, `{"error_code":"ModelArts.6101","error_msg":"System busy"}`, nil, "ModelArts.6101", "System busy", "req-123", []error{ErrThrottled}},
		{"conflict", 409, `{"error_code":"X","error_msg":"exists"}`, nil, "X", "exists", "req-123", []error{ErrConflict}},
		{"duplicate tag", 400, `{"error_code":"ModelArts.6737","error_msg":"dup"}`, nil, "ModelArts.6737", "dup", "req-123", []error{ErrConflict}},
		{"not running", 400, `{"error_code":"ModelArts.6327","error_msg":"not running"}`, nil, "ModelArts.6327", "not running", "req-123", []error{ErrNotebookNotRunning}},
		{"in progress", 400, `{"error_code":"ModelArts.6357","error_msg":"busy"}`, nil, "ModelArts.6357", "busy", "req-123", []error{ErrOperationInProgress}},
		{"json array", 400, `[1,2]`, nil, "", "[1,2]", "req-123", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, mt, _ := newMockClient(t, WithRetry(RetryPolicy{MaxAttempts: 1}))
			mt.RegisterResponder("GET", `=~/images/img-1$`, func(r *http.Request) (*http.Response, error) {
				resp := httpmock.NewStringResponse(tc.status, tc.body)
				resp.Header.Set("X-Request-Id", "req-123")
				for k, v := range tc.header {
					resp.Header.Set(k, v)
				}
				return resp, nil
			})
			_, err := c.GetImage(context.Background(), "img-1")
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tc.status, apiErr.StatusCode)
			assert.Equal(t, tc.code, apiErr.Code)
			if tc.code == CodeSignatureExpired {
				assert.True(t, strings.HasPrefix(apiErr.Message, tc.msg), apiErr.Message)
			} else {
				assert.Equal(t, tc.msg, apiErr.Message)
			}
			assert.Equal(t, tc.requestID, apiErr.RequestID)
			assert.Equal(t, "GET", apiErr.Method)
			assert.Equal(t, projectPath+"/images/img-1", apiErr.Path)
			for _, target := range tc.is {
				assert.ErrorIs(t, err, target)
			}
			for _, other := range []error{ErrNotFound, ErrUnauthorized, ErrForbidden, ErrThrottled, ErrConflict, ErrNotebookNotRunning, ErrOperationInProgress} {
				if !containsErr(tc.is, other) {
					assert.NotErrorIs(t, err, other)
				}
			}
			assert.NotContains(t, err.Error(), testToken)
		})
	}
}

func containsErr(list []error, e error) bool {
	for _, x := range list {
		if x == e {
			return true
		}
	}
	return false
}

func TestAPIErrorMessage(t *testing.T) {
	e := &APIError{StatusCode: 400, Code: "ModelArts.6404", Message: "image not found", RequestID: "5c1a", Method: "GET", Path: "/v1/p/images/i"}
	assert.Equal(t, "modelarts: GET /v1/p/images/i: 400 ModelArts.6404: image not found (request id 5c1a)", e.Error())
}

func TestLongErrorBodiesAreShortenedAndBounded(t *testing.T) {
	c, mt, _ := newMockClient(t, WithRetry(RetryPolicy{MaxAttempts: 1}))
	mt.RegisterResponder("GET", `=~/images/x$`, func(r *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 400, Header: http.Header{}, Body: io.NopCloser(io.LimitReader(neverEnding('x'), 5<<20))}, nil
	})
	_, err := c.GetImage(context.Background(), "x")
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.LessOrEqual(t, len(apiErr.Message), 210)
}

type neverEnding byte

func (b neverEnding) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(b)
	}
	return len(p), nil
}

func TestSuccessBodiesThatCannotBeDecoded(t *testing.T) {
	cases := map[string]string{
		"empty":     "",
		"blank":     "  \n",
		"html":      "<html>maintenance</html>",
		"truncated": `{"id":"x","name":"abc`,
		"wrong":     `{"id":["x"]}`, // no coercion makes a list an ID
		"no id":     `{}`,
		"null":      `null`,
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			c, mt, _ := newMockClient(t)
			mt.RegisterResponder("GET", `=~/images/x$`, jsonResponder(200, body))
			img, err := c.GetImage(context.Background(), "x")
			assert.Nil(t, img)
			var de *DecodeError
			require.ErrorAs(t, err, &de)
			assert.Equal(t, 200, de.StatusCode)
			assert.Contains(t, err.Error(), "GET "+projectPath+"/images/x")
			if b := strings.TrimSpace(body); len(b) > 5 {
				assert.Contains(t, err.Error(), b[:5])
			}
			assert.Equal(t, 1, mt.GetTotalCallCount(), "a 2xx is not retried")
		})
	}
}

func TestSuccessBodyOverTheLimit(t *testing.T) {
	c, mt, _ := newMockClient(t)
	mt.RegisterResponder("GET", `=~/images/x$`, func(r *http.Request) (*http.Response, error) {
		body := io.MultiReader(strings.NewReader(`{"id":"`), io.LimitReader(neverEnding('a'), MaxResponseBytes+100), strings.NewReader(`"}`))
		return &http.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(body)}, nil
	})
	_, err := c.GetImage(context.Background(), "x")
	var de *DecodeError
	require.ErrorAs(t, err, &de)
	assert.Contains(t, err.Error(), "limit")
}

func TestContextIsHonoured(t *testing.T) {
	c, mt, _ := newMockClient(t)
	mt.RegisterResponder("GET", `=~/images/x$`, jsonResponder(200, `{"id":"x"}`))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.GetImage(ctx, "x")
	assert.ErrorIs(t, err, context.Canceled)
	assert.Zero(t, mt.GetTotalCallCount())
}

func TestPerAttemptTimeout(t *testing.T) {
	c, mt, _ := newMockClient(t, WithAttemptTimeout(20*time.Millisecond), WithRetry(RetryPolicy{MaxAttempts: 1}))
	mt.RegisterResponder("GET", `=~/images/slow$`, func(r *http.Request) (*http.Response, error) {
		<-r.Context().Done()
		return nil, r.Context().Err()
	})
	start := time.Now()
	_, err := c.GetImage(context.Background(), "slow")
	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	var re *RequestError
	assert.ErrorAs(t, err, &re)
	assert.Less(t, time.Since(start), 5*time.Second)
}

func TestDecodedBodyIsIndependentOfPooledBuffers(t *testing.T) {
	c, mt, _ := newMockClient(t)
	mt.RegisterResponder("GET", `=~/images/a$`, jsonResponder(200, `{"id":"a","name":"first"}`))
	mt.RegisterResponder("GET", `=~/images/b$`, jsonResponder(200, `{"id":"b","name":"second"}`))
	a, err := c.GetImage(context.Background(), "a")
	require.NoError(t, err)
	_, err = c.GetImage(context.Background(), "b")
	require.NoError(t, err)
	assert.Equal(t, "first", a.Name)
	out, _ := json.Marshal(a)
	assert.Contains(t, string(out), "first")
	assert.False(t, errors.Is(err, ErrNotFound))
}

func TestExpiredSignatureSaysHowFarTheClocksAre(t *testing.T) {
	c, mt, _ := newMockClient(t, WithRetry(RetryPolicy{MaxAttempts: 1}))
	clk := &fakeClock{t: time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)}
	c.now = clk.now
	mt.RegisterResponder("GET", `=~/images/img-1$`, func(r *http.Request) (*http.Response, error) {
		resp := httpmock.NewStringResponse(401, `{"error_code":"APIGW.0303","error_msg":"Incorrect app authentication information: signature expired"}`)
		resp.Header.Set("Date", clk.now().Add(-17*time.Minute).Format(http.TimeFormat))
		return resp, nil
	})
	_, err := c.GetImage(context.Background(), "img-1")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "this machine's clock is 17m0s ahead of the service's Date header")
}

func TestNewClientRefusesASignerThatCanNeverSign(t *testing.T) {
	for name, signer := range map[string]auth.Signer{
		"empty token": auth.NewTokenSigner(""),
		"blank token": auth.NewTokenSigner(" \t"),
		"zero AKSK":   &auth.AKSKSigner{},
		"zero IAM":    &auth.IAMTokenSigner{},
	} {
		_, err := NewClient(testEndpoint, testProject, signer)
		assert.ErrorIs(t, err, ErrInvalidRequest, name)
		assert.ErrorContains(t, err, "signer", name)
	}
	_, err := NewClient(testEndpoint, testProject, auth.NewTokenSigner("a-real-token"))
	assert.NoError(t, err)
}
