package modelarts

import "strings"

// What an error answer means. Every question the SDK asks of an answer
// (which sentinel it matches, whether it is throttling, whether the service
// failed so that the request may have been carried out, whether a fresh
// token cures it, whether a wait goes on through it) is answered here, from
// one table for statuses and one for codes, with the reason beside each row.

// meaning is what a status or a code says about an answer.
type meaning struct {
	is []error // the sentinels it matches
	// throttled: the service asks the caller to slow down. Retried
	// whatever the method: nothing was carried out.
	throttled bool
	// serverError: the service failed or timed out while handling the
	// request. Retried when sending again is safe; the work may have been
	// carried out.
	serverError bool
	// tokenRejected: a 401 that a fresh token cures.
	tokenRejected bool
}

var statusMeanings = map[int]meaning{
	401: {is: []error{ErrUnauthorized}}, // the credentials were refused
	403: {is: []error{ErrForbidden}},    // the credentials lack permission
	404: {is: []error{ErrNotFound}},
	408: {serverError: true}, // the gateway gave up waiting for the service
	409: {is: []error{ErrConflict}},
	429: {is: []error{ErrThrottled}, throttled: true},
	500: {serverError: true},
	502: {serverError: true}, // a gateway got no good answer from the service
	503: {serverError: true}, // see classifyStatus: with Retry-After it is throttling
	504: {serverError: true}, // a gateway timed out waiting for the service
}

var codeMeanings = map[string]meaning{
	// The service reports "not found" with HTTP 400 (or any status).
	CodeNotFound:         {is: []error{ErrNotFound}},
	CodeInstanceNotExist: {is: []error{ErrNotFound}},
	CodeImageNotFound:    {is: []error{ErrNotFound}},
	// "System busy": throttling under another name.
	CodeSystemBusy:     {is: []error{ErrThrottled}, throttled: true},
	CodeRequestTimeout: {serverError: true},
	CodeDuplicateTag:   {is: []error{ErrConflict}},
	CodeInstanceExists: {is: []error{ErrConflict}},

	CodeNotebookNotRunning:     {is: []error{ErrNotebookNotRunning}},
	CodeOperationInProgress:    {is: []error{ErrOperationInProgress}},
	CodeNotebookAlreadyRunning: {is: []error{ErrNotebookAlreadyRunning}},
	CodeNotebookStarting:       {is: []error{ErrNotebookStarting}},
	CodeNotebookQuotaExhausted: {is: []error{ErrQuotaExceeded}},
	CodeInstanceLimitReached:   {is: []error{ErrQuotaExceeded}},
	// Token codes: a fresh token cures them (with a 401 only).
	CodeTokenNotExist: {tokenRejected: true},
	CodeTokenExpired:  {tokenRejected: true},
	CodeTokenInvalid:  {tokenRejected: true},
}

func (m meaning) matches(target error) bool {
	for _, s := range m.is {
		if s == target {
			return true
		}
	}
	return false
}

// Is maps the status and code to the package's sentinel errors.
func (e *APIError) Is(target error) bool {
	return statusMeanings[e.StatusCode].matches(target) || codeMeanings[e.Code].matches(target)
}

// throttled reports an answer asking the caller to slow down, for a
// request the service did not carry out. A throttling code under a 5xx
// status is a failure of the service first: it may have carried the
// request out (serverError), so a create is settled, not sent again.
func (e *APIError) throttled() bool {
	status := statusMeanings[e.StatusCode]
	return status.throttled || codeMeanings[e.Code].throttled && !status.serverError
}

// serverError reports an answer from a service that failed or timed out
// while handling the request, which it may then have carried out. A
// not-found is the service's answer about the resource, whatever its
// status: never a failure of the service.
func (e *APIError) serverError() bool {
	failed := statusMeanings[e.StatusCode].serverError || codeMeanings[e.Code].serverError
	return failed && !e.Is(ErrNotFound)
}

// tokenRejected reports a 401 that fresh credentials cure: a token code
// from ModelArts, or the gateway refusing the credentials (any APIGW code
// but APIGW.0303, which says the clock is off, not the keys), which for
// temporary AK/SK credentials (ECS metadata, pod identity, federation)
// means they were revoked or rotated early.
func (e *APIError) tokenRejected() bool {
	if e.StatusCode != 401 {
		return false
	}
	gatewayRefused := strings.HasPrefix(e.Code, "APIGW.") && e.Code != CodeSignatureExpired
	return codeMeanings[e.Code].tokenRejected || gatewayRefused
}

// transient reports an answer a wait polls through: throttling, or any
// failure of the service (any 5xx), but never a not-found.
func (e *APIError) transient() bool {
	return e.throttled() || e.serverError() || (e.StatusCode >= 500 && !e.Is(ErrNotFound))
}
