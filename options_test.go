package modelarts

import (
	"context"
	"errors"
	"io"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const imagePathURL = testEndpoint + projectPath + "/images/img-1"

func TestWithResponseReportsTheMetadataOfASuccess(t *testing.T) {
	c, mt, _ := newMockClient(t)
	mt.RegisterResponder("GET", imagePathURL, sequence(
		jsonResponder(503, `{}`),
		func(r *http.Request) (*http.Response, error) {
			resp, _ := jsonResponder(200, `{"id":"img-1"}`)(r)
			resp.Header.Set("X-Gateway-Region", "cn-north-4")
			return resp, nil
		}))
	var md Response
	_, err := c.GetImage(context.Background(), "img-1", WithResponse(&md))
	require.NoError(t, err)
	assert.Equal(t, 200, md.StatusCode)
	assert.Equal(t, "req-123", md.RequestID)
	assert.Equal(t, "cn-north-4", md.Header.Get("X-Gateway-Region"))
	assert.Equal(t, 2, md.Attempts)
}

func TestWithResponseLeavesDestinationAloneWithoutAnAnswer(t *testing.T) {
	c, mt, _ := newMockClient(t, WithRetry(RetryPolicy{MaxAttempts: 1}))
	mt.RegisterResponder("GET", imagePathURL, httpmock.NewErrorResponder(errors.New("connection reset by peer")))
	md := Response{StatusCode: -1}
	_, err := c.GetImage(context.Background(), "img-1", WithResponse(&md))
	require.Error(t, err)
	assert.Equal(t, -1, md.StatusCode)
}

func TestWithRetryGivenToACallOverridesTheClientPolicy(t *testing.T) {
	c, mt, _ := newMockClient(t) // default: 4 attempts
	mt.RegisterResponder("GET", imagePathURL, jsonResponder(503, `{}`))
	_, err := c.GetImage(context.Background(), "img-1", WithRetry(RetryPolicy{MaxAttempts: 2}))
	require.Error(t, err)
	assert.Equal(t, 2, mt.GetTotalCallCount())
}

func TestTheContextBoundsTheWholeCall(t *testing.T) {
	c, mt, _ := newMockClient(t)
	clk := newFakeClock()
	clk.install(c)
	mt.RegisterResponder("GET", imagePathURL, retryAfterResponder(503, "30"))
	_, err := c.GetImage(clk.withDeadline(clk.now().Add(20*time.Millisecond)), "img-1")
	require.ErrorIs(t, err, context.DeadlineExceeded)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr, "the failure behind the timeout stays reachable")
	assert.Equal(t, 503, apiErr.StatusCode)
	assert.Equal(t, "30", apiErr.Header.Get("Retry-After"), "response headers stay readable")
}

