package modelarts_test

// Guarantee 1, tested by an outsider: a create happens once and the caller
// gets the image its own call made, never an older one, never someone
// else's; undecidable cases end in ErrCreateOutcomeUnknown naming the
// candidates. Every test runs over a real socket against modelartstest's
// fake misbehaving as hostileServer (misbehaving_service_test.go) sets it.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelarts-go/modelarts"
	"github.com/modelarts-go/modelarts/modelartstest"
)

const (
	hNS   = "atelier-auto"
	hName = "pytorch1_4"
	hTag  = "20221223"
	day   = 24 * time.Hour
)

var hSWRPath = hRegistry + "/" + hNS + "/custom-img:v1"

func tagged() *modelarts.CreateImageRequest {
	return &modelarts.CreateImageRequest{Name: hName, Namespace: hNS, Tag: hTag, Description: "save from notebook"}
}

func tagless() *modelarts.CreateImageRequest {
	return &modelarts.CreateImageRequest{Name: hName, Namespace: hNS}
}

func register() *modelarts.RegisterImageRequest {
	return &modelarts.RegisterImageRequest{SWRPath: hSWRPath, Arch: modelarts.ArchX86_64}
}

func hctx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// assertOwnImage checks the call returned the one image the service made for
// it, and that the service holds exactly one image made for the client.
func assertOwnImage(t *testing.T, s *hostileServer, img *modelarts.Image, err error) {
	t.Helper()
	made := s.madeIDs()
	require.NoError(t, err, "expected the image this call made (service made %v)", made)
	require.NotNil(t, img)
	require.Len(t, made, 1, "the service must have made exactly one image for this call")
	assert.Equal(t, made[0], img.ID, "returned image must be the one this call made")
}

// assertNotSafeToRetry checks an uncertain outcome is not dressed up as
// "nothing was created".
func assertNotSafeToRetry(t *testing.T, err error) {
	t.Helper()
	require.Error(t, err)
	msg := strings.ToLower(err.Error())
	assert.NotContains(t, msg, "safe", "the SDK must not say creating again is safe")
	assert.NotContains(t, msg, "no image was created")
	assert.NotContains(t, msg, "nothing was created")
}

func outcomeErr(t *testing.T, err error) *modelarts.CreateOutcomeError {
	t.Helper()
	require.ErrorIs(t, err, modelarts.ErrCreateOutcomeUnknown, "got %T: %v", err, err)
	var coe *modelarts.CreateOutcomeError
	require.ErrorAs(t, err, &coe)
	return coe
}

func logCounts(t *testing.T, s *hostileServer, img *modelarts.Image, err error) {
	t.Helper()
	c, r, l := s.counts()
	t.Logf("creates=%d registers=%d lists=%d made=%v outcome: %s", c, r, l, s.madeIDs(), describe(img, err))
}

// --- case 1: an older image is not handed back as new -----------------

// An ACTIVE image with the same namespace/name/tag exists from yesterday. The
// first create gets a gateway 502 (never reached the service); the re-sent
// create is refused with 6737 because of yesterday's image. The old image is
// not this call's.
func TestCreateNeverReturnsAnOlderActiveImageOfTheSameTag(t *testing.T) {
	t.Parallel()
	s := newHostileServer(t)
	old := s.addImage(hNS, hName, hTag, "ACTIVE", "yesterday", day)
	s.faults = []createFault{createGateway502}
	c := s.client(t, 300*time.Millisecond)

	img, err := c.CreateImageFromNotebook(hctx(t), hNotebook, tagged())
	logCounts(t, s, img, err)
	require.Error(t, err, "yesterday's image must not be returned as created")
	assert.Nil(t, img)
	assert.Empty(t, s.madeIDs(), "the service made nothing")
	assert.Equal(t, 1, s.count(func(im modelarts.Image) bool { return im.Tag == hTag }))
	assert.True(t, errors.Is(err, modelarts.ErrConflict) || errors.Is(err, modelarts.ErrCreateOutcomeUnknown), "got %T: %v", err, err)
	_ = old
}

// Same, but yesterday's image ended CREATE_FAILED, so the service accepts the
// tag again: the re-sent create makes the image, and that one is returned.
func TestCreateNeverReturnsAnOlderFailedImageOfTheSameTag(t *testing.T) {
	t.Parallel()
	s := newHostileServer(t)
	old := s.addImage(hNS, hName, hTag, "CREATE_FAILED", "yesterday", day)
	s.faults = []createFault{createGateway502}
	c := s.client(t, 300*time.Millisecond)

	img, err := c.CreateImageFromNotebook(hctx(t), hNotebook, tagged())
	logCounts(t, s, img, err)
	if img != nil {
		assert.NotEqual(t, old.ID, img.ID, "yesterday's CREATE_FAILED image returned as this call's")
	}
	assertOwnImage(t, s, img, err)
	creates, _, _ := s.counts()
	assert.Equal(t, 2, creates)
}

