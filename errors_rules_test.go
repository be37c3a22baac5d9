package modelarts_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/modelarts-go/modelarts"
	"github.com/modelarts-go/modelarts/auth"
	"github.com/modelarts-go/modelarts/modelartstest"
)

func r2CheckPrefix(t *testing.T, err error) {
	t.Helper()
	msg := err.Error()
	if !strings.HasPrefix(msg, "modelarts: ") || strings.HasPrefix(msg, "modelarts: modelarts: ") {
		t.Errorf("message does not begin \"modelarts: \" once: %q", msg)
	}
}

// Each way a call can be busy when its context ends.
func TestErrorsACallEndedByItsContextIsARequestErrorWhateverItWasDoing(t *testing.T) {
	t.Parallel()
	type scenario struct {
		name string
		opts []modelarts.Option
		h    http.HandlerFunc
		call func(ctx context.Context, c *modelarts.Client) error
	}
	get := func(ctx context.Context, c *modelarts.Client) error { _, err := c.GetImage(ctx, "img-1"); return err }
	hang := func(w http.ResponseWriter, r *http.Request) { // bounded: see the in-flight test below
		select {
		case <-r.Context().Done():
		case <-time.After(600 * time.Millisecond):
		}
	}
	scenarios := []scenario{
		{"awaiting-answer", nil, hang, get},
		{"reading-body", nil, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(200)
			fmt.Fprint(w, `{"id":"img-1",`)
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		}, get},
		{"retry-after-backoff", nil, func(w http.ResponseWriter, r *http.Request) { r2ErrBody(w, 503, "ModelArts.0000", "30") }, get},
		{"429-backoff", nil, func(w http.ResponseWriter, r *http.Request) { r2ErrBody(w, 429, modelarts.CodeSystemBusy, "50") }, get},
		{"jitter-backoff", []modelarts.Option{modelarts.WithRetry(modelarts.RetryPolicy{MinWait: 10 * time.Second, MaxWait: 10 * time.Second})},
			func(w http.ResponseWriter, r *http.Request) { r2ErrBody(w, 502, "ModelArts.0000", "") }, get},
		{"rate-limiter", []modelarts.Option{modelarts.WithRateLimit(0.01, 1)}, func(w http.ResponseWriter, r *http.Request) {
			r2ErrBody(w, 400, modelarts.CodeNotFound, "")
		}, func(ctx context.Context, c *modelarts.Client) error {
			_, _ = c.GetImage(context.Background(), "warm")
			_, err := c.GetImage(ctx, "img-1")
			return err
		}},
		{"delete-retry", nil, func(w http.ResponseWriter, r *http.Request) { r2ErrBody(w, 503, "ModelArts.0000", "30") },
			func(ctx context.Context, c *modelarts.Client) error { return c.DeleteImage(ctx, "img-1") }},
		{"listing", nil, hang, func(ctx context.Context, c *modelarts.Client) error {
			for _, err := range c.ListImages(ctx, nil) {
				if err != nil {
					return err
				}
			}
			return errors.New("no error yielded")
		}},
		{"listing-page2-backoff", nil, func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Query().Get("offset") == "0" {
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprint(w, `{"data":[{"id":"a"}],"total":5}`)
				return
			}
			r2ErrBody(w, 503, "ModelArts.0000", "30")
		}, func(ctx context.Context, c *modelarts.Client) error {
			for _, err := range c.ListImages(ctx, &modelarts.ListImagesOptions{Limit: 1}) {
				if err != nil {
					return err
				}
			}
			return errors.New("no error yielded")
		}},
		{"stop-notebook", nil, hang, func(ctx context.Context, c *modelarts.Client) error {
			_, err := c.StopNotebook(ctx, "6a6b7c8d-0b4d-4c5e-9f77-1e2d3c4b5a60")
			return err
		}},
		{"sync-image", nil, hang, func(ctx context.Context, c *modelarts.Client) error { _, err := c.SyncImage(ctx, "img-1"); return err }},
	}
	for _, sc := range scenarios {
		for _, cancelIt := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/cancel=%v", sc.name, cancelIt), func(t *testing.T) {
				c, _ := r2Client(t, sc.h, append([]modelarts.Option{modelarts.WithRetry(modelarts.RetryPolicy{MinWait: time.Second, MaxWait: 2 * time.Second})}, sc.opts...)...)
				ctx, cancel := context.WithTimeout(context.Background(), 250*time.Millisecond)
				defer cancel()
				if cancelIt {
					go func() { time.Sleep(100 * time.Millisecond); cancel() }()
				}
				start := time.Now()
				err := sc.call(ctx, c)
				if d := time.Since(start); d > 3*time.Second {
					t.Fatalf("call outlived its context by %v", d)
				}
				var re *modelarts.RequestError
				if !errors.As(err, &re) {
					t.Fatalf("%T %v", err, err)
				}
				if re.Err == nil || !(errors.Is(re.Err, context.DeadlineExceeded) || errors.Is(re.Err, context.Canceled)) {
					t.Fatalf("RequestError.Err = %v", re.Err)
				}
				r2CheckPrefix(t, err)
			})
		}
	}
}

