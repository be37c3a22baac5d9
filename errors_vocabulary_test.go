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
