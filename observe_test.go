package modelarts_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelarts-go/modelarts"
	"github.com/modelarts-go/modelarts/auth"
	"github.com/modelarts-go/modelarts/modelartstest"
)

// recorder is an Observer that keeps every observation, in order, with
// the call each was made in (read from the context the Call hook made).
type recorder struct {
	mu        sync.Mutex
	events    []string // "call GetImage", "attempt GET /v1/...", "end ...", ...
	calls     []*modelarts.CallStart
	callEnds  map[string]*modelarts.CallEnd
	attempts  []*modelarts.AttemptEnd
	retries   []*modelarts.RetryInfo
	polls     []*modelarts.PollInfo
	reconcile []*modelarts.ReconcileStep
	inCall    []string // for each attempt, the call its context carried
	all       []any    // every struct observed, for the secrets check
}

type callNameKey struct{}

func (r *recorder) observer() modelarts.Observer {
	r.callEnds = map[string]*modelarts.CallEnd{}
	return modelarts.Observer{
		Call: func(ctx context.Context, c *modelarts.CallStart) (context.Context, func(*modelarts.CallEnd)) {
			r.add("call "+c.Operation, c)
			r.mu.Lock()
			r.calls = append(r.calls, c)
			r.mu.Unlock()
			return context.WithValue(ctx, callNameKey{}, c.Operation), func(e *modelarts.CallEnd) {
				r.add("end "+c.Operation, e)
				r.mu.Lock()
				r.callEnds[c.Operation] = e
				r.mu.Unlock()
			}
		},
		Attempt: func(ctx context.Context, a *modelarts.AttemptStart) (context.Context, func(*modelarts.AttemptEnd)) {
			r.add("attempt "+a.Method+" "+a.Route, a)
			name, _ := ctx.Value(callNameKey{}).(string)
			a.SetHeader("Traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
			r.mu.Lock()
			r.inCall = append(r.inCall, name)
			r.mu.Unlock()
			return ctx, func(e *modelarts.AttemptEnd) {
				r.add(fmt.Sprintf("status %d", e.StatusCode), e)
				r.mu.Lock()
				r.attempts = append(r.attempts, e)
				r.mu.Unlock()
			}
		},
		Retry: func(_ context.Context, ri *modelarts.RetryInfo) {
			r.add("retry "+ri.Cause, ri)
			r.mu.Lock()
			r.retries = append(r.retries, ri)
			r.mu.Unlock()
		},
		Poll: func(_ context.Context, p *modelarts.PollInfo) {
			r.add("poll "+p.Resource+" "+p.Status, p)
			r.mu.Lock()
			r.polls = append(r.polls, p)
			r.mu.Unlock()
		},
		Reconcile: func(_ context.Context, s *modelarts.ReconcileStep) {
			r.add("reconcile "+string(s.Verdict), s)
			r.mu.Lock()
			r.reconcile = append(r.reconcile, s)
			r.mu.Unlock()
		},
	}
}

func (r *recorder) add(event string, v any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, event)
	r.all = append(r.all, v)
}

