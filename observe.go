package modelarts

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/modelarts-go/modelarts/auth"
)

// Observing calls: the engine's one extension point (see "Observing calls"
// in the package doc). Every observation is built here, from values that
// have passed the scrubbing boundary (scrub.go), and only when the client
// has an observer: a client without one builds nothing and allocates
// nothing for them.

// Observer receives what a client does: each call, each HTTP attempt, each
// retry, each poll of a wait and each step of a create's reconciliation.
// Every field is optional; a nil one is not called. It is shaped like
// net/http/httptrace.ClientTrace: a new observation is added as a new
// field, and a new fact as a new field of the struct it receives, so an
// Observer written today (with keyed fields) keeps compiling and working.
//
// The functions are called on the goroutine of the call, synchronously:
// they must be quick and must not call the client back. The structs they
// receive may be kept but must not be modified (AttemptStart.SetHeader
// excepted).
type Observer struct {
	// Call is called when a call of the Client begins (GetImage,
	// SaveNotebookAsImage, the iteration of ListImages, ...). The context
	// it returns (nil: ctx) is the call's: the call's attempts, polls and
	// reconciliation steps, and the calls it makes, see it. The function
	// it returns (nil: none) is called once, when the call returns.
	Call func(ctx context.Context, call *CallStart) (context.Context, func(*CallEnd))
	// Attempt is called before each HTTP attempt, before it is signed.
	// The context it returns (nil: ctx) carries the request; the function
	// it returns (nil: none) is called once the answer is judged, before
	// anything else is done about it (a retry, a reconciliation).
	Attempt func(ctx context.Context, attempt *AttemptStart) (context.Context, func(*AttemptEnd))
	// Retry is called when an attempt is to be made again, before the wait.
	Retry func(ctx context.Context, retry *RetryInfo)
	// Poll is called after each poll of a wait.
	Poll func(ctx context.Context, poll *PollInfo)
	// Reconcile is called after each lookup of a create whose outcome is
	// uncertain, with what it found and the verdict.
	Reconcile func(ctx context.Context, step *ReconcileStep)
}

// WithObserver adds an observer to the client. Given more than once, every
// observer is called, in the order given (their end functions in reverse
// order); WithLogger is one such observer.
func WithObserver(o Observer) Option {
	return optionFunc(func(s *settings) { s.observers = append(s.observers, o) })
}

// CallStart is a call as it begins.
type CallStart struct {
	Operation     string // the Client method: "GetImage", "SaveNotebookAsImage", ...
	ServerAddress string // the endpoint's host
	ServerPort    int    // the endpoint's port (443 or 80 when none is given)
	// The resources named by the call's arguments, "" where none.
	ImageID, NotebookID, GroupID, TrainingJobID, TaskID string
}

// CallEnd is a call as it returns.
type CallEnd struct {
	Err      error         // the error the caller gets; nil on success
	Duration time.Duration // from the call's start to its return
	Attempts int           // HTTP attempts the call made itself (not those of the calls it made)
	// ImageID is the image a create (RegisterImage, CreateImageFromNotebook)
	// returns, when it returns one.
	ImageID string
}

// AttemptStart is an HTTP attempt about to be sent.
type AttemptStart struct {
	Operation     string        // the call's operation
	Attempt       int           // 1 for the first attempt of a request
	Method        string        // GET, POST, ...
	Path          string        // as sent, without the query
	Route         string        // the path template, e.g. /v1/{project_id}/images/{image_id}
	Query         string        // the query, values of secret-looking keys replaced
	ServerAddress string        // the endpoint's host
	ServerPort    int           // the endpoint's port
	Wait          time.Duration // the wait before this attempt (0 for the first)

	headers *http.Header // where SetHeader puts what it is given
}