// The context ends while the signer fetches its first IAM token.
func TestErrorsAContextEndedDuringTheIAMTokenFetchIsARequestError(t *testing.T) {
	t.Parallel()
	iam := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select { // bounded: a token fetch may be shared by callers and outlive one
		case <-r.Context().Done():
		case <-time.After(time.Second):
		}
	}))
	t.Cleanup(iam.Close)
	s, err := auth.NewIAMTokenSigner(auth.PasswordCredentials{IAMEndpoint: iam.URL, DomainName: "d", Username: "u", Password: auth.NewSecret("pw-r2-secret"), ProjectID: r2Project},
		auth.WithIAMHTTPClient(iam.Client()))
	if err != nil {
		t.Fatal(err)
	}
	api := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(api.Close)
	c, err := modelarts.NewClient(api.URL, r2Project, s, modelarts.WithHTTPClient(api.Client()))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = c.GetImage(ctx, "img-1")
	if d := time.Since(start); d > 700*time.Millisecond {
		t.Fatalf("returned after %v", d)
	}
	var re *modelarts.RequestError
	if !errors.As(err, &re) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("%T %v", err, err)
	}
	r2CheckPrefix(t, err)
}

// A connect that never completes (a listener whose backlog is full would
// be flaky; a dialer that blocks is not).
func TestErrorsAContextEndedWhileDialingIsARequestError(t *testing.T) {
	t.Parallel()
	// net/http dials apart from the request's context: bound the dialer so
	// that no goroutine outlives the test.
	tr := &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(300 * time.Millisecond):
			return nil, errors.New("r2: dial gave up")
		}
	}}
	t.Cleanup(func() { time.Sleep(400 * time.Millisecond); tr.CloseIdleConnections() })
	c, err := modelarts.NewClient("https://modelarts.example.com", r2Project, auth.NewTokenSigner("tok-r2"), modelarts.WithHTTPClient(&http.Client{Transport: tr}))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	_, err = c.GetImage(ctx, "img-1")
	var re *modelarts.RequestError
	if !errors.As(err, &re) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("%T %v", err, err)
	}
	r2CheckPrefix(t, err)
}

// A create whose context ends while the SDK settles a lost answer.
func TestErrorsAContextEndedWhileACreateIsSettledIsARequestError(t *testing.T) {
	t.Parallel()
	srv := r2Fake(t)
	srv.InjectFault(modelartstest.RouteCreateImage, modelartstest.AfterHandling{Then: modelartstest.Drop{}})
	srv.InjectFaultTimes(modelartstest.RouteListImages, modelartstest.Always, modelartstest.Hang{})
	srv.InjectFaultTimes(modelartstest.RouteGetNotebook, modelartstest.Always, modelartstest.Hang{})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := srv.Client(modelarts.WithReconcileWindow(5*time.Second)).CreateImageFromNotebook(ctx, r2NB, &modelarts.CreateImageRequest{Name: "cx", Namespace: "ns"})
	var re *modelarts.RequestError
	if !errors.As(err, &re) {
		var oe *modelarts.CreateOutcomeError
		if errors.As(err, &oe) && errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("a create ended by its context while settling a lost answer is a %T (top level), not a *RequestError: %v", err, err)
		}
		t.Fatalf("%T %v", err, err)
	}
	r2CheckPrefix(t, err)
}