// The scenario: a save whose image polls meet two 503s and whose
// create answer is lost shows, through one observer, the call, the create
// it makes, every attempt, the retries, the reconciliation and the polls.
func TestObserverSeesASaveWithItsRetriesPollsAndReconciliation(t *testing.T) {
	srv := modelartstest.NewServer()
	defer srv.Close()
	srv.AddNotebook("nb-1", modelarts.NotebookStatusRunning)
	srv.InjectFault(modelartstest.RouteCreateImage, modelartstest.AfterHandling{Then: modelartstest.Drop{}})
	srv.InjectFaultTimes(modelartstest.RouteGetImage, 2, modelartstest.ErrorAnswer{Status: 503})
	var rec recorder
	c := srv.Client(modelarts.WithObserver(rec.observer()))

	img, err := c.SaveNotebookAsImage(context.Background(), "nb-1", &modelarts.CreateImageRequest{Name: "env", Namespace: "team"})
	require.NoError(t, err)
	require.Equal(t, modelarts.ImageStatusActive, img.Status)

	require.GreaterOrEqual(t, len(rec.calls), 2)
	assert.Equal(t, "SaveNotebookAsImage", rec.calls[0].Operation)
	assert.Equal(t, "nb-1", rec.calls[0].NotebookID)
	assert.Equal(t, "CreateImageFromNotebook", rec.calls[1].Operation, "the create is a call of its own, inside the save")
	assert.NotEmpty(t, rec.calls[0].ServerAddress)
	assert.NotZero(t, rec.calls[0].ServerPort)

	save := rec.callEnds["SaveNotebookAsImage"]
	require.NotNil(t, save)
	assert.NoError(t, save.Err)
	assert.Positive(t, save.Duration)
	create := rec.callEnds["CreateImageFromNotebook"]
	require.NotNil(t, create)
	assert.Equal(t, img.ID, create.ImageID, "the create's end names the image it returned")
	assert.Equal(t, "end SaveNotebookAsImage", rec.events[len(rec.events)-1], "the save ends last")

	var s503, lost int
	for _, a := range rec.attempts {
		switch {
		case a.StatusCode == 503:
			s503++
			assert.True(t, a.Retryable)
			assert.Error(t, a.Err)
		case a.StatusCode == 0:
			lost++
			assert.True(t, a.MayHaveHappened, "a create whose answer is lost may have happened")
		}
	}
	assert.Equal(t, 2, s503)
	assert.Equal(t, 1, lost)
	require.Len(t, rec.retries, 2)
	for i, r := range rec.retries {
		assert.Equal(t, "/v1/{project_id}/images/{image_id}", r.Route)
		assert.Equal(t, "SaveNotebookAsImage", r.Operation)
		assert.Equal(t, i+1, r.Attempt)
		assert.Equal(t, "server_error", r.Cause)
	}

	require.NotEmpty(t, rec.reconcile)
	last := rec.reconcile[len(rec.reconcile)-1]
	assert.Equal(t, modelarts.ReconcileFound, last.Verdict)
	assert.Equal(t, "lost_answer", last.Mode)
	assert.Equal(t, []string{img.ID}, last.Candidates)
	assert.Equal(t, "CreateImageFromNotebook", last.Operation)

	require.NotEmpty(t, rec.polls)
	var imagePolls, notebookPolls int
	for _, p := range rec.polls {
		switch p.Resource {
		case "image":
			imagePolls++
		case "notebook":
			notebookPolls++
		}
	}
	assert.Positive(t, imagePolls)
	assert.Positive(t, notebookPolls)
	assert.True(t, rec.polls[len(rec.polls)-1].Done)

	for i, name := range rec.inCall {
		assert.NotEmpty(t, name, "attempt %d: its context carries its call's", i)
	}

	// The header the observer set reached the service on every request.
	for _, req := range srv.Requests() {
		assert.Equal(t, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", req.Header.Get("Traceparent"), "%s %s", req.Method, req.Path)
	}
}

// An observer may add headers, never a credential or a header the SDK
// sets; and an AK/SK-signed request with an added header is still
// accepted by the fake's gateway.
func TestObserverHeadersAreSignedAndCredentialsAreRefused(t *testing.T) {
	srv := modelartstest.NewServer(modelartstest.WithAKSK("AKOBSERVE", "sk-observe-secret"))
	defer srv.Close()
	srv.AddNotebook("nb-1", modelarts.NotebookStatusRunning)
	refused := map[string]bool{}
	obs := modelarts.Observer{Attempt: func(ctx context.Context, a *modelarts.AttemptStart) (context.Context, func(*modelarts.AttemptEnd)) {
		for _, h := range []string{"Authorization", "x-auth-token", "X-Security-Token", "X-Sdk-Date", "Host", "Content-Type", "X-Project-Id", "Bad Name", "X-Ok\r\nX-Injected"} {
			refused[h] = !a.SetHeader(h, "v")
		}
		assert.False(t, a.SetHeader("X-Fine", "line\nbreak"))
		assert.True(t, a.SetHeader("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"))
		return nil, nil
	}}
	signer, err := auth.NewAKSKSigner("AKOBSERVE", "sk-observe-secret")
	require.NoError(t, err)
	c, err := modelarts.NewClient(srv.URL(), srv.ProjectID(), signer,
		modelarts.WithHTTPClient(srv.HTTPClient()), modelarts.WithObserver(obs))
	require.NoError(t, err)
	_, err = c.GetNotebook(context.Background(), "nb-1")
	require.NoError(t, err, "the signature holds with the added header")
	for h, r := range refused {
		assert.True(t, r, "%s must be refused", h)
	}
	reqs := srv.Requests()
	require.Len(t, reqs, 1)
	assert.NotEmpty(t, reqs[0].Header.Get("Traceparent"))
	assert.Empty(t, reqs[0].Header.Get("X-Injected"))
	assert.True(t, reqs[0].Identity.Verified)
}

// A hostile server echoes the token everywhere it can: the observations
// hold none of it.
func TestObservationsHoldNoSecretWhenTheServerEchoesOne(t *testing.T) {
	const token = "MIIT-observed-secret-token-0123456789abcdef"
	var n int
	var mu sync.Mutex
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		k := n
		mu.Unlock()
		echo := r.Header.Get("X-Auth-Token")
		w.Header().Set("X-Request-Id", "req-"+echo)
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasSuffix(r.URL.Path, "/notebooks/nb-1"):
			fmt.Fprintf(w, `{"id":"nb-1","status":"RUNNING","name":%q}`, echo)
		case r.Method == http.MethodPost || k%2 == 1:
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintf(w, `{"error_code":"ModelArts.%s","error_msg":"echo %s"}`, echo, echo)
		default:
			fmt.Fprintf(w, `{"id":"img-1","name":"x","status":%q,"status_message":%q}`, "ACTIVE", echo)
		}
	}))
	defer hs.Close()
	var rec recorder
	c, err := modelarts.NewClient(hs.URL, "0123456789abcdef0123456789abcdef", auth.NewTokenSigner(token),
		modelarts.WithObserver(rec.observer()), modelarts.WithRetry(modelarts.RetryPolicy{ZeroWait: true}),
		modelarts.WithReconcileWindow(0),
		modelarts.WithCallDefaults(modelarts.WithPollInterval(1, 2)))
	require.NoError(t, err)
	ctx := context.Background()
	_, _ = c.GetImage(ctx, "img-1")
	_, _ = c.WaitForActive(ctx, "img-1")
	_, _ = c.CreateImageFromNotebook(ctx, "nb-1", &modelarts.CreateImageRequest{Name: "env", Namespace: "team", Tag: "v1"})
	for range c.ListImages(ctx, &modelarts.ListImagesOptions{Name: "x"}) {
	}
	require.NotEmpty(t, rec.attempts)
	require.NotEmpty(t, rec.retries)
	require.NotEmpty(t, rec.reconcile)
	for _, v := range rec.all {
		text := fmt.Sprintf("%+v", v)
		assert.NotContains(t, text, token)
		for _, e := range errorsIn(v) {
			assert.NotContains(t, e.Error(), token)
		}
	}
}

