package modelarts

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGetRetriesServerErrors(t *testing.T) {
	for _, status := range []int{500, 502, 503, 504, 408} {
		c, mt, rec := newMockClient(t)
		mt.RegisterResponder("GET", imageURL, sequence(
			jsonResponder(status, `{"error_code":"X","error_msg":"transient"}`),
			jsonResponder(status, `{"error_code":"X","error_msg":"transient"}`),
			jsonResponder(200, imageJSON("ACTIVE", ""))))
		img, err := c.GetImage(context.Background(), "img-1")
		require.NoError(t, err, "status %d", status)
		assert.Equal(t, ImageStatusActive, img.Status)
		assert.Equal(t, 3, mt.GetTotalCallCount())
		assert.Len(t, rec.all(), 2)
	}
}

func TestRetriesStopAtMaxAttempts(t *testing.T) {
	c, mt, rec := newMockClient(t)
	mt.RegisterResponder("GET", imageURL, jsonResponder(500, `{"error_code":"X","error_msg":"down"}`))
	_, err := c.GetImage(context.Background(), "img-1")
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 500, apiErr.StatusCode)
	assert.Equal(t, 4, mt.GetTotalCallCount(), "4 attempts in all by default")
	waits := rec.all()
	require.Len(t, waits, 3)
	for i, w := range waits {
		assert.LessOrEqual(t, w, expDelay(DefaultMinWait, DefaultMaxWait, i+1), "full jitter under the exponential cap")
	}

	c, mt, _ = newMockClient(t, WithRetry(RetryPolicy{MaxAttempts: 2}))
	mt.RegisterResponder("GET", imageURL, jsonResponder(503, `{}`))
	_, err = c.GetImage(context.Background(), "img-1")
	require.Error(t, err)
	assert.Equal(t, 2, mt.GetTotalCallCount())

	c, mt, _ = newMockClient(t, WithRetry(RetryPolicy{MaxAttempts: 1}))
	mt.RegisterResponder("GET", imageURL, jsonResponder(503, `{}`))
	_, err = c.GetImage(context.Background(), "img-1")
	require.Error(t, err)
	assert.Equal(t, 1, mt.GetTotalCallCount())
}

func TestClientErrorsAreNotRetried(t *testing.T) {
	for _, status := range []int{400, 401, 403, 404, 409} {
		c, mt, _ := newMockClient(t)
		mt.RegisterResponder("GET", imageURL, jsonResponder(status, `{"error_code":"X","error_msg":"no"}`))
		_, err := c.GetImage(context.Background(), "img-1")
		require.Error(t, err)
		assert.Equal(t, 1, mt.GetTotalCallCount(), "status %d", status)
	}
}

func TestThrottlingIsRetriedForEveryMethod(t *testing.T) {
	c, mt, rec := newMockClient(t)
	mt.RegisterResponder("POST", `=~/create-image$`, sequence(
		jsonResponder(429, `{"error_code":"ModelArts.6101","error_msg":"System busy"}`),
		jsonResponder(400, `{"error_code":"ModelArts.6101","error_msg":"System busy"}`),
		jsonResponder(200, `{"id":"img-1"}`)))
	img, err := c.CreateImageFromNotebook(context.Background(), "nb", &CreateImageRequest{Name: "n", Namespace: "ns"})
	require.NoError(t, err)
	assert.Equal(t, "img-1", img.ID)
	assert.Equal(t, 3, mt.GetTotalCallCount())
	assert.Len(t, rec.all(), 2)
}

func retryAfterResponder(status int, after string) httpmock.Responder {
	return func(r *http.Request) (*http.Response, error) {
		resp := httpmock.NewStringResponse(status, `{"error_code":"X","error_msg":"later"}`)
		resp.Header.Set("Retry-After", after)
		return resp, nil
	}
}

func TestRetryAfterIsHonouredAsSent(t *testing.T) {
	c, mt, rec := newMockClient(t)
	clk := newFakeClock()
	c.now = clk.now
	// A GET: a create answered 503 is settled (looked up) before it is
	// sent again, see the create tests.
	mt.RegisterResponder("GET", imageURL, sequence(
		retryAfterResponder(503, "7"),
		retryAfterResponder(429, clk.now().Add(42*time.Second).UTC().Format(http.TimeFormat)),
		retryAfterResponder(429, "3600"),
		jsonResponder(200, `{"id":"img-1"}`)))
	_, err := c.GetImage(context.Background(), "img-1")
	require.NoError(t, err)
	waits := rec.all()
	require.Len(t, waits, 3)
	assert.Equal(t, 7*time.Second, waits[0], "seconds, not shortened to the backoff window")
	assert.InDelta(t, float64(42*time.Second), float64(waits[1]), float64(time.Second), "an HTTP date")
	assert.Equal(t, MaxRetryAfter, waits[2], "capped")
}

