package modelarts_test

import (
	"context"
	"fmt"

	"github.com/modelarts-go/modelarts"
	"github.com/modelarts-go/modelarts/modelartstest"
)

// An Observer sees each call, attempt, retry, poll and reconciliation step.
// Here it prints them for a save whose create answer is lost (the SDK
// finds the image it made) and whose first image poll meets a 503.
func ExampleWithObserver() {
	srv := modelartstest.NewServer()
	defer srv.Close()
	srv.AddNotebook("nb-1", modelarts.NotebookStatusRunning)
	srv.InjectFault(modelartstest.RouteCreateImage, modelartstest.AfterHandling{Then: modelartstest.Drop{}})
	srv.InjectFault(modelartstest.RouteGetImage, modelartstest.ErrorAnswer{Status: 503})

	obs := modelarts.Observer{
		Call: func(ctx context.Context, c *modelarts.CallStart) (context.Context, func(*modelarts.CallEnd)) {
			fmt.Println("call", c.Operation)
			return ctx, func(e *modelarts.CallEnd) { fmt.Println("end", c.Operation, "error:", e.Err) }
		},
		Attempt: func(ctx context.Context, a *modelarts.AttemptStart) (context.Context, func(*modelarts.AttemptEnd)) {
			return ctx, func(e *modelarts.AttemptEnd) { fmt.Println("  ", a.Method, a.Route, e.StatusCode) }
		},
		Retry: func(_ context.Context, r *modelarts.RetryInfo) { fmt.Println("   retry:", r.Cause) },
		Poll: func(_ context.Context, p *modelarts.PollInfo) {
			fmt.Println("   poll", p.Resource, p.Status)
		},
		Reconcile: func(_ context.Context, s *modelarts.ReconcileStep) {
			fmt.Println("   reconcile", s.Mode, s.Verdict)
		},
	}
	client := srv.Client(modelarts.WithObserver(obs))
	_, err := client.SaveNotebookAsImage(context.Background(), "nb-1",
		&modelarts.CreateImageRequest{Name: "env", Namespace: "team", Tag: "v1"})
	fmt.Println("saved:", err == nil)
	// Output:
	// call SaveNotebookAsImage
	//    GET /v1/{project_id}/notebooks/{notebook_id} 200
	// call CreateImageFromNotebook
	//    POST /v1/{project_id}/notebooks/{notebook_id}/create-image 0
	//    GET /v1/{project_id}/notebooks/{notebook_id} 200
	//    GET /v1/{project_id}/images 200
	//    reconcile lost_answer found
	// end CreateImageFromNotebook error: <nil>
	//    GET /v1/{project_id}/images/{image_id} 503
	//    retry: server_error
	//    GET /v1/{project_id}/images/{image_id} 200
	//    poll image ACTIVE
	//    GET /v1/{project_id}/notebooks/{notebook_id} 200
	//    poll notebook RUNNING
	// end SaveNotebookAsImage error: <nil>
	// saved: true
}
