package otelmodelarts

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/modelarts-go/modelarts"
)

// ScopeName is the instrumentation scope of the tracer and the meter.
const ScopeName = "github.com/modelarts-go/modelarts/otelmodelarts"

// Option configures New.
type Option interface {
	apply(*config)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	tp          trace.TracerProvider
	mp          metric.MeterProvider
	propagator  propagation.TextMapPropagator
	propagation bool
}

// WithTracerProvider sets the provider of the tracer (default: the global
// one, otel.GetTracerProvider, read when New is called).
func WithTracerProvider(tp trace.TracerProvider) Option {
	return optionFunc(func(c *config) {
		if tp != nil {
			c.tp = tp
		}
	})
}

// WithMeterProvider sets the provider of the meter (default: the global
// one, otel.GetMeterProvider, read when New is called).
func WithMeterProvider(mp metric.MeterProvider) Option {
	return optionFunc(func(c *config) {
		if mp != nil {
			c.mp = mp
		}
	})
}

// WithPropagator sets how the trace context is written into each
// attempt's request headers (default: W3C Trace Context, traceparent and
// tracestate).
func WithPropagator(p propagation.TextMapPropagator) Option {
	return optionFunc(func(c *config) {
		if p != nil {
			c.propagator = p
		}
	})
}

// WithoutPropagation sends no trace context in the requests.
func WithoutPropagation() Option {
	return optionFunc(func(c *config) { c.propagation = false })
}

// New returns a client option that traces and measures every call of the
// client (see the package doc for what is emitted):
//
//	client, err := modelarts.NewClient(endpoint, project, signer, otelmodelarts.New())
func New(opts ...Option) modelarts.Option {
	cfg := config{propagator: propagation.TraceContext{}, propagation: true}
	for _, o := range opts {
		if o != nil {
			o.apply(&cfg)
		}
	}
	if cfg.tp == nil {
		cfg.tp = otel.GetTracerProvider()
	}
	if cfg.mp == nil {
		cfg.mp = otel.GetMeterProvider()
	}
	t := newTelemetry(&cfg)
	return modelarts.WithObserver(modelarts.Observer{
		Call:      t.call,
		Attempt:   t.attempt,
		Retry:     t.retry,
		Poll:      t.poll,
		Reconcile: t.reconcile,
	})
}

// Attribute keys of the SDK's own, where the semantic conventions have
// none.
const (
	keyImageID         = attribute.Key("modelarts.image.id")
	keyNotebookID      = attribute.Key("modelarts.notebook.id")
	keyGroupID         = attribute.Key("modelarts.image_group.id")
	keyTrainingJobID   = attribute.Key("modelarts.training_job.id")
	keyTaskID          = attribute.Key("modelarts.task.id")
	keyAttempts        = attribute.Key("modelarts.attempts")
	keyRequestID       = attribute.Key("modelarts.request_id")
	keyErrorCode       = attribute.Key("modelarts.error_code")
	keyAttempt         = attribute.Key("modelarts.attempt")
	keyRetryCause      = attribute.Key("modelarts.retry.cause")
	keyRetryReason     = attribute.Key("modelarts.retry.reason")
	keyWait            = attribute.Key("modelarts.wait.seconds")
	keyWaitKind        = attribute.Key("modelarts.wait.kind")
	keyPollResource    = attribute.Key("modelarts.poll.resource")
	keyPollID          = attribute.Key("modelarts.poll.id")
	keyPollNumber      = attribute.Key("modelarts.poll.number")
	keyPollStatus      = attribute.Key("modelarts.poll.status")
	keyPollDone        = attribute.Key("modelarts.poll.done")
	keyReconcileMode   = attribute.Key("modelarts.reconcile.mode")
	keyReconcileLookup = attribute.Key("modelarts.reconcile.lookup")
	keyReconcileVerd   = attribute.Key("modelarts.reconcile.verdict")
	keyReconcileCands  = attribute.Key("modelarts.reconcile.candidates")
	keyReconcileTime   = attribute.Key("modelarts.reconcile.time_known")
	keyReconcileBusy   = attribute.Key("modelarts.reconcile.notebook_busy")
	keyReconcileReason = attribute.Key("modelarts.reconcile.reason")
	keyMayHaveHappened = attribute.Key("modelarts.may_have_happened")
)

