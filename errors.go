package modelarts

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/modelarts-go/modelarts/internal/errs"
	"github.com/modelarts-go/modelarts/internal/textutil"

	"github.com/modelarts-go/modelarts/auth"
)

// Sentinel errors for errors.Is. An *APIError matches the sentinel its status
// and code imply; other error types match where said.
var (
	// ErrInvalidRequest: a *ValidationError, returned before anything is sent.
	ErrInvalidRequest = errs.ErrInvalidRequest
	// ErrNotFound: 404, or ModelArts.6404 / .6309 / .6797 with any status
	// (the service reports "not found" with HTTP 400).
	ErrNotFound = errors.New("not found")
	// ErrUnauthorized: 401 from ModelArts, or IAM rejecting the credentials.
	ErrUnauthorized = auth.ErrUnauthorized
	// ErrForbidden: 403 from ModelArts or IAM.
	ErrForbidden = auth.ErrForbidden
	// ErrThrottled: 429 or ModelArts.6101 (system busy).
	ErrThrottled = errors.New("throttled")
	// ErrConflict: 409, ModelArts.6737 (an image with this tag exists) or
	// ModelArts.6301 (the instance exists).
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
	// ErrCreateOutcomeUnknown: a create was sent and the SDK could not
	// establish which image, if any, it made (see *CreateOutcomeError).
	ErrCreateOutcomeUnknown = errors.New("create outcome unknown")
	// ErrNotebookAlreadyRunning: ModelArts.6305; StartNotebook on a
	// notebook that is running. A caller that only wants it running can
	// take this as success.
	ErrNotebookAlreadyRunning = errors.New("notebook is already running")
	// ErrNotebookStarting: ModelArts.6306; StartNotebook on a notebook that
	// is starting. WaitForNotebook(..., NotebookStatusRunning) waits for it.
	ErrNotebookStarting = errors.New("notebook is starting")
	// ErrNotebookFailed: a *NotebookFailedError; a wait saw the notebook
	// reach a state it will not leave for the one awaited.
	ErrNotebookFailed = errors.New("notebook failed")
	// ErrQuotaExceeded: ModelArts.0113 (notebook quota used up) or
	// ModelArts.6302 (instance count at its maximum). Retrying does not
	// help; free or raise the quota.
	ErrQuotaExceeded = errors.New("quota exceeded")
	// ErrListingInconsistent: a *ListingError; a listing walk stopped
	// because the server provably ignores the offset or reorders the
	// listing between reads.
	ErrListingInconsistent = errors.New("listing inconsistent")
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
	CodeSignatureExpired    = "APIGW.0303" // the gateway: X-Sdk-Date too far from its clock

	CodeParameterError         = "ModelArts.0104" // a request parameter is wrong
	CodeInvalidParameterValues = "ModelArts.0107" // the values of request parameters are invalid
	CodeNotebookQuotaExhausted = "ModelArts.0113" // ErrQuotaExceeded
	CodeInstanceExists         = "ModelArts.6301" // ErrConflict
	CodeInstanceLimitReached   = "ModelArts.6302" // ErrQuotaExceeded
	CodeSortNotSupported       = "ModelArts.6303" // a sort_key field the service does not sort on
	CodeStopBeforeDelete       = "ModelArts.6304" // stop the instance before deleting it
	CodeNotebookAlreadyRunning = "ModelArts.6305" // ErrNotebookAlreadyRunning
	CodeNotebookStarting       = "ModelArts.6306" // ErrNotebookStarting
	CodeSSHConfigMissing       = "ModelArts.6768" // the image supports only SSH and no SSH configuration was given
)

// APIError is any non-2xx answer of the service.
type APIError struct {
	StatusCode int    // HTTP status
	Code       string // error_code (or code), e.g. "ModelArts.6404"
	Message    string // error_msg / error_message / message, or the shortened body
	RequestID  string // X-Request-Id: quote it to support
	Method     string // request method
	Path       string // request path as sent, without query
	// Header holds the response headers (Retry-After, gateway headers),
	// with any credential the client holds removed and values bounded.
	Header http.Header
}

// Error reads "modelarts: METHOD PATH: STATUS CODE: MESSAGE (request id
// ID)", followed for the answers a caller can act on by what to do.
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
	if hint := e.hint(); hint != "" {
		sb.WriteString("; " + hint)
	}
	return sb.String()
}

