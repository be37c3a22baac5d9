package modelarts_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelarts-go/modelarts"
	"github.com/modelarts-go/modelarts/auth"
	"github.com/modelarts-go/modelarts/modelartstest"
)

const r2Project = "a4a5d4098fb4474fa22cd05f897d6b99"

// r2Ctx bounds a test.
func r2Ctx(t *testing.T, d time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// r2Client is a client of h with fast retries.
func r2Client(t *testing.T, h http.Handler, opts ...modelarts.Option) (*modelarts.Client, *httptest.Server) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	all := append([]modelarts.Option{
		modelarts.WithHTTPClient(srv.Client()),
		modelarts.WithRetry(modelarts.RetryPolicy{ZeroWait: true}),
		modelarts.WithReconcileWindow(0),
	}, opts...)
	c, err := modelarts.NewClient(srv.URL, r2Project, auth.NewTokenSigner("tok-r2"), all...)
	if err != nil {
		t.Fatal(err)
	}
	return c, srv
}

// r2Page is what a listing server answers for one read.
type r2Page struct {
	items []any // map items, or nil for a JSON null
	total *int  // nil: no total
}

func r2Item(id string) any { return map[string]any{"id": id, "name": "n" + id, "status": "ACTIVE"} }

func r2Items(ids ...string) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = r2Item(id)
	}
	return out
}

func r2Int(n int) *int { return &n }

// r2ListServer answers GET .../images with page(call, offset, limit),
// and records the offsets asked.
type r2ListServer struct {
	mu      sync.Mutex
	offsets []int
	calls   atomic.Int64
	page    func(call, offset, limit int) r2Page
}

func (s *r2ListServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	off, _ := strconv.Atoi(r.URL.Query().Get("offset"))
	lim, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	call := int(s.calls.Add(1)) - 1
	s.mu.Lock()
	s.offsets = append(s.offsets, off)
	s.mu.Unlock()
	p := s.page(call, off, lim)
	body := map[string]any{"data": p.items}
	if p.items == nil {
		body["data"] = []any{}
	}
	if p.total != nil {
		body["total"] = *p.total
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(body)
}

func (s *r2ListServer) seen() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]int(nil), s.offsets...)
}

// r2Walk walks ListImages, failing on a duplicate ID and bounding the walk.
func r2Walk(t *testing.T, c *modelarts.Client, limit int, max int) (ids []string, err error) {
	t.Helper()
	ctx := r2Ctx(t, 5*time.Second)
	seen := map[string]bool{}
	n := 0
	for img, e := range c.ListImages(ctx, &modelarts.ListImagesOptions{Limit: limit}) {
		if e != nil {
			return ids, e
		}
		n++
		if n > max {
			return ids, fmt.Errorf("walk went past %d items: loops", max)
		}
		if img == nil {
			t.Fatalf("nil image yielded")
		}
		if img.ID != "" && seen[img.ID] {
			t.Fatalf("ID %q yielded twice (after %v)", img.ID, ids)
		}
		seen[img.ID] = true
		ids = append(ids, img.ID)
	}
	return ids, nil
}

func r2Letters(from, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("id-%03d", from+i)
	}
	return out
}

func TestListingIgnoredOffsetWithTotalEndsInListingErrorAfterYieldingEachIDOnce(t *testing.T) {
	t.Parallel()
	s := &r2ListServer{page: func(call, off, lim int) r2Page {
		return r2Page{items: r2Items(r2Letters(0, lim)...), total: r2Int(100)}
	}}
	c, _ := r2Client(t, s)
	ids, err := r2Walk(t, c, 5, 1000)
	var le *modelarts.ListingError
	if !errors.As(err, &le) || !errors.Is(err, modelarts.ErrListingInconsistent) {
		t.Fatalf("err = %v, want *ListingError", err)
	}
	if len(ids) != 5 || s.calls.Load() > 4 {
		t.Fatalf("yielded %d, %d requests", len(ids), s.calls.Load())
	}
}

func TestListingIgnoredOffsetWithoutTotalEndsInListingError(t *testing.T) {
	t.Parallel()
	s := &r2ListServer{page: func(call, off, lim int) r2Page {
		return r2Page{items: r2Items(r2Letters(0, lim)...)}
	}}
	c, _ := r2Client(t, s)
	_, err := r2Walk(t, c, 5, 1000)
	if !errors.Is(err, modelarts.ErrListingInconsistent) {
		t.Fatalf("err = %v", err)
	}
	if s.calls.Load() > 8 {
		t.Fatalf("%d requests", s.calls.Load())
	}
}

