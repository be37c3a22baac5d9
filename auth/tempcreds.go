package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/modelarts-go/modelarts/internal/errs"
	"github.com/modelarts-go/modelarts/internal/redact"
	"github.com/modelarts-go/modelarts/internal/textutil"
)

// The engine shared by the signers of temporary credentials (MetadataSigner,
// PodIdentitySigner, FederationSigner): it holds the credentials a source
// issued, refreshes them before expiry with one fetch in flight, serves the
// held ones while valid when a refresh fails, drops them when the gateway
// refuses them, and knows every secret it has seen for RedactSecrets.

const (
	// maxRefreshMargin is the official SDK's margin for a 24-hour life:
	// refresh when 40 minutes remain. Shorter lives get a proportionally
	// shorter margin (lifetime/36), so a 6-hour life refreshes 10 minutes
	// before its end and a 15-minute life 25 seconds before.
	maxRefreshMargin = 40 * time.Minute
	marginDivisor    = 36
	// guardDivisor: credentials are not used in their last minute, or their
	// last sixtieth for lives under an hour, so none lapses in flight.
	guardDivisor = 60
	// maxCredBody bounds what is read of any answer of a credential source
	// (they are a few hundred bytes).
	maxCredBody = 64 << 10
	// maxTokenFile bounds what is read of an id-token or pod token file.
	maxTokenFile = 64 << 10
	// maxCredText bounds each server-derived string kept in an error.
	maxCredText = 300
	// maxHeldSecrets bounds how many fetched secrets are kept for redaction.
	maxHeldSecrets = 64
)

// issued is one set of temporary credentials.
type issued struct {
	ak, sk, token string
	expires       time.Time
}

// credState is the cache of a tempCreds. It sits behind a pointer so a copy
// of a signer shares it and the signer can have a value Format; every
// secret in it is a func value or sits in an AKSKSigner (see secret).
type credState struct {
	secrets atomic.Pointer[redact.Set] // everything fetched so far (bounded)

	mu          sync.Mutex
	cur         *AKSKSigner // signs with the held credentials; nil when none
	expires     time.Time
	margin      time.Duration // refresh this long before expires
	guard       time.Duration // never sign this close to expires
	inflight    *tokenCall
	lastFailure time.Time // when an early refresh last failed

	heldMu sync.Mutex
	held   []secret // the last maxHeldSecrets secrets, for redaction
}

// tempCreds is embedded (by value) in each signer of temporary credentials.
type tempCreds struct {
	source string // SourceMetadata, SourcePodIdentity, SourceFederation
	fetch  func(ctx context.Context) (issued, error)
	now    func() time.Time
	st     *credState
}

func newTempCreds(source string) tempCreds {
	st := &credState{}
	st.secrets.Store(redact.New())
	return tempCreds{source: source, now: time.Now, st: st}
}

// valid reports whether the engine was set up by a constructor.
func (t *tempCreds) valid() bool { return t.st != nil && t.fetch != nil && t.now != nil }

// remember adds secrets to those RedactSecrets removes, keeping the most
// recent maxHeldSecrets. It is called as soon as a secret is read, before
// any error that might quote it is built.
func (t *tempCreds) remember(vals ...string) {
	st := t.st
	st.heldMu.Lock()
	defer st.heldMu.Unlock()
	for _, v := range vals {
		if strings.TrimSpace(v) != "" {
			st.held = append(st.held, newSecret(v))
		}
	}
	if len(st.held) > maxHeldSecrets {
		st.held = st.held[len(st.held)-maxHeldSecrets:]
	}
	all := make([]string, len(st.held))
	for i, h := range st.held {
		all[i] = h()
	}
	st.secrets.Store(redact.New(all...))
}

// redact removes every remembered secret from text.
func (t *tempCreds) redact(text string) string {
	if t.st == nil {
		return text
	}
	return t.st.secrets.Load().Redact(text)
}

// serverText makes a string from a server safe to keep: redacted first
// (so no cut leaves half a secret), then bounded.
func (t *tempCreds) serverText(v string) string {
	return textutil.Shorten(t.redact(v), maxCredText)
}

