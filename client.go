// Package modelarts is a typed client for the ModelArts image-management
// API: register custom container images, save a running notebook as an
// image, read images back, list and delete them, and wait until an image is
// usable.
//
// Every call takes a context, validates its input before anything is sent,
// signs each attempt afresh, retries only what is safe to retry, and returns
// errors that errors.Is / errors.As can inspect (see APIError and the Err*
// sentinels). Package modelartstest provides an in-memory fake of the
// service for tests.
package modelarts

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-resty/resty/v2"
	"golang.org/x/time/rate"

	"github.com/modelarts-go/modelarts/auth"
	"github.com/modelarts-go/modelarts/internal/textutil"
)

// Body size limits: a server streaming garbage cannot exhaust memory.
const (
	MaxResponseBytes = 10 << 20 // success bodies
	MaxErrorBytes    = 1 << 20  // error bodies
)

// Client calls the ModelArts API for one project. It is safe for concurrent
// use; create one and share it.
type Client struct {
	base      string // endpoint, no trailing slash
	projectID string
	prefix    string // "/v1/{project_id}"
	signer    auth.Signer
	rc        *resty.Client
	userAgent string
	timeout   time.Duration
	retry     RetryPolicy
	budget    *retryBudget
	limiter   *rate.Limiter
	logger    *slog.Logger

	// Replaced by tests; time.Now, sleepCtx and defaultJitter otherwise.
	now    func() time.Time
	sleep  func(context.Context, time.Duration) error
	jitter func() float64
}

// NewClient returns a client for the ModelArts endpoint (e.g.
// "https://modelarts.cn-north-4.myhuaweicloud.com") and project, signing
// requests with signer. Plain http is refused unless the host is loopback,
// so no credential travels in clear text by accident.
func NewClient(endpoint, projectID string, signer auth.Signer, opts ...Option) (*Client, error) {
	base, err := parseEndpoint(endpoint)
	if err != nil {
		return nil, err
	}
	if err := validateProjectID(projectID); err != nil {
		return nil, err
	}
	if signer == nil {
		return nil, invalid("signer", "a signer is required: auth.NewTokenSigner, auth.NewAKSKSigner or auth.NewIAMTokenSigner")
	}
	if v, ok := signer.(auth.Validator); ok {
		if err := v.Validate(); err != nil {
			return nil, invalid("signer", "%v", err) // a signer that can never sign
		}
	}
	s := settings{timeout: DefaultTimeout, retry: DefaultRetryPolicy}
	for _, o := range opts {
		o(&s)
	}
	if len(s.errs) > 0 {
		return nil, errors.Join(s.errs...)
	}

	hc := &http.Client{Transport: http.DefaultTransport}
	if s.httpClient != nil {
		copied := *s.httpClient // never modify the caller's client
		hc = &copied
		if hc.Transport == nil {
			hc.Transport = http.DefaultTransport
		}
	}
	hc.Jar = nil
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	c := &Client{
		base:      base,
		projectID: projectID,
		prefix:    "/v1/" + projectID,
		signer:    signer,
		userAgent: userAgentBase,
		timeout:   s.timeout,
		retry:     s.retry,
		budget:    newRetryBudget(),
		limiter:   s.limiter,
		logger:    s.logger,
		now:       time.Now,
		sleep:     sleepCtx,
		jitter:    defaultJitter,
	}
	if s.userAgent != "" {
		c.userAgent += " " + s.userAgent
	}
	c.rc = resty.NewWithClient(hc).
		SetLogger(discardLogger{}).
		SetDoNotParseResponse(true).
		SetPreRequestHook(c.signHook).
		// Headers every request carries are set once, not per request.
		SetHeader("User-Agent", c.userAgent).
		SetHeader("Accept", "application/json").
		SetHeader(auth.HeaderProjectID, c.projectID)
	return c, nil
}

// ProjectID returns the project the client works in.
func (c *Client) ProjectID() string { return c.projectID }

// Endpoint returns the endpoint the client calls.
func (c *Client) Endpoint() string { return c.base }

// signHook signs each attempt right before it is sent.
func (c *Client) signHook(_ *resty.Client, req *http.Request) error {
	if err := c.signer.Sign(req); err != nil {
		return &signError{err: err}
	}
	return nil
}