// Yesterday's CREATE_FAILED image is there and the create WAS handled (answer
// lost): two images with the same namespace/name/tag; only the new one is ours.
func TestCreateWithALostAnswerNeverReturnsAnOlderFailedImageOfTheSameTag(t *testing.T) {
	t.Parallel()
	s := newHostileServer(t)
	old := s.addImage(hNS, hName, hTag, "CREATE_FAILED", "yesterday", day)
	s.faults = []createFault{createDropAfter}
	c := s.client(t, 300*time.Millisecond)

	img, err := c.CreateImageFromNotebook(hctx(t), hNotebook, tagged())
	logCounts(t, s, img, err)
	if img != nil {
		assert.NotEqual(t, old.ID, img.ID)
	}
	assertOwnImage(t, s, img, err)
	creates, _, _ := s.counts()
	assert.Equal(t, 1, creates)
}

// RegisterImage: yesterday's registration of the same swr_path; the service
// lets a path be registered again. A gateway 502 loses the first request.
func TestRegisterNeverReturnsAnOlderImageOfTheSameSWRPath(t *testing.T) {
	t.Parallel()
	for _, status := range []string{"ACTIVE", "CREATE_FAILED"} {
		t.Run(status, func(t *testing.T) {
			s := newHostileServer(t)
			old := s.addRegistered(hSWRPath, status, day)
			s.faults = []createFault{createGateway502}
			c := s.client(t, 300*time.Millisecond)

			img, err := c.RegisterImage(hctx(t), register())
			logCounts(t, s, img, err)
			if img != nil {
				assert.NotEqual(t, old.ID, img.ID, "yesterday's registration returned as this call's")
			}
			assertOwnImage(t, s, img, err)
			_, regs, _ := s.counts()
			assert.Equal(t, 2, regs)
		})
	}
}

// RegisterImage, the service refusing a path registered already (6737): the
// re-sent register is refused because of yesterday's image, which must not be
// returned.
func TestRegisterRefusedForAnExistingSWRPathNeverReturnsTheOlderImage(t *testing.T) {
	t.Parallel()
	s := newHostileServer(t)
	s.registerRefuse = true
	old := s.addRegistered(hSWRPath, "ACTIVE", day)
	s.faults = []createFault{createGateway502}
	c := s.client(t, 300*time.Millisecond)

	img, err := c.RegisterImage(hctx(t), register())
	logCounts(t, s, img, err)
	require.Error(t, err, "yesterday's registration must not be returned as created")
	if img != nil {
		assert.NotEqual(t, old.ID, img.ID)
	}
	assert.Empty(t, s.madeIDs())
	assert.True(t, errors.Is(err, modelarts.ErrConflict) || errors.Is(err, modelarts.ErrCreateOutcomeUnknown), "got %T: %v", err, err)
}

// RegisterImage handled, answer dropped, yesterday's registration of the
// same path present: the new one is returned, not yesterday's.
func TestRegisterWithALostAnswerReturnsItsOwnImageNotTheOlderOne(t *testing.T) {
	t.Parallel()
	s := newHostileServer(t)
	old := s.addRegistered(hSWRPath, "ACTIVE", day)
	s.faults = []createFault{createDropAfter}
	c := s.client(t, 300*time.Millisecond)

	img, err := c.RegisterImage(hctx(t), register())
	logCounts(t, s, img, err)
	if img != nil {
		assert.NotEqual(t, old.ID, img.ID)
	}
	assertOwnImage(t, s, img, err)
	_, regs, _ := s.counts()
	assert.Equal(t, 1, regs)
}

// --- case 2: someone else's tagless image ---------------------------------

