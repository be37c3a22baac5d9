package modelarts

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/modelarts-go/modelarts/auth"
)

// The request pipeline: every call goes through do, which rate-limits,
// signs each attempt, sends it, judges the answer, retries what is safe to
// retry and decodes the answer. It knows no resource: what an outcome the
// answer does not give means is the call's own rule (call.settle), which
// creates.go gives creates and DeleteImage gives deletes.

// call describes one API operation for the pipeline.
type call struct {
	method string
	path   string      // escaped, after the endpoint's host, without query
	query  url.Values  // may be nil; encoded with %20 for spaces
	body   []byte      // encoded JSON, nil for none
	cfg    *callConfig // the call's options; nil for the defaults
	// project is the discovered project ID, sent as X-Project-Id; "" when
	// the client was given its project (the header is then the client's).
	project string
	// settle, when set, is the call's own rule for an outcome the answer
	// does not give (creates.go for creates, the lost-DELETE rule for
	// deletes); the engine knows no resource. It is asked after an
	// attempt that may have been carried out, when the call is not safe to
	// send twice (lost: true, with that failure), and after an error answer
	// that follows such an attempt (lost: false, with that answer). settled
	// says the call ends with err; otherwise the engine goes on as it
	// would: after a lost answer, that means sending again, which the rule
	// has found safe.
	settle func(ctx context.Context, failure error, lost bool) (settled bool, err error)

	status int // the status of the last HTTP answer
	// mayHaveHappened is set when the call failed after an attempt that
	// the server may have carried out (its answer was lost, or was a 5xx
	// or a timeout) and was not sent again.
	mayHaveHappened bool
	meta            Response
}

// attempt is the outcome of sending a call once.
type attempt struct {
	// Context is the call's context as the attempt's request sees it:
	// the attempt is the context its request runs in, so that signHook
	// finds it (Value) without a context node of its own to allocate.
	context.Context
	status    int
	header    http.Header
	body      *bytes.Buffer // pooled; release with putBuffer
	err       error         // no HTTP answer
	sent      bool          // the request may have reached the server
	duration  time.Duration
	truncated bool        // the body was longer than the limit
	reqHeader http.Header // the headers sent, signature included (see signHook)
	leftCheck func() bool // whether a byte left, when traced (see traceSending)
	creds     []string    // the credentials in reqHeader, read by sentSecrets
	credBuf   [3]string   // where creds live unless there are more
	credsRead bool
	limited   io.LimitedReader // the body, read within the limit
}

// lastToken is the X-Auth-Token the attempt carried, or else its
// X-Security-Token: what identifies the credentials a 401 refused.
func (at *attempt) lastToken() string {
	if at.reqHeader == nil {
		return ""
	}
	if tok := at.reqHeader.Get(auth.HeaderAuthToken); tok != "" {
		return tok
	}
	return at.reqHeader.Get(auth.HeaderSecurityToken)
}

// signHook is resty's pre-request hook: it signs each attempt right
// before it is sent, and records on the attempt (carried in the request's
// context) the headers sent, credentials included, for scrubbing what
// comes back.
func (c *Client) signHook(_ *resty.Client, req *http.Request) error {
	err := c.signer().Sign(req)
	if at, ok := req.Context().Value(attemptKey{}).(*attempt); ok {
		at.reqHeader = req.Header
	}
	if err != nil {
		return &signError{err: err}
	}
	return nil
}

// attemptKey carries the attempt in its request's context, for signHook.
type attemptKey struct{}

// Value finds the attempt itself under attemptKey, and the call's values
// under every other key.
func (at *attempt) Value(key any) any {
	if key == (attemptKey{}) {
		return at
	}
	return at.Context.Value(key)
}

// signError marks a failure of the signer.
type signError struct{ err error }

func (e *signError) Error() string { return e.err.Error() }
func (e *signError) Unwrap() error { return e.err }