func errorsIn(v any) []error {
	var out []error
	add := func(e error) {
		if e != nil {
			out = append(out, e)
		}
	}
	switch v := v.(type) {
	case *modelarts.CallEnd:
		add(v.Err)
	case *modelarts.AttemptEnd:
		add(v.Err)
	case *modelarts.RetryInfo:
		add(v.Err)
	case *modelarts.PollInfo:
		add(v.Err)
	case *modelarts.ReconcileStep:
		add(v.Err)
	}
	return out
}

// A listing is one call, ended when the loop ends; each page is an
// attempt inside it.
func TestObserverSeesAListingAsOneCall(t *testing.T) {
	srv := modelartstest.NewServer()
	defer srv.Close()
	for i := range 5 {
		_, err := srv.Client().RegisterImage(context.Background(), &modelarts.RegisterImageRequest{SWRPath: fmt.Sprintf("swr.fake.local/team/env:v%d", i)})
		require.NoError(t, err)
	}
	var rec recorder
	c := srv.Client(modelarts.WithObserver(rec.observer()))
	n := 0
	for _, err := range c.ListImages(context.Background(), &modelarts.ListImagesOptions{Type: modelarts.ImageTypeDedicated, Limit: 2}) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 5, n)
	require.Len(t, rec.calls, 1)
	assert.Equal(t, "ListImages", rec.calls[0].Operation)
	assert.Len(t, rec.attempts, 3, "one attempt per page")
	require.NotNil(t, rec.callEnds["ListImages"])
	assert.Equal(t, 3, rec.callEnds["ListImages"].Attempts)
}