// A and B save notebooks under the same namespace and name without a tag.
// A's save is handled and its answer lost, or answered 201 with no body;
// B's lands a millisecond later. A's save carries the tag the SDK chose
// for it, so B's image never matches: A gets its own.
func TestTaglessSaveIsNotGivenAnotherCallersImageWhenItsAnswerIsLostOrEmpty(t *testing.T) {
	t.Parallel()
	for name, fault := range map[string]createFault{"lost": createDropAfter, "201 without body": createEmpty201} {
		t.Run(name, func(t *testing.T) {
			s := newHostileServer(t)
			s.faults = []createFault{fault}
			s.onHandled = func(s *hostileServer) {
				s.otherSaves(hName, "auto-b")
			}
			c := s.client(t, 300*time.Millisecond)

			img, err := c.CreateImageFromNotebook(hctx(t), hNotebook, tagless())
			logCounts(t, s, img, err)
			assertOwnImage(t, s, img, err)
			assert.Regexp(t, `^\d{14}-[0-9a-f]{12}$`, img.Tag, "the tag the SDK chose")
			creates, _, _ := s.counts()
			assert.Equal(t, 1, creates, "a save that happened must not be sent again")
		})
	}
}

// The trust issue's case 1, as reported: A's answer is lost and A's image
// lags in the listing; B's tagless save of the same name is listed at once,
// made after A began, while nb-a shows SNAPSHOTTING. A must not get B's.
// Within the window A finds its own; past it, the outcome is unknown.
func TestTaglessSaveWithALaggingListingNeverReturnsTheImageListedFirst(t *testing.T) {
	for _, tc := range []struct {
		name     string
		lagReads int
		own      bool
	}{{"lag within the window", 2, true}, {"lag past the window", lagPastWindow, false}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newHostileServer(t)
			s.listLagReads = tc.lagReads
			s.faults = []createFault{createDropAfter}
			var bID string
			s.onHandled = func(s *hostileServer) { bID = s.otherSaves(hName, "auto-b").ID }
			c := s.client(t, 300*time.Millisecond)

			img, err := c.CreateImageFromNotebook(hctx(t), hNotebook, tagless())
			logCounts(t, s, img, err)
			if img != nil {
				require.NotEqual(t, bID, img.ID, "A was given B's image")
			}
			if tc.own {
				assertOwnImage(t, s, img, err)
				return
			}
			coe := outcomeErr(t, err)
			assert.NotContains(t, coe.Candidates, bID)
			assertNotSafeToRetry(t, err)
			creates, _, _ := s.counts()
			assert.Equal(t, 1, creates)
		})
	}
}

// 120 callers save 120 notebooks under one name without a tag; every answer
// is lost and the listing lags. No caller is given an image another
// caller's save made.
func TestConcurrentTaglessSavesEachGetOnlyTheirOwnImage(t *testing.T) {
	t.Parallel()
	const callers = 120
	s := newHostileServer(t)
	s.listLagReads = 1
	for i := 0; i < callers; i++ {
		s.faults = append(s.faults, createDropAfter)
		s.srv.AddNotebook(nbID(i), modelarts.NotebookStatusRunning)
	}
	c := s.client(t, 3*time.Second)
	type result struct {
		img *modelarts.Image
		err error
	}
	results := make([]result, callers)
	var wg sync.WaitGroup
	for i := 0; i < callers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			img, err := c.CreateImageFromNotebook(hctx(t), nbID(i), tagless())
			results[i] = result{img, err}
		}()
	}
	wg.Wait()
	// Which notebook's save made each tag, from what the service received.
	savedFrom := map[string]string{}
	for _, r := range s.srv.Requests() {
		var body struct{ Tag string }
		if r.Route == modelartstest.RouteCreateImage && json.Unmarshal(r.Body, &body) == nil {
			savedFrom[body.Tag] = strings.Split(r.Path, "/")[4]
		}
	}
	for i, r := range results {
		if r.err != nil {
			assert.ErrorIs(t, r.err, modelarts.ErrCreateOutcomeUnknown, "caller %d", i)
			continue
		}
		assert.Equal(t, nbID(i), savedFrom[r.img.Tag], "caller %d was given image %s, saved from %s", i, r.img.ID, savedFrom[r.img.Tag])
	}
}

func nbID(i int) string { return fmt.Sprintf("%08d-0b4d-4c5e-9f77-1e2d3c4b5a60", i) }

// A's create never reached the service (gateway 502); meanwhile B saved
// another notebook under the same namespace/name without a tag. B's image is
// the only match: it must not be handed to A.
func TestTaglessSaveNeverSeenByTheServiceIsNotGivenAnotherCallersImage(t *testing.T) {
	t.Parallel()
	s := newHostileServer(t)
	s.faults = []createFault{createGateway502}
	var bID string
	s.onInFlight = func(s *hostileServer) {
		if bID == "" {
			bID = s.otherSaves(hName, "auto-b").ID
		}
	}
	c := s.client(t, 300*time.Millisecond)

	img, err := c.CreateImageFromNotebook(hctx(t), hNotebook, tagless())
	logCounts(t, s, img, err)
	if img != nil {
		require.NotEqual(t, bID, img.ID, "A was given B's image")
		assertOwnImage(t, s, img, err) // A's notebook was RUNNING: re-sending was right
		return
	}
	coe := outcomeErr(t, err)
	assert.Contains(t, coe.Candidates, bID)
	assert.Contains(t, err.Error(), bID)
	assert.Empty(t, s.madeIDs())
}