// do runs a call through the pipeline and decodes a success into out (if
// non-nil). Input was validated by the endpoint method before.
func (c *Client) do(ctx context.Context, cl *call, out any) error {
	if c.discovery != nil {
		id, err := c.projectIDFor(ctx)
		if err != nil {
			return err
		}
		cl.path = strings.ReplaceAll(cl.path, projectPlaceholder, id)
		cl.project = id
	}
	err := c.run(ctx, cl, out)
	if cl.cfg != nil && cl.cfg.response != nil && cl.meta.StatusCode != 0 {
		*cl.cfg.response = cl.meta
	}
	return err
}

func (c *Client) run(ctx context.Context, cl *call, out any) error {
	r := &runState{policy: c.retryPolicy(cl.cfg)}
	for n := 1; ; n++ {
		if err := c.admit(ctx, cl, n-1, r.lastErr); err != nil {
			return err
		}
		r.attempts = n
		ao := c.observeAttempt(ctx, cl, n, r.wait)
		at := c.send(ctx, cl, ao)
		apiErr, v, reason := c.judge(cl, at)
		c.endAttempt(ao, cl, at, apiErr, v, reason)
		c.record(cl, at, n)
		if at.err == nil && apiErr == nil {
			return c.succeed(cl, at, n, out)
		}
		putBuffer(at.body)
		next, err := c.fail(ctx, cl, r, at, apiErr)
		switch next {
		case endCall:
			return err
		case sendAgainNow:
			n--
			continue
		}
		if v == ambiguous {
			if done, err := c.settleLost(ctx, cl, r, n); done {
				return err
			}
			v = retry // the call's own rule checked: nothing was done, sending again is safe
		}
		if v != retry || n >= r.policy.MaxAttempts {
			return c.finalError(cl, n, r.lastErr)
		}
		if err := c.backOff(ctx, cl, r, at, n, reason); err != nil {
			return err
		}
	}
}

// runState is what one call's attempts carry from one to the next.
type runState struct {
	policy    RetryPolicy
	attempts  int           // attempts counted so far, the current one included
	lastErr   error         // the failure of the last attempt
	wait      time.Duration // the wait before the current attempt
	refreshed bool          // a rejected token was refreshed once already
	uncertain bool          // an earlier attempt may have been carried out
}

// admit lets an attempt go: the context is live and the client's rate
// limit allows it.
func (c *Client) admit(ctx context.Context, cl *call, attempts int, lastErr error) error {
	if err := ctx.Err(); err != nil {
		return c.ctxError(cl, attempts, err, lastErr)
	}
	if c.limiter == nil {
		return nil
	}
	if err := c.limiter.Wait(ctx); err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return c.ctxError(cl, attempts, ctxErr, lastErr)
		}
		// The limiter saw the wait would outlast the deadline.
		return c.ctxError(cl, attempts, fmt.Errorf("waiting for the client's rate limit: %v: %w", err, context.DeadlineExceeded), lastErr)
	}
	return nil
}

// record keeps the status of an answer, and its metadata when the caller
// asked for it (it copies the headers).
func (c *Client) record(cl *call, at *attempt, n int) {
	if at.err != nil {
		return
	}
	cl.status = at.status
	if cl.cfg != nil && cl.cfg.response != nil {
		cl.meta = Response{StatusCode: at.status, RequestID: c.bounded(at, at.header.Get("X-Request-Id"), maxRequestIDLen), Header: c.scrubHeader(at, at.header), Attempts: n}
	}
}

// succeed decodes a 2xx answer and credits the retry budget.
func (c *Client) succeed(cl *call, at *attempt, n int, out any) error {
	err := c.decode(cl, at, out)
	putBuffer(at.body)
	if n == 1 {
		c.budget.give(budgetSuccessGain)
	} else {
		c.budget.give(budgetRetryCost)
	}
	return err
}

// afterFailure is what a failed attempt leads to.
type afterFailure int

const (
	judgeVerdict afterFailure = iota // retry or not, as the verdict says
	endCall                          // the call ends with the error given
	sendAgainNow                     // a fresh token: again, not counted as an attempt
)

