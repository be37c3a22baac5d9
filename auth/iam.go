package auth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/modelarts-go/modelarts/internal/textutil"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// PasswordCredentials are the IAM user credentials NewIAMTokenSigner
// exchanges for project-scoped tokens. Exactly one of ProjectID and
// ProjectName (the region name, e.g. "cn-north-4") scopes the token.
type PasswordCredentials struct {
	IAMEndpoint string // e.g. https://iam.cn-north-4.myhuaweicloud.com
	DomainName  string // the account (domain) name
	Username    string // the IAM user name
	Password    string // the IAM user's password; never printed
	ProjectID   string
	ProjectName string
}

// String prints the credentials without the password.
func (c PasswordCredentials) String() string {
	return fmt.Sprintf("auth.PasswordCredentials{IAMEndpoint:%s, DomainName:%s, Username:%s, Password:%s, ProjectID:%s, ProjectName:%s}",
		c.IAMEndpoint, c.DomainName, c.Username, Redacted, c.ProjectID, c.ProjectName)
}

// GoString prints the credentials without the password for %#v.
func (c PasswordCredentials) GoString() string { return c.String() }

// Format makes every fmt verb print the redacted form.
func (c PasswordCredentials) Format(f fmtState, verb rune) { formatRedacted(f, c.String()) }

// LogValue keeps the password out of slog records.
func (c PasswordCredentials) LogValue() slog.Value {
	return slog.GroupValue(slog.String("iam_endpoint", c.IAMEndpoint), slog.String("domain", c.DomainName),
		slog.String("user", c.Username), slog.String("password", Redacted))
}

// IAMOption configures NewIAMTokenSigner.
type IAMOption func(*iamSigner)

// WithIAMHTTPClient sets the HTTP client used to call IAM (default: a client
// with a 30 s timeout that follows no redirects).
func WithIAMHTTPClient(hc *http.Client) IAMOption {
	return func(s *iamSigner) { s.hc = hc }
}

// WithRefreshMargin sets how long before its expiry a cached token is
// replaced (default 10 minutes), so no request leaves with a token about to
// lapse in flight.
func WithRefreshMargin(d time.Duration) IAMOption {
	return func(s *iamSigner) { s.margin = d }
}

// DefaultRefreshMargin is how long before expiry a token is refreshed.
const DefaultRefreshMargin = 10 * time.Minute

// iamFetchTimeout bounds one token request, whatever the callers' contexts.
const iamFetchTimeout = 30 * time.Second

// maxIAMBody bounds what is read of an IAM response body.
const maxIAMBody = 1 << 20

// iamSigner obtains project-scoped tokens from IAM and caches them.
type iamSigner struct {
	creds    PasswordCredentials // Password cleared; see password
	password secret
	tokens   string // the tokens URL
	hc       *http.Client
	margin   time.Duration
	now      func() time.Time

	mu       sync.Mutex
	token    secret // nil when none is cached
	expires  time.Time
	inflight *tokenFetch
}

// tokenFetch is one IAM request shared by every caller waiting on it.
type tokenFetch struct {
	done  chan struct{}
	token string
	err   error
}

