package otelmodelarts_test

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
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/modelarts-go/modelarts"
	"github.com/modelarts-go/modelarts/auth"
	"github.com/modelarts-go/modelarts/modelartstest"
	"github.com/modelarts-go/modelarts/otelmodelarts"
)

// telemetry is what a traced client emitted.
type telemetry struct {
	spans  *tracetest.SpanRecorder
	reader *sdkmetric.ManualReader
}

func newTelemetry() (*telemetry, modelarts.Option) {
	tel := &telemetry{spans: tracetest.NewSpanRecorder(), reader: sdkmetric.NewManualReader()}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(tel.spans))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(tel.reader))
	return tel, otelmodelarts.New(otelmodelarts.WithTracerProvider(tp), otelmodelarts.WithMeterProvider(mp))
}

func (tel *telemetry) named(name string) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, s := range tel.spans.Ended() {
		if s.Name() == name {
			out = append(out, s)
		}
	}
	return out
}

func (tel *telemetry) metrics(t *testing.T) map[string]metricdata.Metrics {
	var rm metricdata.ResourceMetrics
	require.NoError(t, tel.reader.Collect(context.Background(), &rm))
	out := map[string]metricdata.Metrics{}
	for _, sm := range rm.ScopeMetrics {
		require.Equal(t, otelmodelarts.ScopeName, sm.Scope.Name)
		for _, m := range sm.Metrics {
			out[m.Name] = m
		}
	}
	return out
}

// sum adds up the points of a counter whose attributes include want.
func sum(t *testing.T, m metricdata.Metrics, want ...attribute.KeyValue) int64 {
	s, ok := m.Data.(metricdata.Sum[int64])
	require.True(t, ok, "%s is a counter", m.Name)
	var n int64
	for _, dp := range s.DataPoints {
		if hasAll(dp.Attributes, want) {
			n += dp.Value
		}
	}
	return n
}

// count adds up the counts of a histogram's points whose attributes
// include want.
func count(t *testing.T, m metricdata.Metrics, want ...attribute.KeyValue) uint64 {
	h, ok := m.Data.(metricdata.Histogram[float64])
	require.True(t, ok, "%s is a histogram", m.Name)
	var n uint64
	for _, dp := range h.DataPoints {
		if hasAll(dp.Attributes, want) {
			n += dp.Count
		}
	}
	return n
}

func hasAll(set attribute.Set, want []attribute.KeyValue) bool {
	for _, kv := range want {
		if v, ok := set.Value(kv.Key); !ok || v != kv.Value {
			return false
		}
	}
	return true
}

func attr(s sdktrace.ReadOnlySpan, key string) (attribute.Value, bool) {
	for _, kv := range s.Attributes() {
		if string(kv.Key) == key {
			return kv.Value, true
		}
	}
	return attribute.Value{}, false
}

func eventAttr(e sdktrace.Event, key string) attribute.Value {
	for _, kv := range e.Attributes {
		if string(kv.Key) == key {
			return kv.Value
		}
	}
	return attribute.Value{}
}