// An already-ended context on a valid call: a *RequestError, nothing sent.
func TestErrorsAnAlreadyEndedContextGivesARequestErrorForEveryCall(t *testing.T) {
	t.Parallel()
	srv := r2Fake(t)
	srv.AddTrainingJob("job-1")
	c := srv.Client()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	calls := map[string]func() error{
		"get": func() error { _, err := c.GetImage(ctx, "img-1"); return err },
		"register": func() error {
			_, err := c.RegisterImage(ctx, &modelarts.RegisterImageRequest{SWRPath: "swr.cn-north-4.myhuaweicloud.com/ns/x:v1"})
			return err
		},
		"save": func() error {
			_, err := c.CreateImageFromNotebook(ctx, r2NB, &modelarts.CreateImageRequest{Name: "x", Namespace: "ns"})
			return err
		},
		"job": func() error {
			_, err := c.CreateSaveImageJob(ctx, "job-1", "worker-0", &modelarts.SaveImageJobRequest{Name: "x"})
			return err
		},
		"delete-group": func() error { return c.DeleteImageGroup(ctx, "g") },
		"start":        func() error { _, err := c.StartNotebook(ctx, r2NB, nil); return err },
		"page":         func() error { _, err := c.ListImagesPage(ctx, nil); return err },
	}
	for name, call := range calls {
		err := call()
		var re *modelarts.RequestError
		if !errors.As(err, &re) || !errors.Is(err, context.Canceled) {
			t.Errorf("%s: %T %v", name, err, err)
			continue
		}
		r2CheckPrefix(t, err)
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("%d requests sent with an ended context", n)
	}
}

// Invalid values are quoted as given, whatever they hold.
func TestErrorsValidationMessagesQuoteTheValueAsGiven(t *testing.T) {
	t.Parallel()
	c, _ := r2Client(t, http.NotFoundHandler())
	ctx := r2Ctx(t, time.Second)
	vals := []string{"bad name", "Bad\nName", "naïve", `q"uote`, "tab\there", "-lead", "\x00nul"}
	for _, v := range vals {
		_, err := c.CreateImageFromNotebook(ctx, r2NB, &modelarts.CreateImageRequest{Name: v, Namespace: "ns"})
		var ve *modelarts.ValidationError
		if !errors.As(err, &ve) {
			t.Errorf("%q: %T %v", v, err, err)
			continue
		}
		r2CheckPrefix(t, err)
		if !strings.Contains(err.Error(), strconv.Quote(v)) {
			t.Errorf("value %q not quoted as given in %q", v, err)
		}
	}
	for _, id := range []string{"../etc", "a/b", "a b", "?x=1", "%2e%2e"} {
		_, err := c.GetImage(ctx, id)
		var ve *modelarts.ValidationError
		if !errors.As(err, &ve) {
			t.Errorf("id %q: %T %v", id, err, err)
			continue
		}
		if !strings.Contains(err.Error(), strconv.Quote(id)) {
			t.Errorf("id %q not quoted in %q", id, err)
		}
	}
}

