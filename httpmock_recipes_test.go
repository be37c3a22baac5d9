package modelarts_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelarts-go/modelarts"
	"github.com/modelarts-go/modelarts/auth"
)

const recipeProject = "a4a5d4098fb4474fa22cd05f897d6b99"

// registerAndWait is what a user's code under test would do.
func registerAndWait(ctx context.Context, c *modelarts.Client) (*modelarts.Image, error) {
	img, err := c.RegisterImage(ctx, &modelarts.RegisterImageRequest{SWRPath: "swr.example.com/team/env:v1"})
	if err != nil {
		return nil, err
	}
	return c.WaitForActive(ctx, img.ID)
}

func registerResponders(t *testing.T, register func(method, url string, r httpmock.Responder)) {
	base := "https://modelarts.example.com/v1/" + recipeProject
	register("POST", base+"/images", httpmock.NewStringResponder(200, `{"id":"img-1","status":"INIT"}`))
	register("GET", base+"/images/img-1", httpmock.NewStringResponder(200, `{"id":"img-1","status":"ACTIVE"}`))
}

// The README's httpmock recipes, with the client's default options: each
// runs in milliseconds (the first poll of a wait is immediate).
func TestHTTPMockRecipes(t *testing.T) {
	t.Run("ActivateNonDefault then WithHTTPClient", func(t *testing.T) {
		hc := &http.Client{}
		httpmock.ActivateNonDefault(hc)
		defer httpmock.DeactivateAndReset()
		registerResponders(t, httpmock.RegisterResponder)
		c, err := modelarts.NewClient("https://modelarts.example.com", recipeProject, auth.NewTokenSigner("t0ken"), modelarts.WithHTTPClient(hc))
		require.NoError(t, err)
		start := time.Now()
		img, err := registerAndWait(context.Background(), c)
		t.Logf("register and wait with httpmock took %s", time.Since(start))
		require.NoError(t, err)
		assert.Equal(t, modelarts.ImageStatusActive, img.Status)
		assert.Equal(t, 2, httpmock.GetTotalCallCount())
	})
	t.Run("Activate before NewClient", func(t *testing.T) {
		httpmock.Activate()
		defer httpmock.DeactivateAndReset()
		registerResponders(t, httpmock.RegisterResponder)
		c, err := modelarts.NewClient("https://modelarts.example.com", recipeProject, auth.NewTokenSigner("t0ken"))
		require.NoError(t, err)
		img, err := registerAndWait(context.Background(), c)
		require.NoError(t, err)
		assert.Equal(t, modelarts.ImageStatusActive, img.Status)
		assert.Equal(t, 2, httpmock.GetTotalCallCount())
	})
	t.Run("Activate after NewClient does not reach the client", func(t *testing.T) {
		// A loopback port nothing listens on stands for "the network".
		c, err := modelarts.NewClient("http://127.0.0.1:1", recipeProject, auth.NewTokenSigner("t0ken"), modelarts.WithRetry(modelarts.RetryPolicy{MaxAttempts: 1}))
		require.NoError(t, err)
		httpmock.Activate()
		defer httpmock.DeactivateAndReset()
		httpmock.RegisterResponder("GET", "http://127.0.0.1:1/v1/"+recipeProject+"/images/img-1", httpmock.NewStringResponder(200, `{"id":"img-1"}`))
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_, err = c.GetImage(ctx, "img-1")
		var re *modelarts.RequestError
		require.ErrorAs(t, err, &re, "the request went to the network, not to the mock")
		assert.Equal(t, 0, httpmock.GetTotalCallCount(), "the mock saw nothing")
	})
}
