// Command save-notebook saves a running notebook as an image with
// SaveNotebookAsImage, printing progress, and returns when the image is
// ACTIVE (or has failed) and the notebook is usable again.
//
//	go run ./examples/save-notebook                         # against the in-memory fake
//	go run ./examples/save-notebook -notebook ID -namespace ORG -name NAME -tag TAG
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
	notebook, namespace, name, tag string
	timeout                        time.Duration
}

func main() {
	var o options
	flag.StringVar(&o.notebook, "notebook", "", "ID of a RUNNING notebook (empty: use the in-memory fake)")
	flag.StringVar(&o.namespace, "namespace", "my-team", "SWR organization to save the image in")
	flag.StringVar(&o.name, "name", "my-env", "image name")
	flag.StringVar(&o.tag, "tag", time.Now().UTC().Format("20060102-150405"), "image tag")
	flag.DurationVar(&o.timeout, "timeout", 30*time.Minute, "how long to wait for the image")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, o); err != nil {
		fmt.Fprintln(os.Stderr, "save-notebook:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, w io.Writer, o options) error {
	var client *modelarts.Client
	if o.notebook == "" {
		srv := modelartstest.NewServer(modelartstest.WithPollsPerStep(3))
		defer srv.Close()
		o.notebook = "2b1c0d9e-8f7a-4b6c-9d5e-4f3a2b1c0d9e"
		srv.AddNotebook(o.notebook, modelarts.NotebookStatusRunning)
		client = srv.Client() // polls in milliseconds
		fmt.Fprintln(w, "(no -notebook given: using the in-memory fake)")
	} else {
		var err error
		if client, err = modelarts.NewClientFromEnv(); err != nil {
			return err
		}
	}
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()

	fmt.Fprintf(w, "saving notebook %s as %s/%s:%s\n", o.notebook, o.namespace, o.name, o.tag)
	start := time.Now()
	img, err := client.SaveNotebookAsImage(ctx, o.notebook,
		&modelarts.CreateImageRequest{Name: o.name, Namespace: o.namespace, Tag: o.tag},
		modelarts.WithProgress(func(img *modelarts.Image) {
			fmt.Fprintf(w, "[%6s] image    %-8s %s\n", time.Since(start).Round(time.Second), img.Status, img.StatusMessage)
		}),
		modelarts.WithNotebookProgress(func(nb *modelarts.Notebook) {
			fmt.Fprintf(w, "[%6s] notebook %s\n", time.Since(start).Round(time.Second), nb.Status)
		}))
	var (
		failed  *modelarts.ImageFailedError
		waitErr *modelarts.WaitError
		outcome *modelarts.CreateOutcomeError
	)
	switch {
	case errors.Is(err, modelarts.ErrNotebookNotRunning):
		return fmt.Errorf("notebook %s is not running; start it and try again: %w", o.notebook, err)
	case errors.Is(err, modelarts.ErrOperationInProgress):
		return fmt.Errorf("notebook %s is busy (is it already being saved?)", o.notebook)
	case errors.As(err, &outcome):
		return fmt.Errorf("the save may have happened; check images %v before saving again: %w", outcome.Candidates, err)
	case errors.As(err, &failed):
		return fmt.Errorf("the image ended %s: %s", failed.Status, failed.StatusMessage)
	case errors.As(err, &waitErr):
		return fmt.Errorf("gave up waiting after %d polls: %w", waitErr.Polls, err)
	case err != nil:
		return err
	}
	fmt.Fprintf(w, "done: %s is ACTIVE and the notebook is RUNNING again\n", img.SWRPath)
	return nil
}
