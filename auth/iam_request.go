package auth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/modelarts-go/modelarts/internal/textutil"
)

// maxIAMText bounds each server-derived string kept in an IAMError.
const maxIAMText = 300

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
func (s *IAMTokenSigner) requestBody() ([]byte, error) {
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

// requestToken makes one IAM token request under ctx, bounded by
// iamFetchTimeout. A failure of ctx itself comes back wrapping ctx.Err();
// anything else is an *IAMError.
func (s *IAMTokenSigner) requestToken(ctx context.Context) (string, time.Time, error) {
	body, err := s.requestBody()
	if err != nil {
		return "", time.Time{}, fmt.Errorf("auth: encoding the IAM token request: %w", err)
	}
	reqCtx, cancel := context.WithTimeout(ctx, iamFetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(reqCtx, http.MethodPost, s.tokens, bytes.NewReader(body))
	if err != nil {
		return "", time.Time{}, fmt.Errorf("auth: building the IAM token request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json;charset=UTF-8")
	resp, err := s.hc.Do(req)
	if err != nil {
		return "", time.Time{}, s.transportError(ctx, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxIAMBody))
	if err != nil {
		return "", time.Time{}, s.transportError(ctx, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return "", time.Time{}, s.iamError(resp, data)
	}
	tok := resp.Header.Get(HeaderSubjectToken)
	if tok == "" {
		e := s.newIAMError(resp)
		e.Message = "the answer carried no X-Subject-Token header"
		return "", time.Time{}, e
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

// transportError describes a request that got no (complete) answer: the
// caller's context ending is returned as such; anything else (refused,
// reset, timed out) is a temporary *IAMError.
func (s *IAMTokenSigner) transportError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("auth: IAM token request to %s: %w", s.tokens, ctx.Err())
	}
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err // drop the URL wrapper; the message names the endpoint itself
	}
	// net/http quotes a malformed answer in its errors: keep none of it
	// that holds a secret, and keep it short.
	if msg := err.Error(); s.RedactSecrets(msg) != msg || len(msg) > maxIAMText {
		err = errors.New(textutil.Shorten(s.RedactSecrets(msg), maxIAMText))
	}
	return &IAMError{Endpoint: s.tokens, Username: s.creds.Username, Err: err}
}

func (s *IAMTokenSigner) newIAMError(resp *http.Response) *IAMError {
	return &IAMError{
		StatusCode: resp.StatusCode,
		RequestID:  s.serverText(resp.Header.Get("X-Request-Id"), 100),
		Endpoint:   s.tokens,
		Username:   s.creds.Username,
	}
}

// serverText makes a string that came from IAM safe to keep: secrets
// redacted first (so no cut can leave half of one), then bounded.
func (s *IAMTokenSigner) serverText(v string, n int) string {
	return textutil.Shorten(s.RedactSecrets(v), n)
}

// iamError decodes IAM's error body in any of its shapes.
func (s *IAMTokenSigner) iamError(resp *http.Response, data []byte) error {
	e := s.newIAMError(resp)
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
	var code, msg string
	if json.Unmarshal(data, &body) == nil {
		switch {
		case body.Error != nil:
			code = strings.Trim(string(body.Error.Code), `"`)
			msg = body.Error.Message
			if msg == "" {
				msg = body.Error.Title
			}
		case body.ErrorCode != "":
			code, msg = body.ErrorCode, body.ErrorMsg
			if msg == "" {
				msg = body.ErrorMessage
			}
		}
	}
	if code == "" && msg == "" {
		msg = string(data)
	}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		msg = "IAM redirected the request"
		if u, err := url.Parse(resp.Header.Get("Location")); err == nil && u.Host != "" {
			msg += " to " + u.Scheme + "://" + u.Host
		}
	}
	e.Code = s.serverText(code, 40)
	e.Message = s.serverText(msg, maxIAMText)
	return e
}
