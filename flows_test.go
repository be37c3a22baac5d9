package modelarts_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelarts-go/modelarts"
	"github.com/modelarts-go/modelarts/auth"
	"github.com/modelarts-go/modelarts/modelartstest"
)

const notebookID = "6f1d2c3b-0a9e-4f8d-b7c6-5e4d3c2b1a00"

var fastPolls = modelarts.WithPollInterval(time.Millisecond, 5*time.Millisecond)

func fastRetries() modelarts.Option {
	return modelarts.WithRetry(modelarts.RetryPolicy{MinWait: time.Millisecond, MaxWait: 5 * time.Millisecond})
}

func TestEndToEndLifecycle(t *testing.T) {
	srv := modelartstest.NewServer()
	defer srv.Close()
	srv.AddNotebook(notebookID, "RUNNING")
	c := srv.Client()
	ctx := context.Background()

	reg, err := c.RegisterImage(ctx, &modelarts.RegisterImageRequest{SWRPath: "swr.fake.local/team/custom:1.0", Arch: modelarts.ArchAARCH64})
	require.NoError(t, err)
	assert.Equal(t, modelarts.ImageStatusActive, reg.Status)
	assert.Equal(t, modelarts.ArchAARCH64, reg.Arch)
	assert.Equal(t, "custom", reg.Name)

	_, err = c.RegisterImage(ctx, &modelarts.RegisterImageRequest{SWRPath: "swr.fake.local/team/custom:1.0"})
	assert.ErrorIs(t, err, modelarts.ErrConflict)

	saved, err := c.CreateImageFromNotebook(ctx, notebookID, &modelarts.CreateImageRequest{Name: "env", Namespace: "team", Tag: "v1"})
	require.NoError(t, err)
	assert.Equal(t, modelarts.ImageStatusInit, saved.Status)
	nb, err := c.GetNotebook(ctx, notebookID)
	require.NoError(t, err)
	assert.Equal(t, modelarts.NotebookStatusSnapshotting, nb.Status)

	_, err = c.CreateImageFromNotebook(ctx, notebookID, &modelarts.CreateImageRequest{Name: "env2", Namespace: "team"})
	assert.ErrorIs(t, err, modelarts.ErrOperationInProgress)

	var statuses []modelarts.ImageStatus
	img, err := c.WaitForActive(ctx, saved.ID, fastPolls, modelarts.WithProgress(func(i *modelarts.Image) { statuses = append(statuses, i.Status) }))
	require.NoError(t, err)
	assert.Equal(t, modelarts.ImageStatusActive, img.Status)
	// The notebook read above was a poll of the save too (INIT → CREATING).
	assert.Equal(t, []modelarts.ImageStatus{"ACTIVE"}, statuses)
	nb, err = c.GetNotebook(ctx, notebookID)
	require.NoError(t, err)
	assert.Equal(t, modelarts.NotebookStatusRunning, nb.Status)

	var own []string
	for img, err := range c.ListImages(ctx, &modelarts.ListImagesOptions{Type: modelarts.ImageTypeDedicated, Limit: 1}) {
		require.NoError(t, err)
		own = append(own, img.Name)
	}
	assert.ElementsMatch(t, []string{"custom", "env"}, own)
	page, err := c.ListImagesPage(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, 2, page.Total, "the server lists BUILD_IN by default")

	require.NoError(t, c.DeleteImage(ctx, reg.ID))
	_, err = c.GetImage(ctx, reg.ID)
	assert.ErrorIs(t, err, modelarts.ErrNotFound)
}

func TestEndToEndFailedBuild(t *testing.T) {
	srv := modelartstest.NewServer()
	defer srv.Close()
	srv.AddNotebook(notebookID, "RUNNING")
	srv.FailNextImage("disk quota exceeded while pushing layer 4")
	c := srv.Client()
	saved, err := c.CreateImageFromNotebook(context.Background(), notebookID, &modelarts.CreateImageRequest{Name: "env", Namespace: "team"})
	require.NoError(t, err)
	img, err := c.WaitForActive(context.Background(), saved.ID, fastPolls)
	assert.ErrorIs(t, err, modelarts.ErrImageFailed)
	assert.Contains(t, err.Error(), "disk quota exceeded")
	assert.Equal(t, modelarts.ImageStatusCreateFailed, img.Status)
}

func TestEndToEndNotebookNotRunning(t *testing.T) {
	srv := modelartstest.NewServer()
	defer srv.Close()
	srv.AddNotebook(notebookID, "STOPPED")
	_, err := srv.Client().CreateImageFromNotebook(context.Background(), notebookID, &modelarts.CreateImageRequest{Name: "env", Namespace: "team"})
	assert.ErrorIs(t, err, modelarts.ErrNotebookNotRunning)
	_, err = srv.Client().CreateImageFromNotebook(context.Background(), "unknown", &modelarts.CreateImageRequest{Name: "env", Namespace: "team"})
	assert.ErrorIs(t, err, modelarts.ErrNotFound)
}