// marginFor returns the refresh margin and the signing guard for
// credentials that live for life.
func marginFor(life time.Duration) (margin, guard time.Duration) {
	margin = min(maxRefreshMargin, life/marginDivisor)
	guard = min(minValidity, life/guardDivisor)
	return max(margin, guard), guard
}

// signer returns an AKSKSigner holding valid credentials, fetching them
// when none are held or the held ones are inside their refresh margin.
//
// Inside the margin one caller fetches while every concurrent caller keeps
// the held credentials; if that refresh fails they are served while valid
// (the source is then not asked again for 30 s). Only without valid
// credentials does a failure reach the caller; callers then share one fetch
// and its error. The fetch runs in the caller's goroutine under its
// context: no goroutine outlives the call.
func (t *tempCreds) signer(ctx context.Context) (*AKSKSigner, error) {
	st := t.st
	for {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("auth: getting %s credentials: %w", t.source, err)
		}
		st.mu.Lock()
		now := t.now()
		valid := st.cur != nil && now.Before(st.expires.Add(-st.guard))
		if valid && now.Before(st.expires.Add(-st.margin)) {
			cur := st.cur
			st.mu.Unlock()
			return cur, nil
		}
		if valid && (st.inflight != nil || now.Sub(st.lastFailure) < refreshBackoff) {
			cur := st.cur // another caller refreshes, or the source just failed
			st.mu.Unlock()
			return cur, nil
		}
		if call := st.inflight; call != nil {
			st.mu.Unlock()
			select {
			case <-call.done:
				if call.err != nil && !call.callerGone {
					return nil, call.err
				}
				continue // credentials arrived, or their fetcher left: look again
			case <-ctx.Done():
				return nil, fmt.Errorf("auth: waiting for %s credentials: %w", t.source, ctx.Err())
			}
		}
		call := &tokenCall{done: make(chan struct{})}
		st.inflight = call
		st.mu.Unlock()
		return t.refresh(ctx, call)
	}
}

// refresh fetches credentials on behalf of call and publishes the outcome.
func (t *tempCreds) refresh(ctx context.Context, call *tokenCall) (*AKSKSigner, error) {
	fetchedAt := t.now()
	iss, err := t.fetch(ctx)
	var s *AKSKSigner
	if err == nil {
		s, err = t.build(iss, fetchedAt)
	}

	st := t.st
	st.mu.Lock()
	defer close(call.done) // after the state below is published
	defer st.mu.Unlock()
	st.inflight = nil
	if err == nil {
		margin, guard := marginFor(iss.expires.Sub(fetchedAt))
		st.cur, st.expires, st.margin, st.guard, st.lastFailure = s, iss.expires, margin, guard, time.Time{}
		return s, nil
	}
	call.err, call.callerGone = err, ctx.Err() != nil
	if !call.callerGone {
		st.lastFailure = t.now()
	}
	if st.cur != nil && t.now().Before(st.expires.Add(-st.guard)) {
		return st.cur, nil // an early refresh failed: serve the valid credentials
	}
	return nil, err
}

// build checks issued credentials and makes the signer that uses them.
func (t *tempCreds) build(iss issued, fetchedAt time.Time) (*AKSKSigner, error) {
	t.remember(iss.ak, iss.sk, iss.token)
	bad := func(msg string) error {
		return &CredentialError{Source: t.source, Step: "the issued credentials", Message: msg,
			Advice: "the source answered with credentials that cannot be used; report it to the platform's support"}
	}
	if !iss.expires.After(fetchedAt) {
		return nil, bad("they expired at " + iss.expires.UTC().Format(time.RFC3339) + ", before they were fetched (is this machine's clock right?)")
	}
	var opts []AKSKOption
	if iss.token != "" {
		opts = append(opts, WithSecurityToken(iss.token))
	}
	s, err := NewAKSKSigner(iss.ak, iss.sk, opts...)
	if err != nil {
		return nil, bad(strings.TrimPrefix(t.redact(err.Error()), "auth: "))
	}
	s.now = t.now
	return s, nil
}

