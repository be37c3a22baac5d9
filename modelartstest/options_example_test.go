package modelartstest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/modelarts-go/modelarts"
	"github.com/modelarts-go/modelarts/modelartstest"
)

// One example per misbehaviour option: each is the test a user would
// write against it.

// images stores n private images "img-0"... created a minute apart, and
// returns the raw path of their listing.
func images(srv *modelartstest.Server, n int) string {
	for i := range n {
		at := modelarts.TimestampOf(time.Date(2026, 1, 1, 9, i, 0, 0, time.UTC))
		srv.PutImage(modelarts.Image{Name: fmt.Sprintf("img-%d", i), Namespace: "team", Tag: "v1",
			Type: modelarts.ImageTypeDedicated, Status: modelarts.ImageStatusActive, CreatedAt: at, UpdatedAt: at})
	}
	return "/v1/" + srv.ProjectID() + "/images?type=DEDICATED"
}

// names are the names of a listing answer's items, "null" for a null.
func names(m map[string]any) []string {
	var out []string
	for _, it := range m["data"].([]any) {
		if it == nil {
			out = append(out, "null")
			continue
		}
		out = append(out, it.(map[string]any)["name"].(string))
	}
	return out
}

// countListed walks ListImages of private images with the client.
func countListed(client *modelarts.Client) (int, error) {
	n := 0
	for _, err := range client.ListImages(context.Background(), &modelarts.ListImagesOptions{Type: modelarts.ImageTypeDedicated}) {
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

func ExampleListingLagReads() {
	srv := modelartstest.NewServer(modelartstest.WithMisbehaviour(modelartstest.ListingLagReads(1)))
	defer srv.Close()
	client := srv.Client()
	if _, err := client.RegisterImage(context.Background(), &modelarts.RegisterImageRequest{SWRPath: "swr.fake.local/team/env:v1"}); err != nil {
		panic(err)
	}
	first, _ := countListed(client)
	second, _ := countListed(client)
	fmt.Println(first, second)
	// Output: 0 1
}

func ExampleListingLagFor() {
	clock := modelartstest.NewManualClock(time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC))
	srv := modelartstest.NewServer(modelartstest.WithClock(clock), modelartstest.WithMisbehaviour(modelartstest.ListingLagFor(time.Minute)))
	defer srv.Close()
	client := srv.Client()
	if _, err := client.RegisterImage(context.Background(), &modelarts.RegisterImageRequest{SWRPath: "swr.fake.local/team/env:v1"}); err != nil {
		panic(err)
	}
	before, _ := countListed(client)
	clock.Advance(time.Minute)
	after, _ := countListed(client)
	fmt.Println(before, after)
	// Output: 0 1
}

func ExampleClockOffset() {
	clock := modelartstest.NewManualClock(time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC))
	srv := modelartstest.NewServer(modelartstest.WithClock(clock), modelartstest.WithMisbehaviour(modelartstest.ClockOffset(-5*time.Minute)))
	defer srv.Close()
	img, err := srv.Client().RegisterImage(context.Background(), &modelarts.RegisterImageRequest{SWRPath: "swr.fake.local/team/env:v1"})
	if err != nil {
		panic(err)
	}
	fmt.Println(img.CreatedAt.UTC().Format(time.TimeOnly))
	// Output: 08:55:00
}

func ExampleGatewayClockOffset() {
	clock := modelartstest.NewManualClock(time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC))
	srv := modelartstest.NewServer(modelartstest.WithClock(clock), modelartstest.WithMisbehaviour(modelartstest.GatewayClockOffset(-10*time.Minute)))
	defer srv.Close()
	srv.InjectFault(modelartstest.RouteGetImage, modelartstest.RawAnswer{Status: 502, Body: "<html>Bad Gateway</html>"})
	var resp modelarts.Response
	_, err := srv.Client(modelarts.WithRetry(modelarts.RetryPolicy{MaxAttempts: 1})).GetImage(context.Background(), "278e88d1-5b71-4766-8502-b3ba72e824d9", modelarts.WithResponse(&resp))
	fmt.Println(err != nil, resp.Header.Get("Date"))
	// Output: true Thu, 01 Jan 2026 08:50:00 GMT
}

func ExamplePageSizeCap() {
	srv := modelartstest.NewServer(modelartstest.WithMisbehaviour(modelartstest.PageSizeCap(2)))
	defer srv.Close()
	_, m := call(srv, "GET", images(srv, 5)+"&limit=10", "")
	fmt.Println(len(m["data"].([]any)), m["size"])
	n, err := countListed(srv.Client())
	fmt.Println(n, err)
	// Output:
	// 2 2
	// 5 <nil>
}

func ExampleNoListingTotal() {
	srv := modelartstest.NewServer(modelartstest.WithMisbehaviour(modelartstest.NoListingTotal()))
	defer srv.Close()
	_, m := call(srv, "GET", images(srv, 3), "")
	_, hasTotal := m["total"]
	n, err := countListed(srv.Client())
	fmt.Println(hasTotal, n, err)
	// Output: false 3 <nil>
}

