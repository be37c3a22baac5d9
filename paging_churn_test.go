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

	"github.com/modelarts-go/modelarts"
	"github.com/modelarts-go/modelarts/auth"
	"github.com/modelarts-go/modelarts/modelartstest"
)

const gProject = "a4a5d4098fb4474fa22cd05f897d6b99"

// gClient builds a fast client against url with a static token.
func gClient(t *testing.T, url string, token string, opts ...modelarts.Option) *modelarts.Client {
	t.Helper()
	base := []modelarts.Option{
		modelarts.WithRetry(modelarts.RetryPolicy{MaxAttempts: 3, ZeroWait: true}),
		modelarts.WithAttemptTimeout(2 * time.Second),
		modelarts.WithReconcileWindow(0),
		modelarts.WithCallDefaults(modelarts.WithPollInterval(time.Millisecond, 2*time.Millisecond)),
	}
	c, err := modelarts.NewClient(url, gProject, auth.NewTokenSigner(token), append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func gCtx(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// gPageServer serves GET /v1/{p}/images (and groups, notebooks) from page(offset, limit, read).
type gPage struct {
	Items []any // map items or nil (null)
	Total any   // nil: omitted
}

func gPageServer(t *testing.T, page func(offset, limit, read int) gPage) (*httptest.Server, func() []int) {
	var mu sync.Mutex
	offsets := []int{}
	read := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		off, _ := strconv.Atoi(r.URL.Query().Get("offset"))
		lim, _ := strconv.Atoi(r.URL.Query().Get("limit"))
		mu.Lock()
		offsets = append(offsets, off)
		read++
		n := read
		mu.Unlock()
		p := page(off, lim, n)
		body := map[string]any{"data": p.Items}
		if p.Items == nil {
			body["data"] = []any{}
		}
		if p.Total != nil {
			body["total"] = p.Total
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(body)
	}))
	t.Cleanup(srv.Close)
	return srv, func() []int { mu.Lock(); defer mu.Unlock(); return append([]int(nil), offsets...) }
}

func gImg(id string) map[string]any {
	return map[string]any{"id": id, "name": "n" + id, "status": "ACTIVE", "create_at": 1700000000000}
}

// gWalk walks ListImages and returns IDs, the final error, and whether it ended in time.
func gWalk(t *testing.T, c *modelarts.Client, limit int) ([]string, error) {
	t.Helper()
	ctx := gCtx(t, 5*time.Second)
	var ids []string
	var last error
	n := 0
	for img, err := range c.ListImages(ctx, &modelarts.ListImagesOptions{Limit: limit, Type: modelarts.ImageTypeDedicated}) {
		n++
		if n > 100000 {
			t.Fatalf("walk did not end after 100000 elements")
		}
		if err != nil {
			last = err
			continue
		}
		if img == nil {
			t.Fatalf("nil image yielded without error")
		}
		ids = append(ids, img.ID)
	}
	if ctx.Err() != nil {
		t.Fatalf("walk ran until the test deadline (a loop): %d elements", n)
	}
	return ids, last
}

func gAssertUnique(t *testing.T, ids []string) {
	t.Helper()
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			t.Fatalf("item %q yielded twice: %v", id, ids)
		}
		seen[id] = true
	}
}

func gAssertIncreasing(t *testing.T, offs []int) {
	t.Helper()
	for i := 1; i < len(offs); i++ {
		if offs[i] <= offs[i-1] {
			t.Fatalf("offset did not advance: %v", offs)
		}
	}
}

func TestListingDuplicateIDsAcrossPagesAreYieldedOnce(t *testing.T) {
	t.Parallel()
	all := [][]any{{gImg("a"), gImg("b")}, {gImg("b"), gImg("c")}, {gImg("c"), gImg("d")}}
	srv, offs := gPageServer(t, func(off, lim, _ int) gPage {
		if off/2 < len(all) {
			return gPage{Items: all[off/2], Total: 6}
		}
		return gPage{Total: 6}
	})
	ids, err := gWalk(t, gClient(t, srv.URL, "tok-list-1234567890"), 2)
	gAssertUnique(t, ids)
	gAssertIncreasing(t, offs())
	if len(ids) != 4 {
		t.Fatalf("want a,b,c,d once each; got %v (err %v)", ids, err)
	}
}

func TestListingDuplicateIDWithinOnePageIsYieldedOnce(t *testing.T) {
	t.Parallel()
	srv, _ := gPageServer(t, func(off, lim, _ int) gPage {
		if off == 0 {
			return gPage{Items: []any{gImg("a"), gImg("a"), gImg("b")}, Total: 3}
		}
		return gPage{Total: 3}
	})
	ids, _ := gWalk(t, gClient(t, srv.URL, "tok-list-1234567890"), 3)
	gAssertUnique(t, ids)
}

