package modelartstest

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelarts-go/modelarts"
)

// t0 is where manual clocks of these tests start.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// dedicated stores n private images "img-0"... in namespace "team", the
// i-th created i minutes after t0, and returns their IDs oldest first.
func dedicated(s *Server, n int) []string {
	ids := make([]string, n)
	for i := range ids {
		at := modelarts.TimestampOf(t0.Add(time.Duration(i) * time.Minute))
		ids[i] = s.PutImage(modelarts.Image{Name: "img-" + strconv.Itoa(i), Namespace: "team", Tag: "v1",
			Type: modelarts.ImageTypeDedicated, Status: modelarts.ImageStatusActive, CreatedAt: at, UpdatedAt: at})
	}
	return ids
}

// listIDs lists private images with query and returns the IDs of the page
// ("" for a null item) and the answer.
func listIDs(t *testing.T, s *Server, query string) ([]string, map[string]any) {
	t.Helper()
	st, m, _ := raw(t, s, "GET", v1(s)+"/images?type=DEDICATED&"+query, "", nil)
	require.Equal(t, 200, st, m)
	var ids []string
	for _, it := range m["data"].([]any) {
		if it == nil {
			ids = append(ids, "")
			continue
		}
		ids = append(ids, it.(map[string]any)["id"].(string))
	}
	return ids, m
}

func registerRaw(t *testing.T, s *Server, swrPath string) (int, map[string]any) {
	t.Helper()
	st, m, _ := raw(t, s, "POST", v1(s)+"/images", `{"swr_path":"`+swrPath+`"}`, nil)
	return st, m
}

func TestListingLagReadsHidesANewImageFromThatManyListingsButNotFromGET(t *testing.T) {
	s := NewServer(WithMisbehaviour(ListingLagReads(2)))
	defer s.Close()
	st, m := registerRaw(t, s, "swr.fake.local/team/lagged:v1")
	require.Equal(t, 200, st)
	id := m["id"].(string)
	st, _, _ = raw(t, s, "GET", v1(s)+"/images/"+id, "", nil)
	assert.Equal(t, 200, st, "GET finds it at once")
	for read := 1; read <= 2; read++ {
		ids, _ := listIDs(t, s, "")
		assert.NotContains(t, ids, id, "listing %d", read)
	}
	ids, _ := listIDs(t, s, "")
	assert.Contains(t, ids, id, "the third listing shows it")
}

func TestListingLagForHidesANewImageUntilTheClockPassesIt(t *testing.T) {
	clk := NewManualClock(t0)
	s := NewServer(WithClock(clk), WithMisbehaviour(ListingLagFor(time.Minute)))
	defer s.Close()
	_, m := registerRaw(t, s, "swr.fake.local/team/lagged:v1")
	id := m["id"].(string)
	ids, _ := listIDs(t, s, "")
	assert.NotContains(t, ids, id)
	clk.Advance(59 * time.Second)
	ids, _ = listIDs(t, s, "")
	assert.NotContains(t, ids, id, "59 s later")
	clk.Advance(time.Second)
	ids, _ = listIDs(t, s, "")
	assert.Contains(t, ids, id, "a minute later")
}

func TestClockOffsetMovesTheDateHeaderAndTheTimestamps(t *testing.T) {
	clk := NewManualClock(t0)
	s := NewServer(WithClock(clk), WithMisbehaviour(ClockOffset(-5*time.Minute)))
	defer s.Close()
	st, m, h := raw(t, s, "POST", v1(s)+"/images", `{"swr_path":"swr.fake.local/team/skewed:v1"}`, nil)
	require.Equal(t, 200, st)
	want := t0.Add(-5 * time.Minute)
	assert.Equal(t, float64(want.UnixMilli()), m["create_at"])
	assert.Equal(t, want.Format(http.TimeFormat), h.Get("Date"))
	assert.Equal(t, want, s.Now())
}

func TestGatewayClockOffsetDatesOnlyTheGatewaysOwnAnswers(t *testing.T) {
	clk := NewManualClock(t0)
	s := NewServer(WithClock(clk), WithMisbehaviour(GatewayClockOffset(-10*time.Minute)))
	defer s.Close()
	s.InjectFault(RouteGetImage, RawAnswer{Status: 502, Body: "<html>502 Bad Gateway</html>"})
	st, _, h := raw(t, s, "GET", v1(s)+"/images/"+builtinPyTorchID, "", nil)
	assert.Equal(t, 502, st)
	assert.Equal(t, t0.Add(-10*time.Minute).Format(http.TimeFormat), h.Get("Date"), "the gateway's 502")
	st, _, h = raw(t, s, "GET", v1(s)+"/images/"+builtinPyTorchID, "", nil)
	assert.Equal(t, 200, st)
	assert.Equal(t, t0.Format(http.TimeFormat), h.Get("Date"), "the service's answer")
}

