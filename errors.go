package modelarts

import (
	"errors"
	"fmt"
	"strings"

	"github.com/modelarts-go/modelarts/auth"
)

// Sentinel errors for errors.Is. An *APIError matches the sentinel its status
// and code imply; other error types match where said.
var (
	// ErrInvalidRequest: a *ValidationError, returned before anything is sent.
	ErrInvalidRequest = errors.New("invalid request")
	// ErrNotFound: 404, or ModelArts.6404 / .6309 / .6797 with any status
	// (the service reports "not found" with HTTP 400).
	ErrNotFound = errors.New("not found")
	// ErrUnauthorized: 401 from ModelArts, or IAM rejecting the credentials.
	ErrUnauthorized = auth.ErrUnauthorized
	// ErrForbidden: 403 from ModelArts or IAM.
	ErrForbidden = auth.ErrForbidden
	// ErrThrottled: 429 or ModelArts.6101 (system busy).
	ErrThrottled = errors.New("throttled")
	// ErrConflict: 409 or ModelArts.6737 (an image with this tag exists).
	ErrConflict = errors.New("conflict")
	// ErrNotebookNotRunning: ModelArts.6327; only a RUNNING notebook can be
	// saved as an image.
	ErrNotebookNotRunning = errors.New("notebook is not running")
	// ErrOperationInProgress: ModelArts.6357; another operation on the
	// resource is in progress, or it is already in the target state.
	ErrOperationInProgress = errors.New("another operation is in progress")
	// ErrImageFailed: an *ImageFailedError; the image ended CREATE_FAILED,
	// ERROR or DELETED.
	ErrImageFailed = errors.New("image failed")
	// ErrCreateOutcomeUnknown: a create was sent, its answer was lost, and
	// looking the image up failed too, so whether it exists is unknown.
	ErrCreateOutcomeUnknown = errors.New("create outcome unknown")
)

// Error codes the SDK gives a meaning to.
const (
	CodeNotFound            = "ModelArts.6404"
	CodeInstanceNotExist    = "ModelArts.6309"
	CodeImageNotFound       = "ModelArts.6797"
	CodeNotebookNotRunning  = "ModelArts.6327"
	CodeOperationInProgress = "ModelArts.6357"
	CodeDuplicateTag        = "ModelArts.6737"
	CodeImageTooLarge       = "ModelArts.6771"
	CodeSystemBusy          = "ModelArts.6101"
	CodeRequestTimeout      = "ModelArts.6100"
	CodeTokenNotExist       = "ModelArts.0201"
	CodeTokenExpired        = "ModelArts.0202"
	CodeTokenInvalid        = "ModelArts.0203"
)

// APIError is any non-2xx answer of the service.
type APIError struct {
	StatusCode int    // HTTP status
	Code       string // error_code (or code), e.g. "ModelArts.6404"
	Message    string // error_msg / error_message / message, or the shortened body
	RequestID  string // X-Request-Id: quote it to support
	Method     string // request method
	Path       string // request path, without query
}

// Error reads "modelarts: METHOD PATH: STATUS CODE: MESSAGE (request id ID)".
func (e *APIError) Error() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "modelarts: %s %s: %d", e.Method, e.Path, e.StatusCode)
	if e.Code != "" {
		sb.WriteString(" " + e.Code)
	}
	if e.Message != "" {
		sb.WriteString(": " + e.Message)
	}
	if e.RequestID != "" {
		sb.WriteString(" (request id " + e.RequestID + ")")
	}
	return sb.String()
}

// Is maps the status and code to the package's sentinel errors.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.StatusCode == 404 || e.Code == CodeNotFound || e.Code == CodeInstanceNotExist || e.Code == CodeImageNotFound
	case ErrUnauthorized:
		return e.StatusCode == 401
	case ErrForbidden:
		return e.StatusCode == 403
	case ErrThrottled:
		return e.StatusCode == 429 || e.Code == CodeSystemBusy
	case ErrConflict:
		return e.StatusCode == 409 || e.Code == CodeDuplicateTag
	case ErrNotebookNotRunning:
		return e.Code == CodeNotebookNotRunning
	case ErrOperationInProgress:
		return e.Code == CodeOperationInProgress
	}
	return false
}

// isTokenError reports a 401 that a fresh token can cure.
func (e *APIError) isTokenError() bool {
	return e.StatusCode == 401 && (e.Code == CodeTokenNotExist || e.Code == CodeTokenExpired || e.Code == CodeTokenInvalid)
}

// ValidationError is a request the SDK refused to send.
type ValidationError struct {
	Field  string // the JSON name of the field (or "request", "image id", …)
	Reason string // the rule that failed
}

// Error names the field and the rule it broke.
func (e *ValidationError) Error() string {
	return "modelarts: invalid " + e.Field + ": " + e.Reason
}

// Is makes errors.Is(err, ErrInvalidRequest) hold.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalidRequest }

func invalid(field, format string, args ...any) *ValidationError {
	return &ValidationError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// ImageFailedError reports an image that ended in CREATE_FAILED, ERROR or
// DELETED.
type ImageFailedError struct {
	ImageID       string
	Status        ImageStatus
	StatusMessage string // the server's explanation, when it gave one
}

// Error names the image, its final status and the server's explanation.
func (e *ImageFailedError) Error() string {
	msg := fmt.Sprintf("modelarts: image %s ended %s", e.ImageID, e.Status)
	if e.StatusMessage != "" {
		msg += ": " + e.StatusMessage
	}
	return msg
}

// Is makes errors.Is(err, ErrImageFailed) hold.
func (e *ImageFailedError) Is(target error) bool { return target == ErrImageFailed }
