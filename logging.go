package modelarts

import (
	"context"
	"log/slog"
	"net/url"
	"strings"

	"github.com/modelarts-go/modelarts/internal/textutil"
)

// The logger is one Observer of the client: it sees methods, paths,
// statuses and timings, never a header, a request body or a query value
// whose key looks secret, and only what the observations carry, which
// passed the scrubbing boundary.

// observersOf is the client's observers: WithObserver's, then the
// logger's.
func observersOf(s *settings) []Observer {
	obs := append([]Observer(nil), s.observers...)
	if s.logger != nil {
		obs = append(obs, loggingObserver(s.logger))
	}
	return obs
}

// loggingObserver logs one debug record per attempt and one warn record
// per retry.
func loggingObserver(l *slog.Logger) Observer {
	return Observer{
		Attempt: func(ctx context.Context, a *AttemptStart) (context.Context, func(*AttemptEnd)) {
			if !l.Enabled(ctx, slog.LevelDebug) {
				return nil, nil
			}
			return nil, func(e *AttemptEnd) { logAttempt(ctx, l, a, e) }
		},
		Retry: func(ctx context.Context, r *RetryInfo) {
			l.LogAttrs(ctx, slog.LevelWarn, "modelarts retry",
				slog.String("method", r.Method),
				slog.String("path", r.Path),
				slog.Int("attempt", r.Attempt),
				slog.Duration("wait", r.Wait),
				slog.String("reason", r.Reason),
				slog.String("error", r.Err.Error()))
		},
	}
}

func logAttempt(ctx context.Context, l *slog.Logger, a *AttemptStart, e *AttemptEnd) {
	attrs := []slog.Attr{
		slog.String("method", a.Method),
		slog.String("path", a.Path),
		slog.Int("attempt", a.Attempt),
		slog.Duration("wait", a.Wait),
		slog.Duration("duration", e.Duration),
	}
	if a.Query != "" {
		attrs = append(attrs, slog.String("query", a.Query))
	}
	if e.StatusCode == 0 && e.Err != nil {
		attrs = append(attrs, slog.String("error", textutil.Shorten(e.Err.Error(), 512)))
	} else {
		attrs = append(attrs, slog.Int("status", e.StatusCode), slog.String("request_id", e.RequestID))
		if e.ErrorCode != "" {
			attrs = append(attrs, slog.String("error_code", e.ErrorCode))
		}
	}
	l.LogAttrs(ctx, slog.LevelDebug, "modelarts attempt", attrs...)
}

// secretish names query keys whose values are never logged.
var secretish = []string{"token", "secret", "password", "passwd", "key", "sig", "auth", "credential", "sk"}

// redactQuery encodes q with the values of secret-looking keys replaced.
func redactQuery(q url.Values) string {
	out := make(url.Values, len(q))
	for k, vs := range q {
		lk := strings.ToLower(k)
		redact := false
		for _, s := range secretish {
			if strings.Contains(lk, s) {
				redact = true
				break
			}
		}
		if redact {
			out[k] = []string{"REDACTED"}
		} else {
			out[k] = vs
		}
	}
	return out.Encode()
}
