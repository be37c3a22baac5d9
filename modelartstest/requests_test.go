package modelartstest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelarts-go/modelarts"
	"github.com/modelarts-go/modelarts/auth"
)

func TestRequestsLogMethodPathQueryBodyAndTokenIdentityInOrder(t *testing.T) {
	clk := NewManualClock(t0)
	s := NewServer(WithClock(clk))
	defer s.Close()
	raw(t, s, "GET", v1(s)+"/images?type=DEDICATED&limit=5", "", nil)
	clk.Advance(time.Second)
	raw(t, s, "POST", v1(s)+"/images", `{"swr_path":"swr.fake.local/team/logged:v1"}`, nil)
	raw(t, s, "GET", "/v1/nowhere", "", nil)
	raw(t, s, "GET", v1(s)+"/images/x", "", map[string]string{"X-Auth-Token": "not-a-token"})

	reqs := s.Requests()
	require.Len(t, reqs, 4)
	assert.Equal(t, RouteListImages, reqs[0].Route)
	assert.Equal(t, "GET", reqs[0].Method)
	assert.Equal(t, v1(s)+"/images", reqs[0].Path)
	assert.Equal(t, "5", reqs[0].Query.Get("limit"))
	assert.Equal(t, Identity{Kind: AuthToken, Verified: true}, reqs[0].Identity)
	assert.Equal(t, t0, reqs[0].At)
	assert.Equal(t, RouteRegisterImage, reqs[1].Route)
	assert.JSONEq(t, `{"swr_path":"swr.fake.local/team/logged:v1"}`, string(reqs[1].Body))
	assert.Equal(t, t0.Add(time.Second), reqs[1].At)
	assert.Equal(t, Route(""), reqs[2].Route, "a path the fake does not serve")
	assert.Equal(t, Identity{Kind: AuthToken}, reqs[3].Identity, "an unknown token is logged, unverified")
}

func TestRequestsLogTheAccessKeyOfASignedRequest(t *testing.T) {
	s := NewServer(WithAKSK("AKLOGGED", "secret-key-of-the-test-0123456789"))
	defer s.Close()
	signer, err := auth.NewAKSKSigner("AKLOGGED", "secret-key-of-the-test-0123456789")
	require.NoError(t, err)
	c, err := modelarts.NewClient(s.URL(), s.ProjectID(), signer, modelarts.WithHTTPClient(s.HTTPClient()))
	require.NoError(t, err)
	_, err = c.GetImage(context.Background(), builtinPyTorchID)
	require.NoError(t, err)
	reqs := s.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, Identity{Kind: AuthAKSK, AccessKey: "AKLOGGED", Verified: true}, reqs[0].Identity)
	assert.Contains(t, reqs[0].Header.Get("Authorization"), "Access=AKLOGGED")
}

func TestRequestsAreTheCallersOwnCopies(t *testing.T) {
	s := NewServer()
	defer s.Close()
	raw(t, s, "POST", v1(s)+"/images", `{"swr_path":"swr.fake.local/team/copied:v1"}`, nil)
	r := s.Requests()
	r[0].Body[0] = 'X'
	r[0].Query.Set("changed", "yes")
	again := s.Requests()
	assert.Equal(t, byte('{'), again[0].Body[0])
	assert.False(t, again[0].Query.Has("changed"))
}

func TestFaultedRequestsAreLoggedWithoutAnIdentity(t *testing.T) {
	s := NewServer()
	defer s.Close()
	s.InjectFault(RouteGetImage, ErrorAnswer{Status: 503})
	st, _, _ := raw(t, s, "GET", v1(s)+"/images/x", "", nil)
	assert.Equal(t, 503, st)
	reqs := s.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, RouteGetImage, reqs[0].Route)
	assert.Equal(t, AuthNone, reqs[0].Identity.Kind)
}

func TestWrapSeesRequestsTheGatewayAcceptedAndCanCallTheFakesHandler(t *testing.T) {
	s := NewServer()
	defer s.Close()
	var seen []string
	s.Wrap(RouteGetImage, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			seen = append(seen, r.PathValue("id"))
			w.Header().Set("X-Wrapped", "yes")
			next.ServeHTTP(w, r)
		})
	})
	st, m, h := raw(t, s, "GET", v1(s)+"/images/"+builtinPyTorchID, "", nil)
	assert.Equal(t, 200, st)
	assert.Equal(t, builtinPyTorchID, m["id"])
	assert.Equal(t, "yes", h.Get("X-Wrapped"))
	st, _, _ = raw(t, s, "GET", v1(s)+"/images/x", "", map[string]string{"X-Auth-Token": "bad"})
	assert.Equal(t, 401, st)
	assert.Equal(t, []string{builtinPyTorchID}, seen, "a refused request never reaches the wrapper")
}