// signError marks a failure of the signer, which is never retried as a
// transport fault.
type signError struct{ err error }

func (e *signError) Error() string { return e.err.Error() }
func (e *signError) Unwrap() error { return e.err }

// call describes one API operation for the pipeline.
type call struct {
	method string
	path   string     // escaped, after the endpoint, without query
	query  url.Values // may be nil
	body   []byte     // encoded JSON, nil for none
	// reconcile looks up the resource a create may have made when its
	// answer was lost; nil image and nil error mean "not created".
	reconcile func(ctx context.Context) (*Image, error)
	found     *Image // set when reconcile found the created image
	status    int    // the status of the successful answer
}

// attempt is the outcome of sending a call once.
type attempt struct {
	status    int
	header    http.Header
	body      *bytes.Buffer // pooled; release with putBuffer
	err       error         // no HTTP answer
	sent      bool          // the request may have reached the server
	duration  time.Duration
	truncated bool        // the body was longer than the limit
	reqHeader http.Header // the headers sent, signature included
}

// lastToken is the X-Auth-Token the attempt carried.
func (at *attempt) lastToken() string {
	if at.reqHeader == nil {
		return ""
	}
	return at.reqHeader.Get(auth.HeaderAuthToken)
}

// do runs a call through the pipeline: rate limit, sign, send, check,
// retry or reconcile, and decode into out (if non-nil). Input was validated
// by the endpoint method before.
func (c *Client) do(ctx context.Context, cl *call, out any) error {
	var (
		lastErr      error
		wait         time.Duration
		refreshed    bool
		checkedNoneN int // reconciliations that found nothing
	)
	for n := 1; ; n++ {
		if err := ctx.Err(); err != nil {
			return c.ctxError(cl, err, lastErr)
		}
		if c.limiter != nil {
			if err := c.limiter.Wait(ctx); err != nil {
				if ctxErr := ctx.Err(); ctxErr != nil {
					return c.ctxError(cl, ctxErr, lastErr)
				}
				// The limiter saw the wait would outlast the deadline.
				return c.ctxError(cl, fmt.Errorf("waiting for the client's rate limit: %v: %w", err, context.DeadlineExceeded), lastErr)
			}
		}
		at := c.send(ctx, cl)
		apiErr, verdict, reason := c.judge(cl, at)
		c.logAttempt(ctx, cl, n, wait, at, apiErr)

		if at.err == nil && apiErr == nil {
			cl.status = at.status
			err := c.decode(cl, at, out)
			putBuffer(at.body)
			if n == 1 {
				c.budget.give(budgetSuccessGain)
			} else {
				c.budget.give(budgetRetryCost)
			}
			return err
		}
		putBuffer(at.body)

		if at.err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				return c.ctxError(cl, ctxErr, c.transportError(cl, n, at.err))
			}
			var se *signError
			if errors.As(at.err, &se) {
				return fmt.Errorf("modelarts: %s %s: signing the request: %w", cl.method, cl.path, se.err)
			}
			lastErr = c.transportError(cl, n, at.err)
		} else {
			lastErr = apiErr
			// A rejected token is cured by a fresh one, once, whatever the policy.
			if inv, ok := c.signer.(auth.TokenInvalidator); ok && apiErr.isTokenError() && !refreshed {
				refreshed = true
				inv.InvalidateToken(at.lastToken())
				n--
				wait = 0
				continue
			}
		}

		if verdict == ambiguous {
			found, err := c.reconcile(ctx, cl, lastErr)
			if found || err != nil {
				return err
			}
			checkedNoneN++
			verdict = retry // nothing was created: sending again is safe
		}
		if verdict != retry || n >= c.retry.MaxAttempts {
			return c.finalError(cl, n, lastErr, checkedNoneN > 0)
		}
		cost := budgetRetryCost
		if errors.Is(at.err, context.DeadlineExceeded) {
			cost = budgetTimeoutCost
		}
		if !c.budget.take(cost) {
			return fmt.Errorf("%w (not retried: the client's retry budget is spent after many recent failures)", lastErr)
		}
		wait = c.retry.backoff(n, c.jitter)
		if at.header != nil {
			if ra, ok := retryAfter(at.header, c.now()); ok {
				wait = ra // honoured as sent (capped), never shortened to the backoff
			}
		}
		c.logRetry(ctx, cl, n, wait, reason, lastErr)
		if err := c.sleep(ctx, wait); err != nil {
			return c.ctxError(cl, err, lastErr)
		}
	}
}

