package modelarts_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/modelarts-go/modelarts"
	"github.com/modelarts-go/modelarts/auth"
)

const exampleProject = "a4a5d4098fb4474fa22cd05f897d6b99"

// exampleService is a tiny stand-in for the service, enough for the
// examples of this file: each route answers its bodies in turn, the last
// one repeatedly.
func exampleService(routes map[string][]string) (*modelarts.Client, func()) {
	var mu sync.Mutex
	served := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Method + " " + strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, "/v1/"+exampleProject), "/v2/"+exampleProject)
		mu.Lock()
		bodies, ok := routes[key]
		i := served[key]
		served[key]++
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"error_code":"ModelArts.6404","error_msg":"not found"}`)
			return
		}
		body := bodies[min(i, len(bodies)-1)]
		if strings.HasPrefix(body, "400 ") {
			w.WriteHeader(http.StatusBadRequest)
			body = body[4:]
		}
		fmt.Fprint(w, body)
	}))
	client, err := modelarts.NewClient(srv.URL, exampleProject, auth.NewTokenSigner("example-token"),
		// Poll fast: the examples should not take seconds.
		modelarts.WithCallDefaults(modelarts.WithPollInterval(time.Millisecond, time.Millisecond)))
	if err != nil {
		log.Fatal(err)
	}
	return client, srv.Close
}

func ExampleClient_SyncImage() {
	client, stop := exampleService(map[string][]string{
		"POST /images/img-1/sync": {`{"id":"img-1","status":"ACTIVE"}`},
	})
	defer stop()
	img, err := client.SyncImage(context.Background(), "img-1")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(img.ID, img.Status)
	// Output: img-1 ACTIVE
}

func ExampleClient_ListImageGroups() {
	client, stop := exampleService(map[string][]string{
		"GET /images/group": {`{"data":[{"id":"g1","name":"my-pytorch","version_count":3},{"id":"g2","name":"my-tf","version_count":1}],"total":2}`},
	})
	defer stop()
	for group, err := range client.ListImageGroups(context.Background(), &modelarts.ListImageGroupsOptions{Type: modelarts.ImageTypeDedicated}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(group.Name, group.VersionCount)
	}
	// Output:
	// my-pytorch 3
	// my-tf 1
}

func ExampleClient_ListImageGroupsPage() {
	client, stop := exampleService(map[string][]string{
		"GET /images/group": {`{"data":[{"id":"g1","name":"my-pytorch"}],"total":7,"is_swr_enterprise":false}`},
	})
	defer stop()
	page, err := client.ListImageGroupsPage(context.Background(), &modelarts.ListImageGroupsOptions{Limit: 1})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(page.Items), "of", page.Total)
	// Output: 1 of 7
}

func ExampleClient_UpdateImageGroup() {
	client, stop := exampleService(map[string][]string{
		"PUT /images/group/g1": {`{"id":"g1","name":"my-pytorch","read_me":"# How to use"}`},
	})
	defer stop()
	group, err := client.UpdateImageGroup(context.Background(), "g1", &modelarts.UpdateImageGroupRequest{
		ReadMe: "# How to use",
		Tags:   []modelarts.Tag{{Key: "team", Value: "ml"}},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(group.Name, group.ReadMe)
	// Output: my-pytorch # How to use
}

func ExampleClient_DeleteImageGroup() {
	client, stop := exampleService(map[string][]string{
		"DELETE /images/group/g1": {`{"id":"g1"}`},
	})
	defer stop()
	// WithForce also deletes the images' content in SWR.
	if err := client.DeleteImageGroup(context.Background(), "g1", modelarts.WithForce()); err != nil {
		log.Fatal(err)
	}
	fmt.Println("deleted")
	// Output: deleted
}

func ExampleClient_ListNotebooks() {
	client, stop := exampleService(map[string][]string{
		"GET /notebooks": {`{"data":[{"id":"nb-1","name":"dev","status":"RUNNING"}],"total":1}`},
	})
	defer stop()
	for nb, err := range client.ListNotebooks(context.Background(), &modelarts.ListNotebooksOptions{Status: modelarts.NotebookStatusRunning}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(nb.Name, nb.Status)
	}
	// Output: dev RUNNING
}

func ExampleClient_StartNotebook() {
	client, stop := exampleService(map[string][]string{
		"POST /notebooks/nb-1/start": {`{"id":"nb-1","status":"STARTING"}`, `400 {"error_code":"ModelArts.6306","error_msg":"starting"}`},
		"GET /notebooks/nb-1":        {`{"id":"nb-1","status":"STARTING"}`, `{"id":"nb-1","status":"RUNNING"}`},
	})
	defer stop()
	ctx := context.Background()
	nb, err := client.StartNotebook(ctx, "nb-1", &modelarts.StartNotebookOptions{Duration: 4 * time.Hour})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(nb.Status)
	// Starting it again while it starts is refused with a sentinel.
	_, err = client.StartNotebook(ctx, "nb-1", nil)
	fmt.Println(errors.Is(err, modelarts.ErrNotebookStarting))
	nb, err = client.WaitForNotebook(ctx, "nb-1", modelarts.NotebookStatusRunning)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(nb.Status)
	// Output:
	// STARTING
	// true
	// RUNNING
}

func ExampleClient_StopNotebook() {
	client, stop := exampleService(map[string][]string{
		"POST /notebooks/nb-1/stop": {`{"id":"nb-1","status":"STOPPING"}`},
	})
	defer stop()
	nb, err := client.StopNotebook(context.Background(), "nb-1")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(nb.Status)
	// Output: STOPPING
}

func ExampleClient_WaitForNotebook() {
	client, stop := exampleService(map[string][]string{
		"GET /notebooks/nb-1": {`{"id":"nb-1","status":"STARTING"}`, `{"id":"nb-1","status":"START_FAILED","fail_reason":"no capacity"}`},
	})
	defer stop()
	_, err := client.WaitForNotebook(context.Background(), "nb-1", modelarts.NotebookStatusRunning)
	var failed *modelarts.NotebookFailedError
	if errors.As(err, &failed) {
		fmt.Println(failed.Status, failed.FailReason)
	}
	// Output: START_FAILED no capacity
}

func ExampleClient_SaveNotebookAsImage() {
	client, stop := exampleService(map[string][]string{
		"GET /notebooks/nb-1":               {`{"id":"nb-1","status":"RUNNING"}`, `{"id":"nb-1","status":"SNAPSHOTTING"}`, `{"id":"nb-1","status":"RUNNING"}`},
		"POST /notebooks/nb-1/create-image": {`{"id":"img-9","name":"my-env","status":"INIT"}`},
		"GET /images/img-9":                 {`{"id":"img-9","name":"my-env","status":"CREATING"}`, `{"id":"img-9","name":"my-env","status":"ACTIVE"}`},
	})
	defer stop()
	img, err := client.SaveNotebookAsImage(context.Background(), "nb-1",
		&modelarts.CreateImageRequest{Name: "my-env", Namespace: "deep-learning-demo", Tag: "v1"},
		modelarts.WithProgress(func(img *modelarts.Image) { fmt.Println("image:", img.Status) }),
		modelarts.WithNotebookProgress(func(nb *modelarts.Notebook) { fmt.Println("notebook:", nb.Status) }))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(img.Name, img.Status)
	// Output:
	// image: CREATING
	// image: ACTIVE
	// notebook: SNAPSHOTTING
	// notebook: RUNNING
	// my-env ACTIVE
}

func ExampleClient_CreateSaveImageJob() {
	path := "/training-jobs/job-1/tasks/worker-0/save-image-job"
	client, stop := exampleService(map[string][]string{
		"POST " + path: {`{"name":"trained-env","status":"INIT"}`},
		"GET " + path:  {`{"name":"trained-env","status":"CREATING"}`, `{"name":"trained-env","status":"ACTIVE"}`},
	})
	defer stop()
	ctx := context.Background()
	if _, err := client.CreateSaveImageJob(ctx, "job-1", "worker-0", &modelarts.SaveImageJobRequest{
		Name: "trained-env", Namespace: "deep-learning-demo", Tag: "v1"}); err != nil {
		log.Fatal(err)
	}
	job, err := client.WaitForSaveImageJob(ctx, "job-1", "worker-0")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(job.Name, job.Status)
	// Output: trained-env ACTIVE
}

func ExampleClient_GetSaveImageJob() {
	client, stop := exampleService(map[string][]string{
		"GET /training-jobs/job-1/tasks/worker-0/save-image-job": {`{"name":"trained-env","status":"CREATE_FAILED","message":"image too large"}`},
	})
	defer stop()
	job, err := client.GetSaveImageJob(context.Background(), "job-1", "worker-0")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(job.Status.IsFailure(), job.Message)
	// Output: true image too large
}

func ExampleClient_WaitForSaveImageJob() {
	client, stop := exampleService(map[string][]string{
		"GET /training-jobs/job-1/tasks/worker-0/save-image-job": {`{"status":"CREATING"}`, `{"status":"CREATE_FAILED","message":"disk full"}`},
	})
	defer stop()
	_, err := client.WaitForSaveImageJob(context.Background(), "job-1", "worker-0")
	fmt.Println(errors.Is(err, modelarts.ErrImageFailed))
	// Output: true
}

func ExampleClient_ListNotebooksPage() {
	client, stop := exampleService(map[string][]string{
		"GET /notebooks": {`{"data":[{"id":"nb-1","name":"dev","status":"STOPPED"}],"total":31}`},
	})
	defer stop()
	// The service pages notebooks by 10, 20 or 50 only.
	page, err := client.ListNotebooksPage(context.Background(), &modelarts.ListNotebooksOptions{Limit: 20})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(page.Items[0].Name, page.Total)
	// Output: dev 31
}