// --- case 3: same tag, different caller -------------------------------

// A's create never reached the service; B saved another notebook under the
// same namespace/name/tag. A is not told it succeeded with B's image.
func TestSaveNeverSeenByTheServiceIsNotGivenAnotherCallersImageOfTheSameTag(t *testing.T) {
	t.Parallel()
	s := newHostileServer(t)
	s.faults = []createFault{createGateway502}
	var bID string
	s.onInFlight = func(s *hostileServer) {
		if bID == "" {
			bID = s.otherSaves(hName, hTag).ID
		}
	}
	c := s.client(t, 300*time.Millisecond)

	img, err := c.CreateImageFromNotebook(hctx(t), hNotebook, tagged())
	logCounts(t, s, img, err)
	require.Error(t, err, "A must not be told it succeeded")
	if img != nil {
		assert.NotEqual(t, bID, img.ID, "A was given B's image")
	}
	assert.True(t, errors.Is(err, modelarts.ErrConflict) || errors.Is(err, modelarts.ErrCreateOutcomeUnknown), "got %T: %v", err, err)
	if errors.Is(err, modelarts.ErrCreateOutcomeUnknown) {
		var coe *modelarts.CreateOutcomeError
		require.ErrorAs(t, err, &coe)
		assert.Contains(t, coe.Candidates, bID)
	}
	assert.Empty(t, s.madeIDs())
	assert.Equal(t, 0, s.ownedBy(hNotebook))
}

// --- case 4: listing lag; 6737 / 6357 on a re-sent create ---------------

// The listing shows the new image 300 ms after the create (a couple of
// seconds, scaled down); a 3 s window catches it. One create, one image.
func TestCreateFindsItsImageWhenTheListingLagsWithinTheWindow(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		req   *modelarts.CreateImageRequest
		fault createFault
	}{
		{"tagged/drop", tagged(), createDropAfter},
		{"tagless/drop", tagless(), createDropAfter},
		{"tagged/timeout", tagged(), createHangAfter},
		{"tagless/timeout", tagless(), createHangAfter},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newHostileServer(t)
			s.listLagReads = 1
			s.lockNotebook = false // nothing but the SDK stops a second image
			s.faults = []createFault{tc.fault}
			c := s.client(t, 3*time.Second, modelarts.WithAttemptTimeout(150*time.Millisecond))

			img, err := c.CreateImageFromNotebook(hctx(t), hNotebook, tc.req)
			logCounts(t, s, img, err)
			assertOwnImage(t, s, img, err)
			creates, _, _ := s.counts()
			assert.Equal(t, 1, creates)
		})
	}
}

func TestRegisterFindsItsImageWhenTheListingLagsWithinTheWindow(t *testing.T) {
	t.Parallel()
	s := newHostileServer(t)
	s.listLagReads = 1
	s.faults = []createFault{createDropAfter}
	c := s.client(t, 3*time.Second)

	img, err := c.RegisterImage(hctx(t), register())
	logCounts(t, s, img, err)
	assertOwnImage(t, s, img, err)
	_, regs, _ := s.counts()
	assert.Equal(t, 1, regs)
}

// The listing lags past the window and the notebook's status shows nothing
// (its SNAPSHOTTING not yet visible), so the SDK may send the create again:
// the service's answer (6737 for a taken tag or path, 6357 for a notebook
// busy saving) proves the first create happened. Never "safe to create
// again", one image.
func TestCreateResendRefusedAfterTheWindowIsOutcomeUnknownNeverSafe(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		req      *modelarts.CreateImageRequest // nil: RegisterImage
		lock     bool
		snapshot bool
	}{
		{"tagged/6737", tagged(), false, false},
		{"tagless/6357", tagless(), true, false},
		{"tagged/6737+6357", tagged(), true, false},
		{"tagged/snapshot-shown", tagged(), false, true},
		{"tagless/snapshot-shown-and-locked", tagless(), true, true},
		{"register/6737", nil, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newHostileServer(t)
			s.listLagReads = lagPastWindow
			s.lockNotebook = tc.lock
			s.showSnapshot = tc.snapshot
			s.registerRefuse = true
			s.faults = []createFault{createDropAfter}
			c := s.client(t, 200*time.Millisecond)

			var img *modelarts.Image
			var err error
			if tc.req == nil {
				img, err = c.RegisterImage(hctx(t), register())
			} else {
				img, err = c.CreateImageFromNotebook(hctx(t), hNotebook, tc.req)
			}
			logCounts(t, s, img, err)
			assert.Nil(t, img)
			assertNotSafeToRetry(t, err)
			outcomeErr(t, err)
			assert.Len(t, s.madeIDs(), 1, "one call, one image")
		})
	}
}