// The "done when": a traced save against the fake with two
// injected 503s and a lost create answer is one trace holding the call
// span, its attempts, the reconciliation and the polls; its metrics count
// what happened.
func TestTracedSaveWithTwo503sAndALostCreateIsOneTrace(t *testing.T) {
	srv := modelartstest.NewServer()
	defer srv.Close()
	srv.AddNotebook("nb-1", modelarts.NotebookStatusRunning)
	srv.InjectFault(modelartstest.RouteCreateImage, modelartstest.AfterHandling{Then: modelartstest.Drop{}})
	srv.InjectFaultTimes(modelartstest.RouteGetImage, 2, modelartstest.ErrorAnswer{Status: 503})
	tel, opt := newTelemetry()
	c := srv.Client(opt)

	img, err := c.SaveNotebookAsImage(context.Background(), "nb-1", &modelarts.CreateImageRequest{Name: "env", Namespace: "team"})
	require.NoError(t, err)

	saves := tel.named("ModelArts.SaveNotebookAsImage")
	require.Len(t, saves, 1)
	save := saves[0]
	assert.False(t, save.Parent().IsValid(), "the save is the root")
	assert.Equal(t, codes.Unset, save.Status().Code, "the caller got no error")
	traceID := save.SpanContext().TraceID()
	for _, s := range tel.spans.Ended() {
		assert.Equal(t, traceID, s.SpanContext().TraceID(), "%s is in the save's trace", s.Name())
	}
	v, _ := attr(save, "modelarts.notebook.id")
	assert.Equal(t, "nb-1", v.AsString())
	v, _ = attr(save, "rpc.method")
	assert.Equal(t, "ModelArts/SaveNotebookAsImage", v.AsString())
	v, _ = attr(save, "server.address")
	assert.Equal(t, "127.0.0.1", v.AsString())

	creates := tel.named("ModelArts.CreateImageFromNotebook")
	require.Len(t, creates, 1)
	create := creates[0]
	assert.Equal(t, save.SpanContext().SpanID(), create.Parent().SpanID(), "the create is the save's child")
	v, _ = attr(create, "modelarts.image.id")
	assert.Equal(t, img.ID, v.AsString())

	// The attempts: children of their call, the two 503s errors.
	getImages := tel.named("GET /v1/{project_id}/images/{image_id}")
	require.GreaterOrEqual(t, len(getImages), 3)
	var errs503 int
	for _, s := range getImages {
		assert.Equal(t, save.SpanContext().SpanID(), s.Parent().SpanID())
		if st, _ := attr(s, "http.response.status_code"); st.AsInt64() == 503 {
			errs503++
			assert.Equal(t, codes.Error, s.Status().Code)
			et, _ := attr(s, "error.type")
			assert.Equal(t, "503", et.AsString())
		}
	}
	assert.Equal(t, 2, errs503)
	posts := tel.named("POST /v1/{project_id}/notebooks/{notebook_id}/create-image")
	require.Len(t, posts, 1)
	assert.Equal(t, create.SpanContext().SpanID(), posts[0].Parent().SpanID())
	assert.Equal(t, codes.Error, posts[0].Status().Code, "its answer was lost")
	mh, _ := attr(posts[0], "modelarts.may_have_happened")
	assert.True(t, mh.AsBool())
	// The reconciliation's lookups are the create's attempts.
	assert.NotEmpty(t, tel.named("GET /v1/{project_id}/images"))

	var retries, polls, laterPolls int
	for _, e := range save.Events() {
		switch e.Name {
		case "modelarts.retry":
			retries++
			assert.Equal(t, "server_error", eventAttr(e, "modelarts.retry.cause").AsString())
		case "modelarts.poll":
			polls++
			if eventAttr(e, "modelarts.poll.number").AsInt64() > 1 {
				laterPolls++
			}
		}
	}
	assert.Equal(t, 2, retries)
	assert.Positive(t, polls)
	var verdicts []string
	for _, e := range create.Events() {
		if e.Name == "modelarts.reconcile" {
			verdicts = append(verdicts, eventAttr(e, "modelarts.reconcile.verdict").AsString())
			assert.Equal(t, "lost_answer", eventAttr(e, "modelarts.reconcile.mode").AsString())
		}
	}
	require.NotEmpty(t, verdicts)
	assert.Equal(t, "found", verdicts[len(verdicts)-1])

	// Every request carried the trace context of its attempt's span.
	attemptSpans := map[string]bool{}
	for _, s := range tel.spans.Ended() {
		if s.SpanKind().String() == "client" && !strings.HasPrefix(s.Name(), "ModelArts.") {
			attemptSpans[s.SpanContext().SpanID().String()] = true
		}
	}
	reqs := srv.Requests()
	require.Len(t, reqs, len(attemptSpans))
	for _, r := range reqs {
		tp := r.Header.Get("Traceparent")
		parts := strings.Split(tp, "-")
		require.Len(t, parts, 4, "%s %s: traceparent %q", r.Method, r.Path, tp)
		assert.Equal(t, traceID.String(), parts[1])
		assert.True(t, attemptSpans[parts[2]], "the parent is the attempt's span")
	}

	m := tel.metrics(t)
	assert.Equal(t, int64(len(attemptSpans)), sum(t, m["modelarts.client.attempts"]))
	assert.Equal(t, int64(2), sum(t, m["modelarts.client.retries"], attribute.String("modelarts.retry.cause", "server_error")))
	assert.Equal(t, int64(1), sum(t, m["modelarts.client.reconciliations"], attribute.String("modelarts.reconcile.verdict", "found")))
	assert.Equal(t, uint64(1), count(t, m["rpc.client.call.duration"], attribute.String("rpc.method", "ModelArts/SaveNotebookAsImage")))
	assert.Equal(t, uint64(len(attemptSpans)), count(t, m["http.client.request.duration"]))
	assert.Equal(t, uint64(2), count(t, m["http.client.request.duration"], attribute.Int("http.response.status_code", 503)))
	assert.Equal(t, uint64(laterPolls), count(t, m["modelarts.client.wait.duration"], attribute.String("modelarts.wait.kind", "poll")), "a wait before each poll but the first")
	assert.Equal(t, uint64(2), count(t, m["modelarts.client.wait.duration"], attribute.String("modelarts.wait.kind", "retry")))
}

