package modelarts

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"golang.org/x/time/rate"
)

// Option configures a Client.
type Option interface {
	apply(*settings)
}

// optionFunc makes an Option of a function.
type optionFunc func(*settings)

func (f optionFunc) apply(s *settings) { f(s) }

// settings collects the options before NewClient checks them.
type settings struct {
	httpClient *http.Client
	userAgent  string
	timeout    time.Duration
	retry      RetryPolicy
	logger     *slog.Logger
	limiter    *rate.Limiter
	defaults   []WaitOption
	settle     time.Duration
	observers  []Observer
	// discoverRegion and discoverIAM: WithProjectDiscovery.
	discoverRegion, discoverIAM string
	errs                        []error
}

// DefaultTimeout bounds one attempt when WithAttemptTimeout is not given, so a
// server that accepts and never answers cannot hang a call.
const DefaultTimeout = 30 * time.Second

// WithHTTPClient sets the HTTP client whose transport carries the requests:
// hand in httpmock.NewMockTransport() in tests, or a transport that traces.
// The client is copied, never modified; redirects are not followed, so no
// credential can travel to another host.
func WithHTTPClient(hc *http.Client) Option {
	return optionFunc(func(s *settings) {
		if hc == nil {
			s.errs = append(s.errs, invalid("WithHTTPClient", "the *http.Client is nil"))
			return
		}
		s.httpClient = hc
	})
}

// WithUserAgent appends ua to the SDK's own "modelarts-go/<version>"
// User-Agent.
func WithUserAgent(ua string) Option {
	return optionFunc(func(s *settings) {
		if err := checkPrintable("WithUserAgent", ua); err != nil {
			s.errs = append(s.errs, invalid("WithUserAgent", "the User-Agent contains a control character (a line break?) and could not be sent in a header"))
			return
		}
		s.userAgent = ua
	})
}

// WithCallDefaults sets options every call of the client starts from; the
// options a call is given are applied after them and win. It takes what a
// wait takes, every CallOption and the options made for waits, which apply
// to waits only. Typical use: tests that want every wait to poll fast,
//
//	modelarts.WithCallDefaults(modelarts.WithPollInterval(time.Millisecond, 10*time.Millisecond))
//
// Deleting SWR content (WithForce, a DeleteOption) must be asked for call
// by call, so the compiler refuses it here; a Response (WithResponse)
// belongs to one call, so it is refused when the client is made.
func WithCallDefaults(opts ...WaitOption) Option {
	return optionFunc(func(s *settings) {
		probe := callConfig{wait: defaultWaitSettings()}
		switch err := applyCallOptions(&probe, opts); {
		case err != nil:
			s.errs = append(s.errs, err)
		case probe.response != nil:
			s.errs = append(s.errs, invalid("WithCallDefaults", "WithResponse must be given to each call: one Response shared by every call (and goroutine) of the client would be overwritten concurrently"))
		default:
			s.defaults = append(s.defaults, opts...)
		}
	})
}

// WithLogger logs one debug record per attempt and one warn record per
// retry. Records never contain tokens, keys, signatures or passwords.
// Without it the client is silent. The logger is an Observer of the
// client (see WithObserver), called after the others; given twice, the
// last logger is the one used.
func WithLogger(l *slog.Logger) Option {
	return optionFunc(func(s *settings) { s.logger = l })
}

// WithRateLimit makes the client wait before each attempt so that all of its
// goroutines together stay under rps requests per second with bursts of
// burst, instead of collecting 429s from the service's throttle.
func WithRateLimit(rps float64, burst int) Option {
	return optionFunc(func(s *settings) {
		if rps <= 0 || burst < 1 {
			s.errs = append(s.errs, invalid("WithRateLimit", "rps must be positive and burst at least 1, got %g and %d", rps, burst))
			return
		}
		s.limiter = rate.NewLimiter(rate.Limit(rps), burst)
	})
}

// WithReconcileWindow sets how long a create whose outcome is uncertain (a
// lost answer, a 2xx without the image) keeps looking for the image it made
// before concluding (default DefaultReconcileWindow). The service's listing
// is eventually consistent: a shorter window concludes sooner, and more
// often ends in ErrCreateOutcomeUnknown; zero looks once.
func WithReconcileWindow(d time.Duration) Option {
	return optionFunc(func(s *settings) {
		if d < 0 {
			s.errs = append(s.errs, invalid("WithReconcileWindow", "the window cannot be negative, got %s", d))
			return
		}
		s.settle = d
	})
}

// Poll interval defaults. Saving a notebook as an image takes minutes, a
// registration seconds: the first poll is immediate, the next after 5 s
// catches the quick cases, and doubling to a 30 s cap (each wait drawn from
// the upper half of its window) notices the end within half a minute.
const (
	DefaultPollMin       = 5 * time.Second
	DefaultPollMax       = 30 * time.Second
	DefaultNotFoundGrace = 30 * time.Second
)

