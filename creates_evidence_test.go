package modelarts_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelarts-go/modelarts"
	"github.com/modelarts-go/modelarts/modelartstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const gSWR = "swr.cn-north-4.myhuaweicloud.com/team/app:v1"

func gCountImages(srv *modelartstest.Server, pred func(modelarts.Image) bool) int {
	n := 0
	for _, img := range srv.Images() {
		if pred(img) {
			n++
		}
	}
	return n
}

func gLostAnswers() map[string]modelartstest.Fault {
	return map[string]modelartstest.Fault{
		"drop":       modelartstest.AfterHandling{Then: modelartstest.Drop{}},
		"hang":       modelartstest.AfterHandling{Then: modelartstest.Hang{}},
		"502":        modelartstest.AfterHandling{Then: modelartstest.ErrorAnswer{Status: 502}},
		"503":        modelartstest.AfterHandling{Then: modelartstest.ErrorAnswer{Status: 503}},
		"504":        modelartstest.AfterHandling{Then: modelartstest.ErrorAnswer{Status: 504}},
		"500":        modelartstest.AfterHandling{Then: modelartstest.ErrorAnswer{Status: 500}},
		"201 empty":  modelartstest.AfterHandling{Then: modelartstest.RawAnswer{Status: 201}},
		"200 {}":     modelartstest.AfterHandling{Then: modelartstest.RawAnswer{Status: 200, Body: "{}", ContentType: "application/json"}},
		"200 html":   modelartstest.AfterHandling{Then: modelartstest.RawAnswer{Status: 200, Body: "<html>ok</html>"}},
		"cut":        modelartstest.CutBody{},
		"delay+drop": modelartstest.Delay(5*time.Millisecond, modelartstest.Drop{}),
	}
}

func TestCreatesRegisterWithEveryLostAnswerMakesOneImageAndReturnsIt(t *testing.T) {
	t.Parallel()
	for name, f := range gLostAnswers() {
		t.Run(name, func(t *testing.T) {
			srv := modelartstest.NewServer()
			defer srv.Close()
			srv.InjectFault(modelartstest.RouteRegisterImage, f)
			c := srv.Client(modelarts.WithAttemptTimeout(100 * time.Millisecond))
			img, err := c.RegisterImage(gCtx(t, 5*time.Second), &modelarts.RegisterImageRequest{SWRPath: gSWR})
			n := gCountImages(srv, func(i modelarts.Image) bool { return i.SWRPath == gSWR })
			if n > 1 {
				t.Fatalf("%d images registered", n)
			}
			if err != nil {
				if !errors.Is(err, modelarts.ErrCreateOutcomeUnknown) {
					t.Logf("error (not outcome-unknown): %v", err)
				}
				return
			}
			if img.SWRPath != gSWR || img.ID == "" {
				t.Fatalf("wrong image %+v", img)
			}
		})
	}
}

func TestCreatesNotebookSaveWithEveryLostAnswerMakesOneImageAndReturnsIt(t *testing.T) {
	t.Parallel()
	for name, f := range gLostAnswers() {
		for _, tag := range []string{"v1", ""} {
			t.Run(name+"/tag="+tag, func(t *testing.T) {
				srv := modelartstest.NewServer()
				defer srv.Close()
				srv.AddNotebook("nb-1", modelarts.NotebookStatusRunning)
				srv.InjectFault(modelartstest.RouteCreateImage, f)
				c := srv.Client(modelarts.WithAttemptTimeout(100 * time.Millisecond))
				img, err := c.CreateImageFromNotebook(gCtx(t, 5*time.Second), "nb-1", &modelarts.CreateImageRequest{Name: "env", Namespace: "team", Tag: tag})
				n := gCountImages(srv, func(i modelarts.Image) bool { return i.Name == "env" })
				if n != 1 {
					t.Fatalf("%d images made (err %v)", n, err)
				}
				if err != nil {
					t.Fatalf("the one image exists and the notebook shows SNAPSHOTTING, yet: %v", err)
				}
				var made modelarts.Image
				for _, i := range srv.Images() {
					if i.Name == "env" {
						made = i
					}
				}
				if img.ID != made.ID || (tag != "" && img.Tag != tag) {
					t.Fatalf("returned %s/%s, made %s/%s", img.ID, img.Tag, made.ID, made.Tag)
				}
			})
		}
	}
}

