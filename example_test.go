package modelarts_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"os"
	"time"

	"github.com/modelarts-go/modelarts"
	"github.com/modelarts-go/modelarts/auth"
	"github.com/modelarts-go/modelarts/modelartstest"
)

func ExampleNewClient() {
	signer := auth.NewTokenSigner("MIIT...your-IAM-token") // or auth.SignerFromEnv()
	client, err := modelarts.NewClient(
		"https://modelarts.cn-north-4.myhuaweicloud.com",
		"a4a5d4098fb4474fa22cd05f897d6b99",
		signer,
		modelarts.WithUserAgent("my-service/1.0"),
		modelarts.WithAttemptTimeout(20*time.Second),
		modelarts.WithRetry(modelarts.RetryPolicy{MaxAttempts: 5}),
		modelarts.WithLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))),
	)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(client.Endpoint())
	// Output: https://modelarts.cn-north-4.myhuaweicloud.com
}

func ExampleNewClient_plainHTTPRefused() {
	_, err := modelarts.NewClient("http://modelarts.example.com", "a4a5d4098fb4474fa22cd05f897d6b99", auth.NewTokenSigner("t"))
	fmt.Println(errors.Is(err, modelarts.ErrInvalidRequest))
	// Output: true
}

func ExampleNewClientFromEnv() {
	// MODELARTS_ENDPOINT or HUAWEICLOUD_SDK_REGION, HUAWEICLOUD_SDK_PROJECT_ID,
	// and credentials (see the README) come from the environment.
	client, err := modelarts.NewClientFromEnv()
	var missing *auth.MissingEnvError
	if errors.As(err, &missing) {
		fmt.Println("set:", missing.Missing)
		return
	}
	if err != nil {
		log.Fatal(err)
	}
	_ = client
}

func ExampleClient_RegisterImage() {
	srv := modelartstest.NewServer()
	defer srv.Close()
	client := srv.Client()

	img, err := client.RegisterImage(context.Background(), &modelarts.RegisterImageRequest{
		SWRPath:            "swr.cn-north-4.myhuaweicloud.com/my-team/pytorch:2.1",
		Arch:               modelarts.ArchX86_64,
		ResourceCategories: []modelarts.ResourceCategory{modelarts.ResourceCategoryGPU},
		Description:        "PyTorch 2.1 with our tooling",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(img.Namespace, img.Name, img.Tag, img.Status, img.Arch == modelarts.ArchX86_64)
	// Output: my-team pytorch 2.1 ACTIVE true
}

func ExampleClient_CreateImageFromNotebook() {
	srv := modelartstest.NewServer()
	defer srv.Close()
	srv.AddNotebook("6f1d2c3b-0a9e-4f8d-b7c6-5e4d3c2b1a00", "RUNNING")
	client := srv.Client()

	img, err := client.CreateImageFromNotebook(context.Background(), "6f1d2c3b-0a9e-4f8d-b7c6-5e4d3c2b1a00",
		&modelarts.CreateImageRequest{Name: "my-env", Namespace: "my-team", Tag: "v1"})
	switch {
	case errors.Is(err, modelarts.ErrNotebookNotRunning):
		fmt.Println("start the notebook first")
	case err != nil:
		log.Fatal(err)
	default:
		fmt.Println(img.SWRPath, img.Status)
	}
	// Output: swr.fake.local/my-team/my-env:v1 INIT
}

func ExampleClient_GetImage() {
	srv := modelartstest.NewServer()
	defer srv.Close()
	client := srv.Client()

	img, err := client.GetImage(context.Background(), "278e88d1-5b71-4766-8502-b3ba72e824d9")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(img.Name, img.Type, img.CreatedAt.Format(time.RFC3339))

	_, err = client.GetImage(context.Background(), "00000000-0000-0000-0000-000000000000")
	var apiErr *modelarts.APIError
	if errors.Is(err, modelarts.ErrNotFound) && errors.As(err, &apiErr) {
		fmt.Println("not found:", apiErr.StatusCode, apiErr.Code)
	}
	// Output:
	// pytorch1.8-cuda10.2-cudnn7-ubuntu18.04 BUILD_IN 2021-11-30T01:08:24Z
	// not found: 400 ModelArts.6404
}

func ExampleClient_WaitForActive() {
	srv := modelartstest.NewServer()
	defer srv.Close()
	srv.AddNotebook("nb-1", "RUNNING")
	client := srv.Client()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()

	img, err := client.CreateImageFromNotebook(ctx, "nb-1", &modelarts.CreateImageRequest{Name: "my-env", Namespace: "my-team", Tag: "v1"})
	if err != nil {
		log.Fatal(err)
	}
	img, err = client.WaitForActive(ctx, img.ID,
		modelarts.WithPollInterval(time.Millisecond, 10*time.Millisecond), // the defaults, 5 s to 30 s, suit real builds
		modelarts.WithProgress(func(img *modelarts.Image) { fmt.Println("status:", img.Status) }))
	var failed *modelarts.ImageFailedError
	switch {
	case errors.As(err, &failed):
		fmt.Println("build failed:", failed.StatusMessage)
	case err != nil:
		log.Fatal(err)
	default:
		fmt.Println("ready:", img.SWRPath)
	}
	// Output:
	// status: CREATING
	// status: ACTIVE
	// ready: swr.fake.local/my-team/my-env:v1
}

func ExampleClient_WaitForImage() {
	srv := modelartstest.NewServer()
	defer srv.Close()
	srv.AddNotebook("nb-1", "RUNNING")
	client := srv.Client()
	img, _ := client.CreateImageFromNotebook(context.Background(), "nb-1", &modelarts.CreateImageRequest{Name: "my-env", Namespace: "my-team", Tag: "v1"})

	// Wait only until the build has started.
	img, err := client.WaitForImage(context.Background(), img.ID, func(img *modelarts.Image) (bool, error) {
		return img.Status != modelarts.ImageStatusInit, nil
	}, modelarts.WithPollInterval(time.Millisecond, time.Millisecond))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(img.Status)
	// Output: CREATING
}

func ExampleClient_ListImages() {
	srv := modelartstest.NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()
	for _, p := range []string{"swr.fake.local/team/a:1", "swr.fake.local/team/b:1"} {
		if _, err := client.RegisterImage(ctx, &modelarts.RegisterImageRequest{SWRPath: p}); err != nil {
			log.Fatal(err)
		}
	}

	// Type DEDICATED lists your own images; the server's default is BUILD_IN.
	opts := &modelarts.ListImagesOptions{Type: modelarts.ImageTypeDedicated, SortKey: "name", SortDir: modelarts.SortAsc}
	for img, err := range client.ListImages(ctx, opts) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(img.Name)
	}
	// Output:
	// a
	// b
}

func ExampleClient_ListImagesPage() {
	srv := modelartstest.NewServer()
	defer srv.Close()
	page, err := srv.Client().ListImagesPage(context.Background(), &modelarts.ListImagesOptions{Limit: 1})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(page.Items), "of", page.Total, "built-in images")
	// Output: 1 of 2 built-in images
}

