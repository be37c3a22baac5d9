package modelartstest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelarts-go/modelarts"
)

// The README's modelartstest flow with srv.Client()'s defaults and no
// extra option: save, wait, assert. It logs how long it took (no timed
// assertion: the default pacing is ClientPollMin..ClientPollMax per poll).
func TestReadmeFlowIsFastByDefault(t *testing.T) {
	start := time.Now()
	srv := NewServer()
	defer srv.Close()
	srv.AddNotebook("nb-1", modelarts.NotebookStatusRunning)
	srv.InjectFaultTimes(RouteGetImage, 2, ErrorAnswer{Status: 503})

	client := srv.Client()
	ctx := context.Background()
	img, err := client.CreateImageFromNotebook(ctx, "nb-1", &modelarts.CreateImageRequest{Name: "env", Namespace: "team", Tag: "v1"})
	require.NoError(t, err)
	img, err = client.WaitForActive(ctx, img.ID)
	require.NoError(t, err)
	require.Equal(t, modelarts.ImageStatusActive, img.Status)
	require.Len(t, srv.Images(), 3)
	nb, err := client.GetNotebook(ctx, "nb-1")
	require.NoError(t, err)
	require.Equal(t, modelarts.NotebookStatusRunning, nb.Status)
	t.Logf("save, wait (two 503s retried), assert: %s with default options", time.Since(start))
}

func TestRegisterAndWaitIsFastByDefault(t *testing.T) {
	start := time.Now()
	srv := NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()
	img, err := client.RegisterImage(ctx, &modelarts.RegisterImageRequest{SWRPath: "swr.fake.local/team/env:v1"})
	require.NoError(t, err)
	img, err = client.WaitForActive(ctx, img.ID)
	require.NoError(t, err)
	require.Equal(t, modelarts.ImageStatusActive, img.Status)
	t.Logf("register, wait, assert: %s with default options", time.Since(start))
}

// A lost answer to a create is reconciled within ClientReconcileWindow:
// the create happens once.
func TestLostCreateAnswerIsReconciledQuicklyByDefault(t *testing.T) {
	start := time.Now()
	srv := NewServer()
	defer srv.Close()
	srv.AddNotebook("nb-1", modelarts.NotebookStatusRunning)
	srv.InjectFault(RouteCreateImage, AfterHandling{Then: Drop{}})
	img, err := srv.Client().CreateImageFromNotebook(context.Background(), "nb-1",
		&modelarts.CreateImageRequest{Name: "env", Namespace: "team", Tag: "v1"})
	require.NoError(t, err)
	require.Equal(t, "env", img.Name)
	require.Len(t, srv.Images(), 3, "exactly one image made")
	require.Equal(t, 1, srv.RequestCount(RouteCreateImage))
	t.Logf("lost answer reconciled in %s", time.Since(start))
}

// Options given to Client come after its fast defaults and win.
func TestClientOptionsOverrideTheDefaults(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	srv.InjectFault(RouteGetImage, ErrorAnswer{Status: 503})
	_, err := srv.Client(modelarts.WithRetry(modelarts.RetryPolicy{MaxAttempts: 1})).GetImage(context.Background(), builtinPyTorchID)
	var apiErr *modelarts.APIError
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, 503, apiErr.StatusCode)
	require.Equal(t, 1, srv.RequestCount(RouteGetImage))
	_, err = srv.Client().GetImage(context.Background(), builtinPyTorchID)
	require.NoError(t, err)
}

func TestClientWaitOnAnImageThatDoesNotExistEndsAfterAFewPollsAsNotFound(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	_, err := srv.Client().WaitForActive(context.Background(), "00000000-0000-4000-8000-000000000000")
	require.ErrorIs(t, err, modelarts.ErrNotFound)
	var we *modelarts.WaitError
	require.ErrorAs(t, err, &we)
	assert.Zero(t, we.TransientErrors, "a not-found is not a transient failure")
	assert.LessOrEqual(t, srv.RequestCount(RouteGetImage), 20, "a few polls within the fake's grace")
}
