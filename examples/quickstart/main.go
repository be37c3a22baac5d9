// Command quickstart walks through the SDK: register an image, read it,
// save a running notebook as an image, wait until it is ACTIVE, list your
// images, and handle an error.
//
// With no environment set it starts the in-memory fake (modelartstest) and
// runs against it, so it works on any machine:
//
//	go run ./examples/quickstart
//
// With MODELARTS_ENDPOINT (or HUAWEICLOUD_SDK_REGION), HUAWEICLOUD_SDK_PROJECT_ID
// and credentials set (see the README), it runs the same steps against the
// real service; then set QUICKSTART_NOTEBOOK_ID, QUICKSTART_SWR_PATH and
// QUICKSTART_NAMESPACE too.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/modelarts-go/modelarts"
	"github.com/modelarts-go/modelarts/modelartstest"
)

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// config is what the walk-through needs to know about its target.
type config struct {
	client     *modelarts.Client
	notebookID string
	swrPath    string
	namespace  string
	poll       modelarts.WaitOption
}

func setup(w io.Writer) (*config, func(), error) {
	if os.Getenv(modelarts.EnvEndpoint) == "" && os.Getenv("HUAWEICLOUD_SDK_REGION") == "" {
		srv := modelartstest.NewServer(modelartstest.WithPollsPerStep(2))
		srv.AddNotebook("6f1d2c3b-0a9e-4f8d-b7c6-5e4d3c2b1a00", "RUNNING")
		fmt.Fprintf(w, "No MODELARTS_ENDPOINT set: running against the in-memory fake at %s\n\n", srv.URL())
		return &config{
			client:     srv.Client(),
			notebookID: "6f1d2c3b-0a9e-4f8d-b7c6-5e4d3c2b1a00",
			swrPath:    "swr.fake.local/my-team/pytorch-custom:2.1.0",
			namespace:  "my-team",
			poll:       modelarts.WithPollInterval(50*time.Millisecond, 200*time.Millisecond),
		}, srv.Close, nil
	}
	client, err := modelarts.NewClientFromEnv()
	if err != nil {
		return nil, nil, err
	}
	cfg := &config{
		client:     client,
		notebookID: os.Getenv("QUICKSTART_NOTEBOOK_ID"),
		swrPath:    os.Getenv("QUICKSTART_SWR_PATH"),
		namespace:  os.Getenv("QUICKSTART_NAMESPACE"),
		poll:       modelarts.WithPollInterval(5*time.Second, 30*time.Second),
	}
	if cfg.notebookID == "" || cfg.swrPath == "" || cfg.namespace == "" {
		return nil, nil, errors.New("against the real service set QUICKSTART_NOTEBOOK_ID, QUICKSTART_SWR_PATH and QUICKSTART_NAMESPACE")
	}
	fmt.Fprintf(w, "Running against %s\n\n", client.Endpoint())
	return cfg, func() {}, nil
}

func run(ctx context.Context, w io.Writer) error {
	cfg, cleanup, err := setup(w)
	if err != nil {
		return err
	}
	defer cleanup()
	c := cfg.client
	ctx, cancel := context.WithTimeout(ctx, 30*time.Minute)
	defer cancel()

	fmt.Fprintln(w, "1. Register a custom image from SWR")
	reg, err := c.RegisterImage(ctx, &modelarts.RegisterImageRequest{
		SWRPath:            cfg.swrPath,
		Arch:               modelarts.ArchX86_64,
		ResourceCategories: []modelarts.ResourceCategory{modelarts.ResourceCategoryCPU},
		Description:        "registered by the quickstart",
	})
	if errors.Is(err, modelarts.ErrConflict) {
		fmt.Fprintln(w, "   already registered, carrying on")
	} else if err != nil {
		return fmt.Errorf("register: %w", err)
	} else {
		fmt.Fprintf(w, "   registered %s/%s:%s as %s, status %s\n", reg.Namespace, reg.Name, reg.Tag, reg.ID, reg.Status)

		fmt.Fprintln(w, "2. Read it back")
		got, err := c.GetImage(ctx, reg.ID)
		if err != nil {
			return fmt.Errorf("get: %w", err)
		}
		fmt.Fprintf(w, "   %s: arch %s, created %s\n", got.SWRPath, got.Arch, got.CreatedAt.Format(time.RFC3339))
	}

	fmt.Fprintln(w, "3. Save the running notebook as an image")
	nb, err := c.GetNotebook(ctx, cfg.notebookID)
	if err != nil {
		return fmt.Errorf("get notebook: %w", err)
	}
	fmt.Fprintf(w, "   notebook %s is %s\n", nb.Name, nb.Status)
	tag := time.Now().UTC().Format("20060102-150405")
	saved, err := c.CreateImageFromNotebook(ctx, cfg.notebookID, &modelarts.CreateImageRequest{
		Name: "quickstart-env", Namespace: cfg.namespace, Tag: tag, Description: "saved by the quickstart",
	})
	if err != nil {
		return fmt.Errorf("save notebook: %w", err)
	}
	fmt.Fprintf(w, "   saving as %s (image %s), status %s\n", saved.SWRPath, saved.ID, saved.Status)

	fmt.Fprintln(w, "4. Wait until it is ACTIVE")
	img, err := c.WaitForActive(ctx, saved.ID, cfg.poll, modelarts.WithProgress(func(img *modelarts.Image) {
		fmt.Fprintf(w, "   … %s %s\n", img.Status, img.StatusMessage)
	}))
	var failed *modelarts.ImageFailedError
	switch {
	case errors.As(err, &failed):
		return fmt.Errorf("the image build failed (%s): %s", failed.Status, failed.StatusMessage)
	case err != nil:
		return fmt.Errorf("wait: %w", err)
	}
	fmt.Fprintf(w, "   %s is ACTIVE\n", img.SWRPath)

	fmt.Fprintln(w, "5. List your own images")
	for img, err := range c.ListImages(ctx, &modelarts.ListImagesOptions{Type: modelarts.ImageTypeDedicated}) {
		if err != nil {
			return fmt.Errorf("list: %w", err)
		}
		fmt.Fprintf(w, "   %-40s %-10s %s\n", img.Namespace+"/"+img.Name+":"+img.Tag, img.Status, img.ID)
	}

	fmt.Fprintln(w, "6. Handle an error: read an image that does not exist")
	_, err = c.GetImage(ctx, "00000000-0000-0000-0000-000000000000")
	var apiErr *modelarts.APIError
	switch {
	case errors.Is(err, modelarts.ErrNotFound) && errors.As(err, &apiErr):
		fmt.Fprintf(w, "   not found, as expected: HTTP %d, code %s, request id %s\n", apiErr.StatusCode, apiErr.Code, apiErr.RequestID)
	case err != nil:
		return fmt.Errorf("unexpected error: %w", err)
	default:
		return errors.New("expected a not-found error")
	}
	fmt.Fprintln(w, "\nDone.")
	return nil
}
