package modelarts_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelarts-go/modelarts"
	"github.com/modelarts-go/modelarts/auth"
	"github.com/modelarts-go/modelarts/modelartstest"
)

const (
	gFakeAK = "FAKEAKID0123456789AB"
	gFakeSK = "fakeSecretKey0123456789abcdefghij"
)

type gTamper struct {
	base http.RoundTripper
	kind string
}

func (tp gTamper) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	switch tp.kind {
	case "query":
		if r.URL.RawQuery != "" {
			r.URL.RawQuery += "&"
		}
		r.URL.RawQuery += "x=1"
	case "body":
		if r.Body != nil {
			b, _ := io.ReadAll(r.Body)
			b = bytes.Replace(b, []byte("app:v1"), []byte("app:v2"), 1)
			r.Body = io.NopCloser(bytes.NewReader(b))
		}
	case "path":
		r.URL.Path = strings.Replace(r.URL.Path, "/images", "/images/", 1)
		r.URL.RawPath = ""
	case "date":
		d := r.Header.Get("X-Sdk-Date")
		if t, err := time.Parse("20060102T150405Z", d); err == nil {
			r.Header.Set("X-Sdk-Date", t.Add(time.Second).Format("20060102T150405Z"))
		}
	case "sig":
		a := r.Header.Get("Authorization")
		re := regexp.MustCompile(`Signature=([0-9a-f]+)`)
		r.Header.Set("Authorization", re.ReplaceAllStringFunc(a, func(m string) string {
			last := m[len(m)-1]
			if last == '0' {
				return m[:len(m)-1] + "1"
			}
			return m[:len(m)-1] + "0"
		}))
	case "project":
		r.Header.Set("X-Project-Id", "00000000000000000000000000000000")
	case "ak":
		r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), gFakeAK, "FAKEAKID0123456789AC", 1))
	case "nosign":
		r.Header.Del("Authorization")
	case "signedheaders":
		r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "SignedHeaders=", "SignedHeaders=content-type;", 1))
		r.Header.Set("Content-Type", "text/evil")
	}
	return tp.base.RoundTrip(r)
}

func TestFakeSignatureVerifierRefusesEveryTamperedSignedRequest(t *testing.T) {
	for _, kind := range []string{"none", "query", "body", "path", "date", "sig", "project", "ak", "nosign"} {
		t.Run(kind, func(t *testing.T) {
			srv := modelartstest.NewServer(modelartstest.WithAKSK(gFakeAK, gFakeSK))
			defer srv.Close()
			signer, err := auth.NewAKSKSigner(gFakeAK, gFakeSK)
			if err != nil {
				t.Fatal(err)
			}
			c, err := modelarts.NewClient(srv.URL(), srv.ProjectID(), signer, modelarts.WithRetry(modelarts.RetryPolicy{MaxAttempts: 1}),
				modelarts.WithHTTPClient(&http.Client{Transport: gTamper{base: srv.HTTPClient().Transport, kind: kind}}),
				modelarts.WithReconcileWindow(0))
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.RegisterImage(gCtx(t, 3*time.Second), &modelarts.RegisterImageRequest{SWRPath: gSWR})
			reqs := srv.Requests()
			if len(reqs) == 0 {
				t.Fatal("no request logged")
			}
			first := reqs[0]
			if kind == "none" {
				if err != nil || !first.Identity.Verified || first.Identity.Kind != modelartstest.AuthAKSK {
					t.Fatalf("a good signature was refused: %v %+v", err, first.Identity)
				}
				return
			}
			if first.Identity.Verified {
				t.Fatalf("tampered (%s) request accepted: %+v", kind, first.Identity)
			}
			for _, img := range srv.Images() {
				if strings.HasPrefix(img.SWRPath, "swr.cn-north-4.myhuaweicloud.com/team/app") {
					t.Fatalf("tampered (%s) request created an image", kind)
				}
			}
		})
	}
}