// Every error type's message begins "modelarts: " once, nested or not, and
// a nested SDK error does not repeat the prefix mid-message.
func TestErrorsEveryErrorTypeBeginsWithThePrefixOnce(t *testing.T) {
	t.Parallel()
	inner := &modelarts.APIError{StatusCode: 503, Code: "ModelArts.0000", Message: "m", Method: "GET", Path: "/p"}
	errs := []error{
		inner,
		&modelarts.RequestError{Method: "GET", Path: "/p", Attempts: 2, Err: context.DeadlineExceeded, Last: inner},
		&modelarts.DecodeError{Method: "GET", Path: "/p", StatusCode: 200, Body: "x", Err: errors.New("bad")},
		&modelarts.ValidationError{Field: "name", Reason: "r"},
		&modelarts.WaitError{ID: "i", Err: context.DeadlineExceeded, LastTransient: inner},
		&modelarts.CreateOutcomeError{Method: "POST", Path: "/p", Reason: "r", Err: &modelarts.RequestError{Method: "POST", Path: "/p", Err: errors.New("EOF")}},
		&modelarts.SaveImageJobOutcomeError{TrainingJobID: "j", TaskID: "t", Err: inner},
		&modelarts.ListingError{Reason: "r"},
		&modelarts.ImageFailedError{ImageID: "i", Status: "ERROR"},
		&modelarts.SaveImageJobFailedError{TrainingJobID: "j", TaskID: "t"},
		&modelarts.NotebookFailedError{NotebookID: "n"},
		&modelarts.NotebookNotRunningError{NotebookID: "n"},
	}
	var nested []string
	for _, err := range errs {
		r2CheckPrefix(t, err)
		if n := strings.Count(err.Error(), "modelarts: "); n > 1 {
			nested = append(nested, fmt.Sprintf("%T ×%d: %s", err, n, err))
		}
	}
	for _, n := range nested {
		t.Logf("prefix repeated inside (nested error quoted whole): %s", n)
	}
}

// A POST ended by its context returns at once, but is the request itself
// ended? "The context bounds the whole call": nothing of it should go on.
func TestErrorsAPostEndedByItsContextLeavesNoRequestInFlight(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"stop", "sync", "register", "get"} {
		t.Run(name, func(t *testing.T) {
			ended := make(chan time.Time, 1)
			c, _ := r2Client(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				// net/http's server notices a closed connection only once
				// the handler has read the body: read it first, as the
				// service does, so that the client's cancellation shows.
				_, _ = io.Copy(io.Discard, r.Body)
				select {
				case <-r.Context().Done():
					ended <- time.Now()
				case <-time.After(1200 * time.Millisecond):
				}
			}), modelarts.WithAttemptTimeout(10*time.Second))
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			start := time.Now()
			var err error
			switch name {
			case "stop":
				_, err = c.StopNotebook(ctx, r2NB)
			case "sync":
				_, err = c.SyncImage(ctx, "img-1")
			case "register":
				_, err = c.RegisterImage(ctx, &modelarts.RegisterImageRequest{SWRPath: "swr.cn-north-4.myhuaweicloud.com/ns/x:v1"})
			case "get":
				_, err = c.GetImage(ctx, "img-1")
			}
			returned := time.Since(start)
			select {
			case at := <-ended:
				if d := at.Sub(start); d > time.Second {
					t.Fatalf("request ended %v after start", d)
				}
			case <-time.After(time.Second):
				t.Fatalf("%s returned after %v (%T) but its HTTP request was still in flight 1 s later (left to the attempt timeout)", name, returned.Round(time.Millisecond), err)
			}
		})
	}
}

// A value too long is a value too: "its value quoted as given".
func TestErrorsValidationMessageOfATooLongValueQuotesIt(t *testing.T) {
	t.Parallel()
	c, _ := r2Client(t, http.NotFoundHandler())
	v := "x" + strings.Repeat("y", 200)
	_, err := c.CreateImageFromNotebook(r2Ctx(t, time.Second), r2NB, &modelarts.CreateImageRequest{Name: v, Namespace: "ns"})
	var ve *modelarts.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("%T %v", err, err)
	}
	if !strings.Contains(err.Error(), strconv.Quote(v)) && !strings.Contains(err.Error(), strconv.Quote(v)[:21]) {
		t.Fatalf("a 201-character name is refused without its value: %q", err)
	}
}