// Another caller saves the same notebook with the same name and tag while
// our request is in flight; our own create is refused (the notebook is
// busy) and that refusal is lost. With a tag the caller chose, nothing the
// API shows tells the other call's image from ours: that is the documented
// limit (package doc, "Creates happen once"), pinned here. With the tag
// left to the SDK, the same race never hands us the other caller's image.
func TestCreatesSameNotebookSameTagRaceIsTheDocumentedLimitWhichAnSDKChosenTagCloses(t *testing.T) {
	t.Parallel()
	for _, tag := range []string{"v1", ""} {
		t.Run("tag="+tag, func(t *testing.T) {
			srv := modelartstest.NewServer(modelartstest.WithMisbehaviour(
				modelartstest.AnotherCaller(modelartstest.RouteCreateImage, modelartstest.WhenArrived, func(s *modelartstest.Server) {
					if _, err := s.SaveNotebook("nb-1", modelartstest.SaveRequest{Name: "env", Namespace: "team", Tag: "v1"}); err != nil {
						panic(err)
					}
				})))
			defer srv.Close()
			srv.AddNotebook("nb-1", modelarts.NotebookStatusRunning)
			srv.InjectFault(modelartstest.RouteCreateImage, modelartstest.AfterHandling{Then: modelartstest.Drop{}})
			img, err := srv.Client().CreateImageFromNotebook(gCtx(t, 5*time.Second), "nb-1", &modelarts.CreateImageRequest{Name: "env", Namespace: "team", Tag: tag})
			n := gCountImages(srv, func(i modelarts.Image) bool { return i.Name == "env" })
			require.Equal(t, 1, n, "only the other caller's save made an image")
			if tag != "" {
				require.NoError(t, err, "the documented limit: the other call's image is taken for ours")
				return
			}
			require.ErrorIs(t, err, modelarts.ErrCreateOutcomeUnknown)
			assert.Nil(t, img)
		})
	}
}

// The same, tagless: the SDK-chosen tag must keep the other caller's image away.
func TestCreatesTaglessSaveWithAnotherCallerInFlightNeverReturnsTheirImage(t *testing.T) {
	t.Parallel()
	var otherID string
	srv := modelartstest.NewServer(modelartstest.WithMisbehaviour(
		modelartstest.UnlockedNotebookSaves(),
		modelartstest.AnotherCaller(modelartstest.RouteCreateImage, modelartstest.WhenArrived, func(s *modelartstest.Server) {
			img, err := s.SaveNotebook("nb-1", modelartstest.SaveRequest{Name: "env", Namespace: "team"})
			if err == nil {
				otherID = img.ID
			}
		})))
	defer srv.Close()
	srv.AddNotebook("nb-1", modelarts.NotebookStatusRunning)
	srv.InjectFault(modelartstest.RouteCreateImage, modelartstest.AfterHandling{Then: modelartstest.Drop{}})
	c := srv.Client()
	img, err := c.CreateImageFromNotebook(gCtx(t, 5*time.Second), "nb-1", &modelarts.CreateImageRequest{Name: "env", Namespace: "team"})
	if err == nil && img.ID == otherID {
		t.Fatalf("got the other caller's image")
	}
	if err != nil && !errors.Is(err, modelarts.ErrCreateOutcomeUnknown) {
		t.Fatalf("unexpected error %v", err)
	}
}