func TestListingNullOnlyPagesAdvanceOffsetBySlotsAndEnd(t *testing.T) {
	t.Parallel()
	srv, offs := gPageServer(t, func(off, lim, _ int) gPage {
		if off < 9 {
			return gPage{Items: []any{nil, nil, nil}, Total: 9}
		}
		return gPage{Total: 9}
	})
	ids, err := gWalk(t, gClient(t, srv.URL, "tok-list-1234567890"), 3)
	if len(ids) != 0 {
		t.Fatalf("nulls yielded as images: %v", ids)
	}
	if err != nil {
		t.Fatalf("a page of only null items (documented, total steady) ends the walk in ErrListingInconsistent: %v", err)
	}
	want := []int{0, 3, 6}
	if fmt.Sprint(offs()[:3]) != fmt.Sprint(want) {
		t.Fatalf("offsets %v, want %v...", offs(), want)
	}
}

func TestListingNullOnlyPagesWithIgnoredOffsetAndNoTotalEnd(t *testing.T) {
	t.Parallel()
	srv, offs := gPageServer(t, func(off, lim, _ int) gPage {
		return gPage{Items: []any{nil, nil}}
	})
	ctx := gCtx(t, 3*time.Second)
	c := gClient(t, srv.URL, "tok-list-1234567890")
	n := 0
	for range c.ListImages(ctx, &modelarts.ListImagesOptions{Limit: 2}) {
		n++
	}
	if ctx.Err() != nil {
		t.Fatalf("endless walk over null-only full pages with no total: %d requests", len(offs()))
	}
	gAssertIncreasing(t, offs())
}

func TestListingIgnoredOffsetWithSteadyTotalEndsInListingErrorAndYieldsOnce(t *testing.T) {
	t.Parallel()
	srv, offs := gPageServer(t, func(off, lim, _ int) gPage {
		return gPage{Items: []any{gImg("a"), gImg("b")}, Total: 100}
	})
	ids, err := gWalk(t, gClient(t, srv.URL, "tok-list-1234567890"), 2)
	gAssertUnique(t, ids)
	var le *modelarts.ListingError
	if !errors.As(err, &le) || !errors.Is(err, modelarts.ErrListingInconsistent) {
		t.Fatalf("want *ListingError, got %v", err)
	}
	if len(offs()) > 10 {
		t.Fatalf("too many requests before noticing: %d", len(offs()))
	}
}

func TestListingIgnoredOffsetWithHugeTotalEnds(t *testing.T) {
	t.Parallel()
	srv, _ := gPageServer(t, func(off, lim, _ int) gPage {
		return gPage{Items: []any{gImg("a"), gImg("b")}, Total: json.Number("9223372036854775807")}
	})
	ids, err := gWalk(t, gClient(t, srv.URL, "tok-list-1234567890"), 2)
	gAssertUnique(t, ids)
	if err == nil {
		t.Fatalf("expected an error, got none (ids %v)", ids)
	}
}

func TestListingTotalOverflowingIntIsNotALoop(t *testing.T) {
	t.Parallel()
	srv, offs := gPageServer(t, func(off, lim, _ int) gPage {
		return gPage{Items: []any{gImg("a")}, Total: json.Number("99999999999999999999999")}
	})
	ids, _ := gWalk(t, gClient(t, srv.URL, "tok-list-1234567890"), 1)
	gAssertUnique(t, ids)
	gAssertIncreasing(t, offs())
}

func TestListingNegativeTotalEndsWithoutRepeating(t *testing.T) {
	t.Parallel()
	srv, offs := gPageServer(t, func(off, lim, _ int) gPage {
		if off < 4 {
			return gPage{Items: []any{gImg(strconv.Itoa(off)), gImg(strconv.Itoa(off + 1))}, Total: -5}
		}
		return gPage{Total: -5}
	})
	ids, _ := gWalk(t, gClient(t, srv.URL, "tok-list-1234567890"), 2)
	gAssertUnique(t, ids)
	gAssertIncreasing(t, offs())
}

func TestListingStringTotalEndsWithoutRepeating(t *testing.T) {
	t.Parallel()
	srv, offs := gPageServer(t, func(off, lim, _ int) gPage {
		return gPage{Items: []any{gImg("a"), gImg("b")}, Total: "lots"}
	})
	ids, _ := gWalk(t, gClient(t, srv.URL, "tok-list-1234567890"), 2)
	gAssertUnique(t, ids)
	gAssertIncreasing(t, offs())
}

