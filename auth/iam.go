package auth

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/modelarts-go/modelarts/internal/errs"

	"github.com/modelarts-go/modelarts/internal/netutil"
	"github.com/modelarts-go/modelarts/internal/redact"
)

// PasswordCredentials are the IAM user credentials NewIAMTokenSigner
// exchanges for project-scoped tokens. Exactly one of ProjectID and
// ProjectName (the region name, e.g. "cn-north-4") scopes the token.
//
// Nothing prints the password: Password is a Secret, which fmt (under every
// verb, wherever the credentials sit), slog and encoding/json show as
// Redacted.
type PasswordCredentials struct {
	IAMEndpoint string // e.g. https://iam.cn-north-4.myhuaweicloud.com
	DomainName  string // the account (domain) name
	Username    string // the IAM user name
	Password    Secret // the IAM user's password: NewSecret("…")
	ProjectID   string
	ProjectName string
}

// String prints the credentials without the password.
func (c PasswordCredentials) String() string {
	return fmt.Sprintf("auth.PasswordCredentials{IAMEndpoint:%s, DomainName:%s, Username:%s, Password:%s, ProjectID:%s, ProjectName:%s}",
		printableEndpoint(c.IAMEndpoint), c.DomainName, c.Username, Redacted, c.ProjectID, c.ProjectName)
}

// GoString prints the credentials without the password for %#v.
func (c PasswordCredentials) GoString() string { return c.String() }

// Format makes every fmt verb print the redacted form.
func (c PasswordCredentials) Format(f fmt.State, verb rune) { formatRedacted(f, c.String()) }

// LogValue keeps the password out of slog records.
func (c PasswordCredentials) LogValue() slog.Value {
	return slog.GroupValue(slog.String("iam_endpoint", printableEndpoint(c.IAMEndpoint)), slog.String("domain", c.DomainName),
		slog.String("user", c.Username), slog.String("password", Redacted))
}

// printableEndpoint shows an endpoint without any user info it carries (a
// password may sit there); an endpoint that does not parse is not shown.
func printableEndpoint(ep string) string {
	if !strings.Contains(ep, "@") {
		return ep
	}
	u, err := url.Parse(ep)
	if err != nil {
		return "(an endpoint that is not a URL)"
	}
	u.User = nil
	return u.String()
}

// IAMOption configures NewIAMTokenSigner. Build one with WithIAMHTTPClient
// or WithRefreshMargin. It is an interface with an unexported method, as
// every option of this SDK, so that only this package makes options and a
// bad value is recorded and refused by the constructor.
type IAMOption interface{ applyIAM(*IAMTokenSigner) }

// iamOptionFunc adapts a function to IAMOption.
type iamOptionFunc func(*IAMTokenSigner)

func (f iamOptionFunc) applyIAM(s *IAMTokenSigner) { f(s) }

// WithIAMHTTPClient sets the HTTP client used to call IAM (default: a client
// with a 30 s timeout). The signer uses a copy: hc itself is never modified,
// and the copy never follows a redirect (the password would go to another
// URL) and keeps no cookies.
func WithIAMHTTPClient(hc *http.Client) IAMOption {
	return iamOptionFunc(func(s *IAMTokenSigner) {
		if hc == nil {
			s.optErr = errs.Invalidf("auth: NewIAMTokenSigner: WithIAMHTTPClient was given a nil *http.Client")
			return
		}
		s.hc = hc
	})
}

// WithRefreshMargin sets how long before its expiry a cached token is
// replaced (default DefaultRefreshMargin), so no request leaves with a token
// about to lapse in flight. Keep it well under the token lifetime (24 h).
// A negative margin is refused.
func WithRefreshMargin(d time.Duration) IAMOption {
	return iamOptionFunc(func(s *IAMTokenSigner) {
		if d < 0 {
			s.optErr = errs.Invalidf("auth: NewIAMTokenSigner: WithRefreshMargin(%v) is negative; pass 0 or more", d)
			return
		}
		s.margin = d
	})
}

// DefaultRefreshMargin is how long before expiry a token is refreshed.
const DefaultRefreshMargin = 10 * time.Minute

const (
	// iamFetchTimeout bounds one token request, whatever the caller's context.
	iamFetchTimeout = 30 * time.Second
	// maxIAMBody bounds what is read of an IAM response body.
	maxIAMBody = 1 << 20
	// minValidity: a token this close to its expiry is not sent at all.
	minValidity = time.Minute
	// refreshBackoff: after an early refresh failed, the still-valid token is
	// served without asking IAM again for this long, so an IAM outage is not
	// hammered by every call.
	refreshBackoff = 30 * time.Second
	// maxHeldTokens bounds how many obtained tokens are kept for redaction.
	maxHeldTokens = 16
)

// IAMTokenSigner obtains project-scoped tokens from IAM with user
// credentials, caches them and refreshes them ahead of expiry. Build it with
// NewIAMTokenSigner; a zero IAMTokenSigner signs nothing and Validate says so.
type IAMTokenSigner struct {
	creds    PasswordCredentials // Password cleared; see password
	password secret
	tokens   string // the tokens URL
	hc       *http.Client
	margin   time.Duration
	now      func() time.Time
	optErr   error
	// The cache and its lock sit behind a pointer: a copy of the signer
	// shares them, and the signer can have a value Format (go vet refuses
	// a value receiver on a struct holding a lock).
	st *iamState
}

// iamState is the token cache of an IAMTokenSigner. Every secret in it is
// a func value (see secret), as it is one pointer away from the signer.
type iamState struct {
	secrets atomic.Pointer[redact.Set] // password and held tokens

	mu          sync.Mutex
	token       secret // nil when none is cached
	expires     time.Time
	held        []secret   // the last maxHeldTokens tokens, for redaction
	inflight    *tokenCall // non-nil while one caller asks IAM
	lastFailure time.Time  // when an early refresh last failed
}

