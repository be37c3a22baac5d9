package auth

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// How the signer reads IAM's answers: the status range it takes as a
// success, the expiry, IAM's error bodies and redirects, and failures of
// the transport.

// answering makes the fake IAM answer every request with status, the
// headers and body.
func answering(f *fakeIAM, status int, header map[string]string, body string) {
	f.answer = func(w http.ResponseWriter, _ int32) bool {
		for k, v := range header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(status)
		io.WriteString(w, body)
		return true
	}
}

func TestIAMAnswerWithAny2xxStatusIssuesTheToken(t *testing.T) {
	for _, status := range []int{200, 201, 299} {
		f := newFakeIAM(t)
		answering(f, status, map[string]string{HeaderSubjectToken: "MIItoken-from-a-2xx"}, `{}`)
		tok, err := newIAM(t, f).Token(context.Background())
		require.NoError(t, err, "HTTP %d", status)
		assert.Equal(t, "MIItoken-from-a-2xx", tok, "HTTP %d", status)
	}
}

func TestIAMTokenExpiresWhenIAMSays(t *testing.T) {
	clock := newFakeClock()
	for body, want := range map[string]time.Time{
		`{"token":{"expires_at":"2026-11-22T10:30:00.123456Z"}}`: time.Date(2026, 11, 22, 10, 30, 0, 123456000, time.UTC),
		`{"token":{"expires_at":"2026-11-22T10:30:00Z"}}`:        time.Date(2026, 11, 22, 10, 30, 0, 0, time.UTC),
		`{"token":{"expires_at":""}}`:                            clock.now().Add(time.Hour),
		`{"token":{"expires_at":"tomorrow"}}`:                    clock.now().Add(time.Hour),
		`not json, "expires_at":"2026-11-22T10:30:00Z"`:          clock.now().Add(time.Hour),
	} {
		f := newFakeIAM(t)
		answering(f, 201, map[string]string{HeaderSubjectToken: "MIItoken"}, body)
		s := newIAM(t, f)
		s.now = clock.now
		_, err := s.Token(context.Background())
		require.NoError(t, err, body)
		assert.True(t, want.Equal(s.st.expires), "%s: expires %v, want %v", body, s.st.expires, want)
	}
}

func TestIAMErrorTakesTheTitleOrErrorMessageWhenTheMessageIsEmpty(t *testing.T) {
	for body, want := range map[string][2]string{
		`{"error":{"code":"IAM.0100","message":"","title":"Only a title"}}`:               {"IAM.0100", "Only a title"},
		`{"error":{"code":"IAM.0100","message":"The message","title":"A title"}}`:         {"IAM.0100", "The message"},
		`{"error_code":"IAM.0001","error_msg":"","error_message":"The other field"}`:      {"IAM.0001", "The other field"},
		`{"error_code":"IAM.0001","error_msg":"The msg","error_message":"Another field"}`: {"IAM.0001", "The msg"},
		`{"error_code":"","error_msg":"no code"}`:                                         {"", `{"error_code":"","error_msg":"no code"}`},
	} {
		f := newFakeIAM(t)
		answering(f, 400, nil, body)
		_, err := newIAM(t, f).Token(context.Background())
		var ie *IAMError
		require.ErrorAs(t, err, &ie, body)
		assert.Equal(t, want[0], ie.Code, body)
		assert.Equal(t, want[1], ie.Message, body)
	}
}

func TestIAMRedirectNamesOnlyTheHostItPointsTo(t *testing.T) {
	for _, tc := range []struct {
		status   int
		location string
		want     string
	}{
		{300, "https://elsewhere.example.com/v3/auth/tokens?x=1", "IAM redirected the request to https://elsewhere.example.com"},
		{302, "http://other.example.com:8443/path", "IAM redirected the request to http://other.example.com:8443"},
		{399, "https://elsewhere.example.com/", "IAM redirected the request to https://elsewhere.example.com"},
		{307, "/v3/somewhere-else", "IAM redirected the request"},
		{400, "https://elsewhere.example.com/", "not a redirect"},
	} {
		f := newFakeIAM(t)
		answering(f, tc.status, map[string]string{"Location": tc.location}, "not a redirect")
		_, err := newIAM(t, f).Token(context.Background())
		var ie *IAMError
		require.ErrorAs(t, err, &ie)
		assert.Equal(t, tc.want, ie.Message, "HTTP %d to %s", tc.status, tc.location)
	}
}

