package modelarts_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelarts-go/modelarts"
	"github.com/modelarts-go/modelarts/modelartstest"
)

func gAssertWaitKeeps503(t *testing.T, err error, wantCtx error, wantRetryAfter string) {
	t.Helper()
	var we *modelarts.WaitError
	if !errors.As(err, &we) {
		t.Fatalf("want *WaitError, got %T %v", err, err)
	}
	if !errors.Is(err, wantCtx) {
		t.Fatalf("want errors.Is %v, got %v", wantCtx, err)
	}
	var ae *modelarts.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("errors.As finds no *APIError behind the wait's end: %v", err)
	}
	if ae.StatusCode != 503 {
		t.Fatalf("found status %d, want 503: %v", ae.StatusCode, err)
	}
	if wantRetryAfter != "" && ae.Header.Get("Retry-After") != wantRetryAfter {
		t.Fatalf("Retry-After %q, want %q", ae.Header.Get("Retry-After"), wantRetryAfter)
	}
}

func TestWaitsDeadlineBehind503RetryAfterLongerThanDeadlineKeepsThe503(t *testing.T) {
	t.Parallel()
	srv := modelartstest.NewServer()
	defer srv.Close()
	id := srv.PutImage(modelarts.Image{Name: "a", Namespace: "team", Tag: "v1", Status: modelarts.ImageStatusCreating})
	srv.InjectFaultTimes(modelartstest.RouteGetImage, modelartstest.Always, modelartstest.ErrorAnswer{Status: 503, RetryAfter: "30"})
	c := srv.Client()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.WaitForActive(ctx, id)
	if time.Since(start) > 2*time.Second {
		t.Fatalf("wait overran its deadline: %v", time.Since(start))
	}
	gAssertWaitKeeps503(t, err, context.DeadlineExceeded, "30")
}

func TestWaitsDeadlineBehind503RetryAfterHTTPDateKeepsThe503(t *testing.T) {
	t.Parallel()
	srv := modelartstest.NewServer()
	defer srv.Close()
	id := srv.PutImage(modelarts.Image{Name: "a", Namespace: "team", Tag: "v1", Status: modelarts.ImageStatusCreating})
	ra := time.Now().Add(45 * time.Second).UTC().Format(http.TimeFormat)
	srv.InjectFaultTimes(modelartstest.RouteGetImage, modelartstest.Always, modelartstest.ErrorAnswer{Status: 503, RetryAfter: ra})
	c := srv.Client()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := c.WaitForActive(ctx, id)
	gAssertWaitKeeps503(t, err, context.DeadlineExceeded, ra)
}

// First a 503 (Retry-After 0), then the retry hangs until the deadline: the
// failure the poll was stuck retrying is the 503.
func TestWaitsDeadlineDuringHungRetryAfterA503KeepsThe503(t *testing.T) {
	t.Parallel()
	srv := modelartstest.NewServer()
	defer srv.Close()
	id := srv.PutImage(modelarts.Image{Name: "a", Namespace: "team", Tag: "v1", Status: modelarts.ImageStatusCreating})
	srv.InjectFault(modelartstest.RouteGetImage, modelartstest.ErrorAnswer{Status: 503, RetryAfter: "0"})
	srv.InjectFaultTimes(modelartstest.RouteGetImage, modelartstest.Always, modelartstest.Hang{})
	c := srv.Client()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := c.WaitForActive(ctx, id)
	gAssertWaitKeeps503(t, err, context.DeadlineExceeded, "0")
}

func TestWaitsCancelBehind503KeepsThe503AndCanceled(t *testing.T) {
	t.Parallel()
	srv := modelartstest.NewServer()
	defer srv.Close()
	id := srv.PutImage(modelarts.Image{Name: "a", Namespace: "team", Tag: "v1", Status: modelarts.ImageStatusCreating})
	srv.InjectFaultTimes(modelartstest.RouteGetImage, modelartstest.Always, modelartstest.ErrorAnswer{Status: 503, RetryAfter: "20"})
	c := srv.Client()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(150*time.Millisecond, cancel)
	_, err := c.WaitForActive(ctx, id)
	gAssertWaitKeeps503(t, err, context.Canceled, "20")
}

func TestWaitsContextDeadlineBehind503KeepsThe503(t *testing.T) {
	t.Parallel()
	srv := modelartstest.NewServer()
	defer srv.Close()
	id := srv.PutImage(modelarts.Image{Name: "a", Namespace: "team", Tag: "v1", Status: modelarts.ImageStatusCreating})
	srv.InjectFaultTimes(modelartstest.RouteGetImage, modelartstest.Always, modelartstest.ErrorAnswer{Status: 503, RetryAfter: "30"})
	c := srv.Client()
	_, err := c.WaitForActive(gCtx(t, 200*time.Millisecond), id)
	gAssertWaitKeeps503(t, err, context.DeadlineExceeded, "30")
}