func TestPageSizeCapAnswersAtMostTheCapWhateverLimitAsks(t *testing.T) {
	s := NewServer(WithMisbehaviour(PageSizeCap(2)))
	defer s.Close()
	dedicated(s, 5)
	ids, m := listIDs(t, s, "limit=10")
	assert.Len(t, ids, 2)
	assert.Equal(t, float64(2), m["size"])
	assert.Equal(t, float64(5), m["total"])
	ids2, m := listIDs(t, s, "limit=10&offset=2")
	assert.Len(t, ids2, 2)
	assert.NotEqual(t, ids, ids2)
	assert.Equal(t, float64(2), m["current"])
}

func TestNoListingTotalLeavesTotalAndPagesOut(t *testing.T) {
	s := NewServer(WithMisbehaviour(NoListingTotal()))
	defer s.Close()
	dedicated(s, 3)
	ids, m := listIDs(t, s, "")
	assert.Len(t, ids, 3)
	assert.NotContains(t, m, "total")
	assert.NotContains(t, m, "pages")
}

func TestFixedListingTotalReportsTheGivenTotalWhateverTheListingHolds(t *testing.T) {
	s := NewServer(WithMisbehaviour(FixedListingTotal(100000)))
	defer s.Close()
	dedicated(s, 3)
	_, m := listIDs(t, s, "limit=2&offset=4")
	assert.Equal(t, float64(100000), m["total"])
	assert.Empty(t, m["data"])
}

func TestIgnoredOffsetAnswersEveryPageFromTheFirstRecord(t *testing.T) {
	s := NewServer(WithMisbehaviour(IgnoredOffset()))
	defer s.Close()
	dedicated(s, 4)
	first, _ := listIDs(t, s, "limit=2")
	again, _ := listIDs(t, s, "limit=2&offset=2")
	assert.Equal(t, first, again)
}

func TestIgnoredSortListsOldestFirstWhateverTheSortAsks(t *testing.T) {
	s := NewServer(WithMisbehaviour(IgnoredSort()))
	defer s.Close()
	want := dedicated(s, 3)
	ids, _ := listIDs(t, s, "sort_dir=DESC&sort_key=create_at")
	assert.Equal(t, want, ids)
}

func TestIgnoredNameFiltersListImagesOfOtherNamesAndNamespaces(t *testing.T) {
	s := NewServer(WithMisbehaviour(IgnoredNameFilters()))
	defer s.Close()
	dedicated(s, 3)
	ids, _ := listIDs(t, s, "name=img-1&namespace=other&name_fuzzy_match=false")
	assert.Len(t, ids, 3)
}

func saveNB(t *testing.T, s *Server, nb, tag string) (int, map[string]any) {
	t.Helper()
	st, m, _ := raw(t, s, "POST", v1(s)+"/notebooks/"+nb+"/create-image",
		`{"name":"env","namespace":"team","tag":"`+tag+`"}`, nil)
	return st, m
}

func TestNoSnapshottingKeepsASavingNotebookRunningAndStillLocked(t *testing.T) {
	s := NewServer(WithMisbehaviour(NoSnapshotting()))
	defer s.Close()
	s.AddNotebook("nb-1", modelarts.NotebookStatusRunning)
	st, _ := saveNB(t, s, "nb-1", "v1")
	require.Equal(t, 200, st)
	got, _ := s.NotebookStatus("nb-1")
	assert.Equal(t, modelarts.NotebookStatusRunning, got)
	st, m := saveNB(t, s, "nb-1", "v2")
	assert.Equal(t, 400, st)
	assert.Equal(t, "ModelArts.6357", m["error_code"], "the save still locks the notebook")
}

func TestUnlockedNotebookSavesAcceptASecondSaveOfASavingNotebook(t *testing.T) {
	s := NewServer(WithMisbehaviour(UnlockedNotebookSaves()))
	defer s.Close()
	s.AddNotebook("nb-1", modelarts.NotebookStatusRunning)
	st, _ := saveNB(t, s, "nb-1", "v1")
	require.Equal(t, 200, st)
	st, m := saveNB(t, s, "nb-1", "v2")
	assert.Equal(t, 200, st, m)
}

func TestTaglessSavesOfOneNameInOneSecondGetDistinctTags(t *testing.T) {
	s := NewServer(WithClock(NewManualClock(t0)), WithMisbehaviour(UnlockedNotebookSaves()))
	defer s.Close()
	s.AddNotebook("nb-1", modelarts.NotebookStatusRunning)
	_, a := saveNB(t, s, "nb-1", "")
	_, b := saveNB(t, s, "nb-1", "")
	assert.Equal(t, "20260301120000", a["tag"])
	assert.Equal(t, "20260301120000-2", b["tag"])
}

func TestRepeatRegistrationsMakeASecondImageOfOnePath(t *testing.T) {
	s := NewServer()
	defer s.Close()
	st, _ := registerRaw(t, s, "swr.fake.local/team/again:v1")
	require.Equal(t, 200, st)
	st, m := registerRaw(t, s, "swr.fake.local/team/again:v1")
	assert.Equal(t, 400, st)
	assert.Equal(t, "ModelArts.6737", m["error_code"], "refused by default")
	s.Misbehave(RepeatRegistrations())
	st, _ = registerRaw(t, s, "swr.fake.local/team/again:v1")
	assert.Equal(t, 200, st)
}