// waitSettings is what the wait options set.
type waitSettings struct {
	min, max         time.Duration
	progress         func(*Image)
	notebookProgress func(*Notebook)
	saveJobProgress  func(*SaveImageJob)
	grace            time.Duration
}

func defaultWaitSettings() waitSettings {
	return waitSettings{min: DefaultPollMin, max: DefaultPollMax, grace: DefaultNotFoundGrace}
}

func (w *waitSettings) check() error {
	if w.min <= 0 || w.max < w.min {
		return invalid("poll interval", "need 0 < min <= max, got %s and %s", w.min, w.max)
	}
	if w.grace < 0 {
		return invalid("not-found grace", "cannot be negative, got %s", w.grace)
	}
	return nil
}

// WithPollInterval sets the wait after the first poll (min; the first poll
// itself is immediate) and the cap the waits grow to, with jitter (max).
func WithPollInterval(min, max time.Duration) WaitOption {
	return waitOptionFunc(func(c *callConfig) {
		c.wait.min, c.wait.max = min, max
	})
}

// WithProgress calls fn after every successful poll of an image wait with
// the image as read, e.g. to print its status.
func WithProgress(fn func(*Image)) WaitOption {
	return waitOptionFunc(func(c *callConfig) {
		c.wait.progress = fn
	})
}

// WithNotebookProgress calls fn after every successful poll of a notebook
// wait (WaitForNotebook, and the notebook part of SaveNotebookAsImage).
func WithNotebookProgress(fn func(*Notebook)) WaitOption {
	return waitOptionFunc(func(c *callConfig) {
		c.wait.notebookProgress = fn
	})
}

// WithSaveImageJobProgress calls fn after every successful poll of
// WaitForSaveImageJob with the job as read.
func WithSaveImageJobProgress(fn func(*SaveImageJob)) WaitOption {
	return waitOptionFunc(func(c *callConfig) {
		c.wait.saveJobProgress = fn
	})
}

// WithNotFoundGrace sets how long after the wait starts a "not found" is
// taken for the service's eventual consistency (a just-created image not
// yet readable) rather than an answer (default 30 s).
func WithNotFoundGrace(d time.Duration) WaitOption {
	return waitOptionFunc(func(c *callConfig) {
		c.wait.grace = d
	})
}

// CallOption configures one call. Every method of Client takes a trailing
// ...CallOption (a wait ...WaitOption, a delete ...DeleteOption), so
// options can be added later without breaking a caller, an interface over
// *Client, or a fake of it (the pattern of aws-sdk-go-v2's optFns and
// azcore's trailing options).
//
// Every CallOption is also a WaitOption and a DeleteOption. The options
// made for some calls only are not CallOptions: the polling options are
// WaitOptions and WithForce a DeleteOption, so the compiler refuses them
// where they do not apply.
//
// Client-wide defaults for every call are set with WithCallDefaults.
type CallOption interface {
	WaitOption
	DeleteOption
}

// WaitOption configures a wait (WaitForActive, WaitForImage,
// WaitForNotebook, WaitForSaveImageJob, SaveNotebookAsImage): any
// CallOption, or one made for waits (WithPollInterval, WithProgress,
// WithNotebookProgress, WithSaveImageJobProgress, WithNotFoundGrace).
type WaitOption interface {
	applyCall(*callConfig)
	forWaits()
}

// DeleteOption configures a delete (DeleteImage, DeleteImageGroup): any
// CallOption, or WithForce.
type DeleteOption interface {
	applyCall(*callConfig)
	forDeletes()
}

// callOption is what every option kind has: begin applies it.
type callOption interface {
	applyCall(*callConfig)
}

// callOptionFunc makes a CallOption of a function.
type callOptionFunc func(*callConfig)

func (f callOptionFunc) applyCall(c *callConfig) { f(c) }
func (callOptionFunc) forWaits()                 {}
func (callOptionFunc) forDeletes()               {}

// waitOptionFunc makes a WaitOption that is no CallOption.
type waitOptionFunc func(*callConfig)

func (f waitOptionFunc) applyCall(c *callConfig) { f(c) }
func (waitOptionFunc) forWaits()                 {}

// deleteOptionFunc makes a DeleteOption that is no CallOption.
type deleteOptionFunc func(*callConfig)

func (f deleteOptionFunc) applyCall(c *callConfig) { f(c) }
func (deleteOptionFunc) forDeletes()               {}

