package modelartstest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/modelarts-go/modelarts"
	"github.com/modelarts-go/modelarts/auth"
	"github.com/modelarts-go/modelarts/modelartstest"
)

// A test of your own code: save a notebook and wait for it, against the
// fake, with a fault injected. srv.Client() polls every millisecond or two
// and retries without backoff, so this runs in milliseconds.
func ExampleNewServer() {
	srv := modelartstest.NewServer()
	defer srv.Close()
	srv.AddNotebook("nb-1", modelarts.NotebookStatusRunning)
	srv.InjectFaultTimes(modelartstest.RouteGetImage, 2, modelartstest.ErrorAnswer{Status: 503})

	client := srv.Client()
	ctx := context.Background()
	img, err := client.CreateImageFromNotebook(ctx, "nb-1", &modelarts.CreateImageRequest{Name: "env", Namespace: "team", Tag: "v1"})
	if err != nil {
		panic(err)
	}
	img, err = client.WaitForActive(ctx, img.ID)
	fmt.Println(img.Status, err, srv.RequestCount(modelartstest.RouteGetImage) > 2)
	// Output: ACTIVE <nil> true
}

// call sends a raw request to the fake with its token and returns the
// status and the decoded JSON answer, for the APIs the examples reach
// without the client.
func call(srv *modelartstest.Server, method, path, body string) (int, map[string]any) {
	req, err := http.NewRequest(method, srv.URL()+path, strings.NewReader(body))
	if err != nil {
		panic(err)
	}
	req.Header.Set("X-Auth-Token", srv.Token())
	resp, err := srv.HTTPClient().Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return resp.StatusCode, m
}

func ExampleServer_FailNextImage() {
	srv := modelartstest.NewServer()
	defer srv.Close()
	srv.AddNotebook("nb-1", modelarts.NotebookStatusRunning)
	srv.FailNextImage("no space left on device")

	client := srv.Client()
	img, _ := client.CreateImageFromNotebook(context.Background(), "nb-1", &modelarts.CreateImageRequest{Name: "env", Namespace: "team"})
	_, err := client.WaitForActive(context.Background(), img.ID)
	var failed *modelarts.ImageFailedError
	if errors.As(err, &failed) {
		fmt.Println(failed.Status, failed.StatusMessage)
	}
	// Output: CREATE_FAILED no space left on device
}

func ExampleServer_Client() {
	srv := modelartstest.NewServer()
	defer srv.Close()
	img, err := srv.Client().GetImage(context.Background(), "278e88d1-5b71-4766-8502-b3ba72e824d9")
	fmt.Println(img.Name, img.Type, err)
	// Output: pytorch1.8-cuda10.2-cudnn7-ubuntu18.04 BUILD_IN <nil>
}

// A client of your own: another signer and options, over the fake's
// HTTP client so that Close shuts its connections.
func ExampleServer_HTTPClient() {
	srv := modelartstest.NewServer(modelartstest.WithAKSK("my-ak", "my-sk"))
	defer srv.Close()
	signer, err := auth.NewAKSKSigner("my-ak", "my-sk")
	if err != nil {
		panic(err)
	}
	client, err := modelarts.NewClient(srv.URL(), srv.ProjectID(), signer, modelarts.WithHTTPClient(srv.HTTPClient()))
	if err != nil {
		panic(err)
	}
	_, err = client.GetImage(context.Background(), "278e88d1-5b71-4766-8502-b3ba72e824d9")
	fmt.Println(err)
	// Output: <nil>
}

func ExampleServer_IAMCredentials() {
	srv := modelartstest.NewServer(modelartstest.WithIAMUser("my-domain", "alice", "s3cret"))
	defer srv.Close()
	signer, err := auth.NewIAMTokenSigner(srv.IAMCredentials(), auth.WithIAMHTTPClient(srv.HTTPClient()))
	if err != nil {
		panic(err)
	}
	client, err := modelarts.NewClient(srv.URL(), srv.ProjectID(), signer, modelarts.WithHTTPClient(srv.HTTPClient()))
	if err != nil {
		panic(err)
	}
	_, err = client.GetImage(context.Background(), "278e88d1-5b71-4766-8502-b3ba72e824d9")
	fmt.Println(err, srv.RequestCount(modelartstest.RouteIAMToken))
	// Output: <nil> 1
}