func TestRotatingListingOrderAnswersTheSameFullPageRotatedPerRead(t *testing.T) {
	s := NewServer(WithMisbehaviour(RotatingListingOrder()))
	defer s.Close()
	dedicated(s, 3)
	p0, m := listIDs(t, s, "limit=10")
	require.Len(t, p0, 3)
	assert.NotContains(t, m, "total")
	p1, _ := listIDs(t, s, "limit=10&offset=3")
	p2, _ := listIDs(t, s, "limit=10&offset=6")
	p3, _ := listIDs(t, s, "limit=10&offset=9")
	assert.Equal(t, []string{p0[1], p0[2], p0[0]}, p1)
	assert.Equal(t, []string{p0[2], p0[0], p0[1]}, p2)
	assert.Equal(t, p0, p3)
}

func TestAlternatingListingOrderAnswersTheSamePageInTwoOrders(t *testing.T) {
	s := NewServer(WithMisbehaviour(AlternatingListingOrder()))
	defer s.Close()
	dedicated(s, 3)
	p0, m := listIDs(t, s, "limit=10")
	assert.NotContains(t, m, "total")
	p1, _ := listIDs(t, s, "limit=10&offset=3")
	p2, _ := listIDs(t, s, "limit=10&offset=6")
	assert.Equal(t, []string{p0[2], p0[1], p0[0]}, p1)
	assert.Equal(t, p0, p2)
}

func TestNullListingItemsTakeTheirSlotsInPagesOffsetsAndTotal(t *testing.T) {
	s := NewServer(WithMisbehaviour(IgnoredSort(), NullListingItems(1, 4)))
	defer s.Close()
	ids := dedicated(s, 3)
	p0, m := listIDs(t, s, "limit=2")
	assert.Equal(t, []string{ids[0], ""}, p0)
	assert.Equal(t, float64(5), m["total"], "the nulls count")
	p1, _ := listIDs(t, s, "limit=2&offset=2")
	assert.Equal(t, []string{ids[1], ids[2]}, p1)
	p2, _ := listIDs(t, s, "limit=2&offset=4")
	assert.Equal(t, []string{""}, p2)
}

func TestAnotherCallerActsOnceAtItsMomentOfTheNextRequest(t *testing.T) {
	s := NewServer()
	defer s.Close()
	s.AddNotebook("nb-a", modelarts.NotebookStatusRunning)
	s.AddNotebook("nb-b", modelarts.NotebookStatusRunning)
	var seenAtArrival int
	var bImage modelarts.Image
	s.Misbehave(
		AnotherCaller(RouteCreateImage, WhenArrived, func(s *Server) { seenAtArrival = len(s.Images()) }),
		AnotherCaller(RouteCreateImage, WhenHandled, func(s *Server) {
			var err error
			bImage, err = s.SaveNotebook("nb-b", SaveRequest{Name: "env", Namespace: "team"})
			require.NoError(t, err)
		}))
	st, a := saveNB(t, s, "nb-a", "")
	require.Equal(t, 200, st)
	assert.Equal(t, 2, seenAtArrival, "before handling: the built-in images only")
	assert.NotEqual(t, a["id"], bImage.ID)
	assert.Equal(t, "env", bImage.Name)
	got, _ := s.NotebookStatus("nb-b")
	assert.Equal(t, modelarts.NotebookStatusSnapshotting, got, "B's notebook is the one B saved")
	n := len(s.Images())
	st, _ = saveNB(t, s, "nb-a", "v9")
	assert.Equal(t, 400, st, "nb-a is still saving")
	assert.Len(t, s.Images(), n, "the other caller acted once")
}

func TestBehaveWellEndsEveryMisbehaviour(t *testing.T) {
	s := NewServer(WithMisbehaviour(NoListingTotal(), PageSizeCap(1)))
	defer s.Close()
	dedicated(s, 3)
	ids, m := listIDs(t, s, "")
	assert.Len(t, ids, 1)
	assert.NotContains(t, m, "total")
	s.BehaveWell()
	ids, m = listIDs(t, s, "")
	assert.Len(t, ids, 3)
	assert.Equal(t, float64(3), m["total"])
}

func TestMisbehaviourConstructorsRefuseImpossibleCounts(t *testing.T) {
	assert.Panics(t, func() { ListingLagReads(-1) })
	assert.Panics(t, func() { PageSizeCap(-1) })
	assert.Panics(t, func() { NullListingItems(-1) })
	assert.Panics(t, func() { AnotherCaller(RouteGetImage, 0, func(*Server) {}) })
	assert.Panics(t, func() { AnotherCaller(RouteGetImage, WhenArrived, nil) })
	assert.Panics(t, func() { Delay(0, nil) })
}
