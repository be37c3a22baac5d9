package modelarts

import (
	"context"
	"log/slog"
	"net/url"
	"strings"
	"time"
)

// The logger sees methods, paths, statuses and timings: never a header, a
// request body or a query value whose key looks secret.

func (c *Client) logAttempt(ctx context.Context, cl *call, n int, wait time.Duration, at *attempt, apiErr *APIError) {
	if c.logger == nil || !c.logger.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{
		slog.String("method", cl.method),
		slog.String("path", cl.path),
		slog.Int("attempt", n),
		slog.Duration("wait", wait),
		slog.Duration("duration", at.duration),
	}
	if len(cl.query) > 0 {
		attrs = append(attrs, slog.String("query", redactQuery(cl.query)))
	}
	if at.err != nil {
		attrs = append(attrs, slog.String("error", c.bounded(at, at.err.Error(), 512)))
	} else {
		attrs = append(attrs, slog.Int("status", at.status), slog.String("request_id", c.bounded(at, at.header.Get("X-Request-Id"), maxRequestIDLen)))
		if apiErr != nil && apiErr.Code != "" {
			attrs = append(attrs, slog.String("error_code", apiErr.Code))
		}
	}
	c.logger.LogAttrs(ctx, slog.LevelDebug, "modelarts attempt", attrs...)
}

func (c *Client) logRetry(ctx context.Context, cl *call, n int, wait time.Duration, reason string, err error) {
	if c.logger == nil {
		return
	}
	c.logger.LogAttrs(ctx, slog.LevelWarn, "modelarts retry",
		slog.String("method", cl.method),
		slog.String("path", cl.path),
		slog.Int("attempt", n),
		slog.Duration("wait", wait),
		slog.String("reason", reason),
		slog.String("error", err.Error()))
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
