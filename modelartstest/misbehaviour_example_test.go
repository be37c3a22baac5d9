package modelartstest_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/modelarts-go/modelarts"
	"github.com/modelarts-go/modelarts/modelartstest"
)

// Testing your retry budget: the service answers 503 to every read of the
// image; how many requests does your code send before it gives up, and
// what does it see?
func Example_retryBudget() {
	srv := modelartstest.NewServer()
	defer srv.Close()
	srv.InjectFaultTimes(modelartstest.RouteGetImage, modelartstest.Always, modelartstest.ErrorAnswer{Status: 503})

	client := srv.Client(modelarts.WithRetry(modelarts.RetryPolicy{MaxAttempts: 3, ZeroWait: true}))
	_, err := client.GetImage(context.Background(), "278e88d1-5b71-4766-8502-b3ba72e824d9")
	var apiErr *modelarts.APIError
	fmt.Println(errors.As(err, &apiErr) && apiErr.StatusCode == 503, srv.RequestCount(modelartstest.RouteGetImage))
	// Output: true 3
}

// An outcome-unknown create: the save's answer is lost, and while it was on
// its way another caller saved another notebook as the same name and tag.
// The service refused this call's save as a duplicate, but the answer that
// said so never came; the image listed under that tag is the other
// caller's, and nothing ties it to this call: the client says so, names it,
// and never sends the save again.
func Example_outcomeUnknownCreate() {
	srv := modelartstest.NewServer()
	defer srv.Close()
	srv.AddNotebook("nb-a", modelarts.NotebookStatusRunning)
	srv.AddNotebook("nb-b", modelarts.NotebookStatusRunning)
	srv.InjectFault(modelartstest.RouteCreateImage, modelartstest.AfterHandling{Then: modelartstest.Drop{}})
	srv.Misbehave(modelartstest.AnotherCaller(modelartstest.RouteCreateImage, modelartstest.WhenArrived, func(s *modelartstest.Server) {
		if _, err := s.SaveNotebook("nb-b", modelartstest.SaveRequest{Name: "env", Namespace: "team", Tag: "v1"}); err != nil {
			panic(err)
		}
	}))

	_, err := srv.Client().CreateImageFromNotebook(context.Background(), "nb-a",
		&modelarts.CreateImageRequest{Name: "env", Namespace: "team", Tag: "v1"})
	var unknown *modelarts.CreateOutcomeError
	if errors.As(err, &unknown) {
		fmt.Println("outcome unknown, candidates:", len(unknown.Candidates))
	}
	fmt.Println("saves sent:", srv.RequestCount(modelartstest.RouteCreateImage))
	// Output:
	// outcome unknown, candidates: 1
	// saves sent: 1
}

// A lagging listing: the service lists a new image only from its third
// listing on, while GET finds it at once. Code that lists right after
// creating must not conclude the image is missing.
func Example_laggingListing() {
	srv := modelartstest.NewServer(modelartstest.WithMisbehaviour(modelartstest.ListingLagReads(2)))
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()
	img, err := client.RegisterImage(ctx, &modelarts.RegisterImageRequest{SWRPath: "swr.fake.local/team/env:v1"})
	if err != nil {
		panic(err)
	}
	for range 3 {
		listed := 0
		for got, err := range client.ListImages(ctx, &modelarts.ListImagesOptions{Type: modelarts.ImageTypeDedicated}) {
			if err != nil {
				panic(err)
			}
			if got.ID == img.ID {
				listed++
			}
		}
		fmt.Println("listed:", listed)
	}
	// Output:
	// listed: 0
	// listed: 0
	// listed: 1
}

// A lagging listing measured in time, on a clock the test moves: no
// sleeping.
func Example_laggingListingOnAManualClock() {
	clock := modelartstest.NewManualClock(time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC))
	srv := modelartstest.NewServer(modelartstest.WithClock(clock),
		modelartstest.WithMisbehaviour(modelartstest.ListingLagFor(30*time.Second)))
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()
	if _, err := client.RegisterImage(ctx, &modelarts.RegisterImageRequest{SWRPath: "swr.fake.local/team/env:v1"}); err != nil {
		panic(err)
	}
	count := func() int {
		n := 0
		for _, err := range client.ListImages(ctx, &modelarts.ListImagesOptions{Type: modelarts.ImageTypeDedicated}) {
			if err != nil {
				panic(err)
			}
			n++
		}
		return n
	}
	fmt.Println(count())
	clock.Advance(30 * time.Second)
	fmt.Println(count())
	// Output:
	// 0
	// 1
}

// A save that fails half-way: the service accepts the save, the image
// goes INIT and CREATING, then ends CREATE_FAILED; the notebook is RUNNING
// again.
func Example_saveFailsHalfWay() {
	srv := modelartstest.NewServer()
	defer srv.Close()
	srv.AddNotebook("nb-1", modelarts.NotebookStatusRunning)
	srv.FailNextImage("the image layer could not be pushed")

	client := srv.Client()
	ctx := context.Background()
	img, err := client.CreateImageFromNotebook(ctx, "nb-1", &modelarts.CreateImageRequest{Name: "env", Namespace: "team", Tag: "v1"})
	if err != nil {
		panic(err)
	}
	_, err = client.WaitForActive(ctx, img.ID)
	fmt.Println(errors.Is(err, modelarts.ErrImageFailed))
	st, _ := srv.NotebookStatus("nb-1")
	fmt.Println(st)
	// Output:
	// true
	// RUNNING
}

// Every request the fake received, in order, for assertions on what your
// code sent.
func ExampleServer_Requests() {
	srv := modelartstest.NewServer()
	defer srv.Close()
	for _, err := range srv.Client().ListImages(context.Background(), &modelarts.ListImagesOptions{Type: modelarts.ImageTypeDedicated}) {
		if err != nil {
			panic(err)
		}
	}
	for _, r := range srv.Requests() {
		fmt.Println(r.Route, r.Query.Get("type"), r.Identity.Kind)
	}
	// Output: GET /v1/{project_id}/images DEDICATED token
}