func TestWaitsNotebookAndSaveJobWaitsKeepThe503(t *testing.T) {
	t.Parallel()
	srv := modelartstest.NewServer()
	defer srv.Close()
	srv.AddNotebook("nb-1", modelarts.NotebookStatusStarting)
	srv.AddTrainingJob("job-1")
	c := srv.Client()
	if _, err := c.CreateSaveImageJob(gCtx(t, 2*time.Second), "job-1", "worker-0", &modelarts.SaveImageJobRequest{Name: "env", Namespace: "team", Tag: "v1"}); err != nil {
		t.Fatal(err)
	}
	srv.InjectFaultTimes(modelartstest.RouteGetNotebook, modelartstest.Always, modelartstest.ErrorAnswer{Status: 503, RetryAfter: "30"})
	srv.InjectFaultTimes(modelartstest.RouteGetSaveImageJob, modelartstest.Always, modelartstest.ErrorAnswer{Status: 503, RetryAfter: "30"})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	_, err := c.WaitForNotebook(ctx, "nb-1", modelarts.NotebookStatusRunning)
	cancel()
	t.Run("notebook", func(t *testing.T) { gAssertWaitKeeps503(t, err, context.DeadlineExceeded, "30") })
	ctx, cancel = context.WithTimeout(context.Background(), 200*time.Millisecond)
	_, err = c.WaitForSaveImageJob(ctx, "job-1", "worker-0")
	cancel()
	t.Run("savejob", func(t *testing.T) { gAssertWaitKeeps503(t, err, context.DeadlineExceeded, "30") })
}

func TestWaitsSaveNotebookAsImageDeadlineBehindImage503KeepsThe503(t *testing.T) {
	t.Parallel()
	srv := modelartstest.NewServer()
	defer srv.Close()
	srv.AddNotebook("nb-1", modelarts.NotebookStatusRunning)
	srv.InjectFaultTimes(modelartstest.RouteGetImage, modelartstest.Always, modelartstest.ErrorAnswer{Status: 503, RetryAfter: "30"})
	c := srv.Client()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := c.SaveNotebookAsImage(ctx, "nb-1", &modelarts.CreateImageRequest{Name: "env", Namespace: "team", Tag: "v1"})
	gAssertWaitKeeps503(t, err, context.DeadlineExceeded, "30")
}

// Own server: 503 on the first attempt of every poll, then a 429 Retry-After
// beyond the deadline: the last failure seen (the 429) is the one found, and
// the 503 seen earlier is not lost either.
func TestWaitsAlternating503And429KeepsTheLastFailure(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		if n.Add(1)%2 == 1 {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(503)
			io.WriteString(w, `{"error_code":"ModelArts.0000","error_msg":"unavailable"}`)
			return
		}
		w.Header().Set("Retry-After", "40")
		w.WriteHeader(429)
		io.WriteString(w, `{"error_code":"ModelArts.6101","error_msg":"busy"}`)
	}))
	defer srv.Close()
	c := gClient(t, srv.URL, "tok-wait-1234567890")
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := c.WaitForActive(ctx, "img-1")
	var we *modelarts.WaitError
	if !errors.As(err, &we) {
		t.Fatalf("want WaitError, got %v", err)
	}
	var ae *modelarts.APIError
	if !errors.As(err, &ae) || !errors.Is(err, modelarts.ErrThrottled) {
		t.Fatalf("the 429 a poll was waiting on is not found behind the deadline: %v", err)
	}
	if !strings.Contains(err.Error(), "429") && !strings.Contains(err.Error(), "6101") {
		t.Logf("error text does not name the failure: %v", err)
	}
}

// A network failure (reset) while a deadline ends the wait: errors.As finds the RequestError.
func TestWaitsDeadlineBehindResetsKeepsTheRequestError(t *testing.T) {
	t.Parallel()
	srv := modelartstest.NewServer()
	defer srv.Close()
	id := srv.PutImage(modelarts.Image{Name: "a", Namespace: "team", Tag: "v1", Status: modelarts.ImageStatusCreating})
	srv.InjectFaultTimes(modelartstest.RouteGetImage, modelartstest.Always, modelartstest.Drop{})
	c := srv.Client()
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	_, err := c.WaitForActive(ctx, id)
	var we *modelarts.WaitError
	var re *modelarts.RequestError
	if !errors.As(err, &we) || !errors.As(err, &re) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want WaitError with RequestError and DeadlineExceeded, got %T %v", err, err)
	}
	if we.TransientErrors == 0 {
		t.Fatalf("no transient failure counted: %+v", we)
	}
}