func TestRetryAfterWaitEndsWithTheContext(t *testing.T) {
	c, mt, _ := newMockClient(t)
	c.sleep = sleepCtx
	mt.RegisterResponder("GET", imageURL, retryAfterResponder(503, "30"))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.GetImage(ctx, "img-1")
	assert.Less(t, time.Since(start), 5*time.Second)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "503", "the last failure is named")
	assert.Equal(t, 1, mt.GetTotalCallCount())
}

func TestServerErrorOnCreateIsNotRetriedBlindly(t *testing.T) {
	// Without a socket nothing proves the body was not sent, so a 500 on a
	// create is ambiguous: the client looks the image up first.
	c, mt, _ := newMockClient(t)
	var lookups atomic.Int32
	mt.RegisterResponder("POST", `=~/create-image$`, jsonResponder(500, `{"error_code":"X","error_msg":"boom"}`))
	mt.RegisterResponder("GET", testEndpoint+projectPath+"/images", func(r *http.Request) (*http.Response, error) {
		lookups.Add(1)
		q := r.URL.Query()
		assert.Equal(t, "DEDICATED", q.Get("type"))
		assert.Equal(t, "n", q.Get("name"))
		assert.Equal(t, "ns", q.Get("namespace"))
		assert.Equal(t, "false", q.Get("name_fuzzy_match"), "the lookup asks for the exact name")
		return jsonResponder(200, fmt.Sprintf(`{"data":[{"id":"other","name":"n","namespace":"ns","tag":"v0","create_at":%d},{"id":"img-9","name":"n","namespace":"ns","tag":"v1","create_at":%d}],"total":2}`,
			time.Now().UnixMilli(), time.Now().UnixMilli()+1000))(r)
	})
	mt.RegisterResponder("GET", testEndpoint+projectPath+"/notebooks/nb", jsonResponder(200, `{"id":"nb","status":"SNAPSHOTTING"}`))
	img, err := c.CreateImageFromNotebook(context.Background(), "nb", &CreateImageRequest{Name: "n", Namespace: "ns", Tag: "v1"})
	require.NoError(t, err)
	assert.Equal(t, "img-9", img.ID, "found by namespace, name and tag, made after the call, while the notebook saves: the create had succeeded")
	assert.Equal(t, int32(1), lookups.Load())
	assert.Equal(t, 1, mt.GetCallCountInfo()["POST =~/create-image$"], "not sent twice")
}

func TestCreateRetriedOnlyAfterCheckingNothingWasCreated(t *testing.T) {
	c, mt, _ := newMockClient(t)
	mt.RegisterResponder("POST", testEndpoint+projectPath+"/images", sequence(
		jsonResponder(502, `bad gateway`),
		jsonResponder(200, `{"id":"img-new","swr_path":"swr.example.com/org/name:tag"}`)))
	mt.RegisterResponder("GET", testEndpoint+projectPath+"/images", func(r *http.Request) (*http.Response, error) {
		assert.Equal(t, "name", r.URL.Query().Get("name"))
		assert.Equal(t, "org", r.URL.Query().Get("namespace"))
		return jsonResponder(200, `{"data":[{"id":"x","swr_path":"swr.example.com/org/name:other"}],"total":1}`)(r)
	})
	img, err := c.RegisterImage(context.Background(), &RegisterImageRequest{SWRPath: "swr.example.com/org/name:tag"})
	require.NoError(t, err)
	assert.Equal(t, "img-new", img.ID)
	assert.Equal(t, 2, mt.GetCallCountInfo()["POST "+testEndpoint+projectPath+"/images"])
}

