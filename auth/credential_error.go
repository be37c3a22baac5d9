package auth

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
)

// Credential sources, as CredentialError.Source and the chain's errors name
// them.
const (
	SourceMetadata    = "ECS metadata"
	SourcePodIdentity = "CCE pod identity"
	SourceFederation  = "OIDC federation"
)

// CredentialError is a failed fetch of temporary credentials: the source
// (ECS metadata, CCE pod identity, OIDC federation) refused, answered with
// an error, a redirect or something unreadable, or could not be reached
// (StatusCode 0, Err set). Every string in it that came from a server is
// bounded and has the signer's secrets redacted, so no key, token or
// id-token reaches Error(), fmt or a log.
type CredentialError struct {
	Source     string // SourceMetadata, SourcePodIdentity or SourceFederation
	Step       string // what was asked, e.g. "the metadata session token"
	URL        string // the URL asked (never with user info or a query)
	StatusCode int    // HTTP status of the answer; 0 when none came back
	Message    string // the server's message or what was wrong with the answer, shortened and redacted
	Advice     string // what to do about it
	Err        error  // the network failure when StatusCode is 0, or the local failure (a token file)
}

// Error says which source failed, asking what where, how, and what to do.
func (e *CredentialError) Error() string {
	var b strings.Builder
	b.WriteString("auth: ")
	b.WriteString(e.Source)
	b.WriteString(": ")
	b.WriteString(e.Step)
	if e.URL != "" {
		b.WriteString(" from ")
		b.WriteString(e.URL)
	}
	switch {
	case e.StatusCode != 0:
		b.WriteString(" failed with HTTP ")
		b.WriteString(strconv.Itoa(e.StatusCode))
		if text := http.StatusText(e.StatusCode); text != "" {
			b.WriteString(" " + text)
		}
	case e.Err != nil:
		b.WriteString(" failed")
	default:
		b.WriteString(" is unusable")
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.StatusCode == 0 && e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	if adv := e.advice(); adv != "" {
		b.WriteString("; ")
		b.WriteString(adv)
	}
	return b.String()
}

func (e *CredentialError) advice() string {
	if e.Advice != "" {
		return e.Advice
	}
	if e.Temporary() {
		return "the source is unavailable or busy; this is temporary and is retried"
	}
	return ""
}

// Temporary reports a failure worth retrying: no answer (refused, reset,
// timed out), throttling (429), a timeout (408) or the source's own failure
// (5xx); never a refusal, a malformed answer or a missing token file.
func (e *CredentialError) Temporary() bool {
	if e.StatusCode == 0 {
		var local *localError
		return e.Err != nil && !errors.As(e.Err, &local)
	}
	return e.StatusCode == http.StatusTooManyRequests || e.StatusCode == http.StatusRequestTimeout || e.StatusCode >= 500
}

// Is makes errors.Is(err, ErrUnauthorized) hold for 401 and
// errors.Is(err, ErrForbidden) for 403.
func (e *CredentialError) Is(target error) bool {
	switch target {
	case ErrUnauthorized:
		return e.StatusCode == 401
	case ErrForbidden:
		return e.StatusCode == 403
	}
	return false
}

// Unwrap returns the network or local failure, if any.
func (e *CredentialError) Unwrap() error { return e.Err }

// localError is a failure on this machine (a token file that cannot be
// read): retrying the request does not cure it.
type localError struct{ err error }

func (e *localError) Error() string { return e.err.Error() }
func (e *localError) Unwrap() error { return e.err }