func TestFakeSignatureVerifierRefusesWrongSKAndStaleDate(t *testing.T) {
	srv := modelartstest.NewServer(modelartstest.WithAKSK(gFakeAK, gFakeSK), modelartstest.WithMisbehaviour(modelartstest.GatewayClockOffset(20*time.Minute)))
	defer srv.Close()
	good, _ := auth.NewAKSKSigner(gFakeAK, gFakeSK)
	c, _ := modelarts.NewClient(srv.URL(), srv.ProjectID(), good, modelarts.WithRetry(modelarts.RetryPolicy{MaxAttempts: 1}), modelarts.WithHTTPClient(srv.HTTPClient()))
	_, err := c.GetImage(gCtx(t, 2*time.Second), "x")
	var ae *modelarts.APIError
	if !errors.As(err, &ae) || ae.Code != modelarts.CodeSignatureExpired {
		t.Fatalf("stale date (gateway 20 min ahead) not refused APIGW.0303: %v", err)
	}
	srv2 := modelartstest.NewServer(modelartstest.WithAKSK(gFakeAK, gFakeSK))
	defer srv2.Close()
	bad, _ := auth.NewAKSKSigner(gFakeAK, gFakeSK+"x")
	c2, _ := modelarts.NewClient(srv2.URL(), srv2.ProjectID(), bad, modelarts.WithRetry(modelarts.RetryPolicy{MaxAttempts: 1}), modelarts.WithHTTPClient(srv2.HTTPClient()))
	_, err = c2.GetImage(gCtx(t, 2*time.Second), "x")
	if !errors.Is(err, modelarts.ErrUnauthorized) {
		t.Fatalf("wrong SK not refused with 401: %v", err)
	}
}

func TestFakeManualClockDrivesDateHeaderAndCreateTimes(t *testing.T) {
	t0 := time.Date(2030, 5, 6, 7, 8, 9, 0, time.UTC)
	clock := modelartstest.NewManualClock(t0)
	srv := modelartstest.NewServer(modelartstest.WithClock(clock), modelartstest.WithMisbehaviour(modelartstest.ClockOffset(-time.Hour)))
	defer srv.Close()
	var md modelarts.Response
	c := srv.Client()
	img, err := c.RegisterImage(gCtx(t, 2*time.Second), &modelarts.RegisterImageRequest{SWRPath: gSWR}, modelarts.WithResponse(&md))
	if err != nil {
		t.Fatal(err)
	}
	want := t0.Add(-time.Hour)
	if !img.CreatedAt.Time.Equal(want) {
		t.Fatalf("create_at %v, want %v", img.CreatedAt.Time, want)
	}
	if d, _ := http.ParseTime(md.Header.Get("Date")); !d.Equal(want) {
		t.Fatalf("Date %q, want %v", md.Header.Get("Date"), want)
	}
	clock.Advance(time.Minute)
	if !srv.Now().Equal(want.Add(time.Minute)) {
		t.Fatalf("Now %v", srv.Now())
	}
}

func TestFakeRequestsLogsFaultedRequestsAndWrapReplaceUnwrapWork(t *testing.T) {
	srv := modelartstest.NewServer()
	defer srv.Close()
	srv.AddNotebook("nb-1", modelarts.NotebookStatusRunning)
	srv.InjectFault(modelartstest.RouteGetNotebook, modelartstest.ErrorAnswer{Status: 500})
	var wrapped atomic.Int32
	srv.Wrap(modelartstest.RouteGetNotebook, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { wrapped.Add(1); next.ServeHTTP(w, r) })
	})
	c := srv.Client()
	nb, err := c.GetNotebook(gCtx(t, 2*time.Second), "nb-1")
	if err != nil || nb.ID != "nb-1" {
		t.Fatalf("%v %v", nb, err)
	}
	if wrapped.Load() != 1 {
		t.Fatalf("wrap saw %d (the faulted request must not reach it)", wrapped.Load())
	}
	if srv.RequestCount(modelartstest.RouteGetNotebook) != 2 || len(srv.Requests()) != 2 {
		t.Fatalf("requests %d", len(srv.Requests()))
	}
	srv.Replace(modelartstest.RouteGetNotebook, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":"nb-1","name":"replaced","status":"STOPPED"}`)
	}))
	nb, err = c.GetNotebook(gCtx(t, 2*time.Second), "nb-1")
	if err != nil || nb.Name != "replaced" {
		t.Fatalf("replace not used: %v %v", nb, err)
	}
	srv.Unwrap(modelartstest.RouteGetNotebook)
	nb, _ = c.GetNotebook(gCtx(t, 2*time.Second), "nb-1")
	if nb.Name == "replaced" {
		t.Fatalf("unwrap did not restore")
	}
}