// invalidate drops the held credentials when the rejected security token
// is theirs (or none is known), so that the next signature fetches anew.
func (t *tempCreds) invalidate(rejected string) {
	if t.st == nil {
		return
	}
	st := t.st
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.cur != nil && (rejected == "" || st.cur.securityToken.reveal() == rejected) {
		st.cur = nil
		st.lastFailure = time.Time{}
	}
}

// sign signs req with the held (or freshly fetched) credentials.
func (t *tempCreds) sign(req *http.Request) error {
	s, err := t.signer(req.Context())
	if err != nil {
		return err
	}
	return s.Sign(req)
}

// do sends req (whose context carries the fetch timeout) and reads the
// answer, bounded. callerCtx is the caller's own context: its ending is
// returned as such, never as a failure of the source.
func (t *tempCreds) do(callerCtx context.Context, hc *http.Client, req *http.Request, step string) (*http.Response, []byte, error) {
	where := printableURL(req.URL)
	resp, err := hc.Do(req)
	if err != nil {
		return nil, nil, t.transportError(callerCtx, step, where, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxCredBody+1))
	if err != nil {
		return nil, nil, t.transportError(callerCtx, step, where, err)
	}
	if len(data) > maxCredBody {
		return nil, nil, &CredentialError{Source: t.source, Step: step, URL: where, StatusCode: resp.StatusCode,
			Message: fmt.Sprintf("the answer is longer than %d bytes", maxCredBody), Advice: "check that the address is the credential service's"}
	}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		msg := "the service redirected the request"
		if u, err := url.Parse(resp.Header.Get("Location")); err == nil && u.Host != "" {
			msg += " to " + u.Scheme + "://" + u.Host
		}
		return nil, nil, &CredentialError{Source: t.source, Step: step, URL: where, StatusCode: resp.StatusCode,
			Message: msg, Advice: "redirects are never followed with credentials: configure the final address"}
	}
	return resp, data, nil
}

// transportError describes a request that got no (complete) answer.
func (t *tempCreds) transportError(callerCtx context.Context, step, where string, err error) error {
	if callerCtx.Err() != nil {
		return fmt.Errorf("auth: %s: %s from %s: %w", t.source, step, where, callerCtx.Err())
	}
	var uerr *url.Error
	if errors.As(err, &uerr) {
		if uerr.Timeout() {
			err = errors.New("no answer in time")
		} else {
			err = uerr.Err
		}
	}
	if msg := err.Error(); t.redact(msg) != msg || len(msg) > maxCredText {
		err = errors.New(t.serverText(msg))
	}
	return &CredentialError{Source: t.source, Step: step, URL: where, Err: err}
}

// answerError describes an error answer of a source.
func (t *tempCreds) answerError(step, where string, status int, data []byte, advice string) *CredentialError {
	return &CredentialError{Source: t.source, Step: step, URL: where, StatusCode: status,
		Message: t.serverText(strings.TrimSpace(string(data))), Advice: advice}
}

// credentialAnswer is the shape shared by the metadata service, the pod
// identity endpoint and IAM's security-token API.
type credentialAnswer struct {
	Access          string `json:"access"`
	AccessKeyID     string `json:"accessKeyId"`
	Secret          string `json:"secret"`
	SecretAccessKey string `json:"secretAccessKey"`
	SecurityToken   string `json:"securitytoken"`
	ExpiresAt       string `json:"expires_at"`
}