// SetHeader adds a header to the attempt's request before it is signed, to
// propagate a trace context (W3C traceparent and the like). It refuses, and
// reports false for, a header the SDK sets itself or one that carries
// credentials (Authorization, X-Auth-Token, X-Security-Token, X-Sdk-Date,
// Host, Content-Type, ...), and a name or value that could not be sent.
func (a *AttemptStart) SetHeader(key, value string) bool {
	if a == nil || a.headers == nil || !validHeader(key, value) {
		return false
	}
	ck := http.CanonicalHeaderKey(key)
	for _, r := range reservedHeaders {
		if ck == r {
			return false
		}
	}
	if *a.headers == nil {
		*a.headers = make(http.Header, 2)
	}
	a.headers.Set(ck, value)
	return true
}

// reservedHeaders are the headers an observer may not set.
var reservedHeaders = []string{
	"Authorization", "Proxy-Authorization", "Cookie", "Host", "Content-Type", "Content-Length",
	"Transfer-Encoding", "Connection", "User-Agent", "Accept",
	http.CanonicalHeaderKey(auth.HeaderAuthToken), http.CanonicalHeaderKey(auth.HeaderSecurityToken),
	http.CanonicalHeaderKey(auth.HeaderProjectID), "X-Sdk-Date",
}

// validHeader reports a header name made of token characters and a value
// without control characters but tab.
func validHeader(k, v string) bool {
	if k == "" || len(k) > 256 || len(v) > 4096 {
		return false
	}
	for i := 0; i < len(k); i++ {
		b := k[i]
		if b <= ' ' || b >= 0x7f || strings.IndexByte("\"(),/:;<=>?@[\\]{}", b) >= 0 {
			return false
		}
	}
	for i := 0; i < len(v); i++ {
		if b := v[i]; (b < ' ' && b != '\t') || b == 0x7f {
			return false
		}
	}
	return true
}

// AttemptEnd is an attempt as the engine judged it.
type AttemptEnd struct {
	Attempt    int
	StatusCode int           // 0: no answer (see Err)
	ErrorCode  string        // the service's error code (ModelArts.6404, APIGW.0303, ...), if any
	RequestID  string        // X-Request-Id of the answer
	Duration   time.Duration // sending and reading the answer
	// Err is the failure: an *APIError for an error answer, the transport's
	// error (scrubbed) when no answer came; nil for a 2xx.
	Err       error
	Throttled bool // the service asked to slow down (429, ModelArts.6357, 503 with Retry-After)
	// Retryable says the failure is one the retry policy sends again, if
	// attempts and the retry budget remain; MayHaveHappened, that the
	// service may have carried the request out, so that the call's own
	// rule (a create's reconciliation) decides what is next.
	Retryable, MayHaveHappened bool
	Reason                     string // why it is retryable or uncertain, in words
}

// RetryInfo is an attempt about to be made again.
type RetryInfo struct {
	Operation    string
	Method, Path string
	Route        string
	Attempt      int           // the attempt that failed
	Wait         time.Duration // the wait before the next attempt
	Reason       string        // in words, e.g. "throttled", "server error 503 ModelArts.0000"
	// Cause is Reason in one low-cardinality word, fit for a metric
	// label: "throttled", "server_error", "connection", "timeout",
	// "signing".
	Cause string
	Err   error // the failure being retried
}

// PollInfo is one poll of a wait.
type PollInfo struct {
	Operation string
	Resource  string // "image", "notebook", "save-image job"
	ID        string // the resource polled
	Poll      int    // 1 for the first
	Status    string // the status read; "" when the poll failed
	// Err is the poll's failure, when it failed: a not-found within the
	// grace, a transient failure polled through, or the one that ends
	// the wait.
	Err     error
	Done    bool          // the wait ends with this poll
	Wait    time.Duration // the wait before this poll (0 for the first)
	Elapsed time.Duration // since the wait began
}

// ReconcileVerdict is what one lookup of a reconciliation concluded.
type ReconcileVerdict string

// The verdicts of a reconciliation step. All but ReconcileLookAgain end
// the reconciliation.
const (
	ReconcileFound     ReconcileVerdict = "found"      // this call's image, proven
	ReconcileNothing   ReconcileVerdict = "nothing"    // nothing was made: the create is sent again
	ReconcileUnknown   ReconcileVerdict = "unknown"    // undecidable: ErrCreateOutcomeUnknown
	ReconcileLookAgain ReconcileVerdict = "look_again" // undecided yet: another lookup follows
)