// roundTripFunc makes an http.RoundTripper of a function.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func iamOverTransport(t *testing.T, rt roundTripFunc) *IAMTokenSigner {
	t.Helper()
	s, err := NewIAMTokenSigner(PasswordCredentials{IAMEndpoint: "https://iam.example.com", DomainName: "d",
		Username: "alice", Password: NewSecret(testPassword), ProjectID: "p"}, WithIAMHTTPClient(&http.Client{Transport: rt}))
	require.NoError(t, err)
	return s
}

func TestIAMTransportFailureIsKeptAsItIsWhenShortAndFreeOfSecrets(t *testing.T) {
	exactly300 := errors.New("dial: " + strings.Repeat("x", maxIAMText-len("dial: ")))
	require.Len(t, exactly300.Error(), maxIAMText)
	for _, cause := range []error{errors.New("connection  refused\n(twice)"), exactly300} {
		s := iamOverTransport(t, func(*http.Request) (*http.Response, error) { return nil, cause })
		_, err := s.Token(context.Background())
		var ie *IAMError
		require.ErrorAs(t, err, &ie)
		assert.Zero(t, ie.StatusCode)
		assert.Same(t, cause, ie.Err, "the transport's own error, without the URL wrapper")
		assert.True(t, ie.Temporary())
	}
}

func TestIAMTransportFailureIsShortenedOrRedactedOtherwise(t *testing.T) {
	long := errors.New("dial: " + strings.Repeat("x", maxIAMText))
	quoting := errors.New(`malformed answer to {"password":"` + testPassword + `"}`)
	for cause, want := range map[error]string{
		long:    "dial: " + strings.Repeat("x", maxIAMText-len("dial: ")) + "…",
		quoting: `malformed answer to {"password":"` + Redacted + `"}`,
	} {
		s := iamOverTransport(t, func(*http.Request) (*http.Response, error) { return nil, cause })
		_, err := s.Token(context.Background())
		var ie *IAMError
		require.ErrorAs(t, err, &ie)
		assert.Equal(t, want, ie.Err.Error())
		assert.NotContains(t, err.Error(), testPassword)
	}
}

func TestIAMAnswerCutShortIsATransportFailure(t *testing.T) {
	s := iamOverTransport(t, func(r *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 201, Header: http.Header{HeaderSubjectToken: {"MIItoken"}},
			Body: io.NopCloser(&failingReader{data: []byte(`{"token":`), err: io.ErrUnexpectedEOF}), Request: r}, nil
	})
	_, err := s.Token(context.Background())
	var ie *IAMError
	require.ErrorAs(t, err, &ie, "a token whose answer was cut short is not taken")
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.True(t, IsTemporary(err))
}

func TestIAMRefreshMarginOfZeroIsAccepted(t *testing.T) {
	f := newFakeIAM(t)
	clock := newFakeClock()
	f.now = clock.now
	s := newIAM(t, f, WithRefreshMargin(0))
	s.now = clock.now
	require.Equal(t, "token-1", signedToken(t, s))
	clock.advance(24*time.Hour - time.Minute - time.Nanosecond)
	assert.Equal(t, "token-1", signedToken(t, s), "no margin: the token serves until its last minute")
	assert.Equal(t, int32(1), f.calls.Load())
}

func TestPasswordCredentialsPrintAnEndpointWithoutUserInfoAsGiven(t *testing.T) {
	for _, ep := range []string{"https://iam.example.com/a b", "not a URL %zz", ""} {
		c := PasswordCredentials{IAMEndpoint: ep}
		assert.Contains(t, c.String(), "{IAMEndpoint:"+ep+", ", "only an endpoint with user info is rewritten")
	}
	c := PasswordCredentials{IAMEndpoint: "https://bob:hunter2@iam.example.com/a b"}
	assert.Contains(t, c.String(), "{IAMEndpoint:https://iam.example.com/a%20b, ")
	c.IAMEndpoint = "https://bob:hunter2@iam.example.com/%zz"
	assert.Contains(t, c.String(), "{IAMEndpoint:(an endpoint that is not a URL), ")
}
