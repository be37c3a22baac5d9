package modelarts_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/modelarts-go/modelarts"
	"github.com/modelarts-go/modelarts/modelartstest"
)

const r2NB = "6a6b7c8d-0b4d-4c5e-9f77-1e2d3c4b5a60"

func r2Fake(t *testing.T, opts ...modelartstest.ServerOption) *modelartstest.Server {
	t.Helper()
	srv := modelartstest.NewServer(opts...)
	t.Cleanup(srv.Close)
	srv.AddNotebook(r2NB, modelarts.NotebookStatusRunning)
	return srv
}

func r2Named(srv *modelartstest.Server, name string) []modelarts.Image {
	var out []modelarts.Image
	for _, img := range srv.Images() {
		if img.Name == name {
			out = append(out, img)
		}
	}
	return out
}

// r2SentTags returns the tags of the create-image requests the fake got.
func r2SentTags(t *testing.T, srv *modelartstest.Server) []string {
	var tags []string
	for _, r := range srv.Requests() {
		if r.Route != modelartstest.RouteCreateImage {
			continue
		}
		var body struct {
			Tag string `json:"tag"`
		}
		if err := json.Unmarshal(r.Body, &body); err != nil {
			t.Fatalf("create body %q: %v", r.Body, err)
		}
		tags = append(tags, body.Tag)
	}
	return tags
}

var r2TagRE = regexp.MustCompile(`^\d{14}-[0-9a-f]{12}$`)

func TestCreatesTaglessSavesCarryDistinctSDKTagsOfTheDocumentedFormAndLeaveReqUnchanged(t *testing.T) {
	t.Parallel()
	srv := r2Fake(t)
	c := srv.Client()
	req := &modelarts.CreateImageRequest{Name: "tl", Namespace: "ns"}
	a, err := c.CreateImageFromNotebook(r2Ctx(t, 5*time.Second), r2NB, req)
	if err != nil {
		t.Fatal(err)
	}
	nb2 := "7a6b7c8d-0b4d-4c5e-9f77-1e2d3c4b5a60"
	srv.AddNotebook(nb2, modelarts.NotebookStatusRunning)
	b, err := c.CreateImageFromNotebook(r2Ctx(t, 5*time.Second), nb2, req)
	if err != nil {
		t.Fatal(err)
	}
	if req.Tag != "" {
		t.Fatalf("req changed: %q", req.Tag)
	}
	tags := r2SentTags(t, srv)
	if len(tags) != 2 || tags[0] == tags[1] || !r2TagRE.MatchString(tags[0]) || !r2TagRE.MatchString(tags[1]) {
		t.Fatalf("tags %q", tags)
	}
	if a.Tag != tags[0] || b.Tag != tags[1] {
		t.Fatalf("returned tags %q %q, sent %q", a.Tag, b.Tag, tags)
	}
}

// Every way of losing a create's answer after the service acted.
func r2LostAfterHandling() map[string]modelartstest.Fault {
	return map[string]modelartstest.Fault{
		"drop":            modelartstest.AfterHandling{Then: modelartstest.Drop{}},
		"hang":            modelartstest.AfterHandling{Then: modelartstest.Hang{}},
		"cut":             modelartstest.CutBody{},
		"503-retry-after": modelartstest.AfterHandling{Then: modelartstest.ErrorAnswer{Status: 503, RetryAfter: "1"}},
		"502":             modelartstest.AfterHandling{Then: modelartstest.ErrorAnswer{Status: 502}},
		"500-6100":        modelartstest.AfterHandling{Then: modelartstest.ErrorAnswer{Status: 500, Code: modelarts.CodeRequestTimeout}},
		// A throttling code under a 5xx is a failure of the service first.
		"503-6101-retry-after": modelartstest.AfterHandling{Then: modelartstest.ErrorAnswer{Status: 503, Code: modelarts.CodeSystemBusy, RetryAfter: "0"}},
		"500-6101":             modelartstest.AfterHandling{Then: modelartstest.ErrorAnswer{Status: 500, Code: modelarts.CodeSystemBusy}},
		"504-html":             modelartstest.AfterHandling{Then: modelartstest.RawAnswer{Status: 504, Body: "<html>gateway timeout</html>", ContentType: "text/html"}},
		"201-empty":            modelartstest.AfterHandling{Then: modelartstest.RawAnswer{Status: 201}},
		"200-no-id":            modelartstest.AfterHandling{Then: modelartstest.RawAnswer{Status: 200, Body: `{"name":"x"}`}},
		"200-garbage":          modelartstest.AfterHandling{Then: modelartstest.RawAnswer{Status: 200, Body: `{"id":`}},

		"408-after-handle": modelartstest.AfterHandling{Then: modelartstest.ErrorAnswer{Status: 408}},
	}
}