// fail takes in a failed attempt: it names the failure (r.lastErr),
// refreshes a rejected token once, and lets the call's own rule settle an
// error answer that follows an attempt that may have been carried out.
func (c *Client) fail(ctx context.Context, cl *call, r *runState, at *attempt, apiErr *APIError) (afterFailure, error) {
	n := r.attempts
	earlierUncertain := r.uncertain
	r.uncertain = r.uncertain || mayHaveHappened(at, apiErr)
	if at.err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			// The context cut this attempt short: the failure worth
			// naming is the one that made the call retry, if any.
			if r.lastErr == nil {
				r.lastErr = c.transportError(cl, n, at)
			}
			return endCall, c.ctxError(cl, r.attempts, ctxErr, r.lastErr)
		}
		var se *signError
		if !errors.As(at.err, &se) {
			r.lastErr = c.transportError(cl, n, at)
			return judgeVerdict, nil
		}
		r.lastErr = &RequestError{Method: cl.method, Path: cl.path, Attempts: n, Err: fmt.Errorf("signing the request: %w", se.err)}
		if auth.IsTemporary(se.err) {
			return judgeVerdict, nil
		}
		return endCall, r.lastErr
	}
	r.lastErr = apiErr
	// A rejected token is cured by a fresh one, once, whatever the policy.
	if inv, ok := c.signer().(auth.TokenInvalidator); ok && apiErr.tokenRejected() && !r.refreshed {
		r.refreshed = true
		inv.InvalidateToken(at.lastToken())
		r.wait = 0
		return sendAgainNow, nil
	}
	if earlierUncertain && cl.settle != nil {
		if settled, err := cl.settle(ctx, apiErr, false); settled {
			if err == nil {
				c.budget.give(budgetRetryCost)
			}
			return endCall, err
		}
	}
	return judgeVerdict, nil
}

// settleLost asks the call's own rule what an attempt that may have been
// carried out did. A call without one is not sent again: it fails, marked
// as one that may have happened.
func (c *Client) settleLost(ctx context.Context, cl *call, r *runState, n int) (done bool, err error) {
	if cl.settle == nil {
		cl.mayHaveHappened = true
		return true, c.finalError(cl, n, r.lastErr)
	}
	return cl.settle(ctx, r.lastErr, true)
}

// backOff spends the retry budget and waits before the next attempt: the
// policy's backoff, or the server's Retry-After as sent (capped).
func (c *Client) backOff(ctx context.Context, cl *call, r *runState, at *attempt, n int, reason string) error {
	cost := budgetRetryCost
	if errors.Is(at.err, context.DeadlineExceeded) {
		cost = budgetTimeoutCost
	}
	if !c.budget.take(cost) {
		return &RequestError{Method: cl.method, Path: cl.path, Attempts: n, Err: r.lastErr,
			Note: "not retried: the client's retry budget is spent after many recent failures"}
	}
	r.wait = r.policy.backoff(n, c.jitter)
	if at.header != nil {
		if ra, ok := retryAfter(at.header, c.now()); ok {
			r.wait = ra // honoured as sent (capped), never shortened to the backoff
		}
	}
	c.observeRetry(ctx, cl, n, r.wait, at, reason, r.lastErr)
	if err := c.sleep(ctx, r.wait); err != nil {
		return c.ctxError(cl, r.attempts, err, r.lastErr)
	}
	return nil
}

// mayHaveHappened reports a failed attempt that the server may still have
// carried out: the request left and no answer came, or the answer was a
// server error or a timeout.
func mayHaveHappened(at *attempt, apiErr *APIError) bool {
	if at.err != nil {
		return at.sent && !neverLeft(at.err) && !errors.As(at.err, new(*signError))
	}
	return apiErr != nil && apiErr.serverError()
}

// send makes one attempt and reads its body within the limits. ao, when
// the attempt is observed, gives the request's context and the headers the
// observers added.
func (c *Client) send(ctx context.Context, cl *call, ao *attemptObs) *attempt {
	at := &attempt{sent: true}
	var (
		start time.Time // timing is for the observers only
		extra http.Header
	)
	if ao != nil {
		ctx, extra, start = ao.ctx, ao.headers, time.Now()
	}
	at.Context = ctx
	actx, cancel := context.WithTimeout(at, c.attemptTimeout(cl.cfg))
	defer cancel()
	if cl.settle != nil {
		actx = at.traceSending(actx)
	}
	resp, err := c.request(actx, cl, extra).Execute(cl.method, cl.url(c.base))
	if at.leftCheck != nil {
		at.sent = at.leftCheck()
	}
	if err != nil {
		at.err = unwrapURLError(err)
		if resp != nil && resp.RawResponse != nil {
			resp.RawResponse.Body.Close()
		}
	} else {
		at.read(resp.RawResponse)
	}
	at.duration = sinceIf(start)
	return at
}

