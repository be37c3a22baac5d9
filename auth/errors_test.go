package auth

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

const testTokensURL = "https://iam.example.com/v3/auth/tokens"

func TestIAMErrorMessageForEachStatusSaysWhatToDo(t *testing.T) {
	const head = `auth: IAM token request to ` + testTokensURL + ` for user "alice" `
	for _, tc := range []struct {
		e    IAMError
		want string
	}{
		{IAMError{Err: errors.New("connection refused")},
			head + "got no answer: connection refused; check the IAM endpoint and the network; this is temporary and may be retried"},
		{IAMError{},
			head + "got no answer; check the IAM endpoint and the network; this is temporary and may be retried"},
		{IAMError{StatusCode: 401, Code: "401", Message: "wrong password"},
			head + "failed with HTTP 401 Unauthorized: wrong password; check the domain name, user name and password"},
		{IAMError{StatusCode: 403, Code: "IAM.0102", Message: "The user is locked.", RequestID: "req-7"},
			head + "failed with HTTP 403 Forbidden (IAM.0102): The user is locked. [request id req-7]; the user may be locked, or lack permission for the project"},
		{IAMError{StatusCode: 300},
			head + "failed with HTTP 300 Multiple Choices; IAM redirects are never followed with a password: set IAMEndpoint to the final IAM URL"},
		{IAMError{StatusCode: 399},
			head + "failed with HTTP 399; IAM redirects are never followed with a password: set IAMEndpoint to the final IAM URL"},
		{IAMError{StatusCode: 400, Code: "IAM.0001", Message: "bad body"},
			head + "failed with HTTP 400 Bad Request (IAM.0001): bad body; check the credentials and the project (ProjectID or ProjectName)"},
		{IAMError{StatusCode: 404},
			head + "failed with HTTP 404 Not Found; check IAMEndpoint: it should be the IAM base URL, e.g. https://iam.cn-north-4.myhuaweicloud.com"},
		{IAMError{StatusCode: 408},
			head + "failed with HTTP 408 Request Timeout; IAM is unavailable or busy; this is temporary and may be retried"},
		{IAMError{StatusCode: 429},
			head + "failed with HTTP 429 Too Many Requests; IAM is unavailable or busy; this is temporary and may be retried"},
		{IAMError{StatusCode: 499},
			head + "failed with HTTP 499; check the credentials and the project (ProjectID or ProjectName)"},
		{IAMError{StatusCode: 500},
			head + "failed with HTTP 500 Internal Server Error; IAM is unavailable or busy; this is temporary and may be retried"},
	} {
		tc.e.Endpoint, tc.e.Username = testTokensURL, "alice"
		assert.Equal(t, tc.want, tc.e.Error())
	}
}

func TestIAMErrorTemporaryFromItsFirstStatus(t *testing.T) {
	for status, want := range map[int]bool{0: true, 399: false, 407: false, 408: true, 409: false, 428: false, 429: true, 430: false, 499: false, 500: true, 599: true} {
		assert.Equal(t, want, (&IAMError{StatusCode: status}).Temporary(), "HTTP %d", status)
	}
}

func TestIAMErrorIsUnauthorizedOnlyFor401AndForbiddenOnlyFor403(t *testing.T) {
	for status, want := range map[int][2]bool{401: {true, false}, 403: {false, true}, 400: {false, false}, 0: {false, false}} {
		err := fmt.Errorf("wrapped: %w", &IAMError{StatusCode: status})
		assert.Equal(t, want[0], errors.Is(err, ErrUnauthorized), "HTTP %d is unauthorized", status)
		assert.Equal(t, want[1], errors.Is(err, ErrForbidden), "HTTP %d is forbidden", status)
	}
	assert.False(t, (&IAMError{StatusCode: 401}).Is(errors.New("unauthorized")), "only the sentinel itself matches")
}

func TestIAMErrorUnwrapsToItsNetworkFailure(t *testing.T) {
	netErr := errors.New("connection reset")
	assert.ErrorIs(t, &IAMError{Err: netErr}, netErr)
	assert.Nil(t, (&IAMError{StatusCode: 500}).Unwrap())
}