// A newest-first listing of 9 (limit 3): after page one, three items are
// inserted at the head and three deleted at the tail. Page two repeats only
// yielded items under the same total: one such page is walked through.
func TestListingOneBurstOfHeadInsertsAndTailDeletesIsWalkedThrough(t *testing.T) {
	t.Parallel()
	base := r2Letters(0, 9)
	s := &r2ListServer{}
	s.page = func(call, off, lim int) r2Page {
		list := base
		if call >= 1 {
			list = append([]string{"new-1", "new-2", "new-3"}, base[:6]...)
		}
		end := min(off+lim, len(list))
		if off >= len(list) {
			return r2Page{total: r2Int(len(list))}
		}
		return r2Page{items: r2Items(list[off:end]...), total: r2Int(len(list))}
	}
	c, _ := r2Client(t, s)
	ids, err := r2Walk(t, c, 3, 100)
	if err != nil {
		t.Fatalf("err = %v after %v (offsets %v)", err, ids, s.seen())
	}
	want := base[:6]
	got := map[string]bool{}
	for _, id := range ids {
		got[id] = true
	}
	for _, id := range want {
		if !got[id] {
			t.Fatalf("stayed item %s not yielded: %v", id, ids)
		}
	}
}

// Null items count toward the offset; the walk asks offsets by slots.
func TestListingNullItemsAdvanceTheOffsetBySlots(t *testing.T) {
	t.Parallel()
	s := &r2ListServer{page: func(call, off, lim int) r2Page {
		all := []any{r2Item("a"), nil, nil, r2Item("b"), nil, r2Item("c"), nil}
		if off >= len(all) {
			return r2Page{total: r2Int(len(all))}
		}
		return r2Page{items: all[off:min(off+lim, len(all))], total: r2Int(len(all))}
	}}
	c, _ := r2Client(t, s)
	ids, err := r2Walk(t, c, 3, 100)
	if err != nil || fmt.Sprint(ids) != "[a b c]" {
		t.Fatalf("ids %v err %v offsets %v", ids, err, s.seen())
	}
	if o := s.seen(); fmt.Sprint(o[:3]) != "[0 3 6]" {
		t.Fatalf("offsets %v", o)
	}
}

// Pages of nulls only and a total that says more: the walk must end.
func TestListingNullOnlyPagesForeverEndInListingError(t *testing.T) {
	t.Parallel()
	s := &r2ListServer{page: func(call, off, lim int) r2Page {
		return r2Page{items: make([]any, lim), total: r2Int(1 << 30)}
	}}
	c, _ := r2Client(t, s)
	_, err := r2Walk(t, c, 10, 1000)
	if !errors.Is(err, modelarts.ErrListingInconsistent) {
		t.Fatalf("err = %v after %d requests", err, s.calls.Load())
	}
	if s.calls.Load() > 7 {
		t.Fatalf("%d requests for null-only pages", s.calls.Load())
	}
}

// A page bigger than the limit moves the offset by what was sent.
func TestListingPageBiggerThanTheLimitMovesOffsetBySlotsSent(t *testing.T) {
	t.Parallel()
	all := r2Letters(0, 12)
	s := &r2ListServer{page: func(call, off, lim int) r2Page {
		if off >= len(all) {
			return r2Page{total: r2Int(len(all))}
		}
		return r2Page{items: r2Items(all[off:min(off+5, len(all))]...), total: r2Int(len(all))}
	}}
	c, _ := r2Client(t, s)
	ids, err := r2Walk(t, c, 2, 100)
	if err != nil || len(ids) != 12 {
		t.Fatalf("ids %v err %v", ids, err)
	}
	if o := s.seen(); fmt.Sprint(o[:3]) != "[0 5 10]" {
		t.Fatalf("offsets %v", o)
	}
}

// An item that moves forward (updated, re-sorted) appears again: it is
// not yielded twice and the walk goes on.
func TestListingItemMovingAheadOfTheWalkIsYieldedOnce(t *testing.T) {
	t.Parallel()
	s := &r2ListServer{}
	s.page = func(call, off, lim int) r2Page {
		list := r2Letters(0, 9)
		if call >= 1 { // id-000 moved to the end
			list = append(list[1:], "id-000")
		}
		if off >= len(list) {
			return r2Page{total: r2Int(9)}
		}
		return r2Page{items: r2Items(list[off:min(off+lim, len(list))]...), total: r2Int(9)}
	}
	c, _ := r2Client(t, s)
	ids, err := r2Walk(t, c, 3, 100)
	if err != nil {
		t.Fatalf("err %v ids %v", err, ids)
	}
}

