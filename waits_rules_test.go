package modelarts_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelarts-go/modelarts"
	"github.com/modelarts-go/modelarts/modelartstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func r2ErrBody(w http.ResponseWriter, status int, code, retryAfter string) {
	if retryAfter != "" {
		w.Header().Set("Retry-After", retryAfter)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"error_code":%q,"error_msg":"m"}`, code)
}

type r2Wait struct {
	name string
	run  func(ctx context.Context, c *modelarts.Client) error
}

func r2Waits() []r2Wait {
	fast := modelarts.WithPollInterval(time.Millisecond, 2*time.Millisecond)
	return []r2Wait{
		{"image", func(ctx context.Context, c *modelarts.Client) error {
			_, err := c.WaitForActive(ctx, "img-1", fast)
			return err
		}},
		{"notebook", func(ctx context.Context, c *modelarts.Client) error {
			_, err := c.WaitForNotebook(ctx, "6a6b7c8d-0b4d-4c5e-9f77-1e2d3c4b5a60", modelarts.NotebookStatusRunning, fast)
			return err
		}},
		{"save-image-job", func(ctx context.Context, c *modelarts.Client) error {
			_, err := c.WaitForSaveImageJob(ctx, "job-1", "worker-0", fast)
			return err
		}},
		{"image-cond", func(ctx context.Context, c *modelarts.Client) error {
			_, err := c.WaitForImage(ctx, "img-1", func(*modelarts.Image) (bool, error) { return false, nil }, fast)
			return err
		}},
	}
}

// A poll answered 503 Retry-After: 1 while the context has 300 ms: the
// poll is cut short waiting for the retry; the WaitError keeps the 503.
func TestWaitsEndedByTheContextKeepThe503AndItsRetryAfterForEveryWait(t *testing.T) {
	t.Parallel()
	for _, w := range r2Waits() {
		for _, ra := range []string{"1", "30", time.Now().Add(20 * time.Second).UTC().Format(http.TimeFormat)} {
			t.Run(w.name+"/"+ra[:min(2, len(ra))], func(t *testing.T) {
				c, _ := r2Client(t, http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
					r2ErrBody(rw, 503, "ModelArts.0000", ra)
				}))
				ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
				defer cancel()
				start := time.Now()
				err := w.run(ctx, c)
				if d := time.Since(start); d > 2*time.Second {
					t.Fatalf("wait outlived its context by %v", d)
				}
				var we *modelarts.WaitError
				if !errors.As(err, &we) {
					t.Fatalf("%T %v", err, err)
				}
				if !errors.Is(err, context.DeadlineExceeded) {
					t.Fatalf("no deadline in %v", err)
				}
				var ae *modelarts.APIError
				if !errors.As(err, &ae) || ae.StatusCode != 503 || ae.Header.Get("Retry-After") != ra {
					t.Fatalf("503 with Retry-After not reachable: %v (%+v)", err, ae)
				}
				if we.TransientErrors < 1 {
					t.Fatalf("transient count %d", we.TransientErrors)
				}
				if !strings.HasPrefix(err.Error(), "modelarts: ") || strings.Count(err.Error(), "modelarts: ") != 1 && !strings.Contains(err.Error(), "last") {
					t.Logf("message: %s", err)
				}
			})
		}
	}
}

// A poll that hangs until the deadline (attempt timeout longer than ctx):
// still a *WaitError wrapping the deadline.
func TestWaitsOnAHangingServerEndAsWaitErrorAtTheDeadline(t *testing.T) {
	t.Parallel()
	for _, w := range r2Waits() {
		t.Run(w.name, func(t *testing.T) {
			c, _ := r2Client(t, http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
				<-r.Context().Done()
			}))
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			err := w.run(ctx, c)
			var we *modelarts.WaitError
			if !errors.As(err, &we) || !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("%T %v", err, err)
			}
		})
	}
}

// A not-found within the grace is counted apart, not as transient; after
// the grace it ends the wait, as a *WaitError matching ErrNotFound.
func TestWaitsNotFoundWithinGraceIsCountedApartAndAfterGraceEndsTheWait(t *testing.T) {
	t.Parallel()
	for _, w := range r2Waits() {
		for _, code := range []string{modelarts.CodeNotFound, modelarts.CodeImageNotFound, modelarts.CodeInstanceNotExist} {
			t.Run(w.name+"/"+code, func(t *testing.T) {
				c, _ := r2Client(t, http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
					r2ErrBody(rw, 400, code, "")
				}))
				ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
				defer cancel()
				err := w.run(ctx, c) // default grace 30 s: all within grace
				var we *modelarts.WaitError
				if !errors.As(err, &we) || !errors.Is(err, context.DeadlineExceeded) {
					t.Fatalf("within grace: %T %v", err, err)
				}
				if we.TransientErrors != 0 {
					t.Fatalf("a within-grace not-found was counted transient: %v", err)
				}
				if we.NotFound < 1 {
					t.Fatalf("within grace: NotFound %d Transient %d: %v", we.NotFound, we.TransientErrors, err)
				}
				ctx2, cancel2 := context.WithTimeout(context.Background(), 2*time.Second)
				defer cancel2()
				c2, _ := r2Client(t, http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
					r2ErrBody(rw, 400, code, "")
				}), modelarts.WithCallDefaults(modelarts.WithNotFoundGrace(20*time.Millisecond)))
				err = w.run(ctx2, c2)
				if !errors.As(err, &we) || !errors.Is(err, modelarts.ErrNotFound) || errors.Is(err, context.DeadlineExceeded) {
					t.Fatalf("after grace: %T %v", err, err)
				}
			})
		}
	}
}

// A 503 seen, then not-founds until the deadline: the transient 503 is
// kept, the not-founds are not counted as transient.
func TestWaitsMixOf503ThenNotFoundKeepsThe503AndCountsNotFoundApart(t *testing.T) {
	t.Parallel()
	var n atomic.Int64
	c, _ := r2Client(t, http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			r2ErrBody(rw, 503, "ModelArts.0000", "")
			return
		}
		r2ErrBody(rw, 400, modelarts.CodeNotFound, "")
	}), modelarts.WithRetry(modelarts.RetryPolicy{MaxAttempts: 1}))
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	_, err := c.WaitForActive(ctx, "img-1", modelarts.WithPollInterval(time.Millisecond, 2*time.Millisecond))
	var we *modelarts.WaitError
	if !errors.As(err, &we) || we.TransientErrors != 1 || we.NotFound < 1 {
		t.Fatalf("%+v %v", we, err)
	}
	var ae *modelarts.APIError
	if !errors.As(err, &ae) || ae.StatusCode != 503 {
		t.Fatalf("503 lost: %v", err)
	}
}

// Permanent failures end every wait as a *WaitError, at once.
func TestWaitsPermanentFailuresEndEveryWaitAsWaitError(t *testing.T) {
	t.Parallel()
	for _, w := range r2Waits() {
		for _, st := range []int{401, 403, 400} {
			t.Run(fmt.Sprintf("%s/%d", w.name, st), func(t *testing.T) {
				var n atomic.Int64
				c, _ := r2Client(t, http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
					n.Add(1)
					r2ErrBody(rw, st, "ModelArts.0104", "")
				}))
				err := w.run(r2Ctx(t, 3*time.Second), c)
				var we *modelarts.WaitError
				if !errors.As(err, &we) || errors.Is(err, context.DeadlineExceeded) {
					t.Fatalf("%T %v", err, err)
				}
				var ae *modelarts.APIError
				if !errors.As(err, &ae) || ae.StatusCode != st {
					t.Fatalf("status lost: %v", err)
				}
				if n.Load() > 3 {
					t.Fatalf("%d polls for a permanent failure", n.Load())
				}
			})
		}
	}
}

// A wait whose resource reaches a failure status ends as a *WaitError too,
// with the failure, status message included, behind it.
func TestWaitsEndedByAFailureStatusAreWaitErrorsWithTheFailureBehind(t *testing.T) {
	t.Parallel()
	srv := modelartstest.NewServer()
	defer srv.Close()
	c := srv.Client()
	id := srv.PutImage(modelarts.Image{Name: "x", Namespace: "b", Status: modelarts.ImageStatusCreateFailed, StatusMessage: "bad layer"})
	_, err := c.WaitForActive(r2Ctx(t, 3*time.Second), id)
	var we *modelarts.WaitError
	var ife *modelarts.ImageFailedError
	require.ErrorAs(t, err, &we)
	require.ErrorAs(t, err, &ife)
	assert.Equal(t, "bad layer", ife.StatusMessage)
	assert.ErrorIs(t, err, modelarts.ErrImageFailed)
	assert.Equal(t, "CREATE_FAILED", we.Status)

	srv.AddNotebook("nb-1", modelarts.NotebookStatusStopped)
	srv.FailNextNotebookStart("no capacity")
	_, err = c.StartNotebook(r2Ctx(t, 3*time.Second), "nb-1", nil)
	require.NoError(t, err)
	_, err = c.WaitForNotebook(r2Ctx(t, 3*time.Second), "nb-1", modelarts.NotebookStatusRunning)
	var nfe *modelarts.NotebookFailedError
	require.ErrorAs(t, err, &we)
	require.ErrorAs(t, err, &nfe)
	assert.ErrorIs(t, err, modelarts.ErrNotebookFailed)
}

// A context already ended: the wait still ends as a *WaitError.
func TestWaitsWithAnAlreadyCancelledContextEndAsWaitError(t *testing.T) {
	t.Parallel()
	for _, w := range r2Waits() {
		t.Run(w.name, func(t *testing.T) {
			c, _ := r2Client(t, http.NotFoundHandler())
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			err := w.run(ctx, c)
			var we *modelarts.WaitError
			if !errors.As(err, &we) || !errors.Is(err, context.Canceled) {
				t.Fatalf("%T %v", err, err)
			}
		})
	}
}

// SaveNotebookAsImage's notebook wait stuck on a 503 with Retry-After.
func TestWaitsInsideSaveNotebookAsImageKeepThe503AtTheDeadline(t *testing.T) {
	t.Parallel()
	srv := r2Fake(t)
	c := srv.Client()
	ctx, cancel := context.WithTimeout(context.Background(), 400*time.Millisecond)
	defer cancel()
	srv.InjectFaultTimes(modelartstest.RouteGetImage, modelartstest.Always, modelartstest.ErrorAnswer{Status: 503, RetryAfter: "2"})
	srv.InjectFaultTimes(modelartstest.RouteListImages, modelartstest.Always, modelartstest.ErrorAnswer{Status: 503, RetryAfter: "2"})
	img, err := c.SaveNotebookAsImage(ctx, r2NB, &modelarts.CreateImageRequest{Name: "sw", Namespace: "ns"})
	var we *modelarts.WaitError
	if !errors.As(err, &we) {
		t.Fatalf("%T %v (img %v)", err, err, img)
	}
	var ae *modelarts.APIError
	if !errors.As(err, &ae) || ae.StatusCode != 503 || ae.Header.Get("Retry-After") != "2" {
		t.Fatalf("503 lost: %v", err)
	}
}

// The same wait repeated with deadlines landing at every point of a poll:
// a not-found within the grace must never be counted as transient.
func TestWaitsANotFoundWithinGraceIsNeverCountedTransientUnderRepeatedDeadlines(t *testing.T) {
	t.Parallel()
	c, _ := r2Client(t, http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		time.Sleep(time.Duration(time.Now().UnixNano()%700) * time.Microsecond)
		r2ErrBody(rw, 400, modelarts.CodeNotFound, "")
	}))
	bad := 0
	var example error
	for i := 0; i < 60; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), time.Duration(5+i%13)*time.Millisecond)
		_, err := c.WaitForActive(ctx, "img-1", modelarts.WithPollInterval(time.Millisecond, 2*time.Millisecond))
		cancel()
		var we *modelarts.WaitError
		if !errors.As(err, &we) {
			t.Fatalf("%T %v", err, err)
		}
		if we.TransientErrors != 0 {
			bad++
			example = err
		}
	}
	if bad > 0 {
		t.Fatalf("%d of 60 waits ended by their deadline counted a within-grace not-found (400 ModelArts.6404) as a transient failure, e.g. %v", bad, example)
	}
}