// reconcile looks up what an ambiguously failed create may have made.
// found: the create succeeded and cl.found holds the image. An error: the
// outcome is unknown, or the call cannot be reconciled. Neither: nothing
// was created, so sending the create again is safe.
func (c *Client) reconcile(ctx context.Context, cl *call, lastErr error) (found bool, err error) {
	if cl.reconcile == nil {
		return false, lastErr
	}
	img, err := cl.reconcile(ctx)
	switch {
	case err != nil:
		return false, fmt.Errorf("%w: %s %s failed after the request was sent (%v), and looking the image up failed too (%v): check whether it exists before creating it again",
			ErrCreateOutcomeUnknown, cl.method, cl.path, lastErr, err)
	case img != nil:
		cl.found = img
		return true, nil
	}
	return false, nil
}

// send makes one attempt and reads its body within the limits.
func (c *Client) send(ctx context.Context, cl *call) *attempt {
	at := &attempt{}
	actx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	at.sent = true
	if !idempotent(cl.method) {
		// Only for creates does it matter whether bytes left: it decides
		// between "retry" and "reconcile". Proof that nothing left needs a
		// transport that reports its progress (net/http's does: GetConn
		// first, then each header written); with one that reports nothing
		// the request counts as sent.
		var traced, wrote atomic.Bool
		actx = httptrace.WithClientTrace(actx, &httptrace.ClientTrace{
			GetConn:          func(string) { traced.Store(true) },
			WroteHeaderField: func(string, []string) { wrote.Store(true) },
		})
		defer func() { at.sent = !traced.Load() || wrote.Load() }()
	}
	req := c.rc.R().SetContext(actx)
	if cl.body != nil {
		req.SetHeader("Content-Type", "application/json;charset=UTF-8").SetBody(cl.body)
	}
	u := c.base + cl.path
	if len(cl.query) > 0 {
		u += "?" + cl.query.Encode()
	}
	var start time.Time
	if c.logger != nil { // timing is for the log only
		start = time.Now()
	}
	resp, err := req.Execute(cl.method, u)
	if err != nil {
		at.err = unwrapURLError(err)
		at.duration = sinceIf(start)
		if resp != nil && resp.RawResponse != nil {
			resp.RawResponse.Body.Close()
		}
		return at
	}
	raw := resp.RawResponse
	at.status, at.header = raw.StatusCode, raw.Header
	at.reqHeader = resp.Request.RawRequest.Header
	limit := int64(MaxResponseBytes)
	if raw.StatusCode < 200 || raw.StatusCode > 299 {
		limit = MaxErrorBytes
	}
	at.body = getBuffer()
	_, rerr := at.body.ReadFrom(io.LimitReader(raw.Body, limit+1))
	raw.Body.Close()
	at.duration = sinceIf(start)
	if int64(at.body.Len()) > limit {
		at.truncated = true
		at.body.Truncate(int(limit))
	}
	if rerr != nil && raw.StatusCode >= 200 && raw.StatusCode <= 299 {
		at.err = fmt.Errorf("reading the %d response body: %w", raw.StatusCode, rerr)
		at.sent = true
	}
	return at
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
		v, reason := classifyTransport(cl.method, at.err, at.sent)
		if errors.As(at.err, new(*signError)) {
			v = stop
		}
		return nil, v, reason
	}
	if at.status >= 200 && at.status <= 299 {
		return nil, stop, ""
	}
	e := parseAPIError(at.status, at.header, at.body.Bytes(), at.truncated)
	e.Method, e.Path = cl.method, cl.path
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
			Body: textutil.Shorten(string(body), 120), Err: fmt.Errorf("the response is larger than the %d-byte limit", MaxResponseBytes)}
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return &DecodeError{Method: cl.method, Path: cl.path, StatusCode: at.status, Err: errors.New("the response body is empty")}
	}
	err := json.Unmarshal(body, out)
	var typeErr *json.UnmarshalTypeError
	if ld, ok := out.(looseDecoder); ok && errors.As(err, &typeErr) {
		err = ld.decodeLoose(body)
	}
	if err != nil {
		return &DecodeError{Method: cl.method, Path: cl.path, StatusCode: at.status, Body: textutil.Shorten(string(body), 120), Err: err}
	}
	return nil
}