// ReconcileStep is one lookup of a create whose outcome is uncertain.
type ReconcileStep struct {
	Operation string
	// Mode is why the SDK looks: "lost_answer", "success_without_image"
	// (a 2xx without the image) or "refused_resend" (a create sent
	// again refused as a duplicate or busy).
	Mode   string
	Lookup int // 1 for the first
	// The evidence: the images matching the request made after the call
	// began, whether the service's clock was read from the answer's Date,
	// and whether the notebook shows a save running.
	Candidates []string
	TimeKnown  bool
	Busy       bool
	Waited     time.Duration // the reconcile window spent so far
	Verdict    ReconcileVerdict
	Reason     string // why the outcome is unknown, for ReconcileUnknown
	Err        error  // the lookup's failure, if it failed
}

// callObs is an observed call, carried in its context.
type callObs struct {
	start    CallStart
	began    time.Time
	ends     []func(*CallEnd)
	attempts int
	imageID  string
}

type callObsKey struct{}

// callObsFrom is the observed call of ctx, or nil.
func callObsFrom(ctx context.Context) *callObs {
	o, _ := ctx.Value(callObsKey{}).(*callObs)
	return o
}

// observeCall begins the observation of a call; its end is reported by
// the returned *callObs's end (nil, and a no-op, without observers).
func (c *Client) observeCall(ctx context.Context, s CallStart) (context.Context, *callObs) {
	if len(c.observers) == 0 || ctx == nil {
		return ctx, nil
	}
	s.ServerAddress, s.ServerPort = c.serverHost, c.serverPort
	o := &callObs{start: s, began: time.Now()}
	for _, id := range [...]*string{&o.start.ImageID, &o.start.NotebookID, &o.start.GroupID, &o.start.TrainingJobID, &o.start.TaskID} {
		*id = c.bounded(nil, *id, 256)
	}
	for _, ob := range c.observers {
		if ob.Call == nil {
			continue
		}
		nctx, end := ob.Call(ctx, &o.start)
		if nctx != nil {
			ctx = nctx
		}
		if end != nil {
			o.ends = append(o.ends, end)
		}
	}
	return context.WithValue(ctx, callObsKey{}, o), o
}

// end reports the call's end with the error it returns.
func (o *callObs) end(errp *error) {
	if o == nil {
		return
	}
	e := &CallEnd{Err: *errp, Duration: time.Since(o.began), Attempts: o.attempts, ImageID: o.imageID}
	for i := len(o.ends) - 1; i >= 0; i-- {
		o.ends[i](e)
	}
}

// serverAddr is the endpoint's host and port, for observations.
func (c *Client) serverAddr() (string, int) {
	u, err := url.Parse(c.base)
	if err != nil {
		return "", 0
	}
	host, port := u.Hostname(), u.Port()
	if port == "" {
		if u.Scheme == "http" {
			return host, 80
		}
		return host, 443
	}
	p, _ := strconv.Atoi(port)
	return host, p
}

// attemptObs is an observed attempt.
type attemptObs struct {
	ctx     context.Context // the request's
	start   *AttemptStart
	headers http.Header // set by observers, added before signing
	ends    []func(*AttemptEnd)
}

// observeAttempt begins the observation of attempt n of cl (nil without
// observers).
func (c *Client) observeAttempt(ctx context.Context, cl *call, n int, wait time.Duration) *attemptObs {
	if len(c.observers) == 0 {
		return nil
	}
	ao := &attemptObs{ctx: ctx}
	s := &AttemptStart{Attempt: n, Method: cl.method, Path: cl.path, Route: c.route(cl.path), Wait: wait, headers: &ao.headers}
	s.ServerAddress, s.ServerPort = c.serverHost, c.serverPort
	if len(cl.query) > 0 {
		s.Query = c.scrub(nil, redactQuery(cl.query))
	}
	if o := callObsFrom(ctx); o != nil {
		o.attempts++
		s.Operation = o.start.Operation
	}
	ao.start = s
	for _, ob := range c.observers {
		if ob.Attempt == nil {
			continue
		}
		nctx, end := ob.Attempt(ao.ctx, s)
		if nctx != nil {
			ao.ctx = nctx
		}
		if end != nil {
			ao.ends = append(ao.ends, end)
		}
	}
	s.headers = nil // SetHeader works only while the observers are called
	return ao
}

