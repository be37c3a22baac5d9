package modelarts

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// RetryPolicy bounds the retries of one call. A zero field means its
// default (see DefaultRetryPolicy); set ZeroWait to retry at once.
type RetryPolicy struct {
	MaxAttempts int           // attempts in all, the first included (0: default 4)
	MinWait     time.Duration // backoff before the first retry (0: default 200 ms)
	MaxWait     time.Duration // cap of the backoff (0: default 20 s, or MinWait if that is longer)
	// ZeroWait sends retries without any backoff (MinWait and MaxWait are
	// ignored); a server's Retry-After is still honoured. Meant for tests.
	ZeroWait bool
}

// Defaults of RetryPolicy's fields.
const (
	DefaultMaxAttempts = 4
	DefaultMinWait     = 200 * time.Millisecond
	DefaultMaxWait     = 20 * time.Second
)

// DefaultRetryPolicy returns the policy used unless WithRetry says
// otherwise. It is a function, not a variable, so no
// code can change the defaults of every client in the process.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{MaxAttempts: DefaultMaxAttempts, MinWait: DefaultMinWait, MaxWait: DefaultMaxWait}
}

// check refuses negative fields, and a cap below the first wait: given
// both, the caller meant one of them otherwise.
func (p RetryPolicy) check(option string) error {
	switch {
	case p.MaxAttempts < 0 || p.MinWait < 0 || p.MaxWait < 0:
		return invalid(option, "attempts and waits cannot be negative (use ZeroWait to retry at once)")
	case p.MaxWait > 0 && p.MaxWait < p.MinWait:
		return invalid(option, "MaxWait %s caps the backoff below its first wait, MinWait %s: need MinWait <= MaxWait", p.MaxWait, p.MinWait)
	}
	return nil
}

// MaxRetryAfter caps how long a server's Retry-After can make a call wait.
const MaxRetryAfter = 60 * time.Second

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxAttempts == 0 {
		p.MaxAttempts = DefaultMaxAttempts
	}
	if p.MinWait == 0 {
		p.MinWait = DefaultMinWait
	}
	if p.MaxWait == 0 {
		p.MaxWait = DefaultMaxWait
	}
	if p.MaxWait < p.MinWait {
		p.MaxWait = p.MinWait
	}
	return p
}

// backoff returns the wait before retry number n (1 for the first retry):
// full jitter over min·2^(n-1), capped at max.
func (p RetryPolicy) backoff(n int, rnd func() float64) time.Duration {
	if p.ZeroWait {
		return 0
	}
	ceil := expDelay(p.MinWait, p.MaxWait, n)
	return time.Duration(rnd() * float64(ceil))
}

// expDelay is min·2^(n-1) capped at max, safe from overflow.
func expDelay(min, max time.Duration, n int) time.Duration {
	d := min
	for i := 1; i < n && d < max; i++ {
		d *= 2
	}
	if d > max || d <= 0 {
		d = max
	}
	return d
}

// retryAfter parses a Retry-After header in seconds or as an HTTP date. A
// value beyond MaxRetryAfter, in either form and however large (even past
// what an int64 holds), waits MaxRetryAfter.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if isDigits(v) {
		secs, err := strconv.ParseInt(v, 10, 64)
		if err != nil || secs > int64(MaxRetryAfter/time.Second) { // too large for int64, or past the cap
			return MaxRetryAfter, true
		}
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := t.Sub(now) // saturates instead of overflowing
		if d < 0 {
			d = 0
		}
		return min(d, MaxRetryAfter), true
	}
	return 0, false
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// verdict is the retry decision for one failed attempt.
type verdict int

const (
	stop      verdict = iota // permanent: return the error
	retry                    // transient and safe to send again
	ambiguous                // a create may or may not have happened: reconcile first
)

// idempotent reports whether sending the request twice has the effect of
// sending it once.
func idempotent(method string) bool {
	return method == http.MethodGet || method == http.MethodDelete || method == http.MethodHead
}

// classifyStatus decides on an error answer. The checks are ordered; the
// first that applies wins.
func classifyStatus(method string, e *APIError, h http.Header) (verdict, string) {
	_, hasRetryAfter := retryAfter(h, time.Time{})
	switch {
	case e.throttled():
		return retry, "throttled"
	case e.StatusCode == 503 && hasRetryAfter && idempotent(method):
		// Unavailable and saying when to come back. Safe to send again;
		// a create or other POST is settled first like any 5xx, since a
		// gateway may answer so after the service carried it out.
		return retry, "unavailable with Retry-After"
	case !e.serverError():
		return stop, ""
	case idempotent(method):
		return retry, "server error " + strconv.Itoa(e.StatusCode) + " " + e.Code
	}
	return ambiguous, "server error " + strconv.Itoa(e.StatusCode) + " " + e.Code + " after the body was sent"
}

// classifyTransport decides on an error that left no HTTP answer. sent says
// whether any byte of the request may have reached the wire.
func classifyTransport(method string, err error, sent bool) (verdict, string) {
	if neverLeft(err) || !sent {
		return retry, "connection failed before the request was sent"
	}
	if idempotent(method) {
		return retry, "connection failed"
	}
	return ambiguous, "connection failed after the request was sent"
}

// neverLeft reports errors that prove the request was not sent: no
// connection could be made.
func neverLeft(err error) bool {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return true
	}
	var opErr *net.OpError
	return errors.As(err, &opErr) && opErr.Op == "dial"
}

// retryBudget is a token bucket shared by all calls of a client: a retry
// costs tokens, a success returns some, so during a sustained outage the
// client stops multiplying load after a while (as aws-sdk-go-v2 does). It
// is lock-free: every successful call touches it.
type retryBudget struct {
	tokens atomic.Int64
}

const (
	budgetCapacity    = 500
	budgetRetryCost   = 5
	budgetTimeoutCost = 10
	budgetSuccessGain = 1
)

func newRetryBudget() *retryBudget {
	b := &retryBudget{}
	b.tokens.Store(budgetCapacity)
	return b
}

// take spends cost tokens; false means the budget is exhausted.
func (b *retryBudget) take(cost int) bool {
	for {
		cur := b.tokens.Load()
		if cur < int64(cost) {
			return false
		}
		if b.tokens.CompareAndSwap(cur, cur-int64(cost)) {
			return true
		}
	}
}

// give returns n tokens, up to the capacity; a full bucket costs one load.
func (b *retryBudget) give(n int) {
	for {
		cur := b.tokens.Load()
		if cur >= budgetCapacity {
			return
		}
		if b.tokens.CompareAndSwap(cur, min(cur+int64(n), budgetCapacity)) {
			return
		}
	}
}

// sleepCtx waits d or until ctx ends, with no timer left behind.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// defaultJitter is the random source of backoff jitter.
func defaultJitter() float64 { return rand.Float64() }