// Every call of the client is its span, with its attempts as children; a
// listing walk gives one attempt span per page.
func TestEveryCallHasItsSpan(t *testing.T) {
	srv := modelartstest.NewServer()
	defer srv.Close()
	srv.AddNotebook("nb-1", modelarts.NotebookStatusRunning)
	tel, opt := newTelemetry()
	c := srv.Client(opt)
	ctx := context.Background()

	var imgs []*modelarts.Image
	for i := range 3 {
		img, err := c.RegisterImage(ctx, &modelarts.RegisterImageRequest{SWRPath: fmt.Sprintf("swr.fake.local/team/env:v%d", i)})
		require.NoError(t, err)
		imgs = append(imgs, img)
	}
	_, err := c.WaitForActive(ctx, imgs[0].ID)
	require.NoError(t, err)
	_, err = c.GetImage(ctx, imgs[0].ID)
	require.NoError(t, err)
	_, err = c.ListImagesPage(ctx, &modelarts.ListImagesOptions{Type: modelarts.ImageTypeDedicated})
	require.NoError(t, err)
	for _, err := range c.ListImages(ctx, &modelarts.ListImagesOptions{Type: modelarts.ImageTypeDedicated, Limit: 1}) {
		require.NoError(t, err)
	}
	for _, err := range c.ListImageGroups(ctx, nil) {
		require.NoError(t, err)
	}
	_, err = c.GetNotebook(ctx, "nb-1")
	require.NoError(t, err)
	for _, err := range c.ListNotebooks(ctx, nil) {
		require.NoError(t, err)
	}
	_, err = c.StopNotebook(ctx, "nb-1")
	require.NoError(t, err)
	_, err = c.WaitForNotebook(ctx, "nb-1", modelarts.NotebookStatusStopped)
	require.NoError(t, err)
	require.NoError(t, c.DeleteImage(ctx, imgs[2].ID))
	_, err = c.GetImage(ctx, "img-missing")
	require.Error(t, err)

	roots := map[string]int{}
	for _, s := range tel.spans.Ended() {
		if !s.Parent().IsValid() {
			roots[s.Name()]++
		}
	}
	assert.Equal(t, map[string]int{
		"ModelArts.RegisterImage": 3, "ModelArts.WaitForActive": 1, "ModelArts.GetImage": 2,
		"ModelArts.ListImagesPage": 1, "ModelArts.ListImages": 1, "ModelArts.ListImageGroups": 1,
		"ModelArts.GetNotebook": 1, "ModelArts.ListNotebooks": 1, "ModelArts.StopNotebook": 1,
		"ModelArts.WaitForNotebook": 1, "ModelArts.DeleteImage": 1,
	}, roots)

	list := tel.named("ModelArts.ListImages")[0]
	var pages int
	for _, s := range tel.named("GET /v1/{project_id}/images") {
		if s.Parent().SpanID() == list.SpanContext().SpanID() {
			pages++
		}
	}
	assert.Equal(t, 3, pages, "three images, one per page; the total says there is no more")

	var missing sdktrace.ReadOnlySpan
	for _, s := range tel.named("ModelArts.GetImage") {
		if v, _ := attr(s, "modelarts.image.id"); v.AsString() == "img-missing" {
			missing = s
		}
	}
	require.NotNil(t, missing)
	assert.Equal(t, codes.Error, missing.Status().Code, "the caller got an error")
	et, ok := attr(missing, "error.type")
	assert.True(t, ok)
	assert.NotEmpty(t, et.AsString())
}