// traceSending makes the attempt learn whether any byte of the request
// left. Only for calls with a rule of their own does it matter: it decides
// between "retry" and "settle" (other POSTs are not sent again after they
// may have left, whatever the proof). Proof that nothing left needs a
// transport that reports its progress (net/http's does: GetConn first,
// then each header written); with one that reports nothing the request
// counts as sent.
func (at *attempt) traceSending(ctx context.Context) context.Context {
	var traced, wrote atomic.Bool
	at.leftCheck = func() bool { return !traced.Load() || wrote.Load() }
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GetConn:          func(string) { traced.Store(true) },
		WroteHeaderField: func(string, []string) { wrote.Store(true) },
	})
}

// request builds the resty request of one attempt, with the headers
// observers added (set before signHook signs the request).
func (c *Client) request(ctx context.Context, cl *call, extra http.Header) *resty.Request {
	req := c.rc.R().SetContext(ctx)
	for k, vs := range extra {
		req.Header[k] = vs
	}
	if cl.project != "" {
		req.SetHeader(auth.HeaderProjectID, cl.project)
	}
	if cl.body != nil {
		// A reader, not the []byte: resty copies a byte slice body twice.
		req.SetHeader("Content-Type", "application/json;charset=UTF-8").SetBody(bytes.NewReader(cl.body))
	}
	return req
}

// url is the call's absolute URL on base, as sent: absolute, so that resty
// parses it once rather than joining it to its base URL first.
func (cl *call) url(base string) string {
	if len(cl.query) == 0 {
		return base + cl.path
	}
	return base + cl.path + "?" + encodeQuery(cl.query)
}

// read takes in an answer: its status, headers and body, read within the
// limits (MaxResponseBytes for a success, MaxErrorBytes otherwise).
func (at *attempt) read(raw *http.Response) {
	at.status, at.header = raw.StatusCode, raw.Header
	ok := raw.StatusCode >= 200 && raw.StatusCode <= 299
	limit := int64(MaxErrorBytes)
	if ok {
		limit = MaxResponseBytes
	}
	at.body = getBuffer()
	at.limited = io.LimitedReader{R: raw.Body, N: limit + 1} // in the attempt: no reader of its own to allocate
	_, rerr := at.body.ReadFrom(&at.limited)
	raw.Body.Close()
	if int64(at.body.Len()) > limit {
		at.truncated = true
		at.body.Truncate(int(limit))
	}
	if rerr != nil && ok {
		at.err = fmt.Errorf("reading the %d response body: %w", raw.StatusCode, rerr)
		at.sent = true
	}
}

// sinceIf is the time since start, or 0 when start was not taken.
func sinceIf(start time.Time) time.Duration {
	if start.IsZero() {
		return 0
	}
	return time.Since(start)
}

// judge turns an attempt into an API error (for non-2xx) and a verdict.
func (c *Client) judge(cl *call, at *attempt) (*APIError, verdict, string) {
	if at.err != nil {
		if se := new(signError); errors.As(at.err, &se) {
			if auth.IsTemporary(se.err) {
				return nil, retry, "signing failed transiently"
			}
			return nil, stop, ""
		}
		v, reason := classifyTransport(cl.method, at.err, at.sent)
		return nil, v, reason
	}
	if at.status >= 200 && at.status <= 299 {
		return nil, stop, ""
	}
	e := parseAPIError(at.status, at.header, at.body.Bytes(), at.truncated, func(s string, n int) string { return c.bounded(at, s, n) })
	e.Header = c.scrubHeader(at, at.header)
	e.Method, e.Path = cl.method, cl.path
	if e.Code == CodeSignatureExpired {
		e.Message += clockSkewHint(at.header, c.now())
	}
	v, reason := classifyStatus(cl.method, e, at.header)
	return e, v, reason
}

