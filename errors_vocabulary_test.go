package modelarts

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelarts-go/modelarts/auth"
)

// A call ended by its context is a *RequestError whatever it was doing,
// wrapping the context's error and the failure it was retrying.
func TestACallEndedByItsContextIsARequestErrorWhateverItWasDoing(t *testing.T) {
	busy := func(r *http.Request) (*http.Response, error) {
		return jsonResponder(503, `{"error_code":"ModelArts.0001","error_msg":"busy"}`)(r)
	}
	cases := map[string]func(t *testing.T) (context.Context, *Client){
		"before the first attempt": func(t *testing.T) (context.Context, *Client) {
			c, mt, _ := newMockClient(t)
			mt.RegisterResponder("GET", imageURL, busy)
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx, c
		},
		"waiting to retry": func(t *testing.T) (context.Context, *Client) {
			c, mt, _ := newMockClient(t)
			clk := newFakeClock()
			clk.install(c)
			mt.RegisterResponder("GET", imageURL, busy)
			return clk.withDeadline(clk.now().Add(time.Millisecond)), c
		},
		"in flight": func(t *testing.T) (context.Context, *Client) {
			c, mt, _ := newMockClient(t)
			ctx, cancel := context.WithCancel(context.Background())
			mt.RegisterResponder("GET", imageURL, func(r *http.Request) (*http.Response, error) {
				cancel()
				return nil, r.Context().Err()
			})
			return ctx, c
		},
		"waiting for the rate limit": func(t *testing.T) (context.Context, *Client) {
			c, mt, _ := newMockClient(t, WithRateLimit(0.001, 1))
			mt.RegisterResponder("GET", imageURL, busy)
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			t.Cleanup(cancel)
			return ctx, c
		},
	}
	for name, setup := range cases {
		t.Run(name, func(t *testing.T) {
			ctx, c := setup(t)
			_, err := c.GetImage(ctx, "img-1")
			var re *RequestError
			require.ErrorAs(t, err, &re, "%T: %v", err, err)
			assert.True(t, errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded), "%v", err)
			assert.Equal(t, 1, strings.Count(err.Error(), "modelarts:"), err.Error())
			if name == "waiting to retry" {
				var ae *APIError
				require.ErrorAs(t, err, &ae, "the 503 it was retrying")
				assert.Equal(t, ae, re.Last)
			}
		})
	}
}

func TestSignerConstructionErrorsMatchErrInvalidRequest(t *testing.T) {
	_, akErr := auth.NewAKSKSigner("", "")
	_, shortErr := auth.NewAKSKSigner("HPUAXR7YWRSNL8JQ1XKE", "ab")
	_, nilOptErr := auth.NewAKSKSigner("HPUAXR7YWRSNL8JQ1XKE", "e6Pn2QvTfLmbYc8JrKd0ZsWx9HgUaN4o1yVt7EiF", nil)
	_, iamErr := auth.NewIAMTokenSigner(auth.PasswordCredentials{})
	_, iamEndpointErr := auth.NewIAMTokenSigner(auth.PasswordCredentials{IAMEndpoint: "ftp://iam.example.com", DomainName: "d", Username: "u", Password: auth.NewSecret("p4ssword"), ProjectID: "p"})
	for name, err := range map[string]error{
		"empty AK/SK":          akErr,
		"short SK":             shortErr,
		"nil option":           nilOptErr,
		"missing credentials":  iamErr,
		"IAM endpoint scheme":  iamEndpointErr,
		"empty token":          auth.NewTokenSigner("").Validate(),
		"token with a newline": auth.NewTokenSigner("MIIT-token-value\n").Validate(),
	} {
		require.Error(t, err, name)
		assert.ErrorIs(t, err, ErrInvalidRequest, "%s: %v", name, err)
	}
}

func TestCreateOutcomeErrorGivesThePrefixAndTheCallOnce(t *testing.T) {
	cause := &APIError{Method: "POST", Path: "/v1/p/images", StatusCode: 502, Message: "bad gateway"}
	err := &CreateOutcomeError{Method: "POST", Path: "/v1/p/images", Reason: "the lookup found nothing", Err: cause}
	msg := err.Error()
	assert.Equal(t, 1, strings.Count(msg, "modelarts:"), msg)
	assert.Equal(t, 1, strings.Count(msg, "POST /v1/p/images"), msg)
	assert.Contains(t, msg, "(after: 502: bad gateway)")
	assert.ErrorIs(t, err, ErrCreateOutcomeUnknown)
	var ae *APIError
	assert.ErrorAs(t, err, &ae)
}