// A tagless save whose answer is lost, while another caller saves a
// notebook under the same name (tagless too): the call is given its own
// image, the create is sent once.
func TestCreatesTaglessSaveWithEveryLostAnswerGetsItsOwnImageOnceAmidAnotherCallersSave(t *testing.T) {
	t.Parallel()
	for name, f := range r2LostAfterHandling() {
		t.Run(name, func(t *testing.T) {
			srv := r2Fake(t)
			other := "7a6b7c8d-0b4d-4c5e-9f77-1e2d3c4b5a60"
			srv.AddNotebook(other, modelarts.NotebookStatusRunning)
			srv.Misbehave(modelartstest.AnotherCaller(modelartstest.RouteCreateImage, modelartstest.WhenArrived, func(s *modelartstest.Server) {
				if _, err := s.SaveNotebook(other, modelartstest.SaveRequest{Name: "tl", Namespace: "ns"}); err != nil {
					t.Errorf("other save: %v", err)
				}
			}))
			srv.InjectFault(modelartstest.RouteCreateImage, f)
			c := srv.Client(modelarts.WithAttemptTimeout(300 * time.Millisecond))
			img, err := c.CreateImageFromNotebook(r2Ctx(t, 5*time.Second), r2NB, &modelarts.CreateImageRequest{Name: "tl", Namespace: "ns"})
			tags := r2SentTags(t, srv)
			if n := srv.RequestCount(modelartstest.RouteCreateImage); n != 1 {
				t.Fatalf("create sent %d times (tags %q)", n, tags)
			}
			if err != nil {
				if errors.Is(err, modelarts.ErrCreateOutcomeUnknown) {
					t.Fatalf("tagless save, answer lost (%s): outcome unknown although the image with this call's own tag %q is listed: %v", name, tags[0], err)
				}
				t.Fatalf("err %v", err)
			}
			if img.Tag != tags[0] {
				t.Fatalf("given image %s tag %q, sent tag %q", img.ID, img.Tag, tags[0])
			}
			if n := len(r2Named(srv, "tl")); n != 2 {
				t.Fatalf("%d images named tl", n)
			}
		})
	}
}

// The same for a registration: the create is sent once, the image made is
// returned, no second image.
func TestCreatesRegistrationWithEveryLostAnswerIsSettledBeforeAnyResend(t *testing.T) {
	t.Parallel()
	for name, f := range r2LostAfterHandling() {
		t.Run(name, func(t *testing.T) {
			srv := r2Fake(t)
			srv.InjectFault(modelartstest.RouteRegisterImage, f)
			c := srv.Client(modelarts.WithAttemptTimeout(300 * time.Millisecond))
			path := "swr.cn-north-4.myhuaweicloud.com/ns/reg-" + name + ":v1"
			img, err := c.RegisterImage(r2Ctx(t, 5*time.Second), &modelarts.RegisterImageRequest{SWRPath: path})
			if n := srv.RequestCount(modelartstest.RouteRegisterImage); n != 1 {
				t.Fatalf("register sent %d times", n)
			}
			if err != nil {
				t.Fatalf("err %v", err)
			}
			if img.SWRPath != path {
				t.Fatalf("img %+v", img)
			}
		})
	}
}