// An older registration of the same swr_path exists; our register is answered
// 502 before it was handled. The SDK must not hand back the older image.
func TestCreatesRegisterNeverReturnsAnOlderRegistrationOfThePath(t *testing.T) {
	t.Parallel()
	clock := modelartstest.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	srv := modelartstest.NewServer(modelartstest.WithClock(clock), modelartstest.WithMisbehaviour(modelartstest.RepeatRegistrations()))
	defer srv.Close()
	oldID := srv.PutImage(modelarts.Image{Name: "app", Namespace: "team", Tag: "v1", SWRPath: gSWR, Type: modelarts.ImageTypeDedicated,
		Status: modelarts.ImageStatusActive, CreatedAt: modelarts.TimestampOf(clock.Now().Add(-time.Minute))})
	srv.InjectFaultTimes(modelartstest.RouteRegisterImage, modelartstest.Always, modelartstest.ErrorAnswer{Status: 502})
	c := srv.Client()
	img, err := c.RegisterImage(gCtx(t, 3*time.Second), &modelarts.RegisterImageRequest{SWRPath: gSWR})
	if err == nil && img.ID == oldID {
		t.Fatalf("older registration returned as this call's")
	}
	var co *modelarts.CreateOutcomeError
	if errors.As(err, &co) {
		for _, cand := range co.Candidates {
			_ = cand
		}
	}
}

// registerBesideAnOlderImage registers gSWR on a fake whose clock stands
// at frac past a whole second, while an image of the path made age before
// (by another caller) is listed; the create fails before it is handled.
// It returns whether the call was given that older image.
func registerBesideAnOlderImage(t *testing.T, frac, age time.Duration) (givenTheOlder bool, err error) {
	clock := modelartstest.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(frac))
	srv := modelartstest.NewServer(modelartstest.WithClock(clock))
	defer srv.Close()
	oldID := srv.PutImage(modelarts.Image{Name: "app", Namespace: "team", Tag: "v1", SWRPath: gSWR, Type: modelarts.ImageTypeDedicated,
		Status: modelarts.ImageStatusActive, CreatedAt: modelarts.TimestampOf(clock.Now().Add(-age))})
	srv.InjectFault(modelartstest.RouteRegisterImage, modelartstest.ErrorAnswer{Status: 502})
	img, err := srv.Client().RegisterImage(gCtx(t, 3*time.Second), &modelarts.RegisterImageRequest{SWRPath: gSWR})
	return err == nil && img.ID == oldID, err
}

// An image of the path made more than a second (the Date header's
// resolution) and the call's round trips before the call is never taken
// for this call's, wherever in its second the service's clock stands.
// (1.5 s leaves half a second for the round trips of a loaded machine.)
func TestCreatesRegisterNeverTakesAnImageMadeMoreThanASecondAndTheRoundTripsBeforeTheCall(t *testing.T) {
	t.Parallel()
	for _, frac := range []time.Duration{5 * time.Millisecond, 500 * time.Millisecond, 995 * time.Millisecond} {
		for _, age := range []time.Duration{1500 * time.Millisecond, 2 * time.Second, time.Hour} {
			given, err := registerBesideAnOlderImage(t, frac, age)
			assert.False(t, given, "clock at +%v, image %v old: given the older image", frac, age)
			assert.ErrorIs(t, err, modelarts.ErrCreateOutcomeUnknown, "clock at +%v, image %v old: a recent match keeps the create from being resent", frac, age)
		}
	}
}

// The documented limit: the Date header counts whole seconds, so an image
// of the same swr_path made less than a second before the call may be
// taken for this call's when the service's clock stands late in its
// second; early in it, it is not.
func TestCreatesRegisterWithinTheDateHeadersSecondIsTheDocumentedLimit(t *testing.T) {
	t.Parallel()
	given, err := registerBesideAnOlderImage(t, 995*time.Millisecond, 700*time.Millisecond)
	require.NoError(t, err)
	assert.True(t, given, "late in the second: within the limit")
	given, _ = registerBesideAnOlderImage(t, 5*time.Millisecond, 700*time.Millisecond)
	assert.False(t, given, "early in the second: told apart")
}

