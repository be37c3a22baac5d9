package modelarts_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/modelarts-go/modelarts"
	"github.com/modelarts-go/modelarts/modelartstest"
)

// WithAttemptTimeout and WithRetry are SharedOptions: given to NewClient
// they are every call's default, given to a call they are its own. The
// context bounds the whole call.
func ExampleWithAttemptTimeout() {
	srv := modelartstest.NewServer()
	defer srv.Close()
	client := srv.Client(modelarts.WithAttemptTimeout(10 * time.Second)) // every call's default

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // the whole call
	defer cancel()
	_, err := client.GetImage(ctx, "00000000-0000-4000-8000-000000000000",
		modelarts.WithAttemptTimeout(2*time.Second)) // this call's attempts
	fmt.Println(errors.Is(err, modelarts.ErrNotFound))
	// Output: true
}

func ExampleWithRetry() {
	srv := modelartstest.NewServer()
	defer srv.Close()
	srv.InjectFaultTimes(modelartstest.RouteGetImage, modelartstest.Always, modelartstest.ErrorAnswer{Status: 503})
	client := srv.Client(modelarts.WithRetry(modelarts.RetryPolicy{MaxAttempts: 3, ZeroWait: true}))

	_, err := client.GetImage(context.Background(), "278e88d1-5b71-4766-8502-b3ba72e824d9",
		modelarts.WithRetry(modelarts.RetryPolicy{MaxAttempts: 1})) // this call: one attempt
	var apiErr *modelarts.APIError
	fmt.Println(errors.As(err, &apiErr), apiErr.StatusCode, srv.RequestCount(modelartstest.RouteGetImage))
	// Output: true 503 1
}

// A listing whose server ignores the offset ends with a *ListingError
// after yielding each image once.
func ExampleListingError() {
	srv := modelartstest.NewServer(modelartstest.WithMisbehaviour(modelartstest.IgnoredOffset()))
	defer srv.Close()
	client := srv.Client()
	for i := range 3 {
		srv.PutImage(modelarts.Image{Name: fmt.Sprintf("env-%d", i), Namespace: "team", Tag: "v1", Type: modelarts.ImageTypeDedicated})
	}
	n := 0
	for _, err := range client.ListImages(context.Background(), &modelarts.ListImagesOptions{Type: modelarts.ImageTypeDedicated, Limit: 1}) {
		var le *modelarts.ListingError
		if errors.As(err, &le) {
			fmt.Println("stopped:", errors.Is(err, modelarts.ErrListingInconsistent), "after", n, "image")
			break
		}
		n++
	}
	// Output: stopped: true after 1 image
}

// A fake of an interface over *Client reads the options a delete is given,
// here to tell DeleteImage(ctx, id) from DeleteImage(ctx, id, WithForce()).
func ExampleResolveDeleteSettings() {
	deleteImage := func(ctx context.Context, imageID string, opts ...modelarts.DeleteOption) error {
		s, err := modelarts.ResolveDeleteSettings(opts...)
		if err != nil {
			return err
		}
		fmt.Println("delete", imageID, "force:", s.Force)
		return nil
	}
	_ = deleteImage(context.Background(), "img-1")
	_ = deleteImage(context.Background(), "img-2", modelarts.WithForce())
	// Output:
	// delete img-1 force: false
	// delete img-2 force: true
}

// A fake's wait reads how it was asked to poll.
func ExampleResolveWaitSettings() {
	s, err := modelarts.ResolveWaitSettings(modelarts.WithPollInterval(time.Second, 10*time.Second))
	fmt.Println(s.PollMin, s.PollMax, err)
	// Output: 1s 10s <nil>
}
