package modelarts_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelarts-go/modelarts"
	"github.com/modelarts-go/modelarts/modelartstest"
)

// Every call of the coverage issue against modelartstest, end to end: the
// client and the fake agree on paths, queries, bodies and state changes.

func TestEndToEndImageCalls(t *testing.T) {
	srv := modelartstest.NewServer()
	defer srv.Close()
	c := srv.Client()
	ctx := context.Background()

	img, err := c.RegisterImage(ctx, &modelarts.RegisterImageRequest{SWRPath: "swr.fake.local/team/env:v1",
		Tags: []string{"owner=ml"}, ReadMe: "# env", FlavorType: "ASCEND_SNT9B"})
	require.NoError(t, err)
	synced, err := c.SyncImage(ctx, img.ID)
	require.NoError(t, err)
	assert.Equal(t, img.ID, synced.ID)
	assert.Equal(t, modelarts.FlavorType("ASCEND_SNT9B"), synced.FlavorType, "request fields are kept")

	var names []string
	for img, err := range c.ListImages(ctx, &modelarts.ListImagesOptions{Type: modelarts.ImageTypeDedicated, Name: "en", NameFuzzyMatch: true}) {
		require.NoError(t, err)
		names = append(names, img.Name)
	}
	assert.Equal(t, []string{"env"}, names, "fuzzy when asked")
	for _, err := range c.ListImages(ctx, &modelarts.ListImagesOptions{Type: modelarts.ImageTypeDedicated, Name: "en"}) {
		t.Fatalf("an exact name matches nothing here, got %v", err)
	}

	require.NoError(t, c.DeleteImage(ctx, img.ID, modelarts.WithForce()))
	assert.Equal(t, []string{"swr.fake.local/team/env:v1"}, srv.DeletedSWRPaths(), "force removes the SWR content")
	_, err = c.GetImage(ctx, img.ID)
	assert.ErrorIs(t, err, modelarts.ErrNotFound)
}

func TestEndToEndImageGroups(t *testing.T) {
	srv := modelartstest.NewServer()
	defer srv.Close()
	c := srv.Client()
	ctx := context.Background()
	for _, tag := range []string{"v1", "v2"} {
		_, err := c.RegisterImage(ctx, &modelarts.RegisterImageRequest{SWRPath: "swr.fake.local/team/env:" + tag})
		require.NoError(t, err)
	}
	var group *modelarts.ImageGroup
	for g, err := range c.ListImageGroups(ctx, &modelarts.ListImageGroupsOptions{Namespace: "team", Name: "env"}) {
		require.NoError(t, err)
		group = g
	}
	require.NotNil(t, group)
	assert.Equal(t, 2, group.VersionCount)

	updated, err := c.UpdateImageGroup(ctx, group.ID, &modelarts.UpdateImageGroupRequest{ReadMe: "# how to use", Tags: []modelarts.Tag{{Key: "team", Value: "ml"}}})
	require.NoError(t, err)
	assert.Equal(t, "# how to use", updated.ReadMe)

	require.NoError(t, c.DeleteImageGroup(ctx, group.ID, modelarts.WithForce()))
	for img, err := range c.ListImages(ctx, &modelarts.ListImagesOptions{Type: modelarts.ImageTypeDedicated, Namespace: "team"}) {
		require.NoError(t, err)
		t.Errorf("image %s:%s outlived its group", img.Name, img.Tag)
	}
	assert.Len(t, srv.DeletedSWRPaths(), 2)
}

func TestEndToEndNotebookLifecycle(t *testing.T) {
	srv := modelartstest.NewServer()
	defer srv.Close()
	srv.AddNotebook(notebookID, modelarts.NotebookStatusRunning)
	c := srv.Client()
	ctx := context.Background()

	var ids []string
	for nb, err := range c.ListNotebooks(ctx, nil) {
		require.NoError(t, err)
		ids = append(ids, nb.ID)
	}
	assert.Equal(t, []string{notebookID}, ids)

	_, err := c.StartNotebook(ctx, notebookID, nil)
	assert.ErrorIs(t, err, modelarts.ErrNotebookAlreadyRunning)

	_, err = c.StopNotebook(ctx, notebookID)
	require.NoError(t, err)
	nb, err := c.WaitForNotebook(ctx, notebookID, modelarts.NotebookStatusStopped)
	require.NoError(t, err)
	assert.Equal(t, modelarts.NotebookStatusStopped, nb.Status)

	_, err = c.SaveNotebookAsImage(ctx, notebookID, &modelarts.CreateImageRequest{Name: "env", Namespace: "team", Tag: "v1"})
	require.ErrorIs(t, err, modelarts.ErrNotebookNotRunning)
	assert.Equal(t, 0, srv.RequestCount(modelartstest.RouteCreateImage), "nothing created for a stopped notebook")

	_, err = c.StartNotebook(ctx, notebookID, &modelarts.StartNotebookOptions{Duration: modelarts.MinNotebookDuration})
	require.NoError(t, err)
	nb, err = c.WaitForNotebook(ctx, notebookID, modelarts.NotebookStatusRunning)
	require.NoError(t, err)
	assert.Equal(t, modelarts.NotebookStatusRunning, nb.Status)

	img, err := c.SaveNotebookAsImage(ctx, notebookID, &modelarts.CreateImageRequest{Name: "env", Namespace: "team", Tag: "v1"})
	require.NoError(t, err)
	assert.Equal(t, modelarts.ImageStatusActive, img.Status)
	nb, err = c.GetNotebook(ctx, notebookID)
	require.NoError(t, err)
	assert.Equal(t, modelarts.NotebookStatusRunning, nb.Status, "usable again when SaveNotebookAsImage returns")

	srv.FailNextImage("no space left on device")
	img, err = c.SaveNotebookAsImage(ctx, notebookID, &modelarts.CreateImageRequest{Name: "env", Namespace: "team", Tag: "v2"})
	var failed *modelarts.ImageFailedError
	require.True(t, errors.As(err, &failed), "%v", err)
	assert.Equal(t, "no space left on device", failed.StatusMessage)
	require.NotNil(t, img)
	assert.Equal(t, "v2", img.Tag)
}

func TestEndToEndTrainingJobSave(t *testing.T) {
	srv := modelartstest.NewServer()
	defer srv.Close()
	srv.AddTrainingJob("job-1")
	c := srv.Client()
	ctx := context.Background()
	job, err := c.CreateSaveImageJob(ctx, "job-1", "worker-0", &modelarts.SaveImageJobRequest{Name: "trained", Namespace: "team", Tag: "v1"})
	require.NoError(t, err)
	assert.False(t, job.Status.IsTerminal())
	job, err = c.WaitForSaveImageJob(ctx, "job-1", "worker-0")
	require.NoError(t, err)
	assert.Equal(t, modelarts.ImageStatusActive, job.Status)
	var found bool
	for img, err := range c.ListImages(ctx, &modelarts.ListImagesOptions{Type: modelarts.ImageTypeDedicated, Name: "trained"}) {
		require.NoError(t, err)
		found = found || img.Tag == "v1"
	}
	assert.True(t, found, "the job made the image")
}
