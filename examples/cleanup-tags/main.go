// Command cleanup-tags lists your image groups (one per image name, holding
// every tag) and deletes all but the newest tags of each, so an SWR
// organization does not fill up with old builds.
//
//	go run ./examples/cleanup-tags                     # against the in-memory fake
//	go run ./examples/cleanup-tags -namespace ORG -keep 3 -delete
//	                                                   # against the service configured in the environment
//
// Without -delete it only says what it would delete.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"time"

	"github.com/modelarts-go/modelarts"
	"github.com/modelarts-go/modelarts/modelartstest"
)

type options struct {
	namespace string
	keep      int
	delete    bool
	fake      bool
}

func main() {
	var o options
	flag.StringVar(&o.namespace, "namespace", "", "SWR organization to clean up (empty: use the in-memory fake)")
	flag.IntVar(&o.keep, "keep", 2, "tags to keep per image name, newest first")
	flag.BoolVar(&o.delete, "delete", false, "delete (default: only say what would be deleted)")
	flag.Parse()
	o.fake = o.namespace == ""

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, o); err != nil {
		fmt.Fprintln(os.Stderr, "cleanup-tags:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, w io.Writer, o options) error {
	if o.keep < 1 {
		return fmt.Errorf("-keep must be at least 1, got %d", o.keep)
	}
	var client *modelarts.Client
	if o.fake {
		srv := modelartstest.NewServer()
		defer srv.Close()
		o.namespace, o.delete = "my-team", true
		seed(srv, o.namespace)
		client = srv.Client()
		fmt.Fprintln(w, "(no -namespace given: using the in-memory fake, seeded with 5 tags of one image)")
	} else {
		var err error
		if client, err = modelarts.NewClientFromEnv(); err != nil {
			return err
		}
	}

	groups := &modelarts.ListImageGroupsOptions{Namespace: o.namespace, Type: modelarts.ImageTypeDedicated}
	for group, err := range client.ListImageGroups(ctx, groups) {
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%s/%s: %d tags\n", group.Namespace, group.Name, group.VersionCount)
		if err := cleanGroup(ctx, w, client, group, o); err != nil {
			return err
		}
	}
	return nil
}

// cleanGroup deletes all but the newest o.keep images of one group.
func cleanGroup(ctx context.Context, w io.Writer, client *modelarts.Client, group *modelarts.ImageGroup, o options) error {
	var imgs []*modelarts.Image
	list := &modelarts.ListImagesOptions{Type: modelarts.ImageTypeDedicated, Namespace: group.Namespace, Name: group.Name}
	for img, err := range client.ListImages(ctx, list) {
		if err != nil {
			return err
		}
		imgs = append(imgs, img)
	}
	slices.SortFunc(imgs, func(a, b *modelarts.Image) int { return b.CreatedAt.Compare(a.CreatedAt.Time) }) // newest first
	for i, img := range imgs {
		if i < o.keep {
			fmt.Fprintf(w, "  keep   %s (%s)\n", img.Tag, img.CreatedAt.Format(time.DateOnly))
			continue
		}
		if !o.delete {
			fmt.Fprintf(w, "  would delete %s (%s)\n", img.Tag, img.ID)
			continue
		}
		if err := client.DeleteImage(ctx, img.ID); err != nil {
			return fmt.Errorf("deleting %s:%s: %w", img.Name, img.Tag, err)
		}
		fmt.Fprintf(w, "  delete %s (%s)\n", img.Tag, img.CreatedAt.Format(time.DateOnly))
	}
	return nil
}

// seed puts five tags of one image, a day apart, into the fake.
func seed(srv *modelartstest.Server, namespace string) {
	day := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	for i := 1; i <= 5; i++ {
		at := modelarts.TimestampOf(day.AddDate(0, 0, i))
		tag := fmt.Sprintf("v%d", i)
		srv.PutImage(modelarts.Image{
			Name: "training-env", Namespace: namespace, Tag: tag, Type: modelarts.ImageTypeDedicated,
			Status: modelarts.ImageStatusActive, SWRPath: "swr.fake.local/" + namespace + "/training-env:" + tag,
			CreatedAt: at, UpdatedAt: at,
		})
	}
}