func TestCreateGivesUpSayingTheOutcomeWasChecked(t *testing.T) {
	c, mt, _ := newMockClient(t, WithRetry(RetryPolicy{MaxAttempts: 2}))
	mt.RegisterResponder("POST", `=~/create-image$`, jsonResponder(500, `{"error_code":"X","error_msg":"boom"}`))
	mt.RegisterResponder("GET", testEndpoint+projectPath+"/images", jsonResponder(200, `{"data":[],"total":0}`))
	mt.RegisterResponder("GET", testEndpoint+projectPath+"/notebooks/nb", jsonResponder(200, `{"id":"nb","status":"RUNNING"}`))
	_, err := c.CreateImageFromNotebook(context.Background(), "nb", &CreateImageRequest{Name: "n", Namespace: "ns", Tag: "t"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no image was created")
	var apiErr *APIError
	assert.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 2, mt.GetCallCountInfo()["POST =~/create-image$"])
}

func TestCreateOutcomeUnknownWhenTheLookupFails(t *testing.T) {
	c, mt, _ := newMockClient(t)
	mt.RegisterResponder("POST", `=~/create-image$`, jsonResponder(504, `gateway timeout`))
	mt.RegisterResponder("GET", testEndpoint+projectPath+"/images", jsonResponder(403, `{"error_code":"ModelArts.6407","error_msg":"no list permission"}`))
	_, err := c.CreateImageFromNotebook(context.Background(), "nb", &CreateImageRequest{Name: "n", Namespace: "ns"})
	assert.ErrorIs(t, err, ErrCreateOutcomeUnknown)
	assert.Contains(t, err.Error(), "looking the image up failed too")
	assert.Contains(t, err.Error(), "before creating again")
	var oe *CreateOutcomeError
	require.ErrorAs(t, err, &oe)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr, "the failure that made the outcome uncertain stays reachable")
	assert.Equal(t, 504, apiErr.StatusCode)
	assert.Equal(t, 1, mt.GetCallCountInfo()["POST =~/create-image$"])
}

func TestConnectionRefusedIsRetriedForCreates(t *testing.T) {
	c, mt, _ := newMockClient(t)
	dialErr := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	mt.RegisterResponder("POST", `=~/create-image$`, sequence(
		httpmock.NewErrorResponder(dialErr),
		httpmock.NewErrorResponder(&net.DNSError{Err: "no such host", Name: "modelarts.example"}),
		jsonResponder(200, `{"id":"img-1"}`)))
	img, err := c.CreateImageFromNotebook(context.Background(), "nb", &CreateImageRequest{Name: "n", Namespace: "ns"})
	require.NoError(t, err)
	assert.Equal(t, "img-1", img.ID)
	assert.Equal(t, 0, mt.GetCallCountInfo()["GET "+testEndpoint+projectPath+"/images"], "no lookup needed: provably not sent")
}

func TestCancelledContextIsNeverRetried(t *testing.T) {
	c, mt, _ := newMockClient(t)
	ctx, cancel := context.WithCancel(context.Background())
	mt.RegisterResponder("GET", imageURL, func(r *http.Request) (*http.Response, error) {
		cancel()
		return nil, context.Canceled
	})
	_, err := c.GetImage(ctx, "img-1")
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 1, mt.GetTotalCallCount())
}

// countingSigner counts Sign calls and stamps each attempt.
type countingSigner struct{ n atomic.Int32 }

func (s *countingSigner) Sign(r *http.Request) error {
	n := s.n.Add(1)
	r.Header.Set("X-Auth-Token", "tok-"+string(rune('0'+n)))
	return nil
}

func TestEveryAttemptIsSignedAfresh(t *testing.T) {
	mt := httpmock.NewMockTransport()
	signer := &countingSigner{}
	c, err := NewClient(testEndpoint, testProject, signer, WithHTTPClient(&http.Client{Transport: mt}))
	require.NoError(t, err)
	c.sleep = (&sleepRecorder{}).sleep
	var tokens []string
	mt.RegisterResponder("GET", imageURL, func(r *http.Request) (*http.Response, error) {
		tokens = append(tokens, r.Header.Get("X-Auth-Token"))
		if len(tokens) < 3 {
			return jsonResponder(503, `{}`)(r)
		}
		return jsonResponder(200, `{"id":"img-1"}`)(r)
	})
	_, err = c.GetImage(context.Background(), "img-1")
	require.NoError(t, err)
	assert.Equal(t, []string{"tok-1", "tok-2", "tok-3"}, tokens)
}

// refreshingSigner hands out a new token after an invalidation.
type refreshingSigner struct {
	gen         atomic.Int32
	invalidated []string
}

