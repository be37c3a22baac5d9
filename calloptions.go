package modelarts

import (
	"context"
	"net/http"
	"time"
)

// CallOption configures one call. Every method of Client takes a trailing
// ...CallOption, so options can be added later without breaking a caller,
// an interface over *Client, or a fake of it (the pattern of aws-sdk-go-v2's
// optFns and azcore's trailing options).
//
// Options that only make sense for some calls (WithForce for deletes, the
// polling options for waits) are refused with an error matching
// ErrInvalidRequest when given to another call, before anything is sent.
//
// Client-wide defaults for every call are set with WithCallDefaults.
type CallOption interface {
	applyCall(*callConfig)
}

// callOptionFunc makes a CallOption of a function.
type callOptionFunc func(*callConfig)

func (f callOptionFunc) applyCall(c *callConfig) { f(c) }

// DeleteOption is a CallOption given to a delete; WithForce is the one made
// for deletes.
type DeleteOption = CallOption

// WaitOption is a CallOption given to a wait (WaitForActive, WaitForImage,
// WaitForNotebook, SaveNotebookAsImage); WithPollInterval, WithProgress and
// WithNotFoundGrace are the ones made for waits.
type WaitOption = CallOption

// optionKind names the options that apply to some calls only.
type optionKind uint8

const (
	optForce optionKind = 1 << iota // WithForce
	optWait                         // WithPollInterval, WithProgress, WithNotFoundGrace, WithNotebookProgress
)

// callConfig is what the options of one call set.
type callConfig struct {
	timeout        time.Duration // whole call; 0: the context alone bounds it
	attemptTimeout time.Duration // one attempt; 0: the client's
	retry          *RetryPolicy  // nil: the client's
	response       *Response     // filled with the metadata of the last answer
	force          bool
	wait           waitSettings
	used           optionKind
	errs           []error
}

// Response is the metadata of a call's last HTTP answer, for calls that
// return only a value: read it with WithResponse.
type Response struct {
	StatusCode int         // HTTP status of the last answer
	RequestID  string      // X-Request-Id: quote it to support
	Header     http.Header // response headers, with any credential the client holds removed and values bounded
	Attempts   int         // attempts made for the last request, the first included
}

// WithResponse makes the call store the metadata of its last HTTP answer in
// dst when it returns (for a wait or a listing, the last request's). dst is
// left untouched when no answer arrived at all.
func WithResponse(dst *Response) CallOption {
	return callOptionFunc(func(c *callConfig) {
		if dst == nil {
			c.errs = append(c.errs, invalid("WithResponse", "the *Response is nil"))
			return
		}
		c.response = dst
	})
}

// WithCallTimeout bounds the whole call (retries, waits and paging
// included), like a context deadline set by the caller.
func WithCallTimeout(d time.Duration) CallOption {
	return callOptionFunc(func(c *callConfig) {
		if d <= 0 {
			c.errs = append(c.errs, invalid("WithCallTimeout", "the timeout must be positive, got %s", d))
			return
		}
		c.timeout = d
	})
}

// WithAttemptTimeout bounds each attempt of this call, overriding the
// client's WithTimeout.
func WithAttemptTimeout(d time.Duration) CallOption {
	return callOptionFunc(func(c *callConfig) {
		if d <= 0 {
			c.errs = append(c.errs, invalid("WithAttemptTimeout", "the timeout must be positive, got %s", d))
			return
		}
		c.attemptTimeout = d
	})
}

// WithCallRetry sets the retry policy of this call, overriding the client's
// WithRetry; zero fields take the defaults, as in WithRetry.
func WithCallRetry(p RetryPolicy) CallOption {
	return callOptionFunc(func(c *callConfig) {
		if err := p.check("WithCallRetry"); err != nil {
			c.errs = append(c.errs, err)
			return
		}
		p = p.withDefaults()
		c.retry = &p
	})
}

// WithForce makes a delete also remove the image content in SWR (personal
// private images only). It applies to DeleteImage and DeleteImageGroup.
func WithForce() DeleteOption {
	return callOptionFunc(func(c *callConfig) {
		c.force = true
		c.used |= optForce
	})
}

