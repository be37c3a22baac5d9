package auth

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
)

// Sentinel errors shared with package modelarts (modelarts.ErrUnauthorized
// and modelarts.ErrForbidden are these same values), so one errors.Is check
// covers a rejected token from ModelArts and rejected credentials from IAM.
var (
	ErrUnauthorized = errors.New("unauthorized")
	ErrForbidden    = errors.New("forbidden")
)

// IAMError is a failed IAM token request: IAM refused it (wrong password,
// locked user, unknown domain), answered with an error or a redirect, or
// could not be reached (StatusCode 0, Err set). Every string in it that came
// from IAM is bounded in length and has the signer's secrets redacted, so no
// password or token reaches Error(), fmt or a log.
type IAMError struct {
	StatusCode int    // HTTP status from IAM; 0 when no answer came back
	Code       string // IAM's error code, e.g. "IAM.0101", when it sent one
	Message    string // IAM's error message, shortened and redacted
	RequestID  string // X-Request-Id of IAM's response, shortened and redacted
	Endpoint   string // the token URL asked (never with user info)
	Username   string // the user the token was requested for
	Err        error  // the network failure when StatusCode is 0
}

// Error says what failed, IAM's status, code and message once each, and what
// to do; never the password or a token.
func (e *IAMError) Error() string {
	var b strings.Builder
	b.WriteString("auth: IAM token request to ")
	b.WriteString(e.Endpoint)
	b.WriteString(" for user ")
	b.WriteString(strconv.Quote(e.Username))
	if e.StatusCode == 0 {
		b.WriteString(" got no answer")
		if e.Err != nil {
			b.WriteString(": ")
			b.WriteString(e.Err.Error())
		}
	} else {
		b.WriteString(" failed with HTTP ")
		b.WriteString(strconv.Itoa(e.StatusCode))
		if text := http.StatusText(e.StatusCode); text != "" {
			b.WriteString(" " + text)
		}
		// IAM's v3 errors carry the status again as their code: say it once.
		if e.Code != "" && e.Code != strconv.Itoa(e.StatusCode) {
			b.WriteString(" (" + e.Code + ")")
		}
		if e.Message != "" {
			b.WriteString(": ")
			b.WriteString(e.Message)
		}
	}
	if e.RequestID != "" {
		b.WriteString(" [request id " + e.RequestID + "]")
	}
	b.WriteString("; ")
	b.WriteString(e.advice())
	return b.String()
}

// advice tells the reader what to do about the failure.
func (e *IAMError) advice() string {
	switch {
	case e.StatusCode == 0:
		return "check the IAM endpoint and the network; this is temporary and may be retried"
	case e.StatusCode == 401:
		return "check the domain name, user name and password"
	case e.StatusCode == 403:
		return "the user may be locked, or lack permission for the project"
	case e.StatusCode >= 300 && e.StatusCode < 400:
		return "IAM redirects are never followed with a password: set IAMEndpoint to the final IAM URL"
	case e.Temporary():
		return "IAM is unavailable or busy; this is temporary and may be retried"
	case e.StatusCode == 404:
		return "check IAMEndpoint: it should be the IAM base URL, e.g. https://iam.cn-north-4.myhuaweicloud.com"
	default:
		return "check the credentials and the project (ProjectID or ProjectName)"
	}
}

// Temporary reports whether the failure is IAM's own (5xx), throttling
// (429), a request timeout (408) or a network failure: worth retrying, unlike
// rejected credentials.
func (e *IAMError) Temporary() bool {
	return e.StatusCode == 0 || e.StatusCode == http.StatusTooManyRequests ||
		e.StatusCode == http.StatusRequestTimeout || e.StatusCode >= 500
}

// Is makes errors.Is(err, ErrUnauthorized) hold for 401 and
// errors.Is(err, ErrForbidden) for 403.
func (e *IAMError) Is(target error) bool {
	switch target {
	case ErrUnauthorized:
		return e.StatusCode == 401
	case ErrForbidden:
		return e.StatusCode == 403
	}
	return false
}

// Unwrap returns the network failure, if any.
func (e *IAMError) Unwrap() error { return e.Err }

// IsTemporary reports whether err is a signing failure worth retrying: an
// *IAMError for IAM 5xx, 429, 408 or a network failure (IAM not reachable, no
// answer in time), or a *CredentialError for the same failures of a source
// of temporary credentials (ECS metadata, CCE pod identity, OIDC
// federation). It is false for rejected credentials (401, 403, other 4xx),
// validation errors, a cancelled caller context and nil, so a caller's
// retry policy can retry a first-token 503 like any other 503.
func IsTemporary(err error) bool {
	var none *NoCredentialsError
	if errors.As(err, &none) {
		return false // nothing configured: retrying cannot help
	}
	var ie *IAMError
	if errors.As(err, &ie) {
		return ie.Temporary()
	}
	var ce *CredentialError
	return errors.As(err, &ce) && ce.Temporary()
}