// A 503 with Retry-After that the service did NOT act on: settled by a
// lookup first, then sent again (nothing listed), one image in the end.
func TestCreates503RetryAfterBeforeHandlingIsLookedUpThenResentOnce(t *testing.T) {
	t.Parallel()
	srv := r2Fake(t)
	srv.InjectFault(modelartstest.RouteCreateImage, modelartstest.ErrorAnswer{Status: 503, RetryAfter: "0"})
	c := srv.Client()
	img, err := c.CreateImageFromNotebook(r2Ctx(t, 5*time.Second), r2NB, &modelarts.CreateImageRequest{Name: "ra", Namespace: "ns"})
	if err != nil {
		t.Fatal(err)
	}
	var order []modelartstest.Route
	for _, r := range srv.Requests() {
		order = append(order, r.Route)
	}
	first := -1
	for i, r := range order {
		if r == modelartstest.RouteCreateImage {
			if first >= 0 {
				looked := false
				for _, rr := range order[first+1 : i] {
					if rr == modelartstest.RouteListImages || rr == modelartstest.RouteGetNotebook {
						looked = true
					}
				}
				if !looked {
					t.Fatalf("create resent with no lookup between: %v", order)
				}
			}
			first = i
		}
	}
	if n := len(r2Named(srv, "ra")); n != 1 || img == nil {
		t.Fatalf("%d images", n)
	}
}

// r2ForceDate rewrites the Date header of route's answers.
func r2ForceDate(srv *modelartstest.Server, route modelartstest.Route, date func() string) {
	srv.Wrap(route, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(&r2DateWriter{ResponseWriter: w, date: date}, r)
		})
	})
}

type r2DateWriter struct {
	http.ResponseWriter
	date  func() string
	wrote bool
}

