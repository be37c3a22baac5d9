package modelarts

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func imageJSON(status, msg string) string {
	return fmt.Sprintf(`{"id":"img-1","status":%q,"status_message":%q}`, status, msg)
}

func statusSequence(statuses ...string) httpmock.Responder {
	var rs []httpmock.Responder
	for _, s := range statuses {
		rs = append(rs, jsonResponder(200, imageJSON(s, "step "+s)))
	}
	return sequence(rs...)
}

const imageURL = testEndpoint + projectPath + "/images/img-1"

func TestWaitForActiveSucceeds(t *testing.T) {
	c, mt, _ := newMockClient(t)
	clk := newFakeClock()
	clk.install(c)
	mt.RegisterResponder("GET", imageURL, statusSequence("INIT", "CREATING", "CREATING", "ACTIVE"))
	var seen []ImageStatus
	img, err := c.WaitForActive(context.Background(), "img-1", WithProgress(func(i *Image) { seen = append(seen, i.Status) }))
	require.NoError(t, err)
	assert.Equal(t, ImageStatusActive, img.Status)
	assert.Equal(t, []ImageStatus{"INIT", "CREATING", "CREATING", "ACTIVE"}, seen, "progress sees each poll")
	assert.Equal(t, 4, mt.GetTotalCallCount())
	assert.Len(t, clk.rec.all(), 3, "a wait between polls, none after the last")
}

func TestWaitForActiveFailures(t *testing.T) {
	for _, status := range []string{"CREATE_FAILED", "ERROR", "DELETED"} {
		t.Run(status, func(t *testing.T) {
			c, mt, _ := newMockClient(t)
			newFakeClock().install(c)
			mt.RegisterResponder("GET", imageURL, sequence(
				jsonResponder(200, imageJSON("CREATING", "")),
				jsonResponder(200, imageJSON(status, "pip install failed: no space left on device"))))
			img, err := c.WaitForActive(context.Background(), "img-1")
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrImageFailed)
			var fe *ImageFailedError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, "img-1", fe.ImageID)
			assert.Equal(t, ImageStatus(status), fe.Status)
			assert.Equal(t, "pip install failed: no space left on device", fe.StatusMessage)
			assert.Contains(t, err.Error(), "no space left on device")
			require.NotNil(t, img, "the failed image is returned too")
			assert.Equal(t, ImageStatus(status), img.Status)
		})
	}
}

func TestWaitBackoffGrowsWithJitterAndIsCapped(t *testing.T) {
	c, mt, _ := newMockClient(t)
	clk := newFakeClock()
	clk.install(c)
	statuses := make([]string, 12)
	for i := range statuses {
		statuses[i] = "CREATING"
	}
	mt.RegisterResponder("GET", imageURL, statusSequence(append(statuses, "ACTIVE")...))
	_, err := c.WaitForActive(context.Background(), "img-1", WithPollInterval(time.Second, 8*time.Second))
	require.NoError(t, err)
	waits := clk.rec.all()
	require.Len(t, waits, 12)
	assert.Equal(t, time.Second, waits[0], "the first wait is min")
	for i, w := range waits {
		assert.GreaterOrEqual(t, w, time.Second, "wait %d", i)
		assert.LessOrEqual(t, w, 8*time.Second, "wait %d is capped", i)
	}
	ceil := time.Second
	for i := 1; i < len(waits); i++ {
		ceil = min(2*ceil, 8*time.Second)
		assert.GreaterOrEqual(t, waits[i], ceil/2, "wait %d is in the upper half of its window", i)
		assert.LessOrEqual(t, waits[i], ceil)
	}
}

func TestPollDelayJitters(t *testing.T) {
	seen := map[time.Duration]bool{}
	vals := []float64{0, 0.5, 0.999}
	for i, v := range vals {
		d := pollDelay(time.Second, 30*time.Second, 5, func() float64 { return v })
		seen[d] = true
		assert.GreaterOrEqual(t, d, 8*time.Second, "case %d", i)
		assert.LessOrEqual(t, d, 16*time.Second)
	}
	assert.Len(t, seen, 3)
	assert.Equal(t, 30*time.Second, expDelay(time.Second, 30*time.Second, 500), "no overflow")
}

func TestWaitDeadlineLeavesRoomForAFinalPoll(t *testing.T) {
	c, mt, _ := newMockClient(t)
	clk := newFakeClock()
	clk.install(c)
	mt.RegisterResponder("GET", imageURL, statusSequence("CREATING"))
	ctx, cancel := context.WithDeadline(context.Background(), clk.now().Add(60*time.Second))
	defer cancel()
	img, err := c.WaitForActive(ctx, "img-1", WithPollInterval(10*time.Second, 30*time.Second))
	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	var we *WaitError
	require.ErrorAs(t, err, &we)
	assert.Equal(t, string(ImageStatusCreating), we.Status)
	assert.Contains(t, err.Error(), "last status CREATING")
	require.NotNil(t, img)

	var total time.Duration
	for _, w := range clk.rec.all() {
		total += w
	}
	assert.Less(t, total, 60*time.Second, "all waits fit before the deadline")
	assert.GreaterOrEqual(t, total, 55*time.Second, "the last wait was shortened, not dropped")
	assert.Equal(t, len(clk.rec.all())+1, mt.GetTotalCallCount(), "a poll after every wait, the final one included")
}