func ExampleFixedListingTotal() {
	srv := modelartstest.NewServer(modelartstest.WithMisbehaviour(modelartstest.FixedListingTotal(100000), modelartstest.PageSizeCap(2)))
	defer srv.Close()
	path := images(srv, 3)
	_, m := call(srv, "GET", path, "")
	fmt.Println(m["total"], names(m))
	_, m = call(srv, "GET", path+"&offset=4", "")
	fmt.Println(m["total"], names(m))
	// Output:
	// 100000 [img-2 img-1]
	// 100000 []
}

func ExampleIgnoredOffset() {
	srv := modelartstest.NewServer(modelartstest.WithMisbehaviour(modelartstest.IgnoredOffset()))
	defer srv.Close()
	path := images(srv, 3)
	_, first := call(srv, "GET", path+"&limit=2", "")
	_, second := call(srv, "GET", path+"&limit=2&offset=2", "")
	fmt.Println(names(first), names(second))
	// Output: [img-2 img-1] [img-2 img-1]
}

func ExampleIgnoredSort() {
	srv := modelartstest.NewServer(modelartstest.WithMisbehaviour(modelartstest.IgnoredSort()))
	defer srv.Close()
	_, m := call(srv, "GET", images(srv, 3)+"&sort_dir=DESC", "")
	fmt.Println(names(m))
	// Output: [img-0 img-1 img-2]
}

func ExampleIgnoredNameFilters() {
	srv := modelartstest.NewServer(modelartstest.WithMisbehaviour(modelartstest.IgnoredNameFilters()))
	defer srv.Close()
	_, m := call(srv, "GET", images(srv, 3)+"&name=img-1&name_fuzzy_match=false", "")
	fmt.Println(names(m))
	// Output: [img-2 img-1 img-0]
}

func ExampleNoSnapshotting() {
	srv := modelartstest.NewServer(modelartstest.WithMisbehaviour(modelartstest.NoSnapshotting()))
	defer srv.Close()
	srv.AddNotebook("nb-1", modelarts.NotebookStatusRunning)
	if _, err := srv.SaveNotebook("nb-1", modelartstest.SaveRequest{Name: "env", Namespace: "team", Tag: "v1"}); err != nil {
		panic(err)
	}
	st, _ := srv.NotebookStatus("nb-1")
	fmt.Println(st)
	// Output: RUNNING
}

func ExampleUnlockedNotebookSaves() {
	srv := modelartstest.NewServer(modelartstest.WithMisbehaviour(modelartstest.UnlockedNotebookSaves()))
	defer srv.Close()
	srv.AddNotebook("nb-1", modelarts.NotebookStatusRunning)
	client := srv.Client()
	for _, tag := range []string{"v1", "v2"} {
		_, err := client.CreateImageFromNotebook(context.Background(), "nb-1", &modelarts.CreateImageRequest{Name: "env", Namespace: "team", Tag: tag})
		fmt.Println(tag, err)
	}
	// Output:
	// v1 <nil>
	// v2 <nil>
}

func ExampleRepeatRegistrations() {
	srv := modelartstest.NewServer(modelartstest.WithMisbehaviour(modelartstest.RepeatRegistrations()))
	defer srv.Close()
	client := srv.Client()
	a, _ := client.RegisterImage(context.Background(), &modelarts.RegisterImageRequest{SWRPath: "swr.fake.local/team/env:v1"})
	b, _ := client.RegisterImage(context.Background(), &modelarts.RegisterImageRequest{SWRPath: "swr.fake.local/team/env:v1"})
	fmt.Println(a.SWRPath == b.SWRPath, a.ID != b.ID)
	// Output: true true
}

func ExampleRotatingListingOrder() {
	srv := modelartstest.NewServer(modelartstest.WithMisbehaviour(modelartstest.RotatingListingOrder()))
	defer srv.Close()
	path := images(srv, 3)
	for _, offset := range []string{"0", "3", "6"} {
		_, m := call(srv, "GET", path+"&offset="+offset, "")
		fmt.Println(names(m))
	}
	// Output:
	// [img-2 img-1 img-0]
	// [img-1 img-0 img-2]
	// [img-0 img-2 img-1]
}

func ExampleAlternatingListingOrder() {
	srv := modelartstest.NewServer(modelartstest.WithMisbehaviour(modelartstest.AlternatingListingOrder()))
	defer srv.Close()
	path := images(srv, 3)
	for _, offset := range []string{"0", "3", "6"} {
		_, m := call(srv, "GET", path+"&offset="+offset, "")
		fmt.Println(names(m))
	}
	// Output:
	// [img-2 img-1 img-0]
	// [img-0 img-1 img-2]
	// [img-2 img-1 img-0]
}