// NewIAMTokenSigner returns a Signer that sets X-Auth-Token to a
// project-scoped token it obtains from IAM with the given user credentials
// (POST {IAMEndpoint}/v3/auth/tokens), caches, and refreshes ahead of expiry.
// Concurrent callers share one IAM request; a failed request is not cached.
// The client drops the cached token and retries once when ModelArts reports
// it invalid or expired.
func NewIAMTokenSigner(creds PasswordCredentials, opts ...IAMOption) (Signer, error) {
	var missing []string
	for _, f := range []struct{ name, v string }{
		{"IAMEndpoint", creds.IAMEndpoint}, {"DomainName", creds.DomainName},
		{"Username", creds.Username}, {"Password", creds.Password},
	} {
		if f.v == "" {
			missing = append(missing, f.name)
		}
	}
	if creds.ProjectID == "" && creds.ProjectName == "" {
		missing = append(missing, "ProjectID or ProjectName")
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("auth: NewIAMTokenSigner: missing %s", strings.Join(missing, ", "))
	}
	u, err := url.Parse(strings.TrimRight(creds.IAMEndpoint, "/"))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("auth: NewIAMTokenSigner: IAMEndpoint %q is not an absolute http(s) URL", creds.IAMEndpoint)
	}
	if u.Scheme == "http" && !IsLoopbackHost(u.Hostname()) {
		return nil, fmt.Errorf("auth: NewIAMTokenSigner: IAMEndpoint %q uses plain http; the password would travel in clear text: use https", creds.IAMEndpoint)
	}
	password := creds.Password
	creds.Password = ""
	s := &iamSigner{
		creds:    creds,
		password: newSecret(password),
		tokens:   u.String() + "/v3/auth/tokens",
		margin:   DefaultRefreshMargin,
		now:      time.Now,
	}
	for _, o := range opts {
		o(s)
	}
	if s.hc == nil {
		s.hc = &http.Client{
			Timeout:       iamFetchTimeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	return s, nil
}

// Sign sets X-Auth-Token to a cached or freshly fetched token.
func (s *iamSigner) Sign(req *http.Request) error {
	tok, err := s.Token(req.Context())
	if err != nil {
		return err
	}
	req.Header.Set(HeaderAuthToken, tok)
	return nil
}

// Token returns a valid cached token or fetches one, sharing the fetch with
// every concurrent caller.
func (s *iamSigner) Token(ctx context.Context) (string, error) {
	s.mu.Lock()
	if s.token != nil && s.now().Before(s.expires.Add(-s.margin)) {
		tok := s.token()
		s.mu.Unlock()
		return tok, nil
	}
	f := s.inflight
	if f == nil {
		f = &tokenFetch{done: make(chan struct{})}
		s.inflight = f
		// The fetch outlives a cancelled first caller so the others still
		// get their token; it is bounded by iamFetchTimeout.
		go s.fetch(context.WithoutCancel(ctx), f)
	}
	s.mu.Unlock()
	select {
	case <-f.done:
		return f.token, f.err
	case <-ctx.Done():
		return "", fmt.Errorf("auth: waiting for an IAM token: %w", ctx.Err())
	}
}

// InvalidateToken drops the cached token if it is the one rejected.
func (s *iamSigner) InvalidateToken(rejected string) {
	s.mu.Lock()
	if s.token != nil && s.token() == rejected {
		s.token = nil
	}
	s.mu.Unlock()
}

func (s *iamSigner) fetch(ctx context.Context, f *tokenFetch) {
	ctx, cancel := context.WithTimeout(ctx, iamFetchTimeout)
	defer cancel()
	tok, exp, err := s.requestToken(ctx)
	s.mu.Lock()
	if err == nil {
		s.token, s.expires = newSecret(tok), exp
	}
	s.inflight = nil
	s.mu.Unlock()
	f.token, f.err = tok, err
	close(f.done)
}

type iamRequest struct {
	Auth struct {
		Identity struct {
			Methods  []string `json:"methods"`
			Password struct {
				User struct {
					Name     string `json:"name"`
					Password string `json:"password"`
					Domain   struct {
						Name string `json:"name"`
					} `json:"domain"`
				} `json:"user"`
			} `json:"password"`
		} `json:"identity"`
		Scope struct {
			Project struct {
				ID   string `json:"id,omitempty"`
				Name string `json:"name,omitempty"`
			} `json:"project"`
		} `json:"scope"`
	} `json:"auth"`
}

// requestBody builds the password-method, project-scoped request body.
func (s *iamSigner) requestBody() ([]byte, error) {
	var r iamRequest
	r.Auth.Identity.Methods = []string{"password"}
	r.Auth.Identity.Password.User.Name = s.creds.Username
	r.Auth.Identity.Password.User.Password = s.password()
	r.Auth.Identity.Password.User.Domain.Name = s.creds.DomainName
	if s.creds.ProjectID != "" {
		r.Auth.Scope.Project.ID = s.creds.ProjectID
	} else {
		r.Auth.Scope.Project.Name = s.creds.ProjectName
	}
	return json.Marshal(&r)
}

func (s *iamSigner) requestToken(ctx context.Context) (string, time.Time, error) {
	body, err := s.requestBody()
	if err != nil {
		return "", time.Time{}, fmt.Errorf("auth: encoding the IAM token request: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.tokens, bytes.NewReader(body))
	if err != nil {
		return "", time.Time{}, fmt.Errorf("auth: building the IAM token request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json;charset=UTF-8")
	resp, err := s.hc.Do(req)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // drop the URL wrapper; the message names the endpoint itself
		}
		return "", time.Time{}, fmt.Errorf("auth: IAM token request to %s failed: %w", s.tokens, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxIAMBody))
	if err != nil {
		return "", time.Time{}, fmt.Errorf("auth: reading IAM's answer from %s: %w", s.tokens, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return "", time.Time{}, s.iamError(resp, data)
	}
	tok := resp.Header.Get(HeaderSubjectToken)
	if tok == "" {
		return "", time.Time{}, fmt.Errorf("auth: IAM at %s answered %d without an X-Subject-Token header", s.tokens, resp.StatusCode)
	}
	var out struct {
		Token struct {
			ExpiresAt string `json:"expires_at"`
		} `json:"token"`
	}
	exp := s.now().Add(time.Hour) // conservative when IAM omits the expiry
	if json.Unmarshal(data, &out) == nil && out.Token.ExpiresAt != "" {
		if t, err := time.Parse(time.RFC3339Nano, out.Token.ExpiresAt); err == nil {
			exp = t
		}
	}
	return tok, exp, nil
}

// iamError decodes IAM's error body in any of its shapes.
func (s *iamSigner) iamError(resp *http.Response, data []byte) error {
	e := &IAMError{
		StatusCode: resp.StatusCode,
		RequestID:  resp.Header.Get("X-Request-Id"),
		Endpoint:   s.tokens,
		Username:   s.creds.Username,
	}
	var body struct {
		Error *struct {
			Code    json.RawMessage `json:"code"`
			Message string          `json:"message"`
			Title   string          `json:"title"`
		} `json:"error"`
		ErrorCode    string `json:"error_code"`
		ErrorMsg     string `json:"error_msg"`
		ErrorMessage string `json:"error_message"`
	}
	if json.Unmarshal(data, &body) == nil {
		switch {
		case body.Error != nil:
			e.Code = strings.Trim(string(body.Error.Code), `"`)
			e.Message = body.Error.Message
			if e.Message == "" {
				e.Message = body.Error.Title
			}
		case body.ErrorCode != "":
			e.Code = body.ErrorCode
			e.Message = body.ErrorMsg
			if e.Message == "" {
				e.Message = body.ErrorMessage
			}
		}
	} else if len(data) > 0 {
		e.Message = textutil.Shorten(string(data), 200)
	}
	// IAM never echoes the password, but be certain none reaches an error.
	if pw := s.password(); pw != "" {
		e.Message = strings.ReplaceAll(e.Message, pw, Redacted)
	}
	return e
}

// String prints the signer without the password or token.
func (s *iamSigner) String() string {
	return "auth.IAMTokenSigner{Credentials:" + s.creds.String() + ", Token:" + Redacted + "}"
}

// GoString prints the redacted form for %#v.
func (s *iamSigner) GoString() string { return s.String() }

// Format makes every fmt verb print the redacted form.
func (s *iamSigner) Format(f fmtState, verb rune) { formatRedacted(f, s.String()) }

// LogValue keeps the password and token out of slog records.
func (s *iamSigner) LogValue() slog.Value {
	return slog.GroupValue(slog.String("kind", "iam"), slog.Any("credentials", s.creds), slog.String("token", Redacted))
}