// endAttempt reports the attempt as judged.
func (c *Client) endAttempt(ao *attemptObs, cl *call, at *attempt, apiErr *APIError, v verdict, reason string) {
	if ao == nil || len(ao.ends) == 0 {
		return
	}
	e := &AttemptEnd{Attempt: ao.start.Attempt, Duration: at.duration}
	switch {
	case at.err != nil:
		e.Err = c.scrubError(at, at.err)
	default:
		e.StatusCode = at.status
		e.RequestID = c.bounded(at, at.header.Get("X-Request-Id"), maxRequestIDLen)
		if apiErr != nil {
			e.Err, e.ErrorCode, e.Throttled = apiErr, apiErr.Code, apiErr.throttled()
		}
	}
	if e.Err != nil {
		e.Retryable = v == retry
		e.MayHaveHappened = v == ambiguous
		e.Reason = reason
	}
	for i := len(ao.ends) - 1; i >= 0; i-- {
		ao.ends[i](e)
	}
}

// observeRetry reports a retry about to wait.
func (c *Client) observeRetry(ctx context.Context, cl *call, n int, wait time.Duration, at *attempt, reason string, err error) {
	if len(c.observers) == 0 {
		return
	}
	r := &RetryInfo{Method: cl.method, Path: cl.path, Route: c.route(cl.path), Attempt: n, Wait: wait, Reason: reason, Cause: retryCause(at, err), Err: err}
	if o := callObsFrom(ctx); o != nil {
		r.Operation = o.start.Operation
	}
	for _, ob := range c.observers {
		if ob.Retry != nil {
			ob.Retry(ctx, r)
		}
	}
}

// retryCause is the class of a retried failure.
func retryCause(at *attempt, err error) string {
	var ae *APIError
	switch {
	case errors.As(err, &ae) && ae.throttled():
		return "throttled"
	case ae != nil:
		return "server_error"
	case errors.As(at.err, new(*signError)):
		return "signing"
	}
	var ne net.Error
	if errors.Is(at.err, context.DeadlineExceeded) || (errors.As(at.err, &ne) && ne.Timeout()) {
		return "timeout"
	}
	return "connection"
}

// observePoll reports one poll of a wait.
func (c *Client) observePoll(ctx context.Context, p *PollInfo) {
	if o := callObsFrom(ctx); o != nil {
		p.Operation = o.start.Operation
	}
	for _, ob := range c.observers {
		if ob.Poll != nil {
			ob.Poll(ctx, p)
		}
	}
}

// observeReconcile reports one step of a reconciliation.
func (c *Client) observeReconcile(ctx context.Context, s *ReconcileStep) {
	if o := callObsFrom(ctx); o != nil {
		s.Operation = o.start.Operation
	}
	for _, ob := range c.observers {
		if ob.Reconcile != nil {
			ob.Reconcile(ctx, s)
		}
	}
}

// route is the template of a path the client builds: the project and the
// resource IDs replaced by their names.
func (c *Client) route(path string) string {
	segs := strings.Split(path, "/")
	for i := 1; i < len(segs); i++ {
		prev := segs[i-1]
		switch {
		case (prev == "v1" || prev == "v2") && segs[i] == url.PathEscape(c.projectID):
			segs[i] = "{project_id}"
		case prev == "images" && segs[i] != "group":
			segs[i] = "{image_id}"
		case prev == "group" && i >= 2 && segs[i-2] == "images":
			segs[i] = "{group_id}"
		case prev == "notebooks":
			segs[i] = "{notebook_id}"
		case prev == "training-jobs":
			segs[i] = "{training_job_id}"
		case prev == "tasks":
			segs[i] = "{task_id}"
		}
	}
	return strings.Join(segs, "/")
}