func ExampleClient_DeleteImage() {
	srv := modelartstest.NewServer()
	defer srv.Close()
	client := srv.Client()
	img, _ := client.RegisterImage(context.Background(), &modelarts.RegisterImageRequest{SWRPath: "swr.fake.local/team/a:1"})

	if err := client.DeleteImage(context.Background(), img.ID); err != nil {
		log.Fatal(err)
	}
	_, err := client.GetImage(context.Background(), img.ID)
	fmt.Println(errors.Is(err, modelarts.ErrNotFound))
	// Output: true
}

func ExampleClient_GetNotebook() {
	srv := modelartstest.NewServer()
	defer srv.Close()
	srv.AddNotebook("nb-1", "STOPPED")
	nb, err := srv.Client().GetNotebook(context.Background(), "nb-1")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(nb.Status, nb.Status == modelarts.NotebookStatusRunning)
	// Output: STOPPED false
}

func ExampleClient_Endpoint() {
	client, err := modelarts.NewClient("https://gateway.example.com/modelarts/", "a4a5d4098fb4474fa22cd05f897d6b99", auth.NewTokenSigner("my-token"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(client.Endpoint())
	// Output:
	// https://gateway.example.com/modelarts
}

func ExampleClient_ProjectID() {
	client, err := modelarts.NewClient("https://modelarts.cn-north-4.myhuaweicloud.com", "a4a5d4098fb4474fa22cd05f897d6b99", auth.NewTokenSigner("my-token"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(client.ProjectID())
	// Output:
	// a4a5d4098fb4474fa22cd05f897d6b99
}

// An endpoint that repeats the API's own path is refused before any
// request, saying what to drop.
func ExampleNewClient_apiPathRefused() {
	_, err := modelarts.NewClient("https://modelarts.cn-north-4.myhuaweicloud.com/v1", "a4a5d4098fb4474fa22cd05f897d6b99", auth.NewTokenSigner("my-token"))
	fmt.Println(errors.Is(err, modelarts.ErrInvalidRequest))
	// Output:
	// true
}

func ExampleWithResponse() {
	srv := modelartstest.NewServer()
	defer srv.Close()
	client := srv.Client()
	var md modelarts.Response
	if _, err := client.ListImagesPage(context.Background(), nil, modelarts.WithResponse(&md)); err != nil {
		log.Fatal(err)
	}
	fmt.Println(md.StatusCode, md.RequestID != "")
	// Output:
	// 200 true
}