// No notebook lock, no SNAPSHOTTING shown, no tag given, listing lag past
// the window: nothing proves the first save happened, so the SDK sends it
// again, with the same tag it chose. The service refuses a tag that exists
// (ModelArts.6737): the outcome is unknown, and there is still one image.
func TestTaglessSaveResendPastTheWindowIsRefusedByItsOwnTag(t *testing.T) {
	t.Parallel()
	s := newHostileServer(t)
	s.listLagReads = lagPastWindow
	s.lockNotebook = false
	s.showSnapshot = false
	s.faults = []createFault{createDropAfter}
	c := s.client(t, 200*time.Millisecond)

	img, err := c.CreateImageFromNotebook(hctx(t), hNotebook, tagless())
	logCounts(t, s, img, err)
	assert.Len(t, s.madeIDs(), 1, "the resend carries the same tag, which the service refuses")
	outcomeErr(t, err)
	assertNotSafeToRetry(t, err)
}

// RegisterImage has no evidence but the listing: a service that lets a path
// be registered twice and lists an image only after the window gets a
// second registration (the documented limit); within the window, one.
func TestRegisterMakesTwoImagesOnlyWhenTheListingLagsPastTheWindow(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		lagReads int
		window   time.Duration
		images   int
	}{
		{1, time.Second, 1},
		{lagPastWindow, 200 * time.Millisecond, 2},
	} {
		s := newHostileServer(t)
		s.listLagReads = tc.lagReads
		s.faults = []createFault{createDropAfter}
		c := s.client(t, tc.window)

		img, err := c.RegisterImage(hctx(t), register())
		logCounts(t, s, img, err)
		assert.Len(t, s.madeIDs(), tc.images, "lag %d reads, window %s", tc.lagReads, tc.window)
		if tc.images == 1 {
			require.NoError(t, err)
			assert.Equal(t, s.madeIDs()[0], img.ID)
		}
	}
}

// A server whose listing ignores name and namespace filters: the SDK must
// match on namespace/name/tag (or swr_path) itself. Someone else's image with
// another name lands during the call.
func TestCreateLookupCopesWithAServerThatIgnoresFilters(t *testing.T) {
	t.Parallel()
	for _, call := range []string{"register", "notebook/tagged", "notebook/tagless"} {
		t.Run(call, func(t *testing.T) {
			s := newHostileServer(t)
			s.ignoreFilters = true
			s.faults = []createFault{createDropAfter}
			s.onHandled = func(s *hostileServer) {
				s.addImage("other-ns", "other-name", "x", "INIT", "B", 0)
				s.addImage(hNS, "pytorch1_4-extra", "auto-9", "INIT", "B", 0)
				s.addRegistered(hRegistry+"/"+hNS+"/custom-img:v2", "ACTIVE", 0)
			}
			c := s.client(t, 300*time.Millisecond)
			var img *modelarts.Image
			var err error
			switch call {
			case "register":
				img, err = c.RegisterImage(hctx(t), register())
			case "notebook/tagged":
				img, err = c.CreateImageFromNotebook(hctx(t), hNotebook, tagged())
			default:
				img, err = c.CreateImageFromNotebook(hctx(t), hNotebook, tagless())
			}
			logCounts(t, s, img, err)
			assertOwnImage(t, s, img, err)
		})
	}
}

// The lookup itself fails (every listing answers 500): the outcome is
// unknown; no second create, never "safe".
func TestCreateWhoseLookupFailsIsOutcomeUnknown(t *testing.T) {
	t.Parallel()
	s := newHostileServer(t)
	s.listStatus = 500
	s.lockNotebook = false
	s.showSnapshot = false
	s.faults = []createFault{createDropAfter}
	c := s.client(t, 200*time.Millisecond)

	img, err := c.CreateImageFromNotebook(hctx(t), hNotebook, tagless())
	logCounts(t, s, img, err)
	assert.Nil(t, img)
	outcomeErr(t, err)
	assertNotSafeToRetry(t, err)
	creates, _, _ := s.counts()
	assert.Equal(t, 1, creates)
}

// --- case 5: paging ------------------------------------------------------