// parseIssued reads {"<key>": {"access", "secret", "securitytoken",
// "expires_at"}} (or the alternative names accessKeyId and
// secretAccessKey). Its errors quote nothing of the answer.
func (t *tempCreds) parseIssued(step, where string, data []byte, keys ...string) (issued, error) {
	bad := func(msg string) error {
		return &CredentialError{Source: t.source, Step: step, URL: where, StatusCode: http.StatusOK, Message: msg,
			Advice: "check that the address is the credential service's"}
	}
	var outer map[string]json.RawMessage
	if err := json.Unmarshal(data, &outer); err != nil {
		return issued{}, bad("the answer is not a JSON object")
	}
	var raw json.RawMessage
	for _, k := range keys {
		if r, ok := outer[k]; ok {
			raw = r
			break
		}
	}
	if raw == nil {
		return issued{}, bad("the answer holds no " + strings.Join(keys, " or ") + " object")
	}
	var c credentialAnswer
	if err := json.Unmarshal(raw, &c); err != nil {
		return issued{}, bad("the credential object is malformed")
	}
	iss := issued{ak: c.Access, sk: c.Secret, token: c.SecurityToken}
	if iss.ak == "" {
		iss.ak = c.AccessKeyID
	}
	if iss.sk == "" {
		iss.sk = c.SecretAccessKey
	}
	t.remember(iss.ak, iss.sk, iss.token)
	var missing []string
	for _, f := range []struct{ name, v string }{{"access", iss.ak}, {"secret", iss.sk}, {"securitytoken", iss.token}, {"expires_at", c.ExpiresAt}} {
		if strings.TrimSpace(f.v) == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return issued{}, bad("the credential object lacks " + strings.Join(missing, ", "))
	}
	exp, err := time.Parse(time.RFC3339Nano, c.ExpiresAt)
	if err != nil {
		return issued{}, bad(fmt.Sprintf("expires_at %q is not an RFC 3339 time", textutil.Clip(c.ExpiresAt, 40)))
	}
	iss.expires = exp
	return iss, nil
}

// readTokenFile reads an id-token or pod token file, bounded; the token is
// remembered for redaction at once. It is called on every fetch: the file
// is rotated.
func (t *tempCreds) readTokenFile(step, path, envHint string) (string, error) {
	fail := func(msg string, err error) error {
		return &CredentialError{Source: t.source, Step: step, Message: msg, Err: &localError{err: err},
			Advice: "check the file " + envHint}
	}
	f, err := os.Open(path)
	if err != nil {
		return "", fail(fmt.Sprintf("cannot open %q", path), errors.Unwrap(err))
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxTokenFile+1))
	if err != nil {
		return "", fail(fmt.Sprintf("cannot read %q", path), errors.Unwrap(err))
	}
	tok := strings.TrimSpace(string(data))
	t.remember(tok)
	switch {
	case len(data) > maxTokenFile:
		return "", fail(fmt.Sprintf("%q is longer than %d bytes", path, maxTokenFile), errors.New("file too large"))
	case tok == "":
		return "", fail(fmt.Sprintf("%q is empty", path), errors.New("empty token file"))
	case strings.ContainsAny(tok, "\r\n\t\x00"):
		return "", fail(fmt.Sprintf("%q holds more than one line", path), errors.New("malformed token file"))
	}
	return tok, nil
}

// printableURL shows a URL without user info, query or fragment.
func printableURL(u *url.URL) string {
	c := *u
	c.User, c.RawQuery, c.Fragment, c.ForceQuery = nil, "", "", false
	return c.String()
}

// checkCredURL parses a credential source's address: an absolute http or
// https URL with a host, no user info, query or fragment.
func checkCredURL(fn, what, raw string) (*url.URL, error) {
	return checkCredURLQuery(fn, what, raw, false)
}

// checkCredURLQuery is checkCredURL, allowing a query when withQuery is
// set (the pod identity URI is given whole by the platform).
func checkCredURLQuery(fn, what, raw string, withQuery bool) (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(strings.TrimSpace(raw), "/"))
	if err != nil || !u.IsAbs() || u.Host == "" {
		return nil, errs.Invalidf("auth: %s: %s %q is not an absolute http(s) URL; pass e.g. http://169.254.169.254", fn, what, textutil.Clip(raw, 80))
	}
	where := u.Scheme + "://" + u.Host
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, errs.Invalidf("auth: %s: %s %s has scheme %q; use http or https", fn, what, where, u.Scheme)
	case u.User != nil:
		return nil, errs.Invalidf("auth: %s: %s %s… carries user info (user:password@); remove it", fn, what, where)
	case (u.RawQuery != "" && !withQuery) || u.Fragment != "" || u.ForceQuery:
		return nil, errs.Invalidf("auth: %s: %s %s must not carry a query or a fragment", fn, what, where)
	}
	return u, nil
}