// hint says what to do about an answer, where there is one thing to do.
func (e *APIError) hint() string {
	switch {
	case e.StatusCode == 401 && strings.HasPrefix(e.Code, "APIGW."):
		return "the gateway refused the credentials: check the AK/SK pair, the security token and this machine's clock"
	case e.StatusCode == 401:
		return "the token was refused: get a new one, or use auth.NewIAMTokenSigner, which refreshes tokens itself"
	case e.StatusCode == 403:
		return "the credentials lack permission for this action or project: check the IAM policies of the user and the project ID"
	case e.throttled():
		return "the service is throttling: slow down (WithRateLimit) or retry later"
	}
	return ""
}

// ListingError ends a listing walk whose server provably misbehaves: it
// ignores the offset, or reorders the listing between reads, so that going
// on could only repeat what was yielded or loop. Reason says what the walk
// saw. The items yielded before it were each yielded once.
type ListingError struct {
	Listing string // "images", "image groups", "notebooks"
	Offset  int    // the offset of the first page that brought nothing new
	Reason  string
}

// Error names the listing and what the server did.
func (e *ListingError) Error() string {
	return fmt.Sprintf("modelarts: listing %s stopped at offset %d: %s", e.Listing, e.Offset, e.Reason)
}

// Is makes errors.Is(err, ErrListingInconsistent) hold.
func (e *ListingError) Is(target error) bool { return target == ErrListingInconsistent }

// ValidationError is a request the SDK refused to send.
type ValidationError struct {
	Field  string // the JSON name of the field (or "request", "image id", …)
	Reason string // the rule that failed
	Err    error  // the underlying error, if another package reported it
}

// Unwrap returns the underlying error, if any.
func (e *ValidationError) Unwrap() error { return e.Err }

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

// DecodeError is a 2xx answer whose body is not what the API documents.
type DecodeError struct {
	Method, Path string
	StatusCode   int
	Body         string // what arrived, shortened, credentials removed
	Err          error
}

// Error says which call got an undecodable answer, why, and how it began.
func (e *DecodeError) Error() string {
	// Err was scrubbed whole before it was stored; it is shortened here.
	msg := fmt.Sprintf("%s%s %s: %d answer cannot be decoded: %s", errPrefix, e.Method, e.Path, e.StatusCode, textutil.Clip(unprefixed(e.Err), maxDecodeErrLen))
	if e.Body != "" {
		msg += "; the body began: " + e.Body
	}
	return msg
}

// maxDecodeErrLen bounds the decoding error quoted in a DecodeError's
// message.
const maxDecodeErrLen = 300

// Unwrap returns the decoding error.
func (e *DecodeError) Unwrap() error { return e.Err }

// RequestError is a call that ended without an answer to give:
//   - the transport failed (connection refused or reset, a timeout, a body
//     cut short, a signer that could not sign): Err is that failure;
//   - the context ended the call, whatever it was doing: Err is the
//     context's error and Last the failure the call was retrying, if any;
//   - the SDK stopped retrying before the policy's attempts were spent (the
//     client's retry budget): Note says why and Err is the last failure.
//
// errors.Is and errors.As reach both Err and Last.
type RequestError struct {
	Method, Path string
	Attempts     int
	Err          error
	Last         error  // when the context ended the call: the failure it was retrying
	Note         string // why the SDK stopped, when Err does not say
}

// Error says which call failed, with what, after how many attempts.
func (e *RequestError) Error() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s%s %s: %s", errPrefix, e.Method, e.Path, e.quote(e.Err))
	var notes []string
	if e.Attempts > 1 {
		notes = append(notes, fmt.Sprintf("after %d attempts", e.Attempts))
	}
	if e.Last != nil {
		notes = append(notes, "last failure: "+e.quote(e.Last))
	}
	if e.Note != "" {
		notes = append(notes, e.Note)
	}
	if len(notes) > 0 {
		sb.WriteString(" (" + strings.Join(notes, "; ") + ")")
	}
	return sb.String()
}

// quote is err's message without what this error already says: the
// package's prefix and the same method and path.
func (e *RequestError) quote(err error) string {
	return strings.TrimPrefix(unprefixed(err), e.Method+" "+e.Path+": ")
}

// Unwrap returns the failure and, when the context ended the call, the
// failure it was retrying.
func (e *RequestError) Unwrap() []error {
	if e.Last != nil {
		return []error{e.Err, e.Last}
	}
	return []error{e.Err}
}

// CreateOutcomeError is a create the SDK cannot vouch for: it was sent (or
// the service even said it succeeded), but the evidence does not tell which
// image, if any, this call made. It matches ErrCreateOutcomeUnknown.
// Candidates lists the images that may be this call's; look at them before
// creating again.
type CreateOutcomeError struct {
	Method, Path string
	Reason       string   // what the SDK saw
	Candidates   []string // IDs of images that may be this call's
	Err          error    // the failure that made the outcome uncertain, if any
}

