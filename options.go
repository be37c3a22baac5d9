package modelarts

import (
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
	defaults   []CallOption
	settle     time.Duration
	errs       []error
}

// DefaultTimeout bounds one attempt when WithTimeout is not given, so a
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

// WithTimeout bounds each attempt (default DefaultTimeout); the caller's
// context bounds the whole call, retries and waits included.
func WithTimeout(d time.Duration) Option {
	return optionFunc(func(s *settings) {
		if d <= 0 {
			s.errs = append(s.errs, invalid("WithTimeout", "the timeout must be positive, got %s", d))
			return
		}
		s.timeout = d
	})
}

// WithRetry sets the retry policy; zero fields take the defaults of
// DefaultRetryPolicy.
func WithRetry(p RetryPolicy) Option {
	return optionFunc(func(s *settings) {
		if err := p.check("WithRetry"); err != nil {
			s.errs = append(s.errs, err)
			return
		}
		s.retry = p.withDefaults()
	})
}

// WithCallDefaults sets options every call of the client starts from; the
// options a call is given are applied after them and win. Typical use:
// tests that want every wait to poll fast,
//
//	modelarts.WithCallDefaults(modelarts.WithPollInterval(time.Millisecond, 10*time.Millisecond))
//
// Options that apply to some calls only are applied where they fit.
// Deleting SWR content (WithForce) must be asked for call by call, and a
// Response (WithResponse) belongs to one call.
func WithCallDefaults(opts ...CallOption) Option {
	return optionFunc(func(s *settings) {
		probe := callConfig{wait: defaultWaitSettings()}
		for _, o := range opts {
			if o == nil {
				s.errs = append(s.errs, invalid("WithCallDefaults", "a CallOption is nil"))
				return
			}
			o.applyCall(&probe)
		}
		switch {
		case len(probe.errs) > 0:
			s.errs = append(s.errs, probe.errs...)
		case probe.used&optForce != 0:
			s.errs = append(s.errs, invalid("WithCallDefaults", "WithForce must be given to each delete, not as a client default"))
		case probe.response != nil:
			s.errs = append(s.errs, invalid("WithCallDefaults", "WithResponse must be given to each call: one Response shared by every call (and goroutine) of the client would be overwritten concurrently"))
		case probe.wait.check() != nil:
			s.errs = append(s.errs, probe.wait.check())
		default:
			s.defaults = append(s.defaults, opts...)
		}
	})
}

// WithoutRetry makes every call a single attempt (token refresh after a
// rejected token excepted, which is not a retry of a failure).
func WithoutRetry() Option {
	return optionFunc(func(s *settings) { s.retry = RetryPolicy{MaxAttempts: 1, ZeroWait: true}.withDefaults() })
}

// WithLogger logs one debug record per attempt and one warn record per
// retry. Records never contain tokens, keys, signatures or passwords.
// Without it the client is silent.
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