func TestWithoutPropagationSendsNoTraceContext(t *testing.T) {
	srv := modelartstest.NewServer()
	defer srv.Close()
	srv.AddNotebook("nb-1", modelarts.NotebookStatusRunning)
	tp := sdktrace.NewTracerProvider()
	c := srv.Client(otelmodelarts.New(otelmodelarts.WithTracerProvider(tp), otelmodelarts.WithoutPropagation()))
	_, err := c.GetNotebook(context.Background(), "nb-1")
	require.NoError(t, err)
	for _, r := range srv.Requests() {
		assert.Empty(t, r.Header.Get("Traceparent"))
	}
}

// A hostile server echoes the token into every answer (request ID, error
// code and message, model fields): no span name, attribute, event, status
// or metric label holds it.
func TestNoSecretInTracesOrMetricsWhenTheServerEchoesOne(t *testing.T) {
	const token = "MIIT-otel-secret-token-0123456789abcdef"
	var mu sync.Mutex
	n := 0
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
			fmt.Fprintf(w, `{"id":"img-1","name":"x","status":"ACTIVE","status_message":%q}`, echo)
		}
	}))
	defer hs.Close()
	tel, opt := newTelemetry()
	c, err := modelarts.NewClient(hs.URL, "0123456789abcdef0123456789abcdef", auth.NewTokenSigner(token), opt,
		modelarts.WithRetry(modelarts.RetryPolicy{ZeroWait: true}), modelarts.WithReconcileWindow(0),
		modelarts.WithCallDefaults(modelarts.WithPollInterval(1, 2)))
	require.NoError(t, err)
	ctx := context.Background()
	_, _ = c.GetImage(ctx, "img-1")
	_, _ = c.WaitForActive(ctx, "img-1")
	_, _ = c.CreateImageFromNotebook(ctx, "nb-1", &modelarts.CreateImageRequest{Name: "env", Namespace: "team", Tag: "v1"})
	for range c.ListImages(ctx, &modelarts.ListImagesOptions{Name: "x"}) {
	}

	require.NotEmpty(t, tel.spans.Ended())
	var sawRetry, sawReconcile bool
	for _, s := range tel.spans.Ended() {
		assert.NotContains(t, s.Name(), token)
		assert.NotContains(t, s.Status().Description, token)
		for _, kv := range s.Attributes() {
			assert.NotContains(t, kv.Value.String(), token, "%s: %s", s.Name(), kv.Key)
		}
		for _, e := range s.Events() {
			sawRetry = sawRetry || e.Name == "modelarts.retry"
			sawReconcile = sawReconcile || e.Name == "modelarts.reconcile"
			for _, kv := range e.Attributes {
				assert.NotContains(t, kv.Value.String(), token, "%s: %s: %s", s.Name(), e.Name, kv.Key)
			}
		}
	}
	assert.True(t, sawRetry && sawReconcile, "the retries and the reconciliation were traced")
	var rm metricdata.ResourceMetrics
	require.NoError(t, tel.reader.Collect(ctx, &rm))
	dump := fmt.Sprintf("%+v", rm)
	assert.NotContains(t, dump, token)
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			for _, set := range attributeSets(m) {
				for _, kv := range set.ToSlice() {
					assert.NotContains(t, kv.Value.String(), token, "%s: %s", m.Name, kv.Key)
				}
			}
		}
	}
}