// The service's clock is skewed against the caller's both ways; a lost answer must still find the image,
// and an older image (made a second before the call by the service's clock) must not be taken.
func TestCreatesClockSkewBothWaysStillFindsOwnImageAndNotOlder(t *testing.T) {
	t.Parallel()
	for _, skew := range []time.Duration{-2 * time.Hour, 2 * time.Hour, -20 * time.Minute, 20 * time.Minute} {
		t.Run(skew.String(), func(t *testing.T) {
			srv := modelartstest.NewServer(modelartstest.WithMisbehaviour(modelartstest.ClockOffset(skew), modelartstest.GatewayClockOffset(-skew)))
			defer srv.Close()
			srv.AddNotebook("nb-1", modelarts.NotebookStatusRunning)
			srv.InjectFault(modelartstest.RouteCreateImage, modelartstest.AfterHandling{Then: modelartstest.Drop{}})
			c := srv.Client()
			img, err := c.CreateImageFromNotebook(gCtx(t, 5*time.Second), "nb-1", &modelarts.CreateImageRequest{Name: "env", Namespace: "team", Tag: "v1"})
			if err != nil {
				t.Fatalf("skew %v: %v", skew, err)
			}
			if n := gCountImages(srv, func(i modelarts.Image) bool { return i.Name == "env" }); n != 1 || img.Tag != "v1" {
				t.Fatalf("%d images / tag %q", n, img.Tag)
			}
		})
	}
}

// Own server: the create never reaches the service (502 before handling),
// the listing holds an image of the path that another caller made 5 minutes
// before the call by the service's clock, which runs 10 minutes ahead of the
// caller's; the Date header is missing or garbage, so nothing tells the SDK
// the service's clock. It must not take the old image.
func TestCreatesRegisterWithoutUsableDateHeaderNeverTakesAnOlderImage(t *testing.T) {
	t.Parallel()
	// a cached answer whose Date is 20 minutes older than the service clock
	stale := time.Now().Add(-10 * time.Minute).UTC().Format(http.TimeFormat)
	for _, date := range []string{"", "garbage", "Thu, 01 Jan 1970 00:00:00 GMT", "Fri, 31 Dec 9999 23:59:59 GMT", stale} {
		t.Run("date="+date, func(t *testing.T) {
			var posts atomic.Int32
			serverNow := time.Now().Add(10 * time.Minute)
			old := map[string]any{"id": "old-image-0001", "name": "app", "namespace": "team", "tag": "v1", "swr_path": gSWR,
				"status": "ACTIVE", "type": "DEDICATED", "create_at": serverNow.Add(-5 * time.Minute).UnixMilli(), "update_at": serverNow.Add(-5 * time.Minute).UnixMilli()}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if date == "" {
					w.Header()["Date"] = nil
				} else {
					w.Header().Set("Date", date)
				}
				w.Header().Set("Content-Type", "application/json")
				switch {
				case r.Method == "POST":
					posts.Add(1)
					io.Copy(io.Discard, r.Body)
					w.WriteHeader(502)
					io.WriteString(w, `{"error_code":"APIGW.0502","error_msg":"bad gateway"}`)
				case strings.HasSuffix(r.URL.Path, "/images") && r.URL.Query().Get("offset") == "0" || r.URL.Query().Get("offset") == "":
					json.NewEncoder(w).Encode(map[string]any{"data": []any{old}, "total": 1})
				case strings.Contains(r.URL.Path, "/images/"):
					json.NewEncoder(w).Encode(old)
				default:
					json.NewEncoder(w).Encode(map[string]any{"data": []any{}, "total": 1})
				}
			}))
			defer srv.Close()
			c := gClient(t, srv.URL, "tok-create-1234567890")
			img, err := c.RegisterImage(gCtx(t, 3*time.Second), &modelarts.RegisterImageRequest{SWRPath: gSWR})
			if err == nil && img.ID == "old-image-0001" {
				t.Fatalf("with Date %q the SDK took another caller's older registration (made 5 min before the call by the service clock) as this call's", date)
			}
			t.Logf("posts=%d err=%v", posts.Load(), err)
		})
	}
}

