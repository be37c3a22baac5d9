package modelarts_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelarts-go/modelarts"
	"github.com/modelarts-go/modelarts/modelartstest"
)

// TestFaultsSurvived drives every injected fault over a real socket and
// records what the caller got and how many requests the server saw. The
// README's "Faults survived" table is this test's output (go test -run
// TestFaultsSurvived -v).
func TestFaultsSurvived(t *testing.T) {
	type outcome int
	const (
		succeeds outcome = iota
		decodeErr
		apiErr
		requestErr
	)
	big := `{"id":"` + strings.Repeat("a", modelarts.MaxResponseBytes) + `"}`
	cases := []struct {
		name     string
		route    modelartstest.Route
		faults   []modelartstest.Fault
		opts     []modelarts.Option
		want     outcome
		requests int
		// emptyCreates answers creates "201 Created" with no body.
		emptyCreates bool
	}{
		{"burst of 500s on GET", modelartstest.RouteGetImage, nTimes(3, modelartstest.ErrorAnswer{Status: 500}), nil, succeeds, 4, false},
		{"burst of 502s on GET", modelartstest.RouteGetImage, nTimes(2, modelartstest.RawAnswer{Status: 502, Body: "<html>Bad Gateway</html>"}), nil, succeeds, 3, false},
		{"burst of 503s on GET", modelartstest.RouteGetImage, nTimes(3, modelartstest.ErrorAnswer{Status: 503}), nil, succeeds, 4, false},
		{"burst of 504s on GET", modelartstest.RouteGetImage, nTimes(2, modelartstest.ErrorAnswer{Status: 504}), nil, succeeds, 3, false},
		{"500s past the retry budget of one call", modelartstest.RouteGetImage, nTimes(10, modelartstest.ErrorAnswer{Status: 500}), nil, apiErr, 4, false},
		{"429 with Retry-After in seconds", modelartstest.RouteGetImage, nTimes(1, modelartstest.ErrorAnswer{Status: 429, Code: "ModelArts.6101", RetryAfter: "1"}), nil, succeeds, 2, false},
		{"429 with Retry-After as a date", modelartstest.RouteGetImage, nTimes(1, modelartstest.ErrorAnswer{Status: 429, RetryAfter: time.Now().Add(time.Second).UTC().Format(http.TimeFormat)}), nil, succeeds, 2, false},
		{"503 with Retry-After on a create", modelartstest.RouteCreateImage, nTimes(1, modelartstest.ErrorAnswer{Status: 503, RetryAfter: "0"}), nil, succeeds, 2, false},
		{"connection reset before the response", modelartstest.RouteGetImage, nTimes(2, modelartstest.Drop{}), nil, succeeds, 3, false},
		{"connection reset after the response headers", modelartstest.RouteGetImage, nTimes(1, modelartstest.CutBody{}), nil, succeeds, 2, false},
		{"create answered, then the connection dropped", modelartstest.RouteCreateImage, nTimes(1, modelartstest.AfterHandling{Then: modelartstest.Drop{}}), nil, succeeds, 1, false},
		{"save answered 201 Created with no body", modelartstest.RouteCreateImage, nil, nil, succeeds, 1, true},
		{"register answered 201 Created with no body", modelartstest.RouteRegisterImage, nil, nil, succeeds, 1, true},
		{"truncated JSON with 200", modelartstest.RouteGetImage, nTimes(1, modelartstest.RawAnswer{Status: 200, Body: `{"id":"x","name":"ab`}), nil, decodeErr, 1, false},
		{"HTML page with 200", modelartstest.RouteGetImage, nTimes(1, modelartstest.RawAnswer{Status: 200, Body: "<html><body>Maintenance</body></html>"}), nil, decodeErr, 1, false},
		{"2xx with an empty body", modelartstest.RouteGetImage, nTimes(1, modelartstest.RawAnswer{Status: 200, Body: " "}), nil, decodeErr, 1, false},
		{"body larger than the limit", modelartstest.RouteGetImage, nTimes(1, modelartstest.RawAnswer{Status: 200, Body: big}), nil, decodeErr, 1, false},
		{"server that never answers", modelartstest.RouteGetImage, nTimes(5, modelartstest.Hang{}),
			[]modelarts.Option{modelarts.WithAttemptTimeout(100 * time.Millisecond), modelarts.WithRetry(modelarts.RetryPolicy{MaxAttempts: 2, MinWait: time.Millisecond, MaxWait: time.Millisecond})}, requestErr, 2, false},
	}
	var table strings.Builder
	fmt.Fprintln(&table, "| fault | requests the server saw | the caller got |")
	fmt.Fprintln(&table, "|---|---|---|")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := modelartstest.NewServer()
			defer srv.Close()
			srv.AddNotebook(notebookID, "RUNNING")
			for _, f := range tc.faults {
				srv.InjectFault(tc.route, f)
			}
			srv.AnswerCreatesWithEmptyBody(tc.emptyCreates)
			c := srv.Client(append([]modelarts.Option{fastRetries()}, tc.opts...)...)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			var err error
			switch tc.route {
			case modelartstest.RouteCreateImage:
				var img *modelarts.Image
				img, err = c.CreateImageFromNotebook(ctx, notebookID, &modelarts.CreateImageRequest{Name: "env", Namespace: "team", Tag: "v1"})
				assert.Equal(t, 1, countOwn(srv, "env"), "exactly one image")
				if err == nil {
					assert.Equal(t, "v1", img.Tag)
				}
			case modelartstest.RouteRegisterImage:
				var img *modelarts.Image
				img, err = c.RegisterImage(ctx, &modelarts.RegisterImageRequest{SWRPath: "swr.fake.local/team/env:v1"})
				assert.Equal(t, 1, countOwn(srv, "env"), "exactly one image")
				if err == nil {
					assert.Equal(t, "swr.fake.local/team/env:v1", img.SWRPath)
				}
			default:
				_, err = c.GetImage(ctx, "278e88d1-5b71-4766-8502-b3ba72e824d9")
			}
			var (
				de *modelarts.DecodeError
				ae *modelarts.APIError
				re *modelarts.RequestError
			)
			got := "the image"
			switch tc.want {
			case succeeds:
				require.NoError(t, err)
			case decodeErr:
				require.ErrorAs(t, err, &de)
				got = "`*DecodeError`: " + shortMsg(err)
			case apiErr:
				require.ErrorAs(t, err, &ae)
				got = "`*APIError`: " + shortMsg(err)
			case requestErr:
				require.ErrorAs(t, err, &re)
				assert.ErrorIs(t, err, context.DeadlineExceeded)
				got = "`*RequestError`: " + shortMsg(err)
			}
			assert.Equal(t, tc.requests, srv.RequestCount(tc.route))
			fmt.Fprintf(&table, "| %s | %d | %s |\n", tc.name, srv.RequestCount(tc.route), got)
		})
	}
	t.Log("\n" + table.String())
}

