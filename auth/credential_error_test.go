package auth

import (
	"errors"
	"fmt"
	"testing"

	"github.com/modelarts-go/modelarts/internal/errs"

	"github.com/stretchr/testify/assert"
)

func TestCredentialErrorNamesTheStatusAndItsTextWhenTheStatusHasOne(t *testing.T) {
	for status, want := range map[int]string{
		503: "auth: ECS metadata: the temporary keys from http://169.254.169.254/x failed with HTTP 503 Service Unavailable: busy; ",
		404: "auth: ECS metadata: the temporary keys from http://169.254.169.254/x failed with HTTP 404 Not Found: busy",
		599: "auth: ECS metadata: the temporary keys from http://169.254.169.254/x failed with HTTP 599: busy; ",
		299: "auth: ECS metadata: the temporary keys from http://169.254.169.254/x failed with HTTP 299: busy",
	} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			err := &CredentialError{Source: SourceMetadata, Step: "the temporary keys", URL: "http://169.254.169.254/x", StatusCode: status, Message: "busy"}
			assert.Contains(t, err.Error(), want)
		})
	}
}

func TestCredentialErrorIsTemporaryFrom500AndFor408And429Only(t *testing.T) {
	for status, want := range map[int]bool{
		400: false, 401: false, 403: false, 404: false, 407: false, 408: true, 409: false, 428: false, 429: true, 430: false,
		499: false, 500: true, 501: true, 503: true, 599: true,
	} {
		err := &CredentialError{Source: SourcePodIdentity, Step: "the pod credentials", StatusCode: status}
		assert.Equal(t, want, err.Temporary(), "%d", status)
		assert.Equal(t, want, IsTemporary(err), "%d", status)
		if want {
			assert.Contains(t, err.Error(), "this is temporary and is retried", "%d", status)
		} else {
			assert.NotContains(t, err.Error(), "temporary", "%d", status)
		}
	}
}

func TestCredentialErrorIsUnauthorizedOnlyFor401AndForbiddenOnlyFor403(t *testing.T) {
	for _, status := range []int{0, 400, 401, 402, 403, 404, 500} {
		err := fmt.Errorf("wrapped: %w", &CredentialError{Source: SourcePodIdentity, Step: "the pod credentials", StatusCode: status})
		assert.Equal(t, status == 401, errors.Is(err, ErrUnauthorized), "%d", status)
		assert.Equal(t, status == 403, errors.Is(err, ErrForbidden), "%d", status)
		assert.False(t, errors.Is(err, errs.ErrInvalidRequest), "%d", status)
	}
}

func TestCredentialErrorSaysFailedForANetworkFailureAndUnusableForAnythingElse(t *testing.T) {
	err := metadataFailingWith(t, &transportFailure{msg: "connection refused"}).Sign(newRequest(t))
	assert.EqualError(t, err, "auth: ECS metadata: the metadata session token from http://127.0.0.1:1/meta-data/latest/api/token failed: connection refused; the source is unavailable or busy; this is temporary and is retried")

	f := newFakeSource(t)
	f.lifetime = 0
	err = newMetadata(t, f).Sign(newRequest(t))
	assert.EqualError(t, err, "auth: ECS metadata: the issued credentials is unusable: they expired at 2026-11-22T08:00:00Z, before they were fetched (is this machine's clock right?); the source answered with credentials that cannot be used; report it to the platform's support")
}
