package auth

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/modelarts-go/modelarts/internal/errs"

	"github.com/modelarts-go/modelarts/internal/redact"
)

// tokenCall is one IAM request, made by the caller that started it; the
// callers that wait for it read the result once done is closed.
type tokenCall struct {
	done chan struct{}
	err  error
	// callerGone: the request failed because its caller's context ended,
	// which says nothing about IAM, so a waiter asks again itself.
	callerGone bool
}

// Sign sets X-Auth-Token to a cached or freshly fetched token.
func (s *IAMTokenSigner) Sign(req *http.Request) error {
	tok, err := s.Token(req.Context())
	if err != nil {
		return err
	}
	req.Header.Set(HeaderAuthToken, tok)
	return nil
}

// Token returns a token for the next request.
//
// A cached token outside the refresh margin is returned at once. Inside the
// margin, one caller asks IAM for a new token while every concurrent caller
// keeps getting the cached one; if that early refresh fails, the cached
// token is still returned while it is valid (IAM is then not asked again for
// 30 s). Only when no valid token is cached does a failure reach the
// caller; callers then share one IAM request, and an error that came from
// IAM is shared too (a wrong password is sent once, not once per caller).
//
// The request runs in the caller's goroutine under the caller's ctx, bounded
// by 30 s: no goroutine outlives the call. IAM is never asked for a token
// with a context that has already ended.
func (s *IAMTokenSigner) Token(ctx context.Context) (string, error) {
	if err := s.Validate(); err != nil {
		return "", err
	}
	if ctx == nil {
		return "", errs.Invalidf("auth: IAMTokenSigner.Token was called with a nil context; pass context.Background() or a request's context")
	}
	st := s.st
	for {
		if err := ctx.Err(); err != nil {
			return "", fmt.Errorf("auth: getting an IAM token: %w", err)
		}
		st.mu.Lock()
		if s.cachedServes(s.now()) {
			tok := st.token()
			st.mu.Unlock()
			return tok, nil
		}
		if call := st.inflight; call != nil {
			st.mu.Unlock()
			if err := awaitRefresh(ctx, call); err != nil {
				return "", err
			}
			continue // a token arrived, or its caller left: look again
		}
		call := &tokenCall{done: make(chan struct{})}
		st.inflight = call
		st.mu.Unlock()
		return s.refresh(ctx, call)
	}
}

// cachedServes reports whether the cached token is the answer at now
// without asking IAM: it is valid, and either outside the refresh margin,
// or inside it while another caller refreshes or IAM just failed (an early
// refresh holds no caller back). Call with s.st.mu held.
func (s *IAMTokenSigner) cachedServes(now time.Time) bool {
	st := s.st
	valid := st.token != nil && now.Before(st.expires.Add(-minValidity))
	if !valid {
		return false
	}
	return now.Before(st.expires.Add(-s.margin)) || st.inflight != nil || now.Sub(st.lastFailure) < refreshBackoff
}

// awaitRefresh waits for another caller's request to IAM. It returns nil
// when the caller should look again (a token arrived, or the request failed
// only because its caller left), else the request's error, shared so that
// a wrong password is sent once, not once per caller.
func awaitRefresh(ctx context.Context, call *tokenCall) error {
	select {
	case <-call.done:
		if call.err != nil && !call.callerGone {
			return call.err
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("auth: waiting for an IAM token: %w", ctx.Err())
	}
}

// refresh asks IAM for a token on behalf of call and publishes the outcome.
func (s *IAMTokenSigner) refresh(ctx context.Context, call *tokenCall) (string, error) {
	tok, exp, err := s.requestToken(ctx)

	st := s.st
	st.mu.Lock()
	defer close(call.done) // after the state below is published
	defer st.mu.Unlock()
	st.inflight = nil
	if err == nil {
		st.token, st.expires, st.lastFailure = newSecret(tok), exp, time.Time{}
		s.remember(tok)
		return tok, nil
	}
	call.err, call.callerGone = err, ctx.Err() != nil
	if !call.callerGone {
		st.lastFailure = s.now()
	}
	if st.token != nil && s.now().Before(st.expires.Add(-minValidity)) {
		return st.token(), nil // an early refresh failed: serve the valid token
	}
	return "", err
}

// remember adds tok to the secrets RedactSecrets removes, keeping the
// password and the maxHeldTokens most recent tokens. Call with s.st.mu held.
func (s *IAMTokenSigner) remember(tok string) {
	st := s.st
	st.held = append(st.held, newSecret(tok))
	if len(st.held) > maxHeldTokens {
		st.held = st.held[len(st.held)-maxHeldTokens:]
	}
	held := make([]string, len(st.held))
	for i, h := range st.held {
		held[i] = h()
	}
	st.secrets.Store(redact.New(s.password()).With(held...))
}

// InvalidateToken drops the cached token if it is the one rejected.
func (s *IAMTokenSigner) InvalidateToken(rejected string) {
	if s == nil || s.st == nil {
		return
	}
	st := s.st
	st.mu.Lock()
	if st.token != nil && st.token() == rejected {
		st.token = nil
	}
	st.mu.Unlock()
}