// 201 with an empty body from concurrent tagless saves of the same name on
// different notebooks: each caller gets its own image, none twice.
func TestCreatesConcurrentTaglessSavesWithEmptyAnswersEachGetTheirOwnImage(t *testing.T) {
	t.Parallel()
	srv := modelartstest.NewServer(modelartstest.WithMisbehaviour(modelartstest.NoSnapshotting(), modelartstest.IgnoredSort()))
	defer srv.Close()
	srv.AnswerCreatesWithEmptyBody(true)
	const n = 8
	for i := 0; i < n; i++ {
		srv.AddNotebook("nb-"+strconv.Itoa(i), modelarts.NotebookStatusRunning)
	}
	c := srv.Client()
	ctx := gCtx(t, 10*time.Second)
	var wg sync.WaitGroup
	ids := make([]string, n)
	errs := make([]error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			img, err := c.CreateImageFromNotebook(ctx, "nb-"+strconv.Itoa(i), &modelarts.CreateImageRequest{Name: "env", Namespace: "team"})
			errs[i] = err
			if img != nil {
				ids[i] = img.ID
			}
		}(i)
	}
	wg.Wait()
	seen := map[string]bool{}
	for i := range ids {
		if errs[i] != nil {
			if !errors.Is(errs[i], modelarts.ErrCreateOutcomeUnknown) {
				t.Fatalf("caller %d: %v", i, errs[i])
			}
			continue
		}
		if seen[ids[i]] {
			t.Fatalf("image %s given to two callers", ids[i])
		}
		seen[ids[i]] = true
	}
	if gCountImages(srv, func(i modelarts.Image) bool { return i.Name == "env" }) != n {
		t.Fatalf("not one image per caller")
	}
}

// A lagging listing plus no SNAPSHOTTING: the SDK cannot see its image; it must
// not end with two images of the same tag.
func TestCreatesLaggingListingWithoutSnapshottingNeverMakesTwoImages(t *testing.T) {
	t.Parallel()
	srv := modelartstest.NewServer(modelartstest.WithMisbehaviour(modelartstest.ListingLagReads(50), modelartstest.NoSnapshotting(), modelartstest.UnlockedNotebookSaves()))
	defer srv.Close()
	srv.AddNotebook("nb-1", modelarts.NotebookStatusRunning)
	srv.InjectFault(modelartstest.RouteCreateImage, modelartstest.AfterHandling{Then: modelartstest.Drop{}})
	c := srv.Client(modelarts.WithReconcileWindow(20 * time.Millisecond))
	for _, tag := range []string{"v1", ""} {
		srv.InjectFault(modelartstest.RouteCreateImage, modelartstest.AfterHandling{Then: modelartstest.Drop{}})
		img, err := c.CreateImageFromNotebook(gCtx(t, 5*time.Second), "nb-1", &modelarts.CreateImageRequest{Name: "env" + tag, Namespace: "team", Tag: tag})
		n := gCountImages(srv, func(i modelarts.Image) bool { return i.Name == "env"+tag })
		t.Logf("tag %q: images %d err %v img %v", tag, n, err, img != nil)
		if n > 1 {
			t.Fatalf("tag %q: %d images made", tag, n)
		}
	}
}

// A register answered "503 Retry-After: 0" after the service acted, with a
// service that lets a path register twice: two images must not result.
func TestCreatesRegister503RetryAfterAfterHandlingDoesNotRegisterTwice(t *testing.T) {
	t.Parallel()
	srv := modelartstest.NewServer(modelartstest.WithMisbehaviour(modelartstest.RepeatRegistrations()))
	defer srv.Close()
	srv.InjectFault(modelartstest.RouteRegisterImage, modelartstest.AfterHandling{Then: modelartstest.ErrorAnswer{Status: 503, RetryAfter: "0"}})
	c := srv.Client()
	img, err := c.RegisterImage(gCtx(t, 5*time.Second), &modelarts.RegisterImageRequest{SWRPath: gSWR})
	n := gCountImages(srv, func(i modelarts.Image) bool { return i.SWRPath == gSWR })
	if n > 1 {
		t.Fatalf("a 503 with Retry-After answered after the register was handled re-sends it: %d images of the path (err %v)", n, err)
	}
	_ = img
}

// Same with 429 ModelArts.6101 after handling.
func TestCreatesNotebookSave429AfterHandlingDoesNotSaveTwice(t *testing.T) {
	t.Parallel()
	srv := modelartstest.NewServer(modelartstest.WithMisbehaviour(modelartstest.UnlockedNotebookSaves()))
	defer srv.Close()
	srv.AddNotebook("nb-1", modelarts.NotebookStatusRunning)
	srv.InjectFault(modelartstest.RouteCreateImage, modelartstest.AfterHandling{Then: modelartstest.ErrorAnswer{Status: 429, Code: "ModelArts.6101", RetryAfter: "0"}})
	c := srv.Client()
	_, err := c.CreateImageFromNotebook(gCtx(t, 5*time.Second), "nb-1", &modelarts.CreateImageRequest{Name: "env", Namespace: "team"})
	n := gCountImages(srv, func(i modelarts.Image) bool { return i.Name == "env" })
	if n > 1 {
		t.Fatalf("a tagless save answered 429 ModelArts.6101 after it was handled is re-sent: %d images (err %v)", n, err)
	}
}