func (w *r2DateWriter) WriteHeader(code int) {
	if !w.wrote {
		w.wrote = true
		if d := w.date(); d == "-" {
			w.Header()["Date"] = nil
		} else {
			w.Header().Set("Date", d)
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *r2DateWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// Registration of a path another caller registered earlier (the service
// allows repeats), the answer lost, this call's image hidden by listing lag:
// whatever the lookup's Date says (stale, future, garbage, missing), the
// call is never given the older image.
func TestCreatesRegistrationNeverReturnsAnOlderImageWhateverTheLookupDateSays(t *testing.T) {
	t.Parallel()
	dates := map[string]func(now time.Time) string{
		"stale-1h":  func(now time.Time) string { return now.Add(-time.Hour).UTC().Format(http.TimeFormat) },
		"future-2h": func(now time.Time) string { return now.Add(2 * time.Hour).UTC().Format(http.TimeFormat) },
		"future-1y": func(now time.Time) string { return now.AddDate(1, 0, 0).UTC().Format(http.TimeFormat) },
		"garbage":   func(time.Time) string { return "yesterday-ish" },
		"missing":   func(time.Time) string { return "-" },
		"epoch":     func(time.Time) string { return time.Unix(0, 0).UTC().Format(http.TimeFormat) },
		"rfc850":    func(now time.Time) string { return now.Add(time.Hour).UTC().Format(time.RFC850) },
	}
	for name, date := range dates {
		for _, offset := range []time.Duration{0, -2 * time.Hour, 2 * time.Hour} {
			t.Run(fmt.Sprintf("%s/clock%v", name, offset), func(t *testing.T) {
				srv := r2Fake(t, modelartstest.WithMisbehaviour(modelartstest.RepeatRegistrations(), modelartstest.ClockOffset(offset)))
				path := "swr.cn-north-4.myhuaweicloud.com/ns/older:v1"
				oldID := srv.PutImage(modelarts.Image{SWRPath: path, Name: "older", Namespace: "ns", Tag: "v1", Type: modelarts.ImageTypeDedicated,
					Status: modelarts.ImageStatusActive, CreatedAt: modelarts.TimestampOf(srv.Now().Add(-30 * time.Second))})
				srv.Misbehave(modelartstest.ListingLagReads(1000))
				// srv.Now() takes the fake's lock, held while it answers: read the
				// service's time as the wall clock moved by the offset.
				r2ForceDate(srv, modelartstest.RouteListImages, func() string { return date(r2Now(offset)) })
				srv.InjectFault(modelartstest.RouteRegisterImage, modelartstest.AfterHandling{Then: modelartstest.Drop{}})
				c := srv.Client()
				img, err := c.RegisterImage(r2Ctx(t, 5*time.Second), &modelarts.RegisterImageRequest{SWRPath: path})
				if img != nil && img.ID == oldID {
					t.Fatalf("given the older image %s (err %v)", oldID, err)
				}
				n := 0
				for _, im := range srv.Images() {
					if im.SWRPath == path {
						n++
					}
				}
				t.Logf("img %v err %v; %d images of the path", img != nil, err, n)
			})
		}
	}
}

// Another caller's image stamped in the future (its create_at after the
// lookup's Date): the Date is stale for it, so it proves nothing.
func TestCreatesRegistrationNeverReturnsAnImageStampedAfterTheLookupsDate(t *testing.T) {
	t.Parallel()
	srv := r2Fake(t, modelartstest.WithMisbehaviour(modelartstest.RepeatRegistrations()))
	path := "swr.cn-north-4.myhuaweicloud.com/ns/future:v1"
	futID := srv.PutImage(modelarts.Image{SWRPath: path, Name: "future", Namespace: "ns", Tag: "v1", Type: modelarts.ImageTypeDedicated,
		Status: modelarts.ImageStatusActive, CreatedAt: modelarts.TimestampOf(srv.Now().Add(10 * time.Minute))})
	srv.Misbehave(modelartstest.ListingLagReads(1000))
	srv.InjectFault(modelartstest.RouteRegisterImage, modelartstest.AfterHandling{Then: modelartstest.Drop{}})
	img, err := srv.Client().RegisterImage(r2Ctx(t, 5*time.Second), &modelarts.RegisterImageRequest{SWRPath: path})
	if img != nil && img.ID == futID {
		t.Fatalf("given another caller's future-stamped image (err %v)", err)
	}
	t.Logf("img %v err %v", img, err)
}

// A tagless save, answer lost, stale Date on the lookup: the own-tag image
// is listed but the Date proves nothing; the SDK must not send again (two
// images) and must not return another image.
func TestCreatesTaglessSaveWithStaleLookupDateNeverMakesTwoImages(t *testing.T) {
	t.Parallel()
	for _, d := range []time.Duration{-time.Hour, -time.Second, time.Hour} {
		t.Run(d.String(), func(t *testing.T) {
			srv := r2Fake(t, modelartstest.WithMisbehaviour(modelartstest.UnlockedNotebookSaves(), modelartstest.NoSnapshotting()))
			r2ForceDate(srv, modelartstest.RouteListImages, func() string { return r2Now(d).UTC().Format(http.TimeFormat) })
			srv.InjectFault(modelartstest.RouteCreateImage, modelartstest.AfterHandling{Then: modelartstest.Drop{}})
			img, err := srv.Client().CreateImageFromNotebook(r2Ctx(t, 5*time.Second), r2NB, &modelarts.CreateImageRequest{Name: "st", Namespace: "ns"})
			tags := r2SentTags(t, srv)
			if n := len(r2Named(srv, "st")); n != 1 {
				t.Fatalf("%d images made by one call (tags %q, err %v)", n, tags, err)
			}
			if img != nil && img.Tag != tags[0] {
				t.Fatalf("given %q, sent %q", img.Tag, tags[0])
			}
			t.Logf("Date %v: img %v err %v", d, img != nil, err)
		})
	}
}

// A tagged save, answer lost, no SNAPSHOTTING, listing lag: the SDK sends
// again with the same tag; a service refusing the duplicate tag holds one
// image.
func TestCreatesResentTaggedAndTaglessSavesCarryTheSameTagAndLeaveOneImage(t *testing.T) {
	t.Parallel()
	for _, tag := range []string{"v1", ""} {
		t.Run("tag="+tag, func(t *testing.T) {
			srv := r2Fake(t, modelartstest.WithMisbehaviour(modelartstest.UnlockedNotebookSaves(), modelartstest.NoSnapshotting(), modelartstest.ListingLagReads(3)))
			srv.InjectFault(modelartstest.RouteCreateImage, modelartstest.AfterHandling{Then: modelartstest.Drop{}})
			img, err := srv.Client().CreateImageFromNotebook(r2Ctx(t, 5*time.Second), r2NB, &modelarts.CreateImageRequest{Name: "rs", Namespace: "ns", Tag: tag})
			tags := r2SentTags(t, srv)
			for _, tg := range tags {
				if tg != tags[0] {
					t.Fatalf("resent with another tag: %q", tags)
				}
			}
			if n := len(r2Named(srv, "rs")); n != 1 {
				t.Fatalf("%d images (tags %q)", n, tags)
			}
			t.Logf("sent %d times; img %v err %v", len(tags), img != nil, err)
		})
	}
}

// Another caller's tagged save of the same name with another tag, while
// this call's answer is lost: never given the other image.
func TestCreatesTaggedSaveIsNeverGivenAnotherTagOfTheSameName(t *testing.T) {
	t.Parallel()
	srv := r2Fake(t)
	other := "7a6b7c8d-0b4d-4c5e-9f77-1e2d3c4b5a60"
	srv.AddNotebook(other, modelarts.NotebookStatusRunning)
	srv.Misbehave(modelartstest.AnotherCaller(modelartstest.RouteCreateImage, modelartstest.WhenHandled, func(s *modelartstest.Server) {
		_, _ = s.SaveNotebook(other, modelartstest.SaveRequest{Name: "tg", Namespace: "ns", Tag: "v2"})
	}), modelartstest.ListingLagReads(1))
	srv.InjectFault(modelartstest.RouteCreateImage, modelartstest.AfterHandling{Then: modelartstest.Drop{}})
	img, err := srv.Client(modelarts.WithReconcileWindow(200*time.Millisecond)).CreateImageFromNotebook(r2Ctx(t, 5*time.Second), r2NB, &modelarts.CreateImageRequest{Name: "tg", Namespace: "ns", Tag: "v1"})
	if img != nil && img.Tag != "v1" {
		t.Fatalf("given tag %q", img.Tag)
	}
	if n := len(r2Named(srv, "tg")); n != 2 {
		t.Fatalf("%d images", n)
	}
	t.Logf("img %v err %v", img != nil, err)
}

// CreateSaveImageJob after every way of losing the answer (and a 2xx
// without the job): sent once, *SaveImageJobOutcomeError.
func TestCreatesSaveImageJobIsNeverResentAfterALostAnswerA5xxOrA2xxWithoutTheJob(t *testing.T) {
	t.Parallel()
	faults := r2LostAfterHandling()
	faults["503-not-handled"] = modelartstest.ErrorAnswer{Status: 503, RetryAfter: "0"}
	faults["500-not-handled"] = modelartstest.ErrorAnswer{Status: 500}
	faults["drop-before"] = modelartstest.Drop{}
	faults["hang-before"] = modelartstest.Hang{}
	faults["empty-201"] = modelartstest.RawAnswer{Status: 201}
	for name, f := range faults {
		t.Run(name, func(t *testing.T) {
			srv := r2Fake(t)
			srv.AddTrainingJob("job-1")
			srv.InjectFault(modelartstest.RouteCreateSaveImageJob, f)
			c := srv.Client(modelarts.WithAttemptTimeout(200 * time.Millisecond))
			job, err := c.CreateSaveImageJob(r2Ctx(t, 5*time.Second), "job-1", "worker-0", &modelarts.SaveImageJobRequest{Name: "sj", Namespace: "ns", Tag: "v1"})
			if n := srv.RequestCount(modelartstest.RouteCreateSaveImageJob); n != 1 {
				t.Fatalf("sent %d times (job %v err %v)", n, job, err)
			}
			var oe *modelarts.SaveImageJobOutcomeError
			if !errors.As(err, &oe) || !errors.Is(err, modelarts.ErrCreateOutcomeUnknown) {
				t.Fatalf("err %T %v", err, err)
			}
			if oe.TrainingJobID != "job-1" || oe.TaskID != "worker-0" {
				t.Fatalf("names %+v", oe)
			}
			if name == "503-not-handled" || name == "503-retry-after" {
				var ae *modelarts.APIError
				if !errors.As(err, &ae) || ae.StatusCode != 503 {
					t.Fatalf("503 not reachable: %v", err)
				}
			}
		})
	}
}

// 429 is retried whatever the method, for the save-image job too.
func TestCreatesSaveImageJob429IsRetried(t *testing.T) {
	t.Parallel()
	srv := r2Fake(t)
	srv.AddTrainingJob("job-1")
	srv.InjectFault(modelartstest.RouteCreateSaveImageJob, modelartstest.ErrorAnswer{Status: 429, Code: modelarts.CodeSystemBusy})
	job, err := srv.Client().CreateSaveImageJob(r2Ctx(t, 5*time.Second), "job-1", "worker-0", &modelarts.SaveImageJobRequest{Name: "sj", Namespace: "ns", Tag: "v1"})
	if err != nil || job == nil || srv.RequestCount(modelartstest.RouteCreateSaveImageJob) != 2 {
		t.Fatalf("job %v err %v", job, err)
	}
}

// A registration resent after the window is refused as a duplicate: the
// SDK settles it (one image) and never hands back a second.
func TestCreatesRegistrationResentIntoADuplicateRefusalHoldsOneImage(t *testing.T) {
	t.Parallel()
	srv := r2Fake(t, modelartstest.WithMisbehaviour(modelartstest.ListingLagReads(1)))
	srv.InjectFault(modelartstest.RouteRegisterImage, modelartstest.AfterHandling{Then: modelartstest.Drop{}})
	path := "swr.cn-north-4.myhuaweicloud.com/ns/dupref:v1"
	img, err := srv.Client().RegisterImage(r2Ctx(t, 5*time.Second), &modelarts.RegisterImageRequest{SWRPath: path})
	n := 0
	var id string
	for _, im := range srv.Images() {
		if im.SWRPath == path {
			n++
			id = im.ID
		}
	}
	if n != 1 {
		t.Fatalf("%d images", n)
	}
	if img != nil && img.ID != id {
		t.Fatalf("given %s, made %s", img.ID, id)
	}
	if img == nil && !errors.Is(err, modelarts.ErrCreateOutcomeUnknown) {
		t.Fatalf("err %v", err)
	}
	t.Logf("sent %d; img %v err %v", srv.RequestCount(modelartstest.RouteRegisterImage), img != nil, err)
}

// Client clock skew cannot matter: the tag is the caller's clock, evidence
// the service's. A service 3 days behind (tag dates after create_at).
func TestCreatesTaglessSaveUnderLargeServiceClockSkewStillGetsItsOwnImage(t *testing.T) {
	t.Parallel()
	for _, off := range []time.Duration{-72 * time.Hour, 72 * time.Hour} {
		t.Run(off.String(), func(t *testing.T) {
			srv := r2Fake(t, modelartstest.WithMisbehaviour(modelartstest.ClockOffset(off)))
			srv.InjectFault(modelartstest.RouteCreateImage, modelartstest.AfterHandling{Then: modelartstest.Drop{}})
			img, err := srv.Client().CreateImageFromNotebook(r2Ctx(t, 5*time.Second), r2NB, &modelarts.CreateImageRequest{Name: "sk", Namespace: "ns"})
			if err != nil {
				t.Fatalf("err %v", err)
			}
			if tags := r2SentTags(t, srv); img.Tag != tags[0] || len(tags) != 1 {
				t.Fatalf("tags %q img %q", tags, img.Tag)
			}
		})
	}
}

func r2Now(offset time.Duration) time.Time { return time.Now().Add(offset) }

// A tagless save, answer lost, while the lookup's Date runs ahead of the
// service's stamps (a proxy or gateway host with its clock ahead): the
// listing shows the image carrying this call's own SDK-chosen tag, which
// "can only be this call's". The create must not be sent again while the
// listing shows it, and an undecided outcome must name it as a candidate.
func TestCreatesTaglessSaveWithAFutureLookupDateIsNotResentWhileItsOwnTagIsListed(t *testing.T) {
	t.Parallel()
	for _, ahead := range []time.Duration{time.Hour, 10 * time.Minute, 5 * time.Second} {
		t.Run(ahead.String(), func(t *testing.T) {
			srv := r2Fake(t, modelartstest.WithMisbehaviour(modelartstest.UnlockedNotebookSaves(), modelartstest.NoSnapshotting()))
			r2ForceDate(srv, modelartstest.RouteListImages, func() string { return r2Now(ahead).UTC().Format(http.TimeFormat) })
			srv.InjectFault(modelartstest.RouteCreateImage, modelartstest.AfterHandling{Then: modelartstest.Drop{}})
			img, err := srv.Client().CreateImageFromNotebook(r2Ctx(t, 5*time.Second), r2NB, &modelarts.CreateImageRequest{Name: "fd", Namespace: "ns"})
			tags := r2SentTags(t, srv)
			own := r2Named(srv, "fd")
			if len(own) != 1 {
				t.Fatalf("%d images", len(own))
			}
			if img != nil {
				if img.ID != own[0].ID {
					t.Fatalf("given %s, own %s", img.ID, own[0].ID)
				}
				return
			}
			var oe *modelarts.CreateOutcomeError
			named := errors.As(err, &oe) && len(oe.Candidates) == 1 && oe.Candidates[0] == own[0].ID
			if len(tags) > 1 || !named {
				t.Fatalf("lookup Date %v ahead: tagless save sent %d times (tags %q) although its own-tag image %s was listed; ended %T with candidates %v: %v",
					ahead, len(tags), tags, own[0].ID, err, func() []string {
						if oe != nil {
							return oe.Candidates
						}
						return nil
					}(), err)
			}
		})
	}
}

// A registration, answer lost, its image listed at once, the lookup's Date
// ahead of the service's stamps, on a service that lets a path register
// twice: "A registration whose image the listing hides for longer than the
// window can be made twice" — this one is not hidden, so one image.
func TestCreatesRegistrationListedAtOnceIsNotMadeTwiceWhateverTheLookupDate(t *testing.T) {
	t.Parallel()
	for _, ahead := range []time.Duration{time.Hour, 2 * time.Minute, 5 * time.Second} {
		t.Run(ahead.String(), func(t *testing.T) {
			srv := r2Fake(t, modelartstest.WithMisbehaviour(modelartstest.RepeatRegistrations()))
			r2ForceDate(srv, modelartstest.RouteListImages, func() string { return r2Now(ahead).UTC().Format(http.TimeFormat) })
			srv.InjectFault(modelartstest.RouteRegisterImage, modelartstest.AfterHandling{Then: modelartstest.Drop{}})
			path := "swr.cn-north-4.myhuaweicloud.com/ns/twice:v1"
			img, err := srv.Client().RegisterImage(r2Ctx(t, 5*time.Second), &modelarts.RegisterImageRequest{SWRPath: path})
			n := 0
			for _, im := range srv.Images() {
				if im.SWRPath == path {
					n++
				}
			}
			if n != 1 {
				t.Fatalf("lookup Date %v ahead, image listed at once: one RegisterImage call made %d images (sent %d times); img %v err %v",
					ahead, n, srv.RequestCount(modelartstest.RouteRegisterImage), img != nil, err)
			}
		})
	}
}