func TestFakeHandlerMountedInOwnServerServesTheAPI(t *testing.T) {
	srv := modelartstest.NewServer()
	defer srv.Close()
	own := httptest.NewServer(srv.Handler())
	defer own.Close()
	c, err := modelarts.NewClient(own.URL, srv.ProjectID(), auth.NewTokenSigner(srv.Token()), modelarts.WithRetry(modelarts.RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, err := range c.ListImages(gCtx(t, 2*time.Second), &modelarts.ListImagesOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 2 {
		t.Fatalf("built-in images: %d", n)
	}
	bad, _ := modelarts.NewClient(own.URL, srv.ProjectID(), auth.NewTokenSigner("not-the-token-xyz"), modelarts.WithRetry(modelarts.RetryPolicy{MaxAttempts: 1}))
	if _, err := bad.GetImage(gCtx(t, 2*time.Second), "x"); !errors.Is(err, modelarts.ErrUnauthorized) {
		t.Fatalf("wrong token through Handler not refused: %v", err)
	}
}

func TestFakeTypedFaultsPanicOnUnknownRouteAndBadCount(t *testing.T) {
	srv := modelartstest.NewServer()
	defer srv.Close()
	for name, f := range map[string]func(){
		"route": func() { srv.InjectFault(modelartstest.Route("GET /v1/{project_id}/imagez"), modelartstest.Drop{}) },
		"nil":   func() { srv.InjectFault(modelartstest.RouteGetImage, nil) },
		"zero":  func() { srv.InjectFaultTimes(modelartstest.RouteGetImage, 0, modelartstest.Drop{}) },
		"count": func() { srv.RequestCount(modelartstest.Route("nope")) },
		"delay": func() { modelartstest.Delay(0, nil) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

func TestFakeListingMisbehavioursShapePagesAsDocumented(t *testing.T) {
	srv := modelartstest.NewServer()
	defer srv.Close()
	for i := 0; i < 7; i++ {
		srv.PutImage(modelarts.Image{Name: "p" + string(rune('a'+i)), Namespace: "team", Tag: "v1", Type: modelarts.ImageTypeDedicated})
	}
	c := srv.Client()
	ctx := gCtx(t, 3*time.Second)
	opts := &modelarts.ListImagesOptions{Limit: 5, Type: modelarts.ImageTypeDedicated}
	srv.Misbehave(modelartstest.PageSizeCap(3))
	p, err := c.ListImagesPage(ctx, opts)
	if err != nil || len(p.Items) != 3 || p.Total != 7 {
		t.Fatalf("cap: %d images total %d %v", len(p.Items), p.Total, err)
	}
	srv.BehaveWell()
	srv.Misbehave(modelartstest.NoListingTotal())
	p, _ = c.ListImagesPage(ctx, opts)
	if p.Total != 0 || len(p.Items) != 5 {
		t.Fatalf("no total: total %d len %d", p.Total, len(p.Items))
	}
	srv.BehaveWell()
	srv.Misbehave(modelartstest.FixedListingTotal(1000))
	p, _ = c.ListImagesPage(ctx, opts)
	if p.Total != 1000 {
		t.Fatalf("fixed total %d", p.Total)
	}
	srv.BehaveWell()
	srv.Misbehave(modelartstest.IgnoredOffset())
	p1, _ := c.ListImagesPage(ctx, &modelarts.ListImagesOptions{Limit: 2, Offset: 4, Type: modelarts.ImageTypeDedicated})
	p0, _ := c.ListImagesPage(ctx, &modelarts.ListImagesOptions{Limit: 2, Type: modelarts.ImageTypeDedicated})
	if p1.Items[0].ID != p0.Items[0].ID {
		t.Fatalf("offset not ignored")
	}
	srv.BehaveWell()
	srv.Misbehave(modelartstest.NullListingItems(0, 1))
	p, _ = c.ListImagesPage(ctx, &modelarts.ListImagesOptions{Limit: 3, Type: modelarts.ImageTypeDedicated})
	if p.Total != 9 {
		t.Fatalf("nulls must count toward total: %d", p.Total)
	}
	nonNil := 0
	for _, i := range p.Items {
		if i != nil {
			nonNil++
		}
	}
	t.Logf("page with nulls at 0,1: %d slots, %d images", len(p.Items), nonNil)
}

// A total that is stale or an estimate, too low or too high, loses no
// image: the walk goes past a low one while pages come back full and new,
// and stops on an empty page under a high one. (A low total the walk
// lands on exactly, 5 or 10 here, is taken at its word.)
func TestAWalkUnderAStaleTotalYieldsEveryImage(t *testing.T) {
	for _, total := range []int{0, 1, 3, 11, 5000} {
		srv := modelartstest.NewServer(modelartstest.WithMisbehaviour(modelartstest.FixedListingTotal(total)))
		for i := range 12 {
			srv.PutImage(modelarts.Image{Name: fmt.Sprintf("stale-%d", i), Namespace: "team", Tag: "v1", Type: modelarts.ImageTypeDedicated})
		}
		var n int
		for _, err := range srv.Client().ListImages(context.Background(), &modelarts.ListImagesOptions{Limit: 5, Type: modelarts.ImageTypeDedicated}) {
			if err != nil {
				t.Fatalf("total %d: %v", total, err)
			}
			n++
		}
		srv.Close()
		if n != 12 {
			t.Fatalf("total %d: %d of 12 images yielded", total, n)
		}
	}
}

func TestFakeListingLagHidesNewImageFromListingButNotFromGet(t *testing.T) {
	srv := modelartstest.NewServer(modelartstest.WithMisbehaviour(modelartstest.ListingLagReads(2)))
	defer srv.Close()
	c := srv.Client()
	ctx := gCtx(t, 3*time.Second)
	img, err := c.RegisterImage(ctx, &modelarts.RegisterImageRequest{SWRPath: gSWR})
	if err != nil {
		t.Fatal(err)
	}
	count := func() int {
		p, err := c.ListImagesPage(ctx, &modelarts.ListImagesOptions{Type: modelarts.ImageTypeDedicated})
		if err != nil {
			t.Fatal(err)
		}
		return len(p.Items)
	}
	if _, err := c.GetImage(ctx, img.ID); err != nil {
		t.Fatalf("GET does not find a lagging image: %v", err)
	}
	a, b, d := count(), count(), count()
	if a != 0 || b != 0 || d != 1 {
		t.Fatalf("lag of 2 reads: got %d %d %d", a, b, d)
	}
}

func TestFakeNoSnapshottingKeepsNotebookRunningDuringSave(t *testing.T) {
	srv := modelartstest.NewServer(modelartstest.WithMisbehaviour(modelartstest.NoSnapshotting()))
	defer srv.Close()
	srv.AddNotebook("nb-1", modelarts.NotebookStatusRunning)
	c := srv.Client()
	if _, err := c.CreateImageFromNotebook(gCtx(t, 2*time.Second), "nb-1", &modelarts.CreateImageRequest{Name: "env", Namespace: "team", Tag: "v1"}); err != nil {
		t.Fatal(err)
	}
	if st, _ := srv.NotebookStatus("nb-1"); st != modelarts.NotebookStatusRunning {
		t.Fatalf("status %s", st)
	}
}

func TestFakeAnotherCallerActsOncePerRequestInOrder(t *testing.T) {
	var order []string
	srv := modelartstest.NewServer(modelartstest.WithMisbehaviour(
		modelartstest.AnotherCaller(modelartstest.RouteGetImage, modelartstest.WhenArrived, func(*modelartstest.Server) { order = append(order, "first") }),
		modelartstest.AnotherCaller(modelartstest.RouteGetImage, modelartstest.WhenHandled, func(*modelartstest.Server) { order = append(order, "second") }),
	))
	defer srv.Close()
	c := srv.Client()
	for i := 0; i < 3; i++ {
		c.GetImage(gCtx(t, 2*time.Second), "nope")
	}
	if strings.Join(order, ",") != "first,second" {
		t.Fatalf("order %v", order)
	}
}
