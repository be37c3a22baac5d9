package modelarts_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"

	"github.com/modelarts-go/modelarts"
	"github.com/modelarts-go/modelarts/auth"
	"github.com/modelarts-go/modelarts/modelartstest"
)

// The code the README shows, as it shows it: docs_snippets_test.go checks
// that every Go block of the README and docs/ is one of these (or another
// function or Example of the tests) character for character, and go test
// runs them.

// saveEnvironment saves a running notebook as an image and waits until both
// are usable again.
func saveEnvironment(ctx context.Context, client *modelarts.Client, notebookID string) (*modelarts.Image, error) {
	img, err := client.SaveNotebookAsImage(ctx, notebookID,
		&modelarts.CreateImageRequest{Name: "my-env", Namespace: "my-team", Tag: "v1"},
		modelarts.WithProgress(func(i *modelarts.Image) { fmt.Println("image:", i.Status) }))
	var failed *modelarts.ImageFailedError
	switch {
	case errors.Is(err, modelarts.ErrNotebookNotRunning):
		return nil, fmt.Errorf("start the notebook first: %w", err)
	case errors.As(err, &failed):
		return nil, fmt.Errorf("the build failed: %s: %w", failed.StatusMessage, err)
	case err != nil:
		return nil, err
	}
	return img, nil
}

func Example_saveEnvironment() {
	srv := modelartstest.NewServer()
	defer srv.Close()
	srv.AddNotebook("nb-1", modelarts.NotebookStatusRunning)

	img, err := saveEnvironment(context.Background(), srv.Client(), "nb-1")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("ready:", img.Name, img.Tag, img.Status)
	// Output:
	// image: CREATING
	// image: ACTIVE
	// ready: my-env v1 ACTIVE
}

func TestSaveEnvironment(t *testing.T) {
	srv := modelartstest.NewServer()
	defer srv.Close()
	srv.AddNotebook("nb-1", modelarts.NotebookStatusRunning)
	srv.InjectFaultTimes(modelartstest.RouteGetImage, 2, modelartstest.ErrorAnswer{Status: 503})

	img, err := saveEnvironment(context.Background(), srv.Client(), "nb-1")
	require.NoError(t, err)
	require.Equal(t, modelarts.ImageStatusActive, img.Status)
	status, _ := srv.NotebookStatus("nb-1")
	require.Equal(t, modelarts.NotebookStatusRunning, status)
}

func TestSaveEnvironmentWhenTheBuildFails(t *testing.T) {
	srv := modelartstest.NewServer()
	defer srv.Close()
	srv.AddNotebook("nb-1", modelarts.NotebookStatusRunning)
	srv.FailNextImage("layer 3 could not be pushed")

	_, err := saveEnvironment(context.Background(), srv.Client(), "nb-1")
	require.ErrorIs(t, err, modelarts.ErrImageFailed)
	require.ErrorContains(t, err, "layer 3 could not be pushed")
}

func TestSaveEnvironmentWithHTTPMock(t *testing.T) {
	hc := &http.Client{}
	httpmock.ActivateNonDefault(hc)
	defer httpmock.DeactivateAndReset()
	base := "https://modelarts.example.com/v1/a4a5d4098fb4474fa22cd05f897d6b99"
	httpmock.RegisterResponder("GET", base+"/notebooks/nb-1",
		httpmock.NewStringResponder(200, `{"id":"nb-1","status":"RUNNING"}`))
	httpmock.RegisterResponder("POST", base+"/notebooks/nb-1/create-image",
		httpmock.NewStringResponder(200, `{"id":"img-1","name":"my-env","status":"INIT"}`))
	httpmock.RegisterResponder("GET", base+"/images/img-1",
		httpmock.NewStringResponder(200, `{"id":"img-1","name":"my-env","status":"ACTIVE"}`))

	client, err := modelarts.NewClient("https://modelarts.example.com", "a4a5d4098fb4474fa22cd05f897d6b99",
		auth.NewTokenSigner("MIIT-test-token"), modelarts.WithHTTPClient(hc))
	require.NoError(t, err)
	img, err := saveEnvironment(context.Background(), client, "nb-1")
	require.NoError(t, err)
	require.Equal(t, "img-1", img.ID)
}