// Error says what was sent, what the SDK saw, and the candidate images.
func (e *CreateOutcomeError) Error() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "modelarts: %s %s: %v: %s", e.Method, e.Path, ErrCreateOutcomeUnknown, e.Reason)
	if len(e.Candidates) > 0 {
		fmt.Fprintf(&sb, "; images that may be this call's: %s", strings.Join(e.Candidates, ", "))
	}
	if e.Err != nil {
		// The failure names the same call: quoted without the prefix and
		// method and path this message already gives.
		fmt.Fprintf(&sb, " (after: %s)", strings.TrimPrefix(unprefixed(e.Err), e.Method+" "+e.Path+": "))
	}
	sb.WriteString("; check them before creating again")
	return sb.String()
}

// Is makes errors.Is(err, ErrCreateOutcomeUnknown) hold.
func (e *CreateOutcomeError) Is(target error) bool { return target == ErrCreateOutcomeUnknown }

// Unwrap returns the failure that made the outcome uncertain.
func (e *CreateOutcomeError) Unwrap() error { return e.Err }

// parseAPIError reads the error body in any of the shapes the service and
// its gateways use. clean scrubs and bounds every string taken from the
// answer.
func parseAPIError(status int, h http.Header, body []byte, truncated bool, clean func(s string, n int) string) *APIError {
	e := &APIError{StatusCode: status, RequestID: clean(h.Get("X-Request-Id"), maxRequestIDLen)}
	var b struct {
		ErrorCode    string `json:"error_code"`
		ErrorMsg     string `json:"error_msg"`
		ErrorMessage string `json:"error_message"`
		Code         any    `json:"code"`
		Message      string `json:"message"`
		RequestID    string `json:"request_id"`
	}
	trimmed := bytes.TrimSpace(body)
	if !truncated && len(trimmed) > 0 && trimmed[0] == '{' && json.Unmarshal(trimmed, &b) == nil {
		e.Code = b.ErrorCode
		if e.Code == "" && b.Code != nil {
			e.Code = strings.TrimSpace(fmt.Sprint(b.Code))
		}
		e.Code = clean(e.Code, 64)
		e.Message = clean(firstNonEmpty(b.ErrorMsg, b.ErrorMessage, b.Message), 512)
		if e.RequestID == "" {
			e.RequestID = clean(b.RequestID, maxRequestIDLen)
		}
	}
	if e.Code == "" && e.Message == "" && len(trimmed) > 0 {
		e.Message = clean(string(trimmed), 200)
	}
	if e.Message == "" && e.Code == "" {
		e.Message = http.StatusText(status)
	}
	return e
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// errPrefix begins every error message of the package, once.
const errPrefix = "modelarts: "

// unprefixed is err's message without the package's prefix, for an error
// that quotes another of the package's errors.
func unprefixed(err error) string {
	if err == nil {
		return "<nil>"
	}
	return strings.TrimPrefix(err.Error(), errPrefix)
}

// WaitError is a wait that ended before what it awaited (an image, a
// notebook or a save-image job) reached the awaited state: its context
// ended, or a poll failed for good (a 403, say, or a not-found once the
// grace is spent). Every ended wait is one. It wraps what ended it (Err)
// and the last transient failure, so errors.Is finds the context's error
// or ErrNotFound, and errors.As the 503 behind a timeout.
type WaitError struct {
	// Resource is what was awaited: "image", "notebook" or
	// "save-image job" ("" reads as "image").
	Resource string
	// ID names it: the image or notebook ID, or "job/task" for a
	// save-image job.
	ID string
	// Status is the last status read, "" if no poll succeeded.
	Status          string
	Polls           int
	NotFound        int   // polls that found nothing, within the not-found grace
	TransientErrors int   // polls that failed transiently
	LastTransient   error // the last of them
	// Err is what ended the wait: the context's error
	// (context.DeadlineExceeded or context.Canceled), or the failure of
	// a poll that polling again cannot cure.
	Err error
}

func (e *WaitError) noteTransient(err error) {
	e.TransientErrors++
	e.LastTransient = err
}

// Error names what was awaited, what ended the wait, the polls made and
// the last status seen, and the not-founds and transient failures if there
// were any.
func (e *WaitError) Error() string {
	resource, id, status := e.Resource, e.ID, e.Status
	if resource == "" {
		resource = resourceImage
	}
	if status == "" {
		status = "none read"
	}
	msg := fmt.Sprintf("modelarts: waiting for %s %s: %s after %d polls; last status %s", resource, id, unprefixed(e.Err), e.Polls, status)
	if e.NotFound > 0 {
		msg += fmt.Sprintf("; %d polls found nothing (within the not-found grace)", e.NotFound)
	}
	if e.TransientErrors > 0 {
		msg += fmt.Sprintf("; %d polls failed transiently, the last with: %s", e.TransientErrors, unprefixed(e.LastTransient))
	}
	return msg
}

// Unwrap returns the context error and the last transient failure.
func (e *WaitError) Unwrap() []error {
	if e.LastTransient != nil {
		return []error{e.Err, e.LastTransient}
	}
	return []error{e.Err}
}

// NotebookFailedError reports a notebook wait that ended because the
// notebook reached a state it will not leave for the one awaited: a
// failure state (see NotebookStatus.IsFailure), or, after it was seen in
// transition, a settled state other than the awaited one (STOPPED while
// waiting for RUNNING: the start or the save went wrong). It matches
// ErrNotebookFailed.
type NotebookFailedError struct {
	NotebookID string
	Status     NotebookStatus // the state reached
	Want       NotebookStatus // the state awaited
	FailReason string         // the server's explanation, when it gave one
}

// Error names the notebook, the state it reached, the state awaited and the
// server's explanation.
func (e *NotebookFailedError) Error() string {
	msg := fmt.Sprintf("modelarts: notebook %s ended %s while waiting for %s", e.NotebookID, e.Status, e.Want)
	if e.FailReason != "" {
		msg += ": " + e.FailReason
	}
	return msg
}

// Is makes errors.Is(err, ErrNotebookFailed) hold.
func (e *NotebookFailedError) Is(target error) bool { return target == ErrNotebookFailed }

// NotebookNotRunningError reports a notebook that must be RUNNING for the
// call (SaveNotebookAsImage) and is not; nothing was created. It matches
// ErrNotebookNotRunning, as the service's own refusal (ModelArts.6327) does.
type NotebookNotRunningError struct {
	NotebookID string
	Status     NotebookStatus // the status read
}

// Error names the notebook and its status, and what to do.
func (e *NotebookNotRunningError) Error() string {
	return fmt.Sprintf("modelarts: notebook %s is %s; only a RUNNING notebook can be saved as an image: start it (StartNotebook, then WaitForNotebook) and try again", e.NotebookID, e.Status)
}

// Is makes errors.Is(err, ErrNotebookNotRunning) hold.
func (e *NotebookNotRunningError) Is(target error) bool { return target == ErrNotebookNotRunning }

// SaveImageJobFailedError reports a training-job save that ended in a
// failure status. It matches ErrImageFailed: the image was not made.
type SaveImageJobFailedError struct {
	TrainingJobID, TaskID string
	Status                ImageStatus
	Message               string // the server's explanation, when it gave one
}

// Error names the job and task, the final status and the server's
// explanation.
func (e *SaveImageJobFailedError) Error() string {
	msg := fmt.Sprintf("modelarts: saving task %s of training job %s as an image ended %s", e.TaskID, e.TrainingJobID, e.Status)
	if e.Message != "" {
		msg += ": " + e.Message
	}
	return msg
}

// Is makes errors.Is(err, ErrImageFailed) hold.
func (e *SaveImageJobFailedError) Is(target error) bool { return target == ErrImageFailed }

// SaveImageJobOutcomeError reports a CreateSaveImageJob whose answer does
// not give the job: it was lost after the request may have reached the
// service (no answer, a 5xx, a timeout), so the save may have started; or
// the service answered 2xx (Started) without a job the SDK could read. The
// SDK does not send it again, since nothing would tell a second save from
// the first. It matches ErrCreateOutcomeUnknown; Err is the failure, found
// by errors.As.
type SaveImageJobOutcomeError struct {
	TrainingJobID, TaskID string
	Started               bool // the service answered 2xx: the save started
	Err                   error
}

// Error names the job and task, says whether the save started or may have,
// and how to check.
func (e *SaveImageJobOutcomeError) Error() string {
	what := "the answer was lost after the request may have reached the service, so the save may have started"
	if e.Started {
		what = "the service answered success without the job, so the save started"
	}
	return fmt.Sprintf("%ssaving task %s of training job %s as an image: %v: %s; it was not sent again: check with GetSaveImageJob(ctx, %q, %q) before starting it again (after: %s)",
		errPrefix, e.TaskID, e.TrainingJobID, ErrCreateOutcomeUnknown, what, e.TrainingJobID, e.TaskID, unprefixed(e.Err))
}

// Is makes errors.Is(err, ErrCreateOutcomeUnknown) hold.
func (e *SaveImageJobOutcomeError) Is(target error) bool { return target == ErrCreateOutcomeUnknown }

// Unwrap returns the failure that made the outcome uncertain.
func (e *SaveImageJobOutcomeError) Unwrap() error { return e.Err }