func TestWaitCancellationIsPrompt(t *testing.T) {
	c, mt, _ := newMockClient(t)
	mt.RegisterResponder("GET", imageURL, statusSequence("CREATING"))
	ctx, cancel := context.WithCancel(context.Background())
	c.sleep = sleepCtx // real sleeping, so the cancel lands in the wait
	time.AfterFunc(30*time.Millisecond, cancel)
	start := time.Now()
	_, err := c.WaitForActive(ctx, "img-1", WithPollInterval(time.Hour, time.Hour))
	assert.Less(t, time.Since(start), 5*time.Second)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Contains(t, err.Error(), "CREATING")
}

func TestWaitToleratesTransientFailures(t *testing.T) {
	c, mt, _ := newMockClient(t, WithRetry(RetryPolicy{MaxAttempts: 1}))
	newFakeClock().install(c)
	mt.RegisterResponder("GET", imageURL, sequence(
		jsonResponder(200, imageJSON("CREATING", "")),
		jsonResponder(503, `{"error_code":"ModelArts.0000","error_msg":"unavailable"}`),
		httpmock.NewErrorResponder(errors.New("connection reset by peer")),
		jsonResponder(429, `{"error_code":"ModelArts.6101","error_msg":"busy"}`),
		jsonResponder(200, "<html>proxy</html>"),
		jsonResponder(200, imageJSON("ACTIVE", "")),
	))
	img, err := c.WaitForActive(context.Background(), "img-1")
	require.NoError(t, err)
	assert.Equal(t, ImageStatusActive, img.Status)
	assert.Equal(t, 6, mt.GetTotalCallCount())
}

func TestWaitTimeoutReportsTransientFailures(t *testing.T) {
	c, mt, _ := newMockClient(t, WithRetry(RetryPolicy{MaxAttempts: 1}))
	clk := newFakeClock()
	clk.install(c)
	mt.RegisterResponder("GET", imageURL, sequence(
		jsonResponder(200, imageJSON("CREATING", "")),
		jsonResponder(502, `bad gateway`),
	))
	ctx, cancel := context.WithDeadline(context.Background(), clk.now().Add(time.Minute))
	defer cancel()
	_, err := c.WaitForActive(ctx, "img-1")
	var we *WaitError
	require.ErrorAs(t, err, &we)
	assert.Greater(t, we.TransientErrors, 2)
	assert.Contains(t, err.Error(), "failed transiently")
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr, "the last transient failure is wrapped")
	assert.Equal(t, 502, apiErr.StatusCode)
}

func TestWaitEndsOnPermanentFailures(t *testing.T) {
	for status, target := range map[int]error{401: ErrUnauthorized, 403: ErrForbidden} {
		c, mt, _ := newMockClient(t)
		newFakeClock().install(c)
		mt.RegisterResponder("GET", imageURL, sequence(
			jsonResponder(200, imageJSON("CREATING", "")),
			jsonResponder(status, `{"error_code":"X","error_msg":"no"}`)))
		_, err := c.WaitForActive(context.Background(), "img-1")
		assert.ErrorIs(t, err, target)
		assert.Equal(t, 2, mt.GetTotalCallCount(), "status %d ends the wait at once", status)
	}
	c, _, _ := newMockClient(t)
	_, err := c.WaitForActive(context.Background(), "../etc")
	assert.ErrorIs(t, err, ErrInvalidRequest)
}

func TestWaitNotFoundGrace(t *testing.T) {
	notFound := jsonResponder(400, `{"error_code":"ModelArts.6404","error_msg":"image not found"}`)

	c, mt, _ := newMockClient(t)
	newFakeClock().install(c)
	mt.RegisterResponder("GET", imageURL, sequence(notFound, notFound, jsonResponder(200, imageJSON("ACTIVE", ""))))
	img, err := c.WaitForActive(context.Background(), "img-1", WithPollInterval(time.Second, 2*time.Second))
	require.NoError(t, err, "not-found right after a create is tolerated")
	assert.Equal(t, ImageStatusActive, img.Status)

	c, mt, _ = newMockClient(t)
	clk := newFakeClock()
	clk.install(c)
	var calls atomic.Int32
	mt.RegisterResponder("GET", imageURL, func(r *http.Request) (*http.Response, error) {
		calls.Add(1)
		return notFound(r)
	})
	_, err = c.WaitForActive(context.Background(), "img-1", WithNotFoundGrace(10*time.Second), WithPollInterval(time.Second, 4*time.Second))
	assert.ErrorIs(t, err, ErrNotFound, "after the grace period not-found is an answer")
	var we *WaitError
	require.ErrorAs(t, err, &we, "every ended wait is a *WaitError")
	assert.Greater(t, int(calls.Load()), 2)
	assert.Equal(t, int(calls.Load())-1, we.NotFound, "the not-founds within the grace")
	assert.Zero(t, we.TransientErrors, "a not-found is never a transient failure")
	assert.Equal(t, 1, strings.Count(err.Error(), "modelarts:"), err.Error())
}