func ExampleNullListingItems() {
	srv := modelartstest.NewServer(modelartstest.WithMisbehaviour(modelartstest.NullListingItems(1)))
	defer srv.Close()
	path := images(srv, 3)
	_, m := call(srv, "GET", path+"&limit=2", "")
	fmt.Println(names(m), m["total"])
	_, m = call(srv, "GET", path+"&limit=2&offset=2", "")
	fmt.Println(names(m))
	// Output:
	// [img-2 null] 4
	// [img-1 img-0]
}

func ExampleAnotherCaller() {
	srv := modelartstest.NewServer()
	defer srv.Close()
	srv.AddNotebook("nb-mine", modelarts.NotebookStatusRunning)
	srv.AddNotebook("nb-theirs", modelarts.NotebookStatusRunning)
	// While my save is in flight, another user saves their notebook as
	// the same name and tag: mine is refused as a duplicate.
	srv.Misbehave(modelartstest.AnotherCaller(modelartstest.RouteCreateImage, modelartstest.WhenArrived, func(s *modelartstest.Server) {
		if _, err := s.SaveNotebook("nb-theirs", modelartstest.SaveRequest{Name: "env", Namespace: "team", Tag: "v1"}); err != nil {
			panic(err)
		}
	}))
	_, err := srv.Client().CreateImageFromNotebook(context.Background(), "nb-mine", &modelarts.CreateImageRequest{Name: "env", Namespace: "team", Tag: "v1"})
	fmt.Println(errors.Is(err, modelarts.ErrConflict) || errors.Is(err, modelarts.ErrCreateOutcomeUnknown))
	// Output: true
}

func ExampleServer_Misbehave() {
	srv := modelartstest.NewServer()
	defer srv.Close()
	path := images(srv, 3)
	srv.Misbehave(modelartstest.PageSizeCap(1))
	_, m := call(srv, "GET", path, "")
	fmt.Println(len(m["data"].([]any)))
	srv.BehaveWell()
	_, m = call(srv, "GET", path, "")
	fmt.Println(len(m["data"].([]any)))
	// Output:
	// 1
	// 3
}

func ExampleServer_Wrap() {
	srv := modelartstest.NewServer()
	defer srv.Close()
	srv.Wrap(modelartstest.RouteGetImage, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Println("reading", r.PathValue("id"))
			next.ServeHTTP(w, r)
		})
	})
	img, err := srv.Client().GetImage(context.Background(), "278e88d1-5b71-4766-8502-b3ba72e824d9")
	fmt.Println(img.Name, err)
	// Output:
	// reading 278e88d1-5b71-4766-8502-b3ba72e824d9
	// pytorch1.8-cuda10.2-cudnn7-ubuntu18.04 <nil>
}

func ExampleServer_Replace() {
	srv := modelartstest.NewServer()
	defer srv.Close()
	srv.Replace(modelartstest.RouteGetImage, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":%q,"name":"replaced","status":"ACTIVE"}`, r.PathValue("id"))
	}))
	img, err := srv.Client().GetImage(context.Background(), "any-id")
	fmt.Println(img.Name, err)
	// Output: replaced <nil>
}

func ExampleServer_Handler() {
	srv := modelartstest.NewServer()
	defer srv.Close()
	mine := http.NewServeMux()
	mine.Handle("/v1/", srv.Handler())
	req := httptest.NewRequest("GET", "/v1/"+srv.ProjectID()+"/images/278e88d1-5b71-4766-8502-b3ba72e824d9", nil)
	req.Header.Set("X-Auth-Token", srv.Token())
	rec := httptest.NewRecorder()
	mine.ServeHTTP(rec, req)
	fmt.Println(rec.Code)
	// Output: 200
}

func ExampleServer_InjectFaultTimes() {
	srv := modelartstest.NewServer()
	defer srv.Close()
	srv.InjectFaultTimes(modelartstest.RouteGetImage, 2, modelartstest.Drop{})
	_, err := srv.Client().GetImage(context.Background(), "278e88d1-5b71-4766-8502-b3ba72e824d9")
	fmt.Println(err, srv.RequestCount(modelartstest.RouteGetImage))
	// Output: <nil> 3
}

func ExampleAfterHandling() {
	srv := modelartstest.NewServer()
	defer srv.Close()
	srv.AddNotebook("nb-1", modelarts.NotebookStatusRunning)
	// The save happens; its answer is lost on the way back.
	srv.InjectFault(modelartstest.RouteCreateImage, modelartstest.AfterHandling{Then: modelartstest.Drop{}})
	img, err := srv.Client().CreateImageFromNotebook(context.Background(), "nb-1", &modelarts.CreateImageRequest{Name: "env", Namespace: "team", Tag: "v1"})
	fmt.Println(img.Tag, err, srv.RequestCount(modelartstest.RouteCreateImage))
	// Output: v1 <nil> 1
}

func ExampleNewManualClock() {
	clock := modelartstest.NewManualClock(time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC))
	srv := modelartstest.NewServer(modelartstest.WithClock(clock))
	defer srv.Close()
	clock.Advance(90 * time.Minute)
	fmt.Println(srv.Now().Format(time.TimeOnly))
	// Output: 10:30:00
}
