package modelartstest_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/modelarts-go/modelarts"
	"github.com/modelarts-go/modelarts/modelartstest"
)

// A test of your own code: save a notebook and wait for it, against the
// fake, with a fault injected.
func ExampleNewServer() {
	srv := modelartstest.NewServer()
	defer srv.Close()
	srv.AddNotebook("nb-1", "RUNNING")
	srv.InjectFault(modelartstest.RouteGetImage, modelartstest.Fault{Status: 503, Times: 2})

	client := srv.Client()
	ctx := context.Background()
	img, err := client.CreateImageFromNotebook(ctx, "nb-1", &modelarts.CreateImageRequest{Name: "env", Namespace: "team", Tag: "v1"})
	if err != nil {
		panic(err)
	}
	img, err = client.WaitForActive(ctx, img.ID, modelarts.WithPollInterval(time.Millisecond, time.Millisecond))
	fmt.Println(img.Status, err, srv.RequestCount(modelartstest.RouteGetImage) > 2)
	// Output: ACTIVE <nil> true
}

func ExampleServer_FailNextImage() {
	srv := modelartstest.NewServer()
	defer srv.Close()
	srv.AddNotebook("nb-1", "RUNNING")
	srv.FailNextImage("no space left on device")

	client := srv.Client()
	img, _ := client.CreateImageFromNotebook(context.Background(), "nb-1", &modelarts.CreateImageRequest{Name: "env", Namespace: "team"})
	_, err := client.WaitForActive(context.Background(), img.ID, modelarts.WithPollInterval(time.Millisecond, time.Millisecond))
	var failed *modelarts.ImageFailedError
	if errors.As(err, &failed) {
		fmt.Println(failed.Status, failed.StatusMessage)
	}
	// Output: CREATE_FAILED no space left on device
}
