package modelarts

import (
	"log/slog"
	"net/http"
	"time"

	"golang.org/x/time/rate"
)

// Option configures a Client.
type Option func(*settings)

// settings collects the options before NewClient checks them.
type settings struct {
	httpClient *http.Client
	userAgent  string
	timeout    time.Duration
	retry      RetryPolicy
	logger     *slog.Logger
	limiter    *rate.Limiter
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
	return func(s *settings) {
		if hc == nil {
			s.errs = append(s.errs, invalid("WithHTTPClient", "the *http.Client is nil"))
			return
		}
		s.httpClient = hc
	}
}

// WithUserAgent appends ua to the SDK's own "modelarts-go/<version>"
// User-Agent.
func WithUserAgent(ua string) Option {
	return func(s *settings) { s.userAgent = ua }
}

// WithTimeout bounds each attempt (default DefaultTimeout); the caller's
// context bounds the whole call, retries and waits included.
func WithTimeout(d time.Duration) Option {
	return func(s *settings) {
		if d <= 0 {
			s.errs = append(s.errs, invalid("WithTimeout", "the timeout must be positive, got %s", d))
			return
		}
		s.timeout = d
	}
}

// WithRetry sets the retry policy; zero fields take the defaults of
// DefaultRetryPolicy.
func WithRetry(p RetryPolicy) Option {
	return func(s *settings) {
		if p.MaxAttempts < 0 || p.MinWait < 0 || p.MaxWait < 0 {
			s.errs = append(s.errs, invalid("WithRetry", "attempts and waits cannot be negative"))
			return
		}
		s.retry = p.withDefaults()
	}
}

// WithoutRetry makes every call a single attempt (token refresh after a
// rejected token excepted, which is not a retry of a failure).
func WithoutRetry() Option {
	return func(s *settings) { s.retry = RetryPolicy{MaxAttempts: 1, MinWait: 1, MaxWait: 1} }
}

// WithLogger logs one debug record per attempt and one warn record per
// retry. Records never contain tokens, keys, signatures or passwords.
// Without it the client is silent.
func WithLogger(l *slog.Logger) Option {
	return func(s *settings) { s.logger = l }
}

// WithRateLimit makes the client wait before each attempt so that all of its
// goroutines together stay under rps requests per second with bursts of
// burst, instead of collecting 429s from the service's throttle.
func WithRateLimit(rps float64, burst int) Option {
	return func(s *settings) {
		if rps <= 0 || burst < 1 {
			s.errs = append(s.errs, invalid("WithRateLimit", "rps must be positive and burst at least 1, got %g and %d", rps, burst))
			return
		}
		s.limiter = rate.NewLimiter(rate.Limit(rps), burst)
	}
}