func TestListingTotalLyingLowStillStopsAndLyingHighStopsOnEmptyPage(t *testing.T) {
	t.Parallel()
	srv, offs := gPageServer(t, func(off, lim, _ int) gPage {
		if off < 6 {
			return gPage{Items: []any{gImg(strconv.Itoa(off)), gImg(strconv.Itoa(off + 1))}, Total: 1000}
		}
		return gPage{Total: 1000}
	})
	ids, err := gWalk(t, gClient(t, srv.URL, "tok-list-1234567890"), 2)
	gAssertUnique(t, ids)
	gAssertIncreasing(t, offs())
	if len(ids) != 6 || err != nil {
		t.Fatalf("want 6 ids and no error, got %v %v", ids, err)
	}
}

func TestListingPageLargerThanLimitAdvancesBySlotsSent(t *testing.T) {
	t.Parallel()
	srv, offs := gPageServer(t, func(off, lim, _ int) gPage {
		if off == 0 {
			return gPage{Items: []any{gImg("0"), nil, gImg("2"), gImg("3"), gImg("4")}, Total: 7}
		}
		if off == 5 {
			return gPage{Items: []any{gImg("5"), gImg("6")}, Total: 7}
		}
		return gPage{Total: 7}
	})
	ids, err := gWalk(t, gClient(t, srv.URL, "tok-list-1234567890"), 2)
	gAssertUnique(t, ids)
	if offs()[1] != 5 {
		t.Fatalf("second offset %v, want 5 (slots sent)", offs())
	}
	if len(ids) != 6 {
		t.Fatalf("ids %v err %v", ids, err)
	}
}

// Newest-first listing with items arriving at the head between reads.
func TestListingHeadInsertsBetweenReadsAreNotMisbehaviour(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	list := []string{"o5", "o4", "o3", "o2", "o1"}
	next := 0
	srv, _ := gPageServer(t, func(off, lim, read int) gPage {
		mu.Lock()
		defer mu.Unlock()
		// before reads 2 and 3, two new items arrive at the head
		if read == 2 || read == 3 {
			for i := 0; i < 2; i++ {
				next++
				list = append([]string{"new" + strconv.Itoa(next)}, list...)
			}
		}
		var items []any
		for i := off; i < off+lim && i < len(list); i++ {
			items = append(items, gImg(list[i]))
		}
		return gPage{Items: items, Total: len(list)}
	})
	ids, err := gWalk(t, gClient(t, srv.URL, "tok-list-1234567890"), 2)
	gAssertUnique(t, ids)
	if err != nil {
		t.Fatalf("head inserts taken for misbehaviour: %v (ids %v)", err, ids)
	}
	got := map[string]bool{}
	for _, id := range ids {
		got[id] = true
	}
	for _, o := range []string{"o1", "o2", "o3", "o4", "o5"} {
		if !got[o] {
			t.Fatalf("original %s missing: %v", o, ids)
		}
	}
}

// A legitimate change: one item arrives at the head while one item at the tail
// is deleted; the total stays the same. Nothing the server did is misbehaviour.
func TestListingHeadInsertPlusTailDeleteIsNotReportedAsMisbehaviour(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	list := []string{"o3", "o2", "o1"}
	srv, _ := gPageServer(t, func(off, lim, read int) gPage {
		mu.Lock()
		defer mu.Unlock()
		if read == 2 {
			list = append([]string{"new1"}, list[:len(list)-1]...) // insert head, delete tail
		}
		var items []any
		for i := off; i < off+lim && i < len(list); i++ {
			items = append(items, gImg(list[i]))
		}
		return gPage{Items: items, Total: len(list)}
	})
	ids, err := gWalk(t, gClient(t, srv.URL, "tok-list-1234567890"), 1)
	gAssertUnique(t, ids)
	if errors.Is(err, modelarts.ErrListingInconsistent) {
		t.Fatalf("a head insert plus a tail delete (total unchanged) is reported as provable misbehaviour: %v", err)
	}
}

func TestListingFreshIDsOnEveryReadWithIgnoredOffsetAndNoTotalDoesNotRunForever(t *testing.T) {
	t.Parallel()
	var ctr atomic.Int64
	srv, offs := gPageServer(t, func(off, lim, _ int) gPage {
		items := []any{}
		for i := 0; i < lim; i++ {
			items = append(items, gImg("x"+strconv.FormatInt(ctr.Add(1), 10)))
		}
		return gPage{Items: items}
	})
	ctx := gCtx(t, 400*time.Millisecond)
	c := gClient(t, srv.URL, "tok-list-1234567890")
	for range c.ListImages(ctx, &modelarts.ListImagesOptions{Limit: 2}) {
	}
	gAssertIncreasing(t, offs())
	t.Logf("pages read before the context ended: %d (a server inventing items forever is followed while offsets advance)", len(offs()))
}