// begin checks the context and the options of a call and applies its
// timeout. allowed names the call-specific options the call takes. The
// returned cancel must be called when the call returns.
func (c *Client) begin(ctx context.Context, opts []CallOption, allowed optionKind) (context.Context, *callConfig, context.CancelFunc, error) {
	if ctx == nil {
		return nil, nil, nil, invalid("context", "the context is nil; pass context.Background() or a context with a deadline")
	}
	cfg := &callConfig{wait: defaultWaitSettings()}
	for _, o := range c.callDefaults {
		o.applyCall(cfg)
	}
	cfg.used = 0 // client defaults may set anything; only the call's own options are checked
	for _, o := range opts {
		if o == nil {
			return nil, nil, nil, invalid("options", "a CallOption is nil")
		}
		o.applyCall(cfg)
	}
	if len(cfg.errs) > 0 {
		return nil, nil, nil, cfg.errs[0]
	}
	if extra := cfg.used &^ allowed; extra != 0 {
		switch {
		case extra&optForce != 0:
			return nil, nil, nil, invalid("options", "WithForce applies only to DeleteImage and DeleteImageGroup")
		default:
			return nil, nil, nil, invalid("options", "WithPollInterval, WithProgress, WithNotebookProgress, WithSaveImageJobProgress and WithNotFoundGrace apply only to waits")
		}
	}
	if err := cfg.wait.check(); err != nil {
		return nil, nil, nil, err
	}
	cancel := context.CancelFunc(func() {})
	if cfg.timeout > 0 {
		ctx, cancel = context.WithTimeout(ctx, cfg.timeout)
	}
	return ctx, cfg, cancel, nil
}

// retryPolicy is the policy in force for the call.
func (c *Client) retryPolicy(cfg *callConfig) RetryPolicy {
	if cfg != nil && cfg.retry != nil {
		return *cfg.retry
	}
	return c.retry
}

// attemptTimeout is the per-attempt bound in force for the call.
func (c *Client) attemptTimeout(cfg *callConfig) time.Duration {
	if cfg != nil && cfg.attemptTimeout > 0 {
		return cfg.attemptTimeout
	}
	return c.timeout
}

// CallOptions is what a list of CallOptions sets, read back with
// ResolveCallOptions. It is for code that stands in for a Client, such as a
// fake of an interface over *Client, which must tell DeleteImage(ctx, id)
// from DeleteImage(ctx, id, WithForce()). Zero values mean "not set".
type CallOptions struct {
	Timeout        time.Duration // WithCallTimeout
	AttemptTimeout time.Duration // WithAttemptTimeout
	Retry          *RetryPolicy  // WithCallRetry, with defaults filled in
	Response       *Response     // WithResponse
	Force          bool          // WithForce
	// The wait options; PollMin, PollMax and NotFoundGrace hold the
	// defaults when not set.
	PollMin, PollMax     time.Duration
	NotFoundGrace        time.Duration
	Progress             func(*Image)        // WithProgress
	NotebookProgress     func(*Notebook)     // WithNotebookProgress
	SaveImageJobProgress func(*SaveImageJob) // WithSaveImageJobProgress
}

// ResolveCallOptions applies opts in order, as a call does, and returns
// what they set, or the error a call would return for them (a nil option,
// a bad value). It does not check that the options fit a particular call.
func ResolveCallOptions(opts ...CallOption) (CallOptions, error) {
	cfg := callConfig{wait: defaultWaitSettings()}
	for _, o := range opts {
		if o == nil {
			return CallOptions{}, invalid("options", "a CallOption is nil")
		}
		o.applyCall(&cfg)
	}
	if len(cfg.errs) > 0 {
		return CallOptions{}, cfg.errs[0]
	}
	if err := cfg.wait.check(); err != nil {
		return CallOptions{}, err
	}
	return CallOptions{
		Timeout: cfg.timeout, AttemptTimeout: cfg.attemptTimeout, Retry: cfg.retry, Response: cfg.response, Force: cfg.force,
		PollMin: cfg.wait.min, PollMax: cfg.wait.max, NotFoundGrace: cfg.wait.grace,
		Progress: cfg.wait.progress, NotebookProgress: cfg.wait.notebookProgress, SaveImageJobProgress: cfg.wait.saveJobProgress,
	}, nil
}