func ExampleServer_URL() {
	srv := modelartstest.NewServer()
	defer srv.Close()
	fmt.Println(strings.HasPrefix(srv.URL(), "http://127.0.0.1:"))
	// Output: true
}

func ExampleServer_ProjectID() {
	srv := modelartstest.NewServer(modelartstest.WithProjectID("0123456789abcdef0123456789abcdef"))
	defer srv.Close()
	fmt.Println(srv.ProjectID())
	// Output: 0123456789abcdef0123456789abcdef
}

func ExampleServer_Token() {
	srv := modelartstest.NewServer(modelartstest.WithToken("my-test-token"))
	defer srv.Close()
	status, _ := call(srv, "GET", "/v1/"+srv.ProjectID()+"/images", "")
	fmt.Println(srv.Token(), status)
	// Output: my-test-token 200
}

func ExampleServer_Close() {
	srv := modelartstest.NewServer()
	client := srv.Client()
	srv.Close()
	_, err := client.GetImage(context.Background(), "278e88d1-5b71-4766-8502-b3ba72e824d9")
	fmt.Println(err != nil)
	// Output: true
}

func ExampleServer_InjectFault() {
	srv := modelartstest.NewServer()
	defer srv.Close()
	srv.InjectFault(modelartstest.RouteListImages, modelartstest.ErrorAnswer{Status: 429, Code: "ModelArts.6101"})
	page, err := srv.Client().ListImagesPage(context.Background(), nil)
	fmt.Println(page.Total, err, srv.RequestCount(modelartstest.RouteListImages))

	// A route the fake does not serve panics instead of testing nothing.
	defer func() { fmt.Println(recover() != nil) }()
	srv.InjectFault("GET /v1/{project_id}/imgs", modelartstest.ErrorAnswer{Status: 503})
	// Output:
	// 2 <nil> 2
	// true
}

func ExampleServer_RequestCount() {
	srv := modelartstest.NewServer()
	defer srv.Close()
	_, _ = srv.Client().GetImage(context.Background(), "278e88d1-5b71-4766-8502-b3ba72e824d9")
	fmt.Println(srv.RequestCount(modelartstest.RouteGetImage), srv.RequestCount(modelartstest.RouteDeleteImage))
	// Output: 1 0
}

func ExampleServer_ExpireTokens() {
	srv := modelartstest.NewServer()
	defer srv.Close()
	srv.ExpireTokens()
	_, err := srv.Client().GetImage(context.Background(), "278e88d1-5b71-4766-8502-b3ba72e824d9")
	fmt.Println(errors.Is(err, modelarts.ErrUnauthorized))
	// Output: true
}

func ExampleServer_Images() {
	srv := modelartstest.NewServer()
	defer srv.Close()
	_, _ = srv.Client().RegisterImage(context.Background(), &modelarts.RegisterImageRequest{SWRPath: "swr.fake.local/team/env:v1"})
	for _, img := range srv.Images() {
		fmt.Println(img.Type, img.Namespace+"/"+img.Name)
	}
	// Output:
	// BUILD_IN atelier/pytorch1.8-cuda10.2-cudnn7-ubuntu18.04
	// BUILD_IN atelier/mindspore2.2-cann7-euler2.10
	// DEDICATED team/env
}

func ExampleServer_PutImage() {
	srv := modelartstest.NewServer()
	defer srv.Close()
	srv.PutImage(modelarts.Image{Name: "env", Namespace: "team", Tag: "v1", Type: modelarts.ImageTypeDedicated,
		Status: modelarts.ImageStatusActive, WorkspaceID: "0"})
	page, _ := srv.Client().ListImagesPage(context.Background(), &modelarts.ListImagesOptions{Type: modelarts.ImageTypeDedicated})
	fmt.Println(page.Total, page.Items[0].Name, page.Items[0].Tag)
	// Output: 1 env v1
}