// NewIAMTokenSigner returns a signer that sets X-Auth-Token to a
// project-scoped token it obtains from IAM with the given user credentials
// (POST {IAMEndpoint}/v3/auth/tokens), caches, and refreshes ahead of expiry.
//
// It refuses, without printing the password or any user info: an empty
// domain, user name or password; neither ProjectID nor ProjectName; an
// IAMEndpoint that is not an absolute https URL (plain http only to a
// loopback host), or that carries user info, a query or a fragment.
func NewIAMTokenSigner(creds PasswordCredentials, opts ...IAMOption) (*IAMTokenSigner, error) {
	var missing []string
	for _, f := range []struct{ name, v string }{
		{"IAMEndpoint", creds.IAMEndpoint}, {"DomainName", creds.DomainName},
		{"Username", creds.Username}, {"Password", creds.Password.Reveal()},
	} {
		if strings.TrimSpace(f.v) == "" {
			missing = append(missing, f.name)
		}
	}
	if creds.ProjectID == "" && creds.ProjectName == "" {
		missing = append(missing, "ProjectID or ProjectName")
	}
	if len(missing) > 0 {
		return nil, errs.Invalidf("auth: NewIAMTokenSigner: PasswordCredentials is missing %s", strings.Join(missing, ", "))
	}
	tokensURL, err := tokensURL(creds.IAMEndpoint)
	if err != nil {
		return nil, err
	}
	password := creds.Password.Reveal()
	creds.Password = Secret{}
	creds.IAMEndpoint = strings.TrimSuffix(tokensURL, "/v3/auth/tokens")
	s := &IAMTokenSigner{
		creds:    creds,
		password: newSecret(password),
		tokens:   tokensURL,
		margin:   DefaultRefreshMargin,
		now:      time.Now,
		st:       &iamState{},
	}
	for _, o := range opts {
		if o == nil {
			return nil, errs.Invalidf("auth: NewIAMTokenSigner: an IAMOption is nil")
		}
		o.applyIAM(s)
	}
	if s.optErr != nil {
		return nil, s.optErr
	}
	s.hc = noRedirectClient(s.hc)
	s.st.secrets.Store(redact.New(password))
	return s, nil
}

// tokensURL checks an IAM endpoint and returns its token URL. Its errors
// show the endpoint's scheme and host at most, never user info.
func tokensURL(endpoint string) (string, error) {
	u, err := url.Parse(strings.TrimRight(endpoint, "/"))
	if err != nil || !u.IsAbs() || u.Host == "" {
		return "", errs.Invalidf("auth: NewIAMTokenSigner: IAMEndpoint is not an absolute https URL; pass e.g. https://iam.cn-north-4.myhuaweicloud.com")
	}
	where := u.Scheme + "://" + u.Host
	if u.User != nil {
		return "", errs.Invalidf("auth: NewIAMTokenSigner: IAMEndpoint %s… carries user info (user:password@); remove it: the IAM user and password go in PasswordCredentials", where)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !netutil.IsLoopbackHost(u.Hostname()) {
			return "", errs.Invalidf("auth: NewIAMTokenSigner: IAMEndpoint %s uses plain http; the password would travel in clear text: use https", where)
		}
	default:
		return "", errs.Invalidf("auth: NewIAMTokenSigner: IAMEndpoint %s has scheme %q; use https", where, u.Scheme)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return "", errs.Invalidf("auth: NewIAMTokenSigner: IAMEndpoint %s must not carry a query or a fragment", where)
	}
	return where + u.EscapedPath() + "/v3/auth/tokens", nil
}

// noRedirectClient returns a copy of hc (or a default client) that follows
// no redirect and keeps no cookies; hc itself is left as it was.
func noRedirectClient(hc *http.Client) *http.Client {
	c := &http.Client{Timeout: iamFetchTimeout}
	if hc != nil {
		copied := *hc
		c = &copied
	}
	c.Jar = nil
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return c
}

var errIAMNotNew = errs.Invalidf("auth: the IAMTokenSigner was not built by NewIAMTokenSigner; use auth.NewIAMTokenSigner(creds)")

// Validate reports a signer that can never sign: one not built by
// NewIAMTokenSigner. A signer NewIAMTokenSigner returned is always valid
// (whether IAM accepts the credentials shows on the first request).
func (s *IAMTokenSigner) Validate() error {
	if s == nil || s.password == nil || s.hc == nil || s.st == nil {
		return errIAMNotNew
	}
	return nil
}

// RedactSecrets replaces the password and every token the signer obtained
// (the 16 most recent), in any encoding, with Redacted.
func (s *IAMTokenSigner) RedactSecrets(text string) string {
	if s == nil || s.st == nil {
		return text
	}
	return s.st.secrets.Load().Redact(text)
}

// String prints the signer without the password or token.
func (s *IAMTokenSigner) String() string {
	return "auth.IAMTokenSigner{Credentials:" + s.creds.String() + ", Token:" + Redacted + "}"
}

// GoString prints the redacted form for %#v.
func (s *IAMTokenSigner) GoString() string { return s.String() }

// Format makes every fmt verb print the redacted form, for the signer and
// for an IAMTokenSigner value (a copy of one) alike.
func (s IAMTokenSigner) Format(f fmt.State, verb rune) { formatRedacted(f, s.String()) }

// LogValue keeps the password and token out of slog records.
func (s *IAMTokenSigner) LogValue() slog.Value {
	return slog.GroupValue(slog.String("kind", "iam"), slog.Any("credentials", s.creds), slog.String("token", Redacted))
}