// decode reads a success body into out.
func (c *Client) decode(cl *call, at *attempt, out any) error {
	if out == nil {
		return nil
	}
	body := at.body.Bytes()
	if at.truncated {
		return &DecodeError{Method: cl.method, Path: cl.path, StatusCode: at.status,
			Body: c.bounded(at, string(body), 120), Err: fmt.Errorf("the response is larger than the %d-byte limit", MaxResponseBytes)}
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return &DecodeError{Method: cl.method, Path: cl.path, StatusCode: at.status, Err: errEmptyBody}
	}
	if err := decodeJSON(body, out); err != nil {
		return &DecodeError{Method: cl.method, Path: cl.path, StatusCode: at.status, Body: c.bounded(at, string(body), 120), Err: c.scrubError(at, err)}
	}
	c.scrubValue(at, out)
	return nil
}

// errEmptyBody is a 2xx answer with nothing in it.
var errEmptyBody = errors.New("the response body is empty")

func (c *Client) transportError(cl *call, n int, at *attempt) error {
	return &RequestError{Method: cl.method, Path: cl.path, Attempts: n, Err: c.scrubError(at, at.err)}
}

// finalError is the error returned when no more attempts are made.
func (c *Client) finalError(cl *call, n int, lastErr error) error {
	var re *RequestError
	if errors.As(lastErr, &re) {
		re.Attempts = n
	}
	return lastErr
}

// ctxError reports a call ended by its context; both the context's error
// and the last failure stay reachable with errors.Is and errors.As.
func (c *Client) ctxError(cl *call, attempts int, ctxErr, lastErr error) error {
	return &RequestError{Method: cl.method, Path: cl.path, Attempts: attempts, Err: ctxErr, Last: lastErr}
}

// unwrapURLError drops net/http's *url.Error wrapper, whose message repeats
// the full URL; the SDK's errors name the path themselves.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func getBuffer() *bytes.Buffer { return bufPool.Get().(*bytes.Buffer) }

func putBuffer(b *bytes.Buffer) {
	if b == nil || b.Cap() > 1<<20 { // let big buffers go
		return
	}
	b.Reset()
	bufPool.Put(b)
}

// discardLogger keeps resty silent; the SDK logs through slog itself.
type discardLogger struct{}

func (discardLogger) Errorf(string, ...any) {}
func (discardLogger) Warnf(string, ...any)  {}
func (discardLogger) Debugf(string, ...any) {}

// clockSkewHint says how far the caller's clock is from the service's, for
// a signature refused as expired: the usual cause is a drifting clock.
func clockSkewHint(h http.Header, now time.Time) string {
	date, err := http.ParseTime(h.Get("Date"))
	if err != nil {
		return " (the service sent no Date header to compare clocks with; check this machine's clock)"
	}
	skew := now.Sub(date).Round(time.Second)
	switch {
	case skew > 0:
		return fmt.Sprintf(" (this machine's clock is %s ahead of the service's Date header: sync it, e.g. with NTP)", skew)
	case skew < 0:
		return fmt.Sprintf(" (this machine's clock is %s behind the service's Date header: sync it, e.g. with NTP)", -skew)
	}
	return " (the clocks agree to the second; the request may have been delayed or replayed)"
}

// encodeQuery encodes q sorted by key, as url.Values.Encode does, but with
// a space as %20, never '+': the official SDK sends %20, and a signature
// must not depend on whether a gateway reads '+' as a space.
func encodeQuery(q url.Values) string {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var sb strings.Builder
	for _, k := range keys {
		ek := escapeQuery(k)
		for _, v := range q[k] {
			if sb.Len() > 0 {
				sb.WriteByte('&')
			}
			sb.WriteString(ek)
			sb.WriteByte('=')
			sb.WriteString(escapeQuery(v))
		}
	}
	return sb.String()
}

// escapeQuery is url.QueryEscape with %20 for a space (QueryEscape writes
// a literal '+' as %2B, so every '+' it returns is a space).
func escapeQuery(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}