// The server pages at 100 whatever limit says, reports total 451, lists
// oldest first whatever the sort asks; the new image is the 451st, on page 5.
func TestCreateLookupFindsItsImageOnPage5(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		omitTotal bool
		register  bool
	}{
		{"notebook/total", false, false},
		{"notebook/no-total", true, false},
		{"register/total", false, true},
		{"register/no-total", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newHostileServer(t)
			s.pageSize = 100
			s.omitTotal = tc.omitTotal
			s.ignoreSort = true
			for i := 0; i < 450; i++ {
				if tc.register {
					s.addRegistered(hRegistry+"/"+hNS+"/custom-img:old-"+itoa(i), "ACTIVE", day)
				} else {
					s.addImage(hNS, hName, "old-"+itoa(i), "ACTIVE", "old", day)
				}
			}
			s.faults = []createFault{createDropAfter}
			c := s.client(t, 300*time.Millisecond)

			var img *modelarts.Image
			var err error
			if tc.register {
				img, err = c.RegisterImage(hctx(t), register())
			} else {
				img, err = c.CreateImageFromNotebook(hctx(t), hNotebook, tagged())
			}
			logCounts(t, s, img, err)
			assertOwnImage(t, s, img, err)
			creates, regs, lists := s.counts()
			assert.Equal(t, 1, creates+regs)
			assert.GreaterOrEqual(t, lists, 5, "the image is on page 5")
		})
	}
}

// ListImages itself against the same server: all 451 come back, with and
// without total.
func TestListImagesFollowsTheServersPageSize(t *testing.T) {
	t.Parallel()
	for _, omit := range []bool{false, true} {
		s := newHostileServer(t)
		s.pageSize = 100
		s.omitTotal = omit
		for i := 0; i < 451; i++ {
			s.addImage(hNS, hName, "t-"+itoa(i), "ACTIVE", "old", time.Duration(i)*time.Minute)
		}
		c := s.client(t, 0)
		seen := map[string]bool{}
		for img, err := range c.ListImages(hctx(t), &modelarts.ListImagesOptions{Type: modelarts.ImageTypeDedicated}) {
			require.NoError(t, err)
			seen[img.ID] = true
		}
		_, _, lists := s.counts()
		t.Logf("omitTotal=%v lists=%d seen=%d", omit, lists, len(seen))
		assert.Len(t, seen, 451, "omitTotal=%v", omit)
	}
}

// The server reports a total far above what it holds: the walk stops on the
// first empty page.
func TestListImagesStopsOnAnEmptyPage(t *testing.T) {
	t.Parallel()
	s := newHostileServer(t)
	s.pageSize = 100
	s.fakeTotal = 100000
	for i := 0; i < 150; i++ {
		s.addImage(hNS, hName, "t-"+itoa(i), "ACTIVE", "old", time.Duration(i)*time.Minute)
	}
	c := s.client(t, 0)
	n := 0
	for _, err := range c.ListImages(hctx(t), &modelarts.ListImagesOptions{Type: modelarts.ImageTypeDedicated}) {
		require.NoError(t, err)
		n++
	}
	_, _, lists := s.counts()
	assert.Equal(t, 150, n)
	assert.Equal(t, 3, lists)
}

// A server that ignores offset: a clear error, not a loop, and not 451
// copies of the first page.
func TestListImagesOnAServerThatIgnoresTheOffsetEndsWithAListingError(t *testing.T) {
	t.Parallel()
	s := newHostileServer(t)
	s.pageSize = 100
	s.ignoreOffset = true
	for i := 0; i < 451; i++ {
		s.addImage(hNS, hName, "t-"+itoa(i), "ACTIVE", "old", time.Duration(i)*time.Minute)
	}
	c := s.client(t, 0)
	n := 0
	var last error
	for _, err := range c.ListImages(hctx(t), &modelarts.ListImagesOptions{Type: modelarts.ImageTypeDedicated}) {
		if err != nil {
			last = err
			break
		}
		n++
		require.Less(t, n, 1000, "the walk loops")
	}
	_, _, lists := s.counts()
	t.Logf("lists=%d yielded=%d err=%v", lists, n, last)
	require.Error(t, last)
	assert.LessOrEqual(t, lists, 3)
	assert.LessOrEqual(t, n, 100, "the same page must not be yielded twice")
	assert.Contains(t, strings.ToLower(last.Error()), "offset")
}