func TestReplaceAnswersInsteadOfTheFakeUntilUnwrap(t *testing.T) {
	s := NewServer()
	defer s.Close()
	s.Replace(RouteGetImage, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"id": r.PathValue("id"), "status": "FROZEN_BY_TEST"})
	}))
	_, m, _ := raw(t, s, "GET", v1(s)+"/images/abc", "", nil)
	assert.Equal(t, "FROZEN_BY_TEST", m["status"])
	s.Unwrap(RouteGetImage)
	st, m, _ := raw(t, s, "GET", v1(s)+"/images/abc", "", nil)
	assert.Equal(t, 400, st)
	assert.Equal(t, "ModelArts.6404", m["error_code"])
	assert.Panics(t, func() { s.Wrap("GET /nowhere", func(h http.Handler) http.Handler { return h }) })
	assert.Panics(t, func() { s.Wrap(RouteGetImage, nil) })
	assert.Panics(t, func() { s.Replace(RouteGetImage, nil) })
}

func TestHandlerServesTheFakeMountedInAnotherServer(t *testing.T) {
	s := NewServer()
	defer s.Close()
	mux := http.NewServeMux()
	mux.Handle("/v1/", s.Handler())
	req := httptest.NewRequest("GET", v1(s)+"/images/"+builtinPyTorchID, nil)
	req.Header.Set("X-Auth-Token", s.Token())
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	assert.Equal(t, 200, rec.Code)
	assert.True(t, strings.Contains(rec.Body.String(), builtinPyTorchID))
	assert.Len(t, s.Requests(), 1)
}

func TestIAMTokensExpireADayAfterIssueOnTheServersClock(t *testing.T) {
	clk := NewManualClock(t0)
	s := NewServer(WithClock(clk))
	defer s.Close()
	creds := s.IAMCredentials()
	body := `{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"` + creds.Username +
		`","password":"` + creds.Password.Reveal() + `","domain":{"name":"` + creds.DomainName + `"}}}},"scope":{"project":{"id":"` + s.ProjectID() + `"}}}}`
	st, m, h := raw(t, s, "POST", "/v3/auth/tokens", body, nil)
	require.Equal(t, 201, st, m)
	tok := h.Get("X-Subject-Token")
	get := func() (int, map[string]any) {
		st, m, _ := raw(t, s, "GET", v1(s)+"/images/"+builtinPyTorchID, "", map[string]string{"X-Auth-Token": tok})
		return st, m
	}
	st, _ = get()
	assert.Equal(t, 200, st)
	clk.Advance(24*time.Hour - time.Second)
	st, _ = get()
	assert.Equal(t, 200, st, "a second before expiry")
	clk.Advance(time.Second)
	st, m = get()
	assert.Equal(t, 401, st)
	assert.Equal(t, "ModelArts.0202", m["error_code"])
	st, _, _ = raw(t, s, "GET", v1(s)+"/images/"+builtinPyTorchID, "", nil)
	assert.Equal(t, 200, st, "the server's own token does not expire")
}

func TestAfterHandlingThenARawAnswerCreatesAndAnswersWhatItSays(t *testing.T) {
	s := NewServer()
	defer s.Close()
	s.InjectFault(RouteRegisterImage, AfterHandling{Then: RawAnswer{Status: 201, Body: `{"result":"success"}`}})
	st, m := registerRaw(t, s, "swr.fake.local/team/after:v1")
	assert.Equal(t, 201, st)
	assert.Equal(t, "success", m["result"])
	assert.Len(t, s.Images(), 3, "the image was made")
}

func TestHangAnswersNothingUntilTheClientLeaves(t *testing.T) {
	s := NewServer()
	defer s.Close()
	s.InjectFault(RouteGetImage, Hang{})
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", s.URL()+v1(s)+"/images/x", nil)
	req.Header.Set("X-Auth-Token", s.Token())
	done := make(chan error, 1)
	go func() {
		resp, err := s.HTTPClient().Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	for s.RequestCount(RouteGetImage) == 0 {
		select {
		case err := <-done:
			t.Fatalf("answered before the client left: %v", err)
		default:
		}
		runtime.Gosched() // yield, without sleeping
	}
	cancel()
	require.Error(t, <-done)
}