func (s *refreshingSigner) Sign(r *http.Request) error {
	r.Header.Set("X-Auth-Token", "gen-"+string(rune('0'+s.gen.Load())))
	return nil
}

func (s *refreshingSigner) InvalidateToken(rejected string) {
	s.invalidated = append(s.invalidated, rejected)
	s.gen.Add(1)
}

func TestExpiredTokenIsRefreshedOnce(t *testing.T) {
	mt := httpmock.NewMockTransport()
	signer := &refreshingSigner{}
	c, err := NewClient(testEndpoint, testProject, signer, WithHTTPClient(&http.Client{Transport: mt}), WithRetry(RetryPolicy{MaxAttempts: 1}))
	require.NoError(t, err)
	mt.RegisterResponder("GET", imageURL, func(r *http.Request) (*http.Response, error) {
		if r.Header.Get("X-Auth-Token") == "gen-0" {
			return jsonResponder(401, `{"error_code":"ModelArts.0202","error_msg":"token expired"}`)(r)
		}
		return jsonResponder(200, `{"id":"img-1"}`)(r)
	})
	_, err = c.GetImage(context.Background(), "img-1")
	require.NoError(t, err, "refreshing is not a retry: it happens even with single attempts")
	assert.Equal(t, []string{"gen-0"}, signer.invalidated)

	mt.RegisterResponder("GET", imageURL, jsonResponder(401, `{"error_code":"ModelArts.0203","error_msg":"invalid token"}`))
	_, err = c.GetImage(context.Background(), "img-1")
	assert.ErrorIs(t, err, ErrUnauthorized)
	assert.Len(t, signer.invalidated, 2, "only once per call")

	mt.RegisterResponder("GET", imageURL, jsonResponder(401, `{"error_code":"ModelArts.0108","error_msg":"not a token problem"}`))
	_, err = c.GetImage(context.Background(), "img-1")
	assert.ErrorIs(t, err, ErrUnauthorized)
	assert.Len(t, signer.invalidated, 2, "other 401s do not refresh")
}

// failingSigner never signs.
type failingSigner struct{}

func (failingSigner) Sign(*http.Request) error { return errors.New("no credentials today") }

func TestSignerFailureIsReturnedNotRetried(t *testing.T) {
	mt := httpmock.NewMockTransport()
	c, err := NewClient(testEndpoint, testProject, failingSigner{}, WithHTTPClient(&http.Client{Transport: mt}))
	require.NoError(t, err)
	_, err = c.GetImage(context.Background(), "img-1")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "signing the request")
	assert.Zero(t, mt.GetTotalCallCount())
}

func TestRetryBudgetStopsRetriesDuringAnOutage(t *testing.T) {
	// Driven only through calls: the budget starts full (500 tokens), each
	// retry costs 5 and each success returns 1. A GET failing with 503 makes
	// 4 attempts (3 retries, 15 tokens): 33 such calls leave 5 tokens, so
	// the 34th affords one retry and then stops, saying why.
	c, mt, _ := newMockClient(t, WithRetry(RetryPolicy{ZeroWait: true}))
	mt.RegisterResponder("GET", imageURL, jsonResponder(503, `{}`))
	calls := 0
	var err error
	for calls < 100 {
		calls++
		_, err = c.GetImage(context.Background(), "img-1")
		require.Error(t, err)
		if strings.Contains(err.Error(), "retry budget") {
			break
		}
	}
	assert.Equal(t, 34, calls)
	assert.Equal(t, 33*4+2, mt.GetTotalCallCount())

	mt.ZeroCallCounters()
	_, err = c.GetImage(context.Background(), "img-1")
	require.Error(t, err)
	assert.Equal(t, 1, mt.GetTotalCallCount(), "budget spent: no retry at all")

	mt.RegisterResponder("GET", imageURL, jsonResponder(200, `{"id":"img-1"}`))
	for i := 0; i < budgetRetryCost; i++ {
		_, err = c.GetImage(context.Background(), "img-1")
		require.NoError(t, err)
	}
	mt.RegisterResponder("GET", imageURL, jsonResponder(503, `{}`))
	mt.ZeroCallCounters()
	_, err = c.GetImage(context.Background(), "img-1")
	require.Error(t, err)
	assert.Equal(t, 2, mt.GetTotalCallCount(), "five successes refilled one retry")
}