func ExampleServer_DeletedSWRPaths() {
	srv := modelartstest.NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()
	img, _ := client.RegisterImage(ctx, &modelarts.RegisterImageRequest{SWRPath: "swr.fake.local/team/env:v1"})
	err := client.DeleteImage(ctx, img.ID, modelarts.WithForce())
	fmt.Println(err, srv.DeletedSWRPaths())
	// Output: <nil> [swr.fake.local/team/env:v1]
}

func ExampleServer_AnswerCreatesWithEmptyBody() {
	srv := modelartstest.NewServer()
	defer srv.Close()
	srv.AnswerCreatesWithEmptyBody(true) // 201 Created, no body
	img, err := srv.Client().RegisterImage(context.Background(), &modelarts.RegisterImageRequest{SWRPath: "swr.fake.local/team/env:v1"})
	fmt.Println(img.SWRPath, err, len(srv.Images()))
	// Output: swr.fake.local/team/env:v1 <nil> 3
}

func ExampleServer_AddNotebook() {
	srv := modelartstest.NewServer()
	defer srv.Close()
	srv.AddNotebook("nb-1", "running", modelartstest.WithNotebookName("my-notebook"),
		modelartstest.WithNotebookTags(modelarts.Tag{Key: "team", Value: "ml"}))
	nb, err := srv.Client().GetNotebook(context.Background(), "nb-1")
	fmt.Println(nb.Name, nb.Status, err)
	// Output: my-notebook RUNNING <nil>
}

func ExampleServer_SetNotebookStatus() {
	srv := modelartstest.NewServer()
	defer srv.Close()
	srv.AddNotebook("nb-1", modelarts.NotebookStatusRunning)
	srv.SetNotebookStatus("nb-1", modelarts.NotebookStatusStopped)
	_, err := srv.Client().CreateImageFromNotebook(context.Background(), "nb-1", &modelarts.CreateImageRequest{Name: "env", Namespace: "team"})
	var apiErr *modelarts.APIError
	fmt.Println(errors.As(err, &apiErr), apiErr.Code)
	// Output: true ModelArts.6327
}

func ExampleServer_NotebookStatus() {
	srv := modelartstest.NewServer()
	defer srv.Close()
	srv.AddNotebook("nb-1", modelarts.NotebookStatusRunning)
	_, _ = srv.Client().CreateImageFromNotebook(context.Background(), "nb-1", &modelarts.CreateImageRequest{Name: "env", Namespace: "team"})
	st, ok := srv.NotebookStatus("nb-1")
	fmt.Println(st, ok)
	// Output: SNAPSHOTTING true
}

func ExampleServer_FailNextNotebookStart() {
	srv := modelartstest.NewServer()
	defer srv.Close()
	srv.AddNotebook("nb-1", modelarts.NotebookStatusStopped)
	srv.FailNextNotebookStart("no resources in the pool")
	p := "/v1/" + srv.ProjectID() + "/notebooks/nb-1"
	_, started := call(srv, "POST", p+"/start", "")
	_, read := call(srv, "GET", p, "")
	fmt.Println(started["status"], read["status"], read["fail_reason"])
	// Output: STARTING START_FAILED no resources in the pool
}

func ExampleServer_AddTrainingJob() {
	srv := modelartstest.NewServer()
	defer srv.Close()
	srv.AddTrainingJob("job-1", "worker-0")
	p := "/v2/" + srv.ProjectID() + "/training-jobs/job-1/tasks/worker-0/save-image-job"
	_, created := call(srv, "POST", p, `{"name":"trained","namespace":"team","tag":"v1"}`)
	_, polled := call(srv, "GET", p, "")
	_, done := call(srv, "GET", p, "")
	fmt.Println(created["status"], polled["status"], done["status"])
	// Output: INIT CREATING ACTIVE
}

func ExampleWithPollsPerStep() {
	srv := modelartstest.NewServer(modelartstest.WithPollsPerStep(3))
	defer srv.Close()
	srv.AddNotebook("nb-1", modelarts.NotebookStatusRunning)
	client := srv.Client()
	ctx := context.Background()
	img, _ := client.CreateImageFromNotebook(ctx, "nb-1", &modelarts.CreateImageRequest{Name: "env", Namespace: "team"})
	_, _ = client.WaitForActive(ctx, img.ID)
	fmt.Println(srv.RequestCount(modelartstest.RouteGetImage))
	// Output: 6
}