// A create whose lookup meets a server ignoring offset: no loop, no second
// create, an uncertain outcome.
func TestCreateLookupOnAServerThatIgnoresTheOffsetIsOutcomeUnknown(t *testing.T) {
	t.Parallel()
	s := newHostileServer(t)
	s.pageSize = 100
	s.ignoreOffset = true
	s.ignoreSort = true
	for i := 0; i < 450; i++ {
		s.addImage(hNS, hName, "old-"+itoa(i), "ACTIVE", "old", day)
	}
	s.faults = []createFault{createDropAfter}
	c := s.client(t, 0)

	img, err := c.CreateImageFromNotebook(hctx(t), hNotebook, tagged())
	logCounts(t, s, img, err)
	assert.Nil(t, img)
	assertNotSafeToRetry(t, err)
	outcomeErr(t, err)
	assert.Len(t, s.madeIDs(), 1)
}

// --- case 6: clocks ------------------------------------------------------

// The service's clock runs 5 minutes behind the caller's. A tagless save is
// handled and its answer lost; an older save of the same name exists from 2
// minutes before (service time). Only the new one is ours.
func TestCreateFindsItsImageWithTheServiceClockBehind(t *testing.T) {
	t.Parallel()
	for _, reg := range []bool{false, true} {
		s := newHostileServer(t)
		s.clockSkew = -5 * time.Minute
		var old modelarts.Image
		if reg {
			old = s.addRegistered(hSWRPath, "ACTIVE", 2*time.Minute)
		} else {
			old = s.addImage(hNS, hName, "auto-old", "ACTIVE", "earlier", 2*time.Minute)
		}
		s.faults = []createFault{createDropAfter}
		c := s.client(t, 300*time.Millisecond)

		var img *modelarts.Image
		var err error
		if reg {
			img, err = c.RegisterImage(hctx(t), register())
		} else {
			img, err = c.CreateImageFromNotebook(hctx(t), hNotebook, tagless())
		}
		logCounts(t, s, img, err)
		if img != nil {
			assert.NotEqual(t, old.ID, img.ID)
		}
		assertOwnImage(t, s, img, err)
		creates, regs, _ := s.counts()
		assert.Equal(t, 1, creates+regs, "register=%v", reg)
	}
}

// The service's clock runs 5 minutes ahead. An image of the same name made 2
// minutes before the call (service time) carries a create_at 3 minutes in the
// caller's future. The first create never reaches the service.
func TestCreateFindsItsImageWithTheServiceClockAhead(t *testing.T) {
	t.Parallel()
	for _, reg := range []bool{false, true} {
		s := newHostileServer(t)
		s.clockSkew = 5 * time.Minute
		var old modelarts.Image
		if reg {
			old = s.addRegistered(hSWRPath, "ACTIVE", 2*time.Minute)
		} else {
			old = s.addImage(hNS, hName, "auto-old", "ACTIVE", "earlier", 2*time.Minute)
		}
		s.faults = []createFault{createGateway502}
		c := s.client(t, 300*time.Millisecond)

		var img *modelarts.Image
		var err error
		if reg {
			img, err = c.RegisterImage(hctx(t), register())
		} else {
			img, err = c.CreateImageFromNotebook(hctx(t), hNotebook, tagless())
		}
		logCounts(t, s, img, err)
		if img != nil {
			require.NotEqual(t, old.ID, img.ID, "an image made before the call returned as new (register=%v)", reg)
		}
		if !reg {
			assertOwnImage(t, s, img, err) // the tag the SDK chose ties the save to this call
			continue
		}
		// A registration of the same path made 2 minutes before the call:
		// a Date header running ahead of the service's stamps would make
		// this call's own registration look just as old, so the SDK names
		// it and does not register again.
		coe := outcomeErr(t, err)
		assert.Contains(t, coe.Candidates, old.ID)
		_, registers, _ := s.counts()
		assert.Equal(t, 1, registers, "not registered again")
	}
}

// The gateway that answers 502 runs its own clock, 10 minutes behind; the
// service's clock is right. A tagless image of the same name was made 5
// minutes ago. The gateway's Date is not the service's view: the old image
// must not be taken as this call's.
func TestCreateJudgesTimeByTheServiceClockNotTheGateways(t *testing.T) {
	t.Parallel()
	s := newHostileServer(t)
	s.gatewaySkew = -10 * time.Minute
	old := s.addImage(hNS, hName, "auto-old", "ACTIVE", "earlier", 5*time.Minute)
	s.faults = []createFault{createGateway502}
	c := s.client(t, 300*time.Millisecond)

	img, err := c.CreateImageFromNotebook(hctx(t), hNotebook, tagless())
	logCounts(t, s, img, err)
	if img != nil {
		require.NotEqual(t, old.ID, img.ID, "an image from 5 minutes ago returned as this call's")
	}
	if err != nil {
		var coe *modelarts.CreateOutcomeError
		if errors.As(err, &coe) {
			assert.NotContains(t, coe.Candidates, old.ID, "an image from before the call named as a candidate")
		}
		return
	}
	assertOwnImage(t, s, img, err)
}

