package modelartstest_test

// The fake as a newcomer uses it: what it hands out are copies, its errors
// say what to do, its options are refused loudly when misused.

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelarts-go/modelarts"
	"github.com/modelarts-go/modelarts/modelartstest"
)

func reviewNoPanic(t *testing.T, what string, f func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("%s panicked: %v", what, r)
		}
	}()
	f()
}

// Server.Images documents "a copy of every image"; the copy shares the
// Tags slice with the server's state, so a test that edits what it read
// changes what the fake serves.
func TestImagesCopyDoesNotShareTags(t *testing.T) {
	srv := modelartstest.NewServer()
	defer srv.Close()
	id := srv.PutImage(modelarts.Image{Name: "n", Namespace: "ns", Tag: "v1", Status: modelarts.ImageStatusActive,
		Tags: []modelarts.Tag{{Key: "team", Value: "a"}}})
	for _, img := range srv.Images() {
		if img.ID == id {
			img.Tags[0].Value = "changed-by-the-test"
		}
	}
	got, err := srv.Client().GetImage(context.Background(), id)
	require.NoError(t, err)
	require.Len(t, got.Tags, 1)
	assert.Equal(t, "a", got.Tags[0].Value, "editing the result of Images() changed the server's image")
}

// A nil ServerOption panics inside NewServer, where modelarts.NewClient
// refuses a nil Option with an error naming it.
func TestNewServerSkipsANilOption(t *testing.T) {
	reviewNoPanic(t, "NewServer(nil)", func() {
		srv := modelartstest.NewServer(nil)
		srv.Close()
	})
}

// WithPollsPerStep(0) (or a negative n) is silently ignored: the doc says it
// "sets how many reads" move an image one step, and nothing says 0 is
// replaced by 1. Either refuse it (panic, as InjectFault does for a bad
// route) or document it.
func TestWithPollsPerStepZeroIsRefused(t *testing.T) {
	assert.PanicsWithValue(t, "modelartstest: WithPollsPerStep(0): the count must be at least 1", func() {
		modelartstest.WithPollsPerStep(0)
	})
}

// What held, as a newcomer: deleting an unknown image is ErrNotFound; saving
// a stopped notebook names its status and what to do; the README's sentinel
// for a start of a running notebook.
func TestErrorsANewcomerMeetsSayWhatToDo(t *testing.T) {
	srv := modelartstest.NewServer()
	defer srv.Close()
	c := srv.Client()
	ctx := context.Background()
	err := c.DeleteImage(ctx, "0f1e2d3c-0000-4000-8000-000000000000")
	assert.ErrorIs(t, err, modelarts.ErrNotFound)

	srv.AddNotebook("nb-stopped", modelarts.NotebookStatusStopped)
	_, err = c.SaveNotebookAsImage(ctx, "nb-stopped", &modelarts.CreateImageRequest{Name: "env", Namespace: "team", Tag: "v1"})
	require.ErrorIs(t, err, modelarts.ErrNotebookNotRunning)
	assert.Contains(t, err.Error(), "STOPPED")
	assert.True(t, strings.Contains(err.Error(), "StartNotebook") || strings.Contains(strings.ToLower(err.Error()), "start"), err.Error())

	srv.AddNotebook("nb-run", modelarts.NotebookStatusRunning)
	_, err = c.StartNotebook(ctx, "nb-run", nil)
	assert.ErrorIs(t, err, modelarts.ErrNotebookAlreadyRunning)
	_, err = c.CreateImageFromNotebook(ctx, "nb-stopped", &modelarts.CreateImageRequest{Name: "env", Namespace: "team", Tag: "v2"})
	assert.ErrorIs(t, err, modelarts.ErrNotebookNotRunning)
	assert.NotContains(t, err.Error(), srv.Token())
}

// WithNotebookFeature takes a string where the SDK has the type
// modelarts.NotebookFeature (as AddNotebook takes modelarts.NotebookStatus):
// changing it after v1 breaks callers.
func TestWithNotebookFeatureIsTyped(t *testing.T) {
	typ := reflect.TypeOf(modelartstest.WithNotebookFeature)
	assert.Equal(t, reflect.TypeOf(modelarts.NotebookFeature("")), typ.In(0), "WithNotebookFeature takes %s", typ.In(0))
}