func TestEndToEndIAMTokenRefreshAfter401(t *testing.T) {
	srv := modelartstest.NewServer()
	defer srv.Close()
	signer, err := auth.NewIAMTokenSigner(srv.IAMCredentials(), auth.WithIAMHTTPClient(srv.HTTPClient()))
	require.NoError(t, err)
	c, err := modelarts.NewClient(srv.URL(), srv.ProjectID(), signer, modelarts.WithHTTPClient(srv.HTTPClient()))
	require.NoError(t, err)
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		_, err = c.ListImagesPage(ctx, nil)
		require.NoError(t, err)
	}
	assert.Equal(t, 1, srv.RequestCount(modelartstest.RouteIAMToken), "one token, cached")

	srv.ExpireTokens()
	_, err = c.ListImagesPage(ctx, nil)
	require.NoError(t, err, "401 ModelArts.0202 → fresh token → retried once")
	assert.Equal(t, 2, srv.RequestCount(modelartstest.RouteIAMToken))
	assert.Equal(t, 5, srv.RequestCount(modelartstest.RouteListImages))

	creds := srv.IAMCredentials()
	creds.Password = auth.NewSecret("wrong-password-value")
	bad, err := auth.NewIAMTokenSigner(creds, auth.WithIAMHTTPClient(srv.HTTPClient()))
	require.NoError(t, err)
	c2, err := modelarts.NewClient(srv.URL(), srv.ProjectID(), bad, modelarts.WithHTTPClient(srv.HTTPClient()))
	require.NoError(t, err)
	_, err = c2.GetImage(ctx, "x")
	assert.ErrorIs(t, err, modelarts.ErrUnauthorized)
	var ie *auth.IAMError
	assert.True(t, errors.As(err, &ie))
	assert.NotContains(t, err.Error(), "wrong-password-value")
}

func TestEndToEndAKSK(t *testing.T) {
	srv := modelartstest.NewServer(modelartstest.WithAKSK("AKFAKE", "SKFAKE"))
	defer srv.Close()
	srv.AddNotebook(notebookID, "RUNNING")
	signer, err := auth.NewAKSKSigner("AKFAKE", "SKFAKE")
	require.NoError(t, err)
	c, err := modelarts.NewClient(srv.URL(), srv.ProjectID(), signer, modelarts.WithHTTPClient(srv.HTTPClient()))
	require.NoError(t, err)
	ctx := context.Background()
	_, err = c.CreateImageFromNotebook(ctx, notebookID, &modelarts.CreateImageRequest{Name: "env", Namespace: "team", Description: "ünïcode body"})
	require.NoError(t, err, "a signed POST with a body")
	for img, err := range c.ListImages(ctx, &modelarts.ListImagesOptions{Type: modelarts.ImageTypeDedicated, ShowName: "en v&x=/"}) {
		require.NoError(t, err, "a signed GET with a tricky query")
		_ = img
	}

	wrong, _ := auth.NewAKSKSigner("AKFAKE", "WRONG")
	c2, _ := modelarts.NewClient(srv.URL(), srv.ProjectID(), wrong, modelarts.WithHTTPClient(srv.HTTPClient()))
	_, err = c2.GetImage(ctx, "x")
	assert.ErrorIs(t, err, modelarts.ErrUnauthorized)
}

func TestEndToEndLostAnswerCreatesExactlyOnce(t *testing.T) {
	srv := modelartstest.NewServer()
	defer srv.Close()
	srv.AddNotebook(notebookID, "RUNNING")
	srv.InjectFault(modelartstest.RouteCreateImage, modelartstest.AfterHandling{Then: modelartstest.Drop{}})
	c := srv.Client(fastRetries())
	img, err := c.CreateImageFromNotebook(context.Background(), notebookID, &modelarts.CreateImageRequest{Name: "env", Namespace: "team", Tag: "v1"})
	require.NoError(t, err, "the create happened; its answer was lost; the lookup finds it")
	assert.Equal(t, "env", img.Name)
	assert.Equal(t, 1, srv.RequestCount(modelartstest.RouteCreateImage), "never sent twice")
	assert.Equal(t, 1, countOwn(srv, "env"), "exactly one image")

	srv.InjectFault(modelartstest.RouteRegisterImage, modelartstest.AfterHandling{Then: modelartstest.Drop{}})
	reg, err := c.RegisterImage(context.Background(), &modelarts.RegisterImageRequest{SWRPath: "swr.fake.local/team/custom:1.0"})
	require.NoError(t, err)
	assert.Equal(t, "swr.fake.local/team/custom:1.0", reg.SWRPath)
	assert.Equal(t, 1, srv.RequestCount(modelartstest.RouteRegisterImage))
	assert.Equal(t, 1, countOwn(srv, "custom"))
}

func TestEndToEndDroppedBeforeHandlingIsRetriedAfterChecking(t *testing.T) {
	srv := modelartstest.NewServer()
	defer srv.Close()
	srv.AddNotebook(notebookID, "RUNNING")
	srv.InjectFault(modelartstest.RouteCreateImage, modelartstest.Drop{})
	c := srv.Client(fastRetries(), modelarts.WithReconcileWindow(30*time.Millisecond))
	img, err := c.CreateImageFromNotebook(context.Background(), notebookID, &modelarts.CreateImageRequest{Name: "env", Namespace: "team", Tag: "v1"})
	require.NoError(t, err)
	assert.Equal(t, "v1", img.Tag)
	assert.Equal(t, 2, srv.RequestCount(modelartstest.RouteCreateImage), "checked, found nothing, sent again")
	// A 30 ms window: a lookup, 30 ms for the listing to catch up, a last lookup.
	assert.Equal(t, 2, srv.RequestCount(modelartstest.RouteListImages), "the listing is given the window to catch up")
	assert.Equal(t, 1, countOwn(srv, "env"))
}

func countOwn(srv *modelartstest.Server, name string) int {
	n := 0
	for _, img := range srv.Images() {
		if img.Name == name && img.Type == modelarts.ImageTypeDedicated {
			n++
		}
	}
	return n
}