// looseDecoder is a wire shape with a slower, more tolerant twin to decode
// with when the fast decode meets a value of an unexpected JSON type (a
// number sent as a string, say).
type looseDecoder interface {
	decodeLoose(body []byte) error
}

// DecodeError is a 2xx answer whose body is not what the API documents.
type DecodeError struct {
	Method, Path string
	StatusCode   int
	Body         string // what arrived, shortened
	Err          error
}

// Error says which call got an undecodable answer, why, and how it began.
func (e *DecodeError) Error() string {
	msg := fmt.Sprintf("modelarts: %s %s: %d answer cannot be decoded: %v", e.Method, e.Path, e.StatusCode, e.Err)
	if e.Body != "" {
		msg += "; the body began: " + e.Body
	}
	return msg
}

// Unwrap returns the decoding error.
func (e *DecodeError) Unwrap() error { return e.Err }

// RequestError is a call that got no HTTP answer: connection refused or
// reset, a timeout, a body cut short.
type RequestError struct {
	Method, Path string
	Attempts     int
	Err          error
}

// Error says which call failed, with what, after how many attempts.
func (e *RequestError) Error() string {
	s := fmt.Sprintf("modelarts: %s %s: %v", e.Method, e.Path, e.Err)
	if e.Attempts > 1 {
		s += fmt.Sprintf(" (after %d attempts)", e.Attempts)
	}
	return s
}

// Unwrap returns the transport error.
func (e *RequestError) Unwrap() error { return e.Err }

func (c *Client) transportError(cl *call, n int, err error) error {
	return &RequestError{Method: cl.method, Path: cl.path, Attempts: n, Err: err}
}

// finalError is the error returned when no more attempts are made.
func (c *Client) finalError(cl *call, n int, lastErr error, checkedNone bool) error {
	if checkedNone {
		return fmt.Errorf("%w (the SDK checked after the failure: no image was created, so creating it again is safe)", lastErr)
	}
	var re *RequestError
	if errors.As(lastErr, &re) {
		re.Attempts = n
	}
	return lastErr
}

// ctxError reports a call ended by its context, naming the last failure.
func (c *Client) ctxError(cl *call, ctxErr, lastErr error) error {
	if lastErr != nil {
		return fmt.Errorf("modelarts: %s %s: %w (last failure: %v)", cl.method, cl.path, ctxErr, lastErr)
	}
	return fmt.Errorf("modelarts: %s %s: %w", cl.method, cl.path, ctxErr)
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

// parseAPIError reads the error body in any of the shapes the service and
// its gateways use.
func parseAPIError(status int, h http.Header, body []byte, truncated bool) *APIError {
	e := &APIError{StatusCode: status, RequestID: h.Get("X-Request-Id")}
	var b struct {
		ErrorCode    string `json:"error_code"`
		ErrorMsg     string `json:"error_msg"`
		ErrorMessage string `json:"error_message"`
		Code         any    `json:"code"`
		Message      string `json:"message"`
		RequestID    string `json:"request_id"`
	}
	trimmed := bytes.TrimSpace(body)
	if !truncated && len(trimmed) > 0 && trimmed[0] == '{' && json.Unmarshal(trimmed, &b) == nil {
		e.Code = b.ErrorCode
		if e.Code == "" && b.Code != nil {
			e.Code = strings.TrimSpace(fmt.Sprint(b.Code))
		}
		e.Message = firstNonEmpty(b.ErrorMsg, b.ErrorMessage, b.Message)
		if e.RequestID == "" {
			e.RequestID = b.RequestID
		}
	}
	if e.Code == "" && e.Message == "" && len(trimmed) > 0 {
		e.Message = textutil.Shorten(string(trimmed), 200)
	}
	if e.Message == "" && e.Code == "" {
		e.Message = http.StatusText(status)
	}
	return e
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
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