// A server that invents fresh IDs on every page while reporting a total
// that always says "more": each page brings something new, so the rules
// never fire. The context is what ends it; the walk must end with it.
func TestListingFreshIDsForeverEndWithTheContext(t *testing.T) {
	t.Parallel()
	s := &r2ListServer{page: func(call, off, lim int) r2Page {
		ids := make([]string, lim)
		for i := range ids {
			ids[i] = fmt.Sprintf("fresh-%d-%d", call, i)
		}
		return r2Page{items: r2Items(ids...), total: r2Int(off + 10*lim)}
	}}
	c, _ := r2Client(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	var last error
	n := 0
	for _, err := range c.ListImages(ctx, &modelarts.ListImagesOptions{Limit: 50}) {
		if err != nil {
			last = err
			break
		}
		n++
	}
	if last == nil {
		t.Fatalf("walk ended without error after %d", n)
	}
	var re *modelarts.RequestError
	if !errors.Is(last, context.DeadlineExceeded) && !errors.Is(last, modelarts.ErrListingInconsistent) {
		t.Fatalf("ended with %v", last)
	}
	t.Logf("fresh IDs forever: %d items, ended with %T (RequestError: %v): %v", n, last, errors.As(last, &re), last)
}

// ID-less items, with an ignored offset and no total: ID-less items cannot
// be told apart, so each is "new" — the walk must still end (never loops).
func TestListingIDLessItemsFromAnOffsetIgnoringServerStillEnd(t *testing.T) {
	t.Parallel()
	s := &r2ListServer{page: func(call, off, lim int) r2Page {
		items := make([]any, lim)
		for i := range items {
			items[i] = map[string]any{"name": "anon", "status": "ACTIVE"}
		}
		return r2Page{items: items}
	}}
	c, _ := r2Client(t, s)
	_, err := r2Walk(t, c, 5, 500)
	if err != nil && errors.Is(err, modelarts.ErrListingInconsistent) {
		return
	}
	t.Fatalf("ID-less items from a server ignoring offset (no total) are walked without end: %v after %d requests", err, s.calls.Load())
}

// The same ID-less page again and again, under a total of 10^12 that
// bounds nothing: the walk ends with a *ListingError after
// maxStalledPages pages repeating the first, not at the deadline.
func TestListingTheSameIDLessPageUnderAHugeTotalEndsWithinFivePagesOfRepeats(t *testing.T) {
	t.Parallel()
	s := &r2ListServer{page: func(call, off, lim int) r2Page {
		items := make([]any, lim)
		for i := range items {
			items[i] = map[string]any{"name": fmt.Sprintf("anon-%d", i), "status": "ACTIVE"}
		}
		return r2Page{items: items, total: r2Int(1_000_000_000_000)}
	}}
	c, _ := r2Client(t, s)
	ids, err := r2Walk(t, c, 10, 1000)
	require.ErrorIs(t, err, modelarts.ErrListingInconsistent)
	assert.Equal(t, 6, int(s.calls.Load()), "the first page and five repeats")
	assert.Len(t, ids, 60, "ID-less items are yielded as they come")
}

// A well-behaved server (offset honoured, steady total) listing 20 ID-less
// items of the same content: "an item without an ID is yielded as it comes",
// so all 20 are yielded and the walk ends without error.
func TestListingIdenticalIDLessItemsFromAWellBehavedServerAreAllYieldedWithoutError(t *testing.T) {
	t.Parallel()
	s := &r2ListServer{page: func(call, off, lim int) r2Page {
		if off >= 20 {
			return r2Page{total: r2Int(20)}
		}
		items := make([]any, min(lim, 20-off))
		for i := range items {
			items[i] = map[string]any{"name": "anon"}
		}
		return r2Page{items: items, total: r2Int(20)}
	}}
	c, _ := r2Client(t, s)
	ids, err := r2Walk(t, c, 5, 500)
	if err != nil {
		t.Fatalf("20 identical ID-less items from an offset-honouring server (limit 5, total 20) end in %T after %d items (want all 20, no error): %v", err, len(ids), err)
	}
	if len(ids) != 20 {
		t.Fatalf("yielded %d of 20", len(ids))
	}
}

// Offset ignored, total jitters every page: rule one cannot fire (the
// total moves), rule five must.
func TestListingIgnoredOffsetWithJitteringTotalEndsWithinFivePages(t *testing.T) {
	t.Parallel()
	s := &r2ListServer{page: func(call, off, lim int) r2Page {
		return r2Page{items: r2Items(r2Letters(0, lim)...), total: r2Int(100 + call%2)}
	}}
	c, _ := r2Client(t, s)
	_, err := r2Walk(t, c, 5, 1000)
	if !errors.Is(err, modelarts.ErrListingInconsistent) {
		t.Fatalf("err %v after %d requests", err, s.calls.Load())
	}
	if s.calls.Load() > 7 {
		t.Fatalf("%d requests", s.calls.Load())
	}
}

// Offset ignored, one fresh item per page, total growing by one: each page
// brings something new, so no rule fires; the walk is bounded by the total
// (the offset, moving 5 a page, overtakes it) and yields each ID once.
func TestListingOffsetIgnoringServerTricklingOneNewItemPerPageEndsAtTheTotal(t *testing.T) {
	t.Parallel()
	s := &r2ListServer{page: func(call, off, lim int) r2Page {
		ids := append(r2Letters(0, lim-1), fmt.Sprintf("trickle-%d", call))
		return r2Page{items: r2Items(ids...), total: r2Int(1000 + call)}
	}}
	c, _ := r2Client(t, s)
	ids, err := r2Walk(t, c, 5, 5000)
	t.Logf("trickle server: %d requests, %d items, ended with %v", s.calls.Load(), len(ids), err)
	if s.calls.Load() > 260 {
		t.Fatalf("%d requests", s.calls.Load())
	}
}

// Huge and odd totals.
func TestListingHugeNegativeAndShrinkingTotalsDoNotLoopOrPanic(t *testing.T) {
	t.Parallel()
	for name, total := range map[string]int{"huge": 1<<62 - 1, "negative": -5, "zero": 0} {
		t.Run(name, func(t *testing.T) {
			all := r2Letters(0, 7)
			s := &r2ListServer{page: func(call, off, lim int) r2Page {
				if off >= len(all) {
					return r2Page{total: r2Int(total)}
				}
				return r2Page{items: r2Items(all[off:min(off+lim, len(all))]...), total: r2Int(total)}
			}}
			c, _ := r2Client(t, s)
			ids, err := r2Walk(t, c, 3, 100)
			t.Logf("total %d: ids %v err %v", total, ids, err)
			if err != nil && !errors.Is(err, modelarts.ErrListingInconsistent) {
				t.Fatalf("err %v", err)
			}
		})
	}
}

// Total beyond int32 as a JSON number bigger than int64.
func TestListingTotalBeyondInt64IsAnErrorNotAPanic(t *testing.T) {
	t.Parallel()
	c, _ := r2Client(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"data":[{"id":"x"}],"total":1e300}`)
	}))
	_, err := r2Walk(t, c, 3, 100)
	t.Logf("err %v", err)
}

func TestListingRotatingOrderFromTheFakeYieldsEachIDOnceAndEnds(t *testing.T) {
	t.Parallel()
	srv := modelartstest.NewServer(modelartstest.WithMisbehaviour(modelartstest.RotatingListingOrder()))
	t.Cleanup(srv.Close)
	for i := 0; i < 12; i++ {
		srv.PutImage(modelarts.Image{Name: fmt.Sprintf("rot%d", i), Namespace: "ns", Tag: "v1", Type: modelarts.ImageTypeDedicated, Status: modelarts.ImageStatusActive})
	}
	c := srv.Client()
	ctx := r2Ctx(t, 5*time.Second)
	seen := map[string]bool{}
	var last error
	for img, err := range c.ListImages(ctx, &modelarts.ListImagesOptions{Limit: 5, Type: modelarts.ImageTypeDedicated}) {
		if err != nil {
			last = err
			break
		}
		if seen[img.ID] {
			t.Fatalf("dup %s", img.ID)
		}
		seen[img.ID] = true
	}
	if !errors.Is(last, modelarts.ErrListingInconsistent) {
		t.Fatalf("last %v", last)
	}
}

func TestListingIgnoredOffsetOnNotebooksAndGroupsEndsInListingError(t *testing.T) {
	t.Parallel()
	srv := modelartstest.NewServer(modelartstest.WithMisbehaviour(modelartstest.IgnoredOffset()))
	t.Cleanup(srv.Close)
	for i := 0; i < 30; i++ {
		srv.AddNotebook(fmt.Sprintf("%08d-0b4d-4c5e-9f77-1e2d3c4b5a60", i), modelarts.NotebookStatusRunning)
		srv.PutImage(modelarts.Image{Name: fmt.Sprintf("grp%d", i), Namespace: "ns", Tag: "v1", Type: modelarts.ImageTypeDedicated})
	}
	c := srv.Client()
	ctx := r2Ctx(t, 5*time.Second)
	var last error
	n := 0
	for _, err := range c.ListNotebooks(ctx, &modelarts.ListNotebooksOptions{Limit: 10}) {
		if err != nil {
			last = err
		}
		n++
	}
	if !errors.Is(last, modelarts.ErrListingInconsistent) || n > 11 {
		t.Fatalf("notebooks: last %v n %d", last, n)
	}
	last, n = nil, 0
	for _, err := range c.ListImageGroups(ctx, &modelarts.ListImageGroupsOptions{Limit: 5}) {
		if err != nil {
			last = err
		}
		n++
	}
	if !errors.Is(last, modelarts.ErrListingInconsistent) || n > 6 {
		t.Fatalf("groups: last %v n %d", last, n)
	}
}

func TestListingConcurrentWalksOverNullsCapsAndFixedTotalAreRaceFreeAndComplete(t *testing.T) {
	t.Parallel()
	srv := modelartstest.NewServer(modelartstest.WithMisbehaviour(
		modelartstest.NullListingItems(0, 3, 7), modelartstest.PageSizeCap(4), modelartstest.FixedListingTotal(500)))
	t.Cleanup(srv.Close)
	for i := 0; i < 25; i++ {
		srv.PutImage(modelarts.Image{Name: fmt.Sprintf("cc%d", i), Namespace: "ns", Tag: "v1", Type: modelarts.ImageTypeDedicated})
	}
	c := srv.Client()
	ctx := r2Ctx(t, 10*time.Second)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			seen := map[string]bool{}
			for img, err := range c.ListImages(ctx, &modelarts.ListImagesOptions{Limit: 10, Type: modelarts.ImageTypeDedicated}) {
				if err != nil {
					errs <- err
					return
				}
				if seen[img.ID] {
					errs <- fmt.Errorf("dup %s", img.ID)
					return
				}
				seen[img.ID] = true
			}
			if len(seen) != 25 { // nulls take positions, no image is lost
				errs <- fmt.Errorf("saw %d", len(seen))
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestListingBreakingOutStopsPaging(t *testing.T) {
	t.Parallel()
	s := &r2ListServer{page: func(call, off, lim int) r2Page {
		return r2Page{items: r2Items(r2Letters(off, lim)...), total: r2Int(1000)}
	}}
	c, _ := r2Client(t, s)
	for range c.ListImages(r2Ctx(t, 2*time.Second), &modelarts.ListImagesOptions{Limit: 5}) {
		break
	}
	time.Sleep(20 * time.Millisecond)
	if s.calls.Load() != 1 {
		t.Fatalf("%d requests after break", s.calls.Load())
	}
}

// Two head bursts separated by one good page: each burst alone is churn.
func TestListingTwoSeparatedBurstsAreWalkedThrough(t *testing.T) {
	t.Parallel()
	base := r2Letters(0, 15)
	s := &r2ListServer{}
	s.page = func(call, off, lim int) r2Page {
		list := base
		switch {
		case call >= 3:
			list = append([]string{"b1", "b2", "b3", "c1", "c2", "c3"}, base[:9]...)
		case call >= 1:
			list = append([]string{"b1", "b2", "b3"}, base[:12]...)
		}
		if off >= len(list) {
			return r2Page{total: r2Int(15)}
		}
		return r2Page{items: r2Items(list[off:min(off+lim, len(list))]...), total: r2Int(15)}
	}
	c, _ := r2Client(t, s)
	ids, err := r2Walk(t, c, 3, 100)
	if err != nil {
		t.Fatalf("err %v ids %v offsets %v", err, ids, s.seen())
	}
	t.Logf("ids %v offsets %v", ids, s.seen())
}

// ListingError.Offset is "the offset of the first page that brought
// nothing new": limit 5, offset ignored, page at 0 new, pages at 5 and 10
// repeat: Offset is 5.
func TestListingErrorOffsetIsTheFirstPageThatBroughtNothingNew(t *testing.T) {
	t.Parallel()
	s := &r2ListServer{page: func(call, off, lim int) r2Page {
		return r2Page{items: r2Items(r2Letters(0, lim)...), total: r2Int(100)}
	}}
	c, _ := r2Client(t, s)
	_, err := r2Walk(t, c, 5, 1000)
	var le *modelarts.ListingError
	if !errors.As(err, &le) {
		t.Fatalf("%v", err)
	}
	if le.Offset != 5 {
		t.Fatalf("ListingError.Offset = %d, want 5 (offsets asked %v): %v", le.Offset, s.seen(), err)
	}
}