func TestCreatesSaveImageJobIsNeverResentAfterALostAnswer(t *testing.T) {
	t.Parallel()
	for name, f := range gLostAnswers() {
		if strings.HasPrefix(name, "20") {
			continue // 2xx without the job: see the next test
		}
		t.Run(name, func(t *testing.T) {
			srv := modelartstest.NewServer()
			defer srv.Close()
			srv.AddTrainingJob("job-1")
			srv.InjectFault(modelartstest.RouteCreateSaveImageJob, f)
			c := srv.Client(modelarts.WithAttemptTimeout(100 * time.Millisecond))
			job, err := c.CreateSaveImageJob(gCtx(t, 5*time.Second), "job-1", "worker-0", &modelarts.SaveImageJobRequest{Name: "env", Namespace: "team", Tag: "v1"})
			if got := srv.RequestCount(modelartstest.RouteCreateSaveImageJob); got != 1 {
				t.Fatalf("sent %d times", got)
			}
			if err == nil {
				if job == nil {
					t.Fatalf("nil job and nil error")
				}
				t.Logf("succeeded with %+v", job)
				return
			}
			var oe *modelarts.SaveImageJobOutcomeError
			if !errors.As(err, &oe) || !errors.Is(err, modelarts.ErrCreateOutcomeUnknown) {
				t.Fatalf("want *SaveImageJobOutcomeError, got %T %v", err, err)
			}
			if !strings.Contains(err.Error(), "GetSaveImageJob") && !strings.Contains(strings.ToLower(err.Error()), "check") {
				t.Fatalf("error does not say how to check: %v", err)
			}
		})
	}
}

func TestCreatesSaveImageJob503RetryAfterAfterHandlingIsNotResent(t *testing.T) {
	t.Parallel()
	srv := modelartstest.NewServer()
	defer srv.Close()
	srv.AddTrainingJob("job-1")
	srv.InjectFault(modelartstest.RouteCreateSaveImageJob, modelartstest.AfterHandling{Then: modelartstest.ErrorAnswer{Status: 503, RetryAfter: "0"}})
	c := srv.Client()
	_, err := c.CreateSaveImageJob(gCtx(t, 5*time.Second), "job-1", "worker-0", &modelarts.SaveImageJobRequest{Name: "env", Namespace: "team", Tag: "v1"})
	if got := srv.RequestCount(modelartstest.RouteCreateSaveImageJob); got != 1 {
		t.Fatalf("CreateSaveImageJob answered 503 Retry-After after the service acted was sent %d times (err %v)", got, err)
	}
}

// A 2xx without the job (the empty 201 the fake itself documents for creates):
// the save started; the error must not read as a plain failure.
func TestCreatesSaveImageJob2xxWithoutTheJobIsReportedAsOutcomeUnknown(t *testing.T) {
	t.Parallel()
	srv := modelartstest.NewServer()
	defer srv.Close()
	srv.AddTrainingJob("job-1")
	srv.AnswerCreatesWithEmptyBody(true)
	c := srv.Client()
	job, err := c.CreateSaveImageJob(gCtx(t, 5*time.Second), "job-1", "worker-0", &modelarts.SaveImageJobRequest{Name: "env", Namespace: "team", Tag: "v1"})
	if got := srv.RequestCount(modelartstest.RouteCreateSaveImageJob); got != 1 {
		t.Fatalf("sent %d times", got)
	}
	if err == nil {
		if job == nil {
			t.Fatalf("nil job, nil error")
		}
		return
	}
	if !errors.Is(err, modelarts.ErrCreateOutcomeUnknown) {
		t.Fatalf("CreateSaveImageJob answered 201 with an empty body (save started) returns %T not matching ErrCreateOutcomeUnknown: %v", err, err)
	}
}