// Event names.
const (
	eventRetry     = "modelarts.retry"
	eventPoll      = "modelarts.poll"
	eventReconcile = "modelarts.reconcile"
)

// rpcSystem is the value of rpc.system.name: the API is not one of the
// RPC systems the conventions list, so it is named after itself.
const rpcSystem = "modelarts"

// Bucket boundaries, in seconds: the conventions' advice for HTTP
// durations, extended to the hour for calls and waits (a save polls for
// minutes; a Retry-After can be long).
var (
	attemptBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30, 60}
	callBuckets    = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 2400, 3600}
)

// telemetry holds the tracer and the instruments.
type telemetry struct {
	tracer      trace.Tracer
	propagator  propagation.TextMapPropagator
	callDur     metric.Float64Histogram
	attemptDur  metric.Float64Histogram
	attempts    metric.Int64Counter
	retries     metric.Int64Counter
	throttled   metric.Int64Counter
	reconciles  metric.Int64Counter
	waitDur     metric.Float64Histogram
	propagation bool
}

// Metric names: the semantic conventions' where they have one.
const (
	MetricCallDuration    = "rpc.client.call.duration"         // semconv: RPC client call duration
	MetricAttemptDuration = "http.client.request.duration"     // semconv: HTTP client request duration
	MetricAttempts        = "modelarts.client.attempts"        // HTTP attempts
	MetricRetries         = "modelarts.client.retries"         // attempts made again, by cause
	MetricThrottled       = "modelarts.client.throttled"       // answers asking the client to slow down
	MetricReconciliations = "modelarts.client.reconciliations" // reconciliations ended, by verdict
	MetricWaitDuration    = "modelarts.client.wait.duration"   // waits before a retry or a poll
)

func newTelemetry(cfg *config) *telemetry {
	tracer := cfg.tp.Tracer(ScopeName, trace.WithInstrumentationVersion(modelarts.Version), trace.WithSchemaURL(semconv.SchemaURL))
	meter := cfg.mp.Meter(ScopeName, metric.WithInstrumentationVersion(modelarts.Version), metric.WithSchemaURL(semconv.SchemaURL))
	t := &telemetry{tracer: tracer, propagator: cfg.propagator, propagation: cfg.propagation}
	var errs []error
	keep := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	var err error
	t.callDur, err = meter.Float64Histogram(MetricCallDuration, metric.WithUnit("s"),
		metric.WithDescription("Duration of the calls of the ModelArts client, retries, waits and reconciliations included."),
		metric.WithExplicitBucketBoundaries(callBuckets...))
	keep(err)
	t.attemptDur, err = meter.Float64Histogram(MetricAttemptDuration, metric.WithUnit("s"),
		metric.WithDescription("Duration of each HTTP attempt of the ModelArts client."),
		metric.WithExplicitBucketBoundaries(attemptBuckets...))
	keep(err)
	t.attempts, err = meter.Int64Counter(MetricAttempts, metric.WithUnit("{attempt}"),
		metric.WithDescription("HTTP attempts of the ModelArts client."))
	keep(err)
	t.retries, err = meter.Int64Counter(MetricRetries, metric.WithUnit("{retry}"),
		metric.WithDescription("Attempts the ModelArts client makes again, by cause."))
	keep(err)
	t.throttled, err = meter.Int64Counter(MetricThrottled, metric.WithUnit("{response}"),
		metric.WithDescription("Answers of the service asking the client to slow down."))
	keep(err)
	t.reconciles, err = meter.Int64Counter(MetricReconciliations, metric.WithUnit("{reconciliation}"),
		metric.WithDescription("Reconciliations of creates whose outcome was uncertain, by verdict."))
	keep(err)
	t.waitDur, err = meter.Float64Histogram(MetricWaitDuration, metric.WithUnit("s"),
		metric.WithDescription("Waits of the ModelArts client before a retry or a poll."),
		metric.WithExplicitBucketBoundaries(callBuckets...))
	keep(err)
	if len(errs) > 0 {
		otel.Handle(errors.Join(errs...))
	}
	return t
}