func TestRateLimitWaitsBeforeSending(t *testing.T) {
	c, mt, _ := newMockClient(t, WithRateLimit(0.001, 1))
	mt.RegisterResponder("GET", imageURL, jsonResponder(200, `{"id":"img-1"}`))
	_, err := c.GetImage(context.Background(), "img-1")
	require.NoError(t, err, "the burst allows one")
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = c.GetImage(ctx, "img-1")
	require.Error(t, err, "the next would wait ~1000 s, beyond the deadline")
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "rate limit")
	assert.NotContains(t, err.Error(), "%!")
	assert.Equal(t, 1, mt.GetTotalCallCount())
}

func TestLoggingRecordsAttemptsAndRetries(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, mt, _ := newMockClient(t, WithLogger(logger))
	mt.RegisterResponder("GET", imageURL, sequence(
		retryAfterResponder(503, "1"),
		jsonResponder(200, `{"id":"img-1"}`)))
	_, err := c.GetImage(context.Background(), "img-1")
	require.NoError(t, err)
	out := buf.String()
	assert.Equal(t, 2, bytes.Count(buf.Bytes(), []byte(`"msg":"modelarts attempt"`)))
	assert.Equal(t, 1, bytes.Count(buf.Bytes(), []byte(`"msg":"modelarts retry"`)))
	assert.Contains(t, out, `"status":503`)
	assert.Contains(t, out, `"attempt":2`)
	assert.Contains(t, out, `"request_id":"`)
	assert.Contains(t, out, `"wait":1000000000`)
	assert.NotContains(t, out, testToken)
}

func TestSilentWithoutLogger(t *testing.T) {
	// Capture the process-wide default logger: a client without WithLogger
	// must not fall back to it, not even for retries.
	var buf bytes.Buffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	t.Cleanup(func() { slog.SetDefault(prev) })
	c, mt, _ := newMockClient(t)
	mt.RegisterResponder("GET", imageURL, sequence(jsonResponder(503, `{}`), jsonResponder(200, `{"id":"img-1"}`)))
	_, err := c.GetImage(context.Background(), "img-1")
	require.NoError(t, err)
	assert.Equal(t, 2, mt.GetTotalCallCount(), "a retry happened")
	assert.Empty(t, buf.String())
}

func TestRedactQuery(t *testing.T) {
	q := map[string][]string{"name": {"pytorch"}, "access_token": {"s3cr3t"}, "X-Sdk-Signature": {"abc"}, "password": {"pw"}}
	out := redactQuery(q)
	assert.Contains(t, out, "name=pytorch")
	for _, secret := range []string{"s3cr3t", "abc", "pw"} {
		assert.NotContains(t, out, "="+secret)
	}
}

func TestRetryAfterParsing(t *testing.T) {
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	cases := map[string]struct {
		d  time.Duration
		ok bool
	}{
		"":                              {0, false},
		"5":                             {5 * time.Second, true},
		"0":                             {0, true},
		"-3":                            {0, false},
		"soon":                          {0, false},
		"Sun, 22 Nov 2026 10:00:30 GMT": {30 * time.Second, true},
		"Sun, 22 Nov 2026 09:00:00 GMT": {0, true},
		"100000":                        {MaxRetryAfter, true},
		"Sun, 22 Nov 2026 10:01:00 GMT": {MaxRetryAfter, true},    // exactly the cap
		"Sun, 22 Nov 2026 10:01:01 GMT": {MaxRetryAfter, true},    // an HTTP date past the cap waits the cap
		"Sun, 22 Nov 2026 11:00:00 GMT": {MaxRetryAfter, true},    // an hour away
		"Fri, 31 Dec 9999 23:59:59 GMT": {MaxRetryAfter, true},    // far enough to overflow a naive subtraction
		"60":                            {MaxRetryAfter, true},    // seconds: exactly the cap
		"61":                            {MaxRetryAfter, true},    // seconds: past the cap
		"59":                            {59 * time.Second, true}, // just under it
		"Sun, 22 Nov 2026 10:00:59 GMT": {59 * time.Second, true}, // a date just under it
	}
	for in, want := range cases {
		h := http.Header{}
		if in != "" {
			h.Set("Retry-After", in)
		}
		d, ok := retryAfter(h, now)
		assert.Equal(t, want.ok, ok, in)
		assert.Equal(t, want.d, d, in)
	}
}