func TestWithAttemptTimeoutBoundsEachAttempt(t *testing.T) {
	c, mt, _ := newMockClient(t, WithRetry(RetryPolicy{MaxAttempts: 1}))
	mt.RegisterResponder("GET", imagePathURL, func(r *http.Request) (*http.Response, error) {
		<-r.Context().Done()
		return nil, r.Context().Err()
	})
	_, err := c.GetImage(context.Background(), "img-1", WithAttemptTimeout(5*time.Millisecond))
	var re *RequestError
	require.ErrorAs(t, err, &re)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

// An option made for some calls is not accepted by the others: the
// compiler refuses it. For every method of Client, the type of its
// trailing options is checked against the static type each option
// constructor returns (what assignability at compile time looks at).
func TestOptionsMadeForSomeCallsDoNotCompileWithTheOthers(t *testing.T) {
	deletes := map[string]bool{"DeleteImage": true, "DeleteImageGroup": true}
	waits := map[string]bool{"WaitForActive": true, "WaitForImage": true, "WaitForNotebook": true, "WaitForSaveImageJob": true, "SaveNotebookAsImage": true}
	forDeletes := []any{WithForce}
	forWaits := []any{WithPollInterval, WithProgress, WithNotebookProgress, WithSaveImageJobProgress, WithNotFoundGrace}
	forAll := []any{WithResponse, WithRetry, WithAttemptTimeout}
	ct := reflect.TypeOf(&Client{})
	checked := 0
	for i := range ct.NumMethod() {
		m := ct.Method(i)
		if !m.Type.IsVariadic() {
			continue
		}
		opts := m.Type.In(m.Type.NumIn() - 1).Elem()
		accepts := func(ctor any) bool { return reflect.TypeOf(ctor).Out(0).Implements(opts) }
		for _, ctor := range forDeletes {
			assert.Equal(t, deletes[m.Name], accepts(ctor), "%s with %s", m.Name, reflect.TypeOf(ctor).Out(0))
		}
		for _, ctor := range forWaits {
			assert.Equal(t, waits[m.Name], accepts(ctor), "%s with %s", m.Name, reflect.TypeOf(ctor).Out(0))
		}
		for _, ctor := range forAll {
			assert.True(t, accepts(ctor), "%s with %s", m.Name, reflect.TypeOf(ctor).Out(0))
		}
		checked++
	}
	assert.Greater(t, checked, 20, "every call takes trailing options")
}

// What the types cannot catch is refused before anything is sent.
func TestBadOptionsAreRefusedBeforeAnythingIsSent(t *testing.T) {
	c, mt, _ := newMockClient(t)
	_, err := c.GetImage(context.Background(), "img-1", nil)
	require.ErrorIs(t, err, ErrInvalidRequest)
	_, err = c.GetImage(context.Background(), "img-1", WithResponse(nil))
	require.ErrorIs(t, err, ErrInvalidRequest)
	_, err = c.GetImage(context.Background(), "img-1", WithAttemptTimeout(0))
	require.ErrorIs(t, err, ErrInvalidRequest)
	_, err = c.GetImage(context.Background(), "img-1", WithRetry(RetryPolicy{MinWait: time.Hour, MaxWait: 10 * time.Millisecond}))
	require.ErrorIs(t, err, ErrInvalidRequest, "a cap below the first wait")
	_, err = c.WaitForActive(context.Background(), "img-1", WithPollInterval(time.Second, time.Millisecond))
	require.ErrorIs(t, err, ErrInvalidRequest)
	err = c.DeleteImage(context.Background(), "img-1", nil)
	require.ErrorIs(t, err, ErrInvalidRequest)
	assert.Equal(t, 0, mt.GetTotalCallCount(), "nothing is sent")
}

func TestNilContextIsAClearError(t *testing.T) {
	c, mt, _ := newMockClient(t)
	//lint:ignore SA1012 a nil context is exactly what is tested
	_, err := c.GetImage(nil, "img-1") //nolint:staticcheck
	require.ErrorIs(t, err, ErrInvalidRequest)
	assert.Contains(t, err.Error(), "context")
	//lint:ignore SA1012 a nil context is exactly what is tested
	for _, err := range c.ListImages(nil, nil) { //nolint:staticcheck
		require.ErrorIs(t, err, ErrInvalidRequest)
	}
	assert.Equal(t, 0, mt.GetTotalCallCount())
}

func TestWithCallDefaultsApplyToEveryCallAndLoseToTheCallsOwn(t *testing.T) {
	c, mt, rec := newMockClient(t, WithCallDefaults(WithPollInterval(time.Millisecond, 2*time.Millisecond), WithRetry(RetryPolicy{MaxAttempts: 1})))
	var n int
	mt.RegisterResponder("GET", imagePathURL, func(r *http.Request) (*http.Response, error) {
		n++
		if n < 3 {
			return jsonResponder(200, `{"id":"img-1","status":"CREATING"}`)(r)
		}
		return jsonResponder(200, `{"id":"img-1","status":"ACTIVE"}`)(r)
	})
	_, err := c.WaitForActive(context.Background(), "img-1")
	require.NoError(t, err)
	for _, w := range rec.all() {
		assert.LessOrEqual(t, w, 2*time.Millisecond, "the client default pacing is used")
	}
	mt.RegisterResponder("GET", imagePathURL, jsonResponder(503, `{}`))
	mt.ZeroCallCounters()
	_, err = c.GetImage(context.Background(), "img-1")
	require.Error(t, err)
	assert.Equal(t, 1, mt.GetTotalCallCount(), "the default retry policy of the calls")
	mt.ZeroCallCounters()
	_, err = c.GetImage(context.Background(), "img-1", WithRetry(RetryPolicy{MaxAttempts: 3}))
	require.Error(t, err)
	assert.Equal(t, 3, mt.GetTotalCallCount(), "the call's own option wins")
}

// Calls without options share the client's resolved defaults: a call's
// own options never leak into the calls after it.
func TestACallsOwnOptionsDoNotLeakIntoTheCallsWithoutOptionsAfterIt(t *testing.T) {
	c, mt, _ := newMockClient(t, WithRetry(RetryPolicy{MaxAttempts: 1}))
	mt.RegisterResponder("GET", imagePathURL, jsonResponder(503, `{}`))
	var md Response
	_, err := c.GetImage(context.Background(), "img-1", WithResponse(&md), WithRetry(RetryPolicy{MaxAttempts: 3}))
	require.Error(t, err)
	require.Equal(t, 3, mt.GetTotalCallCount())

	mt.ZeroCallCounters()
	md = Response{}
	mt.RegisterResponder("GET", imagePathURL, jsonResponder(200, `{"id":"img-1"}`))
	_, err = c.GetImage(context.Background(), "img-1")
	require.NoError(t, err)
	mt.RegisterResponder("GET", imagePathURL, jsonResponder(503, `{}`))
	_, err = c.GetImage(context.Background(), "img-1")
	require.Error(t, err)
	assert.Equal(t, 2, mt.GetTotalCallCount(), "one attempt each: the client's policy")
	assert.Zero(t, md.StatusCode, "the first call's WithResponse is not filled by later calls")
}

// WithForce cannot be a client default: the compiler refuses it;
// WithResponse, which the types let through, is refused by NewClient.
func TestWithCallDefaultsRefusesForceAndResponse(t *testing.T) {
	defaults := reflect.TypeOf(WithCallDefaults).In(0).Elem()
	assert.False(t, reflect.TypeOf(WithForce).Out(0).Implements(defaults))
	assert.True(t, reflect.TypeOf(WithPollInterval).Out(0).Implements(defaults))
	_, err := NewClient(testEndpoint, testProject, countingSignerFor(), WithCallDefaults(WithResponse(&Response{})))
	require.ErrorIs(t, err, ErrInvalidRequest)
	assert.Contains(t, err.Error(), "WithResponse")
}

func countingSignerFor() *countingSigner { return &countingSigner{} }

func TestDeleteImageWithForceSendsTheBody(t *testing.T) {
	c, mt, _ := newMockClient(t)
	var bodies []string
	mt.RegisterResponder("DELETE", imagePathURL, func(r *http.Request) (*http.Response, error) {
		b := ""
		if r.Body != nil {
			raw, _ := io.ReadAll(r.Body)
			b = string(raw)
		}
		bodies = append(bodies, b+"|"+r.Header.Get("Content-Type"))
		return jsonResponder(200, `{"id":"img-1"}`)(r)
	})
	require.NoError(t, c.DeleteImage(context.Background(), "img-1"))
	require.NoError(t, c.DeleteImage(context.Background(), "img-1", WithForce()))
	assert.Equal(t, []string{"|", `{"is_force":true}|application/json;charset=UTF-8`}, bodies)
}

func TestALostDeleteAnswerThenNotFoundIsASuccess(t *testing.T) {
	c, mt, _ := newMockClient(t)
	mt.RegisterResponder("DELETE", imagePathURL, sequence(
		jsonResponder(502, `bad gateway`), // the first delete happened; its answer was lost
		jsonResponder(400, `{"error_code":"ModelArts.6404","error_msg":"image not found"}`)))
	require.NoError(t, c.DeleteImage(context.Background(), "img-1"))
	assert.Equal(t, 2, mt.GetTotalCallCount())

	// A first answer of not-found is an answer: the image was not there.
	mt.RegisterResponder("DELETE", imagePathURL, jsonResponder(400, `{"error_code":"ModelArts.6404","error_msg":"image not found"}`))
	assert.ErrorIs(t, c.DeleteImage(context.Background(), "img-1"), ErrNotFound)
}

func TestDefaultRetryPolicyCannotBeChangedForEveryone(t *testing.T) {
	p := DefaultRetryPolicy()
	p.MaxAttempts = 7 // a caller's copy
	assert.Equal(t, DefaultMaxAttempts, DefaultRetryPolicy().MaxAttempts)
	c, mt, _ := newMockClient(t)
	mt.RegisterResponder("GET", imagePathURL, jsonResponder(503, `{}`))
	_, _ = c.GetImage(context.Background(), "img-1")
	assert.Equal(t, DefaultMaxAttempts, mt.GetTotalCallCount())
}

func TestZeroWaitRetriesAtOnceButHonoursRetryAfter(t *testing.T) {
	c, mt, rec := newMockClient(t, WithRetry(RetryPolicy{MaxAttempts: 3, ZeroWait: true}))
	mt.RegisterResponder("GET", imagePathURL, sequence(jsonResponder(503, `{}`), retryAfterResponder(429, "2"), jsonResponder(200, `{"id":"img-1"}`)))
	_, err := c.GetImage(context.Background(), "img-1")
	require.NoError(t, err)
	assert.Equal(t, []time.Duration{0, 2 * time.Second}, rec.all())
}

// MinWait alone, longer than the default cap, raises the cap to itself.
func TestARetryPolicyWithMinWaitAloneRaisesTheCap(t *testing.T) {
	p := RetryPolicy{MinWait: time.Minute}
	require.NoError(t, p.check("WithRetry"))
	assert.Equal(t, time.Minute, p.withDefaults().MaxWait)
}