// callConfig is what the options of one call set.
type callConfig struct {
	attemptTimeout time.Duration // one attempt; 0: the client's
	retry          *RetryPolicy  // nil: the client's
	response       *Response     // filled with the metadata of the last answer
	force          bool
	wait           waitSettings
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

// WithForce makes a delete also remove the image content in SWR (personal
// private images only). It applies to DeleteImage and DeleteImageGroup.
func WithForce() DeleteOption {
	return deleteOptionFunc(func(c *callConfig) {
		c.force = true
	})
}

// begin checks the context and the options of a call. A call without
// options shares the client's resolved defaults: a callConfig is read-only
// once begun.
func begin[O callOption](c *Client, ctx context.Context, opts []O) (*callConfig, error) {
	if ctx == nil {
		return nil, invalid("context", "the context is nil; pass context.Background() or a context with a deadline")
	}
	if len(opts) == 0 && c.plain != nil {
		return c.plain, nil
	}
	cfg := &callConfig{wait: defaultWaitSettings()}
	for _, o := range c.callDefaults {
		o.applyCall(cfg)
	}
	if err := applyCallOptions(cfg, opts); err != nil {
		return nil, err
	}
	return cfg, nil
}

// applyCallOptions applies opts to cfg in order and checks the result.
func applyCallOptions[O callOption](cfg *callConfig, opts []O) error {
	for _, o := range opts {
		if callOption(o) == nil {
			return invalid("options", "an option is nil: pass only options the With… functions return, or none")
		}
		o.applyCall(cfg)
	}
	if len(cfg.errs) > 0 {
		return cfg.errs[0]
	}
	return cfg.wait.check()
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

// CallSettings is what a list of CallOptions sets, read back with
// ResolveCallSettings. It is for code that stands in for a Client, such as a
// fake of an interface over *Client, which must tell DeleteImage(ctx, id)
// from DeleteImage(ctx, id, WithForce()). Zero values mean "not set".
type CallSettings struct {
	AttemptTimeout time.Duration // WithAttemptTimeout
	Retry          *RetryPolicy  // WithRetry, with defaults filled in
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

// ResolveCallSettings applies opts in order, as a call does, and returns
// what they set, or the error a call would return for them (a nil option,
// a bad value).
func ResolveCallSettings(opts ...CallOption) (CallSettings, error) {
	return resolveSettings(opts)
}

// ResolveWaitSettings is ResolveCallSettings for the options of a wait.
func ResolveWaitSettings(opts ...WaitOption) (CallSettings, error) {
	return resolveSettings(opts)
}

// ResolveDeleteSettings is ResolveCallSettings for the options of a
// delete.
func ResolveDeleteSettings(opts ...DeleteOption) (CallSettings, error) {
	return resolveSettings(opts)
}

func resolveSettings[O callOption](opts []O) (CallSettings, error) {
	cfg := callConfig{wait: defaultWaitSettings()}
	if err := applyCallOptions(&cfg, opts); err != nil {
		return CallSettings{}, err
	}
	return CallSettings{
		AttemptTimeout: cfg.attemptTimeout, Retry: cfg.retry, Response: cfg.response, Force: cfg.force,
		PollMin: cfg.wait.min, PollMax: cfg.wait.max, NotFoundGrace: cfg.wait.grace,
		Progress: cfg.wait.progress, NotebookProgress: cfg.wait.notebookProgress, SaveImageJobProgress: cfg.wait.saveJobProgress,
	}, nil
}

// SharedOption is an option that sets a client's default for every call,
// given to NewClient, or one call's own setting, given to the call: the
// time an attempt may take, and the retry policy. The context bounds the
// whole call.
type SharedOption interface {
	Option
	CallOption
}

// sharedOption makes a SharedOption of its two halves.
type sharedOption struct {
	client func(*settings)
	call   func(*callConfig)
}

func (o sharedOption) apply(s *settings)       { o.client(s) }
func (o sharedOption) applyCall(c *callConfig) { o.call(c) }
func (sharedOption) forWaits()                 {}
func (sharedOption) forDeletes()               {}

// WithAttemptTimeout bounds each attempt (each HTTP request) of the calls
// it is given to: a client's default (DefaultTimeout without it), or one
// call's. A server that accepts and never answers then cannot hang a call;
// the context bounds the whole call, retries and waits included.
func WithAttemptTimeout(d time.Duration) SharedOption {
	bad := d <= 0
	err := invalid("WithAttemptTimeout", "the timeout must be positive, got %s", d)
	return sharedOption{
		client: func(s *settings) {
			if bad {
				s.errs = append(s.errs, err)
				return
			}
			s.timeout = d
		},
		call: func(c *callConfig) {
			if bad {
				c.errs = append(c.errs, err)
				return
			}
			c.attemptTimeout = d
		},
	}
}

// WithRetry sets the retry policy of the calls it is given to: a client's
// default, or one call's. Zero fields take the defaults of
// DefaultRetryPolicy; RetryPolicy{MaxAttempts: 1} makes single attempts (a
// token refreshed after a 401 excepted, which is not a retry of a failure).
func WithRetry(p RetryPolicy) SharedOption {
	err := p.check("WithRetry")
	p = p.withDefaults()
	return sharedOption{
		client: func(s *settings) {
			if err != nil {
				s.errs = append(s.errs, err)
				return
			}
			s.retry = p
		},
		call: func(c *callConfig) {
			if err != nil {
				c.errs = append(c.errs, err)
				return
			}
			pp := p
			c.retry = &pp
		},
	}
}
