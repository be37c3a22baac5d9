package otelmodelarts_test

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/modelarts-go/modelarts"
	"github.com/modelarts-go/modelarts/modelartstest"
	"github.com/modelarts-go/modelarts/otelmodelarts"
)

// A traced save against the fake, with no collector: two of its image
// polls meet a 503 and the create's answer is lost. The tree is printed
// from the span recorder; in production, give New the TracerProvider of
// your exporter instead.
func Example_tracedSave() {
	srv := modelartstest.NewServer()
	defer srv.Close()
	srv.AddNotebook("nb-1", modelarts.NotebookStatusRunning)
	srv.InjectFault(modelartstest.RouteCreateImage, modelartstest.AfterHandling{Then: modelartstest.Drop{}})
	srv.InjectFaultTimes(modelartstest.RouteGetImage, 2, modelartstest.ErrorAnswer{Status: 503})

	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	client := srv.Client(otelmodelarts.New(otelmodelarts.WithTracerProvider(tp)))

	img, err := client.SaveNotebookAsImage(context.Background(), "nb-1",
		&modelarts.CreateImageRequest{Name: "env", Namespace: "team", Tag: "v1"})
	if err != nil {
		fmt.Println("save:", err)
		return
	}
	fmt.Println("saved:", img.Status)
	printTree(spans.Ended())
	// Output:
	// saved: ACTIVE
	// ModelArts.SaveNotebookAsImage 200
	//   GET /v1/{project_id}/notebooks/{notebook_id} 200
	//   ModelArts.CreateImageFromNotebook 200
	//     POST /v1/{project_id}/notebooks/{notebook_id}/create-image error=connection_reset
	//     GET /v1/{project_id}/notebooks/{notebook_id} 200
	//     GET /v1/{project_id}/images 200
	//     · reconcile (lost_answer) lookup 1: found
	//   GET /v1/{project_id}/images/{image_id} 503 error=503
	//   · retry after attempt 1: server_error
	//   GET /v1/{project_id}/images/{image_id} 503 error=503
	//   · retry after attempt 2: server_error
	//   GET /v1/{project_id}/images/{image_id} 200
	//   · poll image #1: ACTIVE
	//   GET /v1/{project_id}/notebooks/{notebook_id} 200
	//   · poll notebook #1: RUNNING
}

// printTree prints spans as a tree: each span with its status, then its
// events and its children in the order they happened.
func printTree(spans []sdktrace.ReadOnlySpan) {
	children := map[string][]sdktrace.ReadOnlySpan{}
	for _, s := range spans {
		parent := ""
		if s.Parent().IsValid() {
			parent = s.Parent().SpanID().String()
		}
		children[parent] = append(children[parent], s)
	}
	for _, c := range children {
		sort.Slice(c, func(i, j int) bool { return c[i].StartTime().Before(c[j].StartTime()) })
	}
	for _, root := range children[""] {
		printSpan(root, 0, children)
	}
}

func printSpan(s sdktrace.ReadOnlySpan, depth int, children map[string][]sdktrace.ReadOnlySpan) {
	line := strings.Repeat("  ", depth) + s.Name()
	if v, ok := value(s.Attributes(), "http.response.status_code"); ok {
		line += fmt.Sprintf(" %d", v.AsInt64())
	}
	if s.Status().Code == codes.Error {
		v, _ := value(s.Attributes(), "error.type")
		line += " error=" + v.String()
	}
	fmt.Println(line)
	events, kids := s.Events(), children[s.SpanContext().SpanID().String()]
	for len(events) > 0 || len(kids) > 0 {
		if len(events) > 0 && (len(kids) == 0 || events[0].Time.Before(kids[0].StartTime())) {
			fmt.Println(strings.Repeat("  ", depth+1) + "· " + describe(events[0]))
			events = events[1:]
			continue
		}
		printSpan(kids[0], depth+1, children)
		kids = kids[1:]
	}
}

func describe(e sdktrace.Event) string {
	get := func(k string) string { v, _ := value(e.Attributes, k); return v.String() }
	switch e.Name {
	case "modelarts.retry":
		return fmt.Sprintf("retry after attempt %s: %s", get("modelarts.attempt"), get("modelarts.retry.cause"))
	case "modelarts.poll":
		return fmt.Sprintf("poll %s #%s: %s", get("modelarts.poll.resource"), get("modelarts.poll.number"), get("modelarts.poll.status"))
	case "modelarts.reconcile":
		return fmt.Sprintf("reconcile (%s) lookup %s: %s", get("modelarts.reconcile.mode"), get("modelarts.reconcile.lookup"), get("modelarts.reconcile.verdict"))
	}
	return e.Name
}

func value(attrs []attribute.KeyValue, key string) (attribute.Value, bool) {
	for _, kv := range attrs {
		if string(kv.Key) == key {
			return kv.Value, true
		}
	}
	return attribute.Value{}, false
}