// callState is a traced call, carried in its context.
type callState struct {
	op         string
	method     attribute.KeyValue // rpc.method
	server     []attribute.KeyValue
	lastStatus int
}

type callStateKey struct{}

func callStateFrom(ctx context.Context) *callState {
	s, _ := ctx.Value(callStateKey{}).(*callState)
	return s
}

func (t *telemetry) call(ctx context.Context, c *modelarts.CallStart) (context.Context, func(*modelarts.CallEnd)) {
	st := &callState{op: c.Operation, method: semconv.RPCMethod("ModelArts/" + c.Operation)}
	if c.ServerAddress != "" {
		st.server = []attribute.KeyValue{semconv.ServerAddress(c.ServerAddress), semconv.ServerPort(c.ServerPort)}
	}
	attrs := make([]attribute.KeyValue, 0, 10)
	attrs = append(attrs, semconv.RPCSystemNameKey.String(rpcSystem), st.method)
	attrs = append(attrs, st.server...)
	for _, id := range []struct {
		k attribute.Key
		v string
	}{{keyImageID, c.ImageID}, {keyNotebookID, c.NotebookID}, {keyGroupID, c.GroupID}, {keyTrainingJobID, c.TrainingJobID}, {keyTaskID, c.TaskID}} {
		if id.v != "" {
			attrs = append(attrs, id.k.String(id.v))
		}
	}
	ctx, span := t.tracer.Start(ctx, "ModelArts."+c.Operation, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
	ctx = context.WithValue(ctx, callStateKey{}, st)
	return ctx, func(e *modelarts.CallEnd) {
		span.SetAttributes(keyAttempts.Int(e.Attempts))
		if e.ImageID != "" && c.ImageID == "" {
			span.SetAttributes(keyImageID.String(e.ImageID))
		}
		if st.lastStatus != 0 {
			span.SetAttributes(semconv.HTTPResponseStatusCode(st.lastStatus))
		}
		mattrs := []attribute.KeyValue{semconv.RPCSystemNameKey.String(rpcSystem), st.method}
		mattrs = append(mattrs, st.server...)
		if e.Err != nil {
			et := errorType(e.Err)
			span.SetAttributes(semconv.ErrorTypeKey.String(et))
			span.SetStatus(codes.Error, e.Err.Error())
			mattrs = append(mattrs, semconv.ErrorTypeKey.String(et))
		}
		t.callDur.Record(ctx, e.Duration.Seconds(), metric.WithAttributes(mattrs...))
		span.End()
	}
}

func (t *telemetry) attempt(ctx context.Context, a *modelarts.AttemptStart) (context.Context, func(*modelarts.AttemptEnd)) {
	at := attemptTrace{t: t, a: a, method: httpMethod(a.Method), route: attribute.String("url.template", a.Route)}
	ctx, span := t.tracer.Start(ctx, a.Method+" "+a.Route, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(at.startAttrs()...))
	if t.propagation {
		t.propagator.Inject(ctx, setter{a})
	}
	at.ctx, at.span, at.st = ctx, span, callStateFrom(ctx)
	return ctx, at.end
}

// attemptTrace is one traced HTTP attempt, from its start to its end: what
// the end needs to finish the span and record the metrics.
type attemptTrace struct {
	t      *telemetry
	a      *modelarts.AttemptStart
	method attribute.KeyValue // http.request.method
	route  attribute.KeyValue // url.template
	ctx    context.Context    // the attempt's, its span in it
	span   trace.Span
	st     *callState // the call's, nil when the call is not traced
}

// startAttrs are the attributes of the attempt's span at its start.
func (at attemptTrace) startAttrs() []attribute.KeyValue {
	attrs := make([]attribute.KeyValue, 0, 8)
	attrs = append(attrs, at.method, at.route, keyAttempt.Int(at.a.Attempt))
	attrs = at.appendServer(attrs)
	if at.a.Attempt > 1 {
		attrs = append(attrs, semconv.HTTPRequestResendCount(at.a.Attempt-1))
	}
	return attrs
}

// appendServer appends the server's address and port, when known.
func (at attemptTrace) appendServer(attrs []attribute.KeyValue) []attribute.KeyValue {
	if at.a.ServerAddress != "" {
		attrs = append(attrs, semconv.ServerAddress(at.a.ServerAddress), semconv.ServerPort(at.a.ServerPort))
	}
	return attrs
}

// end finishes the attempt: the span's outcome, then the metrics, which
// carry the same status and error type as the span.
func (at attemptTrace) end(e *modelarts.AttemptEnd) {
	mattrs := make([]attribute.KeyValue, 0, 8)
	mattrs = append(mattrs, at.method, at.route)
	mattrs = at.appendServer(mattrs)
	if e.StatusCode != 0 {
		at.span.SetAttributes(semconv.HTTPResponseStatusCode(e.StatusCode))
		mattrs = append(mattrs, semconv.HTTPResponseStatusCode(e.StatusCode))
		if at.st != nil {
			at.st.lastStatus = e.StatusCode // the call's span reports the last
		}
	}
	at.annotate(e)
	if et, failed := attemptErrorType(e); failed {
		at.span.SetAttributes(semconv.ErrorTypeKey.String(et))
		mattrs = append(mattrs, semconv.ErrorTypeKey.String(et))
		desc := ""
		if e.Err != nil {
			desc = e.Err.Error()
		}
		at.span.SetStatus(codes.Error, desc)
	}
	at.record(e, mattrs)
	at.span.End()
}

// annotate adds to the span what the service said of the attempt, when it
// said it: its request ID and error code, and whether a create may have
// happened though its answer was lost.
func (at attemptTrace) annotate(e *modelarts.AttemptEnd) {
	if e.RequestID != "" {
		at.span.SetAttributes(keyRequestID.String(e.RequestID))
	}
	if e.ErrorCode != "" {
		at.span.SetAttributes(keyErrorCode.String(e.ErrorCode))
	}
	if e.MayHaveHappened {
		at.span.SetAttributes(keyMayHaveHappened.Bool(true))
	}
}

// attemptErrorType returns the error.type of a failed attempt; failed is
// false for one that succeeded. The HTTP client conventions: an answer of
// 400 or more, or no answer at all, makes the attempt an error, typed by
// its status code, or else by the failure.
func attemptErrorType(e *modelarts.AttemptEnd) (et string, failed bool) {
	if e.StatusCode >= 400 {
		return strconv.Itoa(e.StatusCode), true
	}
	if e.StatusCode == 0 && e.Err != nil {
		return errorType(e.Err), true
	}
	return "", false
}

// record records the attempt's duration and counts it (and counts it as
// throttled when the service asked to slow down). The counters carry the
// call's rpc.method too, so attempts can be told apart by operation.
func (at attemptTrace) record(e *modelarts.AttemptEnd, mattrs []attribute.KeyValue) {
	t := at.t
	opAttr := metric.WithAttributes(mattrs...)
	t.attemptDur.Record(at.ctx, e.Duration.Seconds(), opAttr)
	counted := []attribute.KeyValue{semconv.RPCSystemNameKey.String(rpcSystem)}
	if at.st != nil {
		counted = append(counted, at.st.method)
	}
	t.attempts.Add(at.ctx, 1, metric.WithAttributes(append(counted, mattrs...)...))
	if e.Throttled {
		t.throttled.Add(at.ctx, 1, metric.WithAttributes(append(counted, mattrs...)...))
	}
}

func (t *telemetry) retry(ctx context.Context, r *modelarts.RetryInfo) {
	trace.SpanFromContext(ctx).AddEvent(eventRetry, trace.WithAttributes(
		keyAttempt.Int(r.Attempt), keyRetryCause.String(r.Cause), keyRetryReason.String(r.Reason),
		keyWait.Float64(r.Wait.Seconds()), attribute.String("url.template", r.Route)))
	attrs := []attribute.KeyValue{semconv.RPCSystemNameKey.String(rpcSystem), semconv.RPCMethod("ModelArts/" + r.Operation), keyRetryCause.String(r.Cause)}
	t.retries.Add(ctx, 1, metric.WithAttributes(attrs...))
	t.waitDur.Record(ctx, r.Wait.Seconds(), metric.WithAttributes(semconv.RPCMethod("ModelArts/"+r.Operation), keyWaitKind.String("retry")))
}

func (t *telemetry) poll(ctx context.Context, p *modelarts.PollInfo) {
	attrs := []attribute.KeyValue{keyPollResource.String(p.Resource), keyPollID.String(p.ID), keyPollNumber.Int(p.Poll),
		keyPollDone.Bool(p.Done), keyWait.Float64(p.Wait.Seconds())}
	if p.Status != "" {
		attrs = append(attrs, keyPollStatus.String(p.Status))
	}
	if p.Err != nil {
		attrs = append(attrs, semconv.ErrorTypeKey.String(errorType(p.Err)))
	}
	trace.SpanFromContext(ctx).AddEvent(eventPoll, trace.WithAttributes(attrs...))
	if p.Poll > 1 {
		t.waitDur.Record(ctx, p.Wait.Seconds(), metric.WithAttributes(semconv.RPCMethod("ModelArts/"+p.Operation), keyWaitKind.String("poll")))
	}
}

func (t *telemetry) reconcile(ctx context.Context, s *modelarts.ReconcileStep) {
	attrs := []attribute.KeyValue{keyReconcileMode.String(s.Mode), keyReconcileLookup.Int(s.Lookup),
		keyReconcileVerd.String(string(s.Verdict)), keyReconcileCands.StringSlice(s.Candidates),
		keyReconcileTime.Bool(s.TimeKnown), keyReconcileBusy.Bool(s.Busy), keyWait.Float64(s.Waited.Seconds())}
	if s.Reason != "" {
		attrs = append(attrs, keyReconcileReason.String(s.Reason))
	}
	if s.Err != nil {
		attrs = append(attrs, semconv.ErrorTypeKey.String(errorType(s.Err)))
	}
	trace.SpanFromContext(ctx).AddEvent(eventReconcile, trace.WithAttributes(attrs...))
	if s.Verdict != modelarts.ReconcileLookAgain {
		t.reconciles.Add(ctx, 1, metric.WithAttributes(semconv.RPCMethod("ModelArts/"+s.Operation),
			keyReconcileMode.String(s.Mode), keyReconcileVerd.String(string(s.Verdict))))
	}
}

// errorType is the error.type of an error, low in cardinality and free of
// any message: the status code of an error answer; timeout, canceled,
// connection_reset or connection_refused for a transport failure; the
// SDK's error type (*modelarts.WaitError, *modelarts.CreateOutcomeError,
// ...) for the rest; _OTHER when none applies.
func errorType(err error) string {
	var ae *modelarts.APIError
	var ne net.Error
	switch {
	case errors.As(err, &ae) && ae.StatusCode != 0:
		return strconv.Itoa(ae.StatusCode)
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()):
		return "timeout"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection_refused"
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, net.ErrClosed):
		return "connection_reset"
	}
	if name := fmt.Sprintf("%T", err); strings.HasPrefix(name, "*modelarts.") {
		return name
	}
	return "_OTHER"
}

// httpMethod is http.request.method, "_OTHER" for a method the
// conventions do not know.
func httpMethod(m string) attribute.KeyValue {
	switch m {
	case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch, http.MethodHead, http.MethodOptions:
		return semconv.HTTPRequestMethodKey.String(m)
	}
	return semconv.HTTPRequestMethodKey.String("_OTHER")
}

// setter writes the propagated trace context through
// AttemptStart.SetHeader.
type setter struct{ a *modelarts.AttemptStart }

func (s setter) Get(string) string { return "" }
func (s setter) Set(k, v string)   { s.a.SetHeader(k, v) }
func (s setter) Keys() []string    { return nil }