// --- issue 14: 201 Created with no body, or not an image --------------------

func TestCreateAnswered201WithoutTheImageFindsIt(t *testing.T) {
	t.Parallel()
	for _, fault := range []createFault{createEmpty201, createNotImage201} {
		for _, call := range []string{"register", "notebook/tagged", "notebook/tagless"} {
			name := call + "/empty"
			if fault == createNotImage201 {
				name = call + "/not-image"
			}
			t.Run(name, func(t *testing.T) {
				s := newHostileServer(t)
				s.faults = []createFault{fault}
				// an older image of the same name, so "the newest" is not enough
				if call == "register" {
					s.addRegistered(hSWRPath, "ACTIVE", day)
				} else {
					s.addImage(hNS, hName, "yesterday", "ACTIVE", "yesterday", day)
				}
				c := s.client(t, 2*time.Second)
				var img *modelarts.Image
				var err error
				switch call {
				case "register":
					img, err = c.RegisterImage(hctx(t), register())
				case "notebook/tagged":
					img, err = c.CreateImageFromNotebook(hctx(t), hNotebook, tagged())
				default:
					img, err = c.CreateImageFromNotebook(hctx(t), hNotebook, tagless())
				}
				logCounts(t, s, img, err)
				var de *modelarts.DecodeError
				assert.False(t, errors.As(err, &de), "a 201 must not read like a failure: %v", err)
				assertOwnImage(t, s, img, err)
				creates, regs, _ := s.counts()
				assert.Equal(t, 1, creates+regs, "a 2xx create must never be sent again")
			})
		}
	}
}

// 201 with no body and a listing that never catches up in the window: the
// error says the service reported success; no second create.
func TestCreateAnswered201WithALaggingListingIsOutcomeUnknownSayingSuccess(t *testing.T) {
	t.Parallel()
	for _, call := range []string{"register", "notebook/tagged", "notebook/tagless"} {
		t.Run(call, func(t *testing.T) {
			s := newHostileServer(t)
			s.faults = []createFault{createEmpty201}
			s.listLagReads = lagPastWindow
			c := s.client(t, 100*time.Millisecond)
			var img *modelarts.Image
			var err error
			switch call {
			case "register":
				img, err = c.RegisterImage(hctx(t), register())
			case "notebook/tagged":
				img, err = c.CreateImageFromNotebook(hctx(t), hNotebook, tagged())
			default:
				img, err = c.CreateImageFromNotebook(hctx(t), hNotebook, tagless())
			}
			logCounts(t, s, img, err)
			assert.Nil(t, img)
			var de *modelarts.DecodeError
			assert.False(t, errors.As(err, &de), "got a *DecodeError: %v", err)
			outcomeErr(t, err)
			assertNotSafeToRetry(t, err)
			assert.Contains(t, strings.ToLower(err.Error()), "success")
			creates, regs, _ := s.counts()
			assert.Equal(t, 1, creates+regs)
			assert.Len(t, s.madeIDs(), 1)
		})
	}
}

// --- plain lost answers: controls that must keep holding ---------------------

func TestCreateWithAPlainLostAnswerReturnsItsOwnImage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		fault   createFault
		creates int
	}{
		{"gateway502", createGateway502, 2},
		{"drop-after", createDropAfter, 1},
		{"timeout-after", createHangAfter, 1},
	} {
		for _, call := range []string{"register", "notebook/tagged", "notebook/tagless"} {
			t.Run(tc.name+"/"+call, func(t *testing.T) {
				s := newHostileServer(t)
				s.faults = []createFault{tc.fault}
				c := s.client(t, 300*time.Millisecond, modelarts.WithAttemptTimeout(150*time.Millisecond))
				var img *modelarts.Image
				var err error
				switch call {
				case "register":
					img, err = c.RegisterImage(hctx(t), register())
				case "notebook/tagged":
					img, err = c.CreateImageFromNotebook(hctx(t), hNotebook, tagged())
				default:
					img, err = c.CreateImageFromNotebook(hctx(t), hNotebook, tagless())
				}
				logCounts(t, s, img, err)
				assertOwnImage(t, s, img, err)
				creates, regs, _ := s.counts()
				assert.Equal(t, tc.creates, creates+regs)
			})
		}
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