func shortMsg(err error) string {
	s := err.Error()
	s = s[strings.Index(s, ": ")+2:]
	if i := strings.Index(s, ": "); i >= 0 {
		s = s[i+2:]
	}
	if len(s) > 70 {
		s = s[:70] + "…"
	}
	return strings.ReplaceAll(s, "|", "/")
}

func TestConcurrentCallsWithFaults(t *testing.T) {
	srv := modelartstest.NewServer()
	defer srv.Close()
	srv.InjectFaultTimes(modelartstest.RouteGetImage, 60, modelartstest.ErrorAnswer{Status: 503})
	srv.InjectFaultTimes(modelartstest.RouteGetImage, 30, modelartstest.ErrorAnswer{Status: 429, RetryAfter: "0"})
	srv.InjectFaultTimes(modelartstest.RouteGetImage, 30, modelartstest.Drop{})
	srv.InjectFaultTimes(modelartstest.RouteListImages, 20, modelartstest.ErrorAnswer{Status: 502})
	c := srv.Client(modelarts.WithRetry(modelarts.RetryPolicy{MaxAttempts: 10, MinWait: time.Millisecond, MaxWait: 2 * time.Millisecond}))

	const goroutines = 200
	var wg sync.WaitGroup
	var ok, failed, budget atomic.Int32
	for i := 0; i < goroutines; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			var err error
			if i%4 == 0 {
				_, err = c.ListImagesPage(context.Background(), nil)
			} else {
				_, err = c.GetImage(context.Background(), "278e88d1-5b71-4766-8502-b3ba72e824d9")
			}
			if err != nil {
				failed.Add(1)
				if strings.Contains(err.Error(), "retry budget") {
					budget.Add(1)
				}
				var ae *modelarts.APIError
				var re *modelarts.RequestError
				assert.True(t, errors.As(err, &ae) || errors.As(err, &re), "a typed error: %v", err)
				// Besides the budget, only an injected fault met on every
				// attempt may end a call: never a decode error, a panic or
				// a fault the client should have retried.
				transient := re != nil || (ae != nil && (ae.StatusCode >= 500 || ae.StatusCode == 429))
				assert.True(t, strings.Contains(err.Error(), "retry budget") || transient, "stopped by something else: %v", err)
				return
			}
			ok.Add(1)
		}(i)
	}
	wg.Wait()
	assert.Equal(t, int32(goroutines), ok.Load()+failed.Load())
	// 140 faults cost about as many retries as the client's budget (100,
	// refilled by successes) allows: how many calls it stops depends on
	// the interleaving (TestRetryBudgetStopsRetriesDuringAnOutage pins the
	// arithmetic); here every call ends typed, and most succeed.
	assert.Greater(t, ok.Load(), int32(goroutines/2))
	t.Logf("200 goroutines: %d succeeded, %d failed (%d stopped by the retry budget); GET requests %d, list requests %d",
		ok.Load(), failed.Load(), budget.Load(), srv.RequestCount(modelartstest.RouteGetImage), srv.RequestCount(modelartstest.RouteListImages))
}

// nTimes is f n times, for a table of faults.
func nTimes(n int, f modelartstest.Fault) []modelartstest.Fault {
	out := make([]modelartstest.Fault, n)
	for i := range out {
		out[i] = f
	}
	return out
}
