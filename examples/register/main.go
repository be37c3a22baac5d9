// Command register registers a custom image that is already in SWR with
// ModelArts and waits until it is usable.
//
//	go run ./examples/register                              # against the in-memory fake
//	go run ./examples/register -swr-path swr.cn-north-4.myhuaweicloud.com/org/name:tag
//	                                                        # against the service configured in the environment
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/modelarts-go/modelarts"
	"github.com/modelarts-go/modelarts/modelartstest"
)

type options struct {
	swrPath, description string
	timeout              time.Duration
}

func main() {
	var o options
	flag.StringVar(&o.swrPath, "swr-path", "", "SWR address of the image (empty: use the in-memory fake)")
	flag.StringVar(&o.description, "description", "registered by examples/register", "image description")
	flag.DurationVar(&o.timeout, "timeout", 10*time.Minute, "how long to wait for the image")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, o); err != nil {
		fmt.Fprintln(os.Stderr, "register:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, w io.Writer, o options) error {
	var client *modelarts.Client
	if o.swrPath == "" {
		srv := modelartstest.NewServer()
		defer srv.Close()
		client = srv.Client() // polls in milliseconds
		o.swrPath = "swr.fake.local/my-team/pytorch-custom:2.1.0"
		fmt.Fprintln(w, "(no -swr-path given: using the in-memory fake)")
	} else {
		var err error
		if client, err = modelarts.NewClientFromEnv(); err != nil {
			return err
		}
	}
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()

	img, err := client.RegisterImage(ctx, &modelarts.RegisterImageRequest{
		SWRPath:            o.swrPath,
		Description:        o.description,
		Arch:               modelarts.ArchX86_64,
		ResourceCategories: []modelarts.ResourceCategory{modelarts.ResourceCategoryCPU, modelarts.ResourceCategoryGPU},
		Services:           []modelarts.DevService{modelarts.DevServiceNotebook, modelarts.DevServiceSSH},
		ServiceType:        modelarts.ServiceTypeDev,
	})
	var outcome *modelarts.CreateOutcomeError
	switch {
	case errors.As(err, &outcome):
		return fmt.Errorf("the registration may have happened; check images %v before trying again: %w", outcome.Candidates, err)
	case err != nil:
		return err
	}
	fmt.Fprintf(w, "registered %s as image %s (%s)\n", img.SWRPath, img.ID, img.Status)

	img, err = client.WaitForActive(ctx, img.ID, modelarts.WithProgress(func(img *modelarts.Image) {
		fmt.Fprintf(w, "  %s\n", img.Status)
	}))
	var failed *modelarts.ImageFailedError
	if errors.As(err, &failed) {
		return fmt.Errorf("the image ended %s: %s", failed.Status, failed.StatusMessage)
	} else if err != nil {
		return err
	}
	fmt.Fprintf(w, "done: %s %s:%s is ACTIVE\n", img.ID, img.Name, img.Tag)
	return nil
}