func attributeSets(m metricdata.Metrics) []attribute.Set {
	var out []attribute.Set
	switch d := m.Data.(type) {
	case metricdata.Sum[int64]:
		for _, dp := range d.DataPoints {
			out = append(out, dp.Attributes)
		}
	case metricdata.Histogram[float64]:
		for _, dp := range d.DataPoints {
			out = append(out, dp.Attributes)
		}
	}
	return out
}

// A throttled answer is counted, and so is the retry it causes; the call
// the caller got an answer for is not an error, its throttled attempt is.
func TestThrottledAnswersAndTheirRetriesAreCounted(t *testing.T) {
	srv := modelartstest.NewServer()
	defer srv.Close()
	img, err := srv.Client().RegisterImage(context.Background(), &modelarts.RegisterImageRequest{SWRPath: "swr.fake.local/team/env:v1"})
	require.NoError(t, err)
	srv.InjectFaultTimes(modelartstest.RouteGetImage, 2, modelartstest.ErrorAnswer{Status: 429})
	tel, opt := newTelemetry()
	c := srv.Client(opt)
	_, err = c.GetImage(context.Background(), img.ID)
	require.NoError(t, err)

	m := tel.metrics(t)
	assert.Equal(t, int64(2), sum(t, m["modelarts.client.throttled"], attribute.String("rpc.method", "ModelArts/GetImage")))
	assert.Equal(t, int64(2), sum(t, m["modelarts.client.retries"], attribute.String("modelarts.retry.cause", "throttled")))
	assert.Equal(t, int64(3), sum(t, m["modelarts.client.attempts"]))
	assert.Equal(t, uint64(1), count(t, m["rpc.client.call.duration"]))
	assert.Zero(t, count(t, m["rpc.client.call.duration"], attribute.String("error.type", "429")), "the call succeeded")

	get := tel.named("ModelArts.GetImage")
	require.Len(t, get, 1)
	assert.Equal(t, codes.Unset, get[0].Status().Code)
	n, _ := attr(get[0], "modelarts.attempts")
	assert.Equal(t, int64(3), n.AsInt64())
	var throttled int
	for _, s := range tel.named("GET /v1/{project_id}/images/{image_id}") {
		if st, _ := attr(s, "http.response.status_code"); st.AsInt64() == 429 {
			throttled++
			assert.Equal(t, codes.Error, s.Status().Code)
		}
		if rc, ok := attr(s, "http.request.resend_count"); ok {
			assert.Positive(t, rc.AsInt64())
		}
	}
	assert.Equal(t, 2, throttled)
}

// The global providers are used when none is given.
func TestGlobalProvidersByDefault(t *testing.T) {
	sr := tracetest.NewSpanRecorder()
	prev := otel.GetTracerProvider()
	otel.SetTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(sr)))
	defer otel.SetTracerProvider(prev)
	srv := modelartstest.NewServer()
	defer srv.Close()
	srv.AddNotebook("nb-1", modelarts.NotebookStatusRunning)
	_, err := srv.Client(otelmodelarts.New()).GetNotebook(context.Background(), "nb-1")
	require.NoError(t, err)
	assert.Len(t, sr.Ended(), 2, "the call and its attempt")
}