func TestListingEarlyBreakStopsPaging(t *testing.T) {
	t.Parallel()
	srv, offs := gPageServer(t, func(off, lim, _ int) gPage {
		return gPage{Items: []any{gImg(strconv.Itoa(off)), gImg(strconv.Itoa(off + 1))}, Total: 1000}
	})
	c := gClient(t, srv.URL, "tok-list-1234567890")
	ctx := gCtx(t, 2*time.Second)
	n := 0
	for range c.ListImages(ctx, &modelarts.ListImagesOptions{Limit: 2}) {
		n++
		if n == 3 {
			break
		}
	}
	if len(offs()) != 2 {
		t.Fatalf("requests after break: %v", offs())
	}
}

func TestListingFakeRotatingOrderEndsInListingErrorForAllThreeListings(t *testing.T) {
	t.Parallel()
	srv := modelartstest.NewServer(modelartstest.WithMisbehaviour(modelartstest.RotatingListingOrder()))
	defer srv.Close()
	for i := 0; i < 6; i++ {
		srv.PutImage(modelarts.Image{Name: "img" + strconv.Itoa(i), Namespace: "team", Tag: "v1", Type: modelarts.ImageTypeDedicated})
		srv.AddNotebook("nb-"+strconv.Itoa(i), modelarts.NotebookStatusRunning)
	}
	c := srv.Client()
	ctx := gCtx(t, 5*time.Second)
	check := func(name string, seq func(func(string, error) bool)) {
		seen := map[string]bool{}
		var last error
		seq(func(id string, err error) bool {
			if err != nil {
				last = err
				return true
			}
			if seen[id] {
				t.Fatalf("%s: %s yielded twice", name, id)
			}
			seen[id] = true
			return true
		})
		if !errors.Is(last, modelarts.ErrListingInconsistent) && len(seen) < 6 {
			t.Fatalf("%s: ended without error having seen %d of 6", name, len(seen))
		}
	}
	check("images", func(y func(string, error) bool) {
		for img, err := range c.ListImages(ctx, &modelarts.ListImagesOptions{Limit: 2, Type: modelarts.ImageTypeDedicated}) {
			id := ""
			if img != nil {
				id = img.ID
			}
			y(id, err)
		}
	})
	check("groups", func(y func(string, error) bool) {
		for g, err := range c.ListImageGroups(ctx, &modelarts.ListImageGroupsOptions{Limit: 2}) {
			id := ""
			if g != nil {
				id = g.ID
			}
			y(id, err)
		}
	})
	check("notebooks", func(y func(string, error) bool) {
		for nb, err := range c.ListNotebooks(ctx, &modelarts.ListNotebooksOptions{Limit: 10}) {
			id := ""
			if nb != nil {
				id = nb.ID
			}
			y(id, err)
		}
	})
}

func TestListingFakeIgnoredOffsetNotebooksEndInListingError(t *testing.T) {
	t.Parallel()
	srv := modelartstest.NewServer(modelartstest.WithMisbehaviour(modelartstest.IgnoredOffset()))
	defer srv.Close()
	for i := 0; i < 25; i++ {
		srv.AddNotebook(fmt.Sprintf("nb-%02d", i), modelarts.NotebookStatusRunning)
	}
	c := srv.Client()
	ctx := gCtx(t, 5*time.Second)
	seen := map[string]bool{}
	var last error
	for nb, err := range c.ListNotebooks(ctx, &modelarts.ListNotebooksOptions{Limit: 10}) {
		if err != nil {
			last = err
			continue
		}
		if seen[nb.ID] {
			t.Fatalf("%s twice", nb.ID)
		}
		seen[nb.ID] = true
	}
	if !errors.Is(last, modelarts.ErrListingInconsistent) {
		t.Fatalf("want ErrListingInconsistent, got %v", last)
	}
}

func TestListingConcurrentWalksOnMisbehavingFakeAreRaceFreeAndUnique(t *testing.T) {
	t.Parallel()
	srv := modelartstest.NewServer(modelartstest.WithMisbehaviour(
		modelartstest.PageSizeCap(3), modelartstest.NoListingTotal(), modelartstest.NullListingItems(1, 4, 7)))
	defer srv.Close()
	for i := 0; i < 20; i++ {
		srv.PutImage(modelarts.Image{Name: "c" + strconv.Itoa(i), Namespace: "team", Tag: "v1", Type: modelarts.ImageTypeDedicated})
	}
	c := srv.Client()
	ctx := gCtx(t, 5*time.Second)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			seen := map[string]bool{}
			for img, err := range c.ListImages(ctx, &modelarts.ListImagesOptions{Limit: 5, Type: modelarts.ImageTypeDedicated}) {
				if err != nil {
					t.Errorf("walk error: %v", err)
					return
				}
				if seen[img.ID] {
					t.Errorf("%s twice", img.ID)
				}
				seen[img.ID] = true
			}
			if len(seen) != 20 { // nulls take extra slots, no image lost
				t.Errorf("saw %d images, want 20", len(seen))
			}
		}()
	}
	wg.Wait()
}