func TestWaitCutOffWithinTheNotFoundGraceCountsNotFoundsAsSuch(t *testing.T) {
	c, mt, _ := newMockClient(t)
	clk := newFakeClock()
	clk.install(c)
	mt.RegisterResponder("GET", imageURL, jsonResponder(400, `{"error_code":"ModelArts.6404","error_msg":"image not found"}`))
	ctx := clk.withDeadline(clk.now().Add(5 * time.Second))
	_, err := c.WaitForActive(ctx, "img-1", WithPollInterval(time.Second, time.Second))
	var we *WaitError
	require.ErrorAs(t, err, &we)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Zero(t, we.TransientErrors)
	assert.Equal(t, we.Polls, we.NotFound)
	assert.Contains(t, err.Error(), "found nothing (within the not-found grace)")
	assert.NotContains(t, err.Error(), "transient")
}

func TestWaitEndedByAPermanentFailureIsAWaitErrorWithThePrefixOnce(t *testing.T) {
	c, mt, _ := newMockClient(t)
	newFakeClock().install(c)
	mt.RegisterResponder("GET", imageURL, jsonResponder(403, `{"error_code":"ModelArts.0005","error_msg":"no permission"}`))
	_, err := c.WaitForActive(context.Background(), "img-1")
	var we *WaitError
	require.ErrorAs(t, err, &we)
	var ae *APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, 403, ae.StatusCode)
	assert.ErrorIs(t, err, ErrForbidden)
	assert.Equal(t, 1, strings.Count(err.Error(), "modelarts:"), err.Error())
}

func TestWaitForImageCustomCondition(t *testing.T) {
	c, mt, _ := newMockClient(t)
	newFakeClock().install(c)
	mt.RegisterResponder("GET", imageURL, statusSequence("INIT", "CREATING", "ACTIVE"))
	img, err := c.WaitForImage(context.Background(), "img-1", func(i *Image) (bool, error) {
		return i.Status == ImageStatusCreating, nil
	})
	require.NoError(t, err)
	assert.Equal(t, ImageStatusCreating, img.Status)

	_, err = c.WaitForImage(context.Background(), "img-1", nil)
	assert.ErrorIs(t, err, ErrInvalidRequest)
	_, err = c.WaitForActive(context.Background(), "img-1", WithPollInterval(0, time.Second))
	assert.ErrorIs(t, err, ErrInvalidRequest)
	_, err = c.WaitForActive(context.Background(), "img-1", WithPollInterval(2*time.Second, time.Second))
	assert.ErrorIs(t, err, ErrInvalidRequest)
}

func TestWaitEndedByItsDeadlineKeepsThe503ItWasWaitingOut(t *testing.T) {
	c, mt, _ := newMockClient(t)
	clk := newFakeClock()
	clk.install(c)
	mt.RegisterResponder("GET", imageURL, func(r *http.Request) (*http.Response, error) {
		resp, _ := jsonResponder(503, `{"error_code":"ModelArts.0001","error_msg":"overloaded"}`)(r)
		resp.Header.Set("Retry-After", "30")
		return resp, nil
	})
	ctx := clk.withDeadline(clk.now().Add(600 * time.Millisecond))
	_, err := c.WaitForActive(ctx, "img-1")
	require.ErrorIs(t, err, context.DeadlineExceeded)
	var we *WaitError
	require.ErrorAs(t, err, &we)
	var ae *APIError
	require.ErrorAs(t, err, &ae, "the 503 behind the timeout: %v", err)
	assert.Equal(t, 503, ae.StatusCode)
	assert.Equal(t, "30", ae.Header.Get("Retry-After"))
	assert.Equal(t, 1, we.TransientErrors)
	assert.Contains(t, err.Error(), "503")
	assert.Equal(t, 1, mt.GetTotalCallCount(), "the Retry-After outlasts the deadline: one request")
}

func TestWaitWhosePollIsCutShortByTheDeadlineKeepsTheEarlier503(t *testing.T) {
	c, mt, _ := newMockClient(t)
	clk := newFakeClock()
	clk.install(c)
	ctx := clk.withDeadline(clk.now().Add(time.Minute))
	n := 0
	mt.RegisterResponder("GET", imageURL, func(r *http.Request) (*http.Response, error) {
		n++
		if n == 1 {
			resp, _ := jsonResponder(503, `{"error_code":"ModelArts.0001","error_msg":"overloaded"}`)(r)
			resp.Header.Set("Retry-After", "5")
			return resp, nil
		}
		_ = clk.sleep(ctx, time.Hour) // the deadline passes while the poll is in flight
		return nil, context.DeadlineExceeded
	})
	_, err := c.WaitForActive(ctx, "img-1", WithRetry(RetryPolicy{MaxAttempts: 1}))
	require.ErrorIs(t, err, context.DeadlineExceeded)
	var ae *APIError
	require.ErrorAs(t, err, &ae, "%v", err)
	assert.Equal(t, 503, ae.StatusCode)
	assert.Equal(t, "5", ae.Header.Get("Retry-After"))
}
