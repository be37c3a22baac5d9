package auth

import (
	"errors"
	"fmt"
)

// Sentinel errors shared with package modelarts (modelarts.ErrUnauthorized
// and modelarts.ErrForbidden are these same values), so one errors.Is check
// covers a rejected token from ModelArts and rejected credentials from IAM.
var (
	ErrUnauthorized = errors.New("unauthorized")
	ErrForbidden    = errors.New("forbidden")
)

// IAMError is IAM's answer to a failed token request: wrong password, locked
// user, unknown domain. It never contains the password.
type IAMError struct {
	StatusCode int    // HTTP status from IAM
	Code       string // IAM's error code, e.g. "IAM.0101", when it sent one
	Message    string // IAM's error message
	RequestID  string // X-Request-Id of IAM's response
	Endpoint   string // the IAM endpoint asked
	Username   string // the user the token was requested for
}

// Error names the IAM endpoint, the user, IAM's code and message, and what
// to check; never the password.
func (e *IAMError) Error() string {
	msg := fmt.Sprintf("auth: IAM token request to %s for user %q failed: %d", e.Endpoint, e.Username, e.StatusCode)
	if e.Code != "" {
		msg += " " + e.Code
	}
	if e.Message != "" {
		msg += ": " + e.Message
	}
	if e.RequestID != "" {
		msg += " (request id " + e.RequestID + ")"
	}
	switch e.StatusCode {
	case 401:
		msg += "; check the domain, user name and password"
	case 403:
		msg += "; the user may be locked or lack permission for the project"
	}
	return msg
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
