package modelarts

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Servers that page in ways the API pages allow, or that misbehave on
// purpose, and what a walk over them yields. Each is written from the
// listing contract (limit, offset, total, size, data), not from the pager.

// listing is an in-memory, newest-first collection served by offset. Its
// hooks let a test change the collection between reads or break the paging.
type listing struct {
	mu        sync.Mutex
	ids       []string // newest first; "" is a null slot
	noTotal   bool
	reads     int
	offsets   []int
	afterRead func(l *listing) // called, under the lock, after each read
	serve     func(l *listing, offset, limit int) []string
}

func (l *listing) prepend(ids ...string) { l.ids = append(append([]string{}, ids...), l.ids...) }

func (l *listing) responder(r *http.Request) (*http.Response, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	q := r.URL.Query()
	limit, _ := strconv.Atoi(q.Get("limit"))
	if limit == 0 {
		limit = serverDefaultPage
	}
	offset, _ := strconv.Atoi(q.Get("offset"))
	l.reads++
	l.offsets = append(l.offsets, offset)
	var page []string
	if l.serve != nil {
		page = l.serve(l, offset, limit)
	} else {
		for i := offset; i < len(l.ids) && i < offset+limit; i++ {
			page = append(page, l.ids[i])
		}
	}
	items := make([]string, len(page))
	for i, id := range page {
		items[i] = "null"
		if id != "" {
			items[i] = fmt.Sprintf(`{"id":%q,"name":"env"}`, id)
		}
	}
	body := fmt.Sprintf(`{"data":[%s]`, strings.Join(items, ","))
	if !l.noTotal {
		body += fmt.Sprintf(`,"total":%d`, len(l.ids))
	}
	body += "}"
	if l.afterRead != nil {
		l.afterRead(l)
	}
	return jsonResponder(200, body)(r)
}

func newListingClient(t *testing.T, l *listing) *Client {
	t.Helper()
	c, mt, _ := newMockClient(t)
	mt.RegisterResponder("GET", testEndpoint+projectPath+"/images", l.responder)
	return c
}

func seq(n int, prefix string) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%d", prefix, i)
	}
	return out
}

func assertNoRepeat(t *testing.T, got []string) {
	t.Helper()
	seen := map[string]bool{}
	for _, id := range got {
		assert.False(t, seen[id], "image %s yielded twice in %v", id, got)
		seen[id] = true
	}
}

func TestWalkYieldsEveryImageOnceWhileAPageOfNewImagesArrivesAtTheHead(t *testing.T) {
	for _, limit := range []int{1, 2, 5} {
		for _, noTotal := range []bool{false, true} {
			t.Run(fmt.Sprintf("limit_%d_noTotal_%v", limit, noTotal), func(t *testing.T) {
				old := seq(3*limit, "old-")
				l := &listing{ids: old, noTotal: noTotal}
				l.afterRead = func(l *listing) {
					if l.reads == 1 { // as many new images as a page holds
						l.prepend(seq(limit, "new-")...)
					}
				}
				got, err := collect(t, newListingClient(t, l), &ListImagesOptions{Limit: limit})
				require.NoError(t, err, "new images at the head of a newest-first listing are not misbehaviour")
				assertNoRepeat(t, got)
				assert.Subset(t, got, old, "every image listed before the walk began is yielded")
			})
		}
	}
}

func TestWalkYieldsEveryImageOnceWhileNewImagesArriveBeforeEveryRead(t *testing.T) {
	// Four bursts in a row, each a page's worth: the most a walk without
	// a total tolerates before it concludes the offset is ignored.
	old := seq(12, "old-")
	l := &listing{ids: old, noTotal: true}
	l.afterRead = func(l *listing) {
		if l.reads <= maxStalledPages-1 {
			l.prepend(seq(2, fmt.Sprintf("new%d-", l.reads))...)
		}
	}
	got, err := collect(t, newListingClient(t, l), &ListImagesOptions{Limit: 2})
	require.NoError(t, err)
	assertNoRepeat(t, got)
	assert.Subset(t, got, old)
}

func TestWalkAdvancesTheOffsetByTheSlotsSentNullsIncluded(t *testing.T) {
	for _, noTotal := range []bool{false, true} {
		t.Run(fmt.Sprintf("noTotal_%v", noTotal), func(t *testing.T) {
			l := &listing{ids: []string{"A", "", "B", "C", "", "D"}, noTotal: noTotal}
			got, err := collect(t, newListingClient(t, l), &ListImagesOptions{Limit: 3})
			require.NoError(t, err, "null slots are not an ignored offset")
			assert.Equal(t, []string{"A", "B", "C", "D"}, got)
			assert.Equal(t, []int{0, 3, 6}[:len(l.offsets)], l.offsets, "the offset moves past null slots")
			assert.GreaterOrEqual(t, len(l.offsets), 2)
		})
	}
}

func TestWalkOverARotatingListingThatIgnoresTheOffsetEndsWithAnError(t *testing.T) {
	ten := seq(10, "img-")
	rotate := func(l *listing, _, _ int) []string {
		k := (l.reads - 1) % len(ten)
		return append(append([]string{}, ten[k:]...), ten[:k]...)
	}
	alternate := func(l *listing, _, _ int) []string {
		if l.reads%2 == 0 {
			rev := make([]string, len(ten))
			for i, id := range ten {
				rev[len(ten)-1-i] = id
			}
			return rev
		}
		return ten
	}
	same := func(*listing, int, int) []string { return ten }
	for name, serve := range map[string]func(*listing, int, int) []string{"rotating": rotate, "two replicas": alternate, "same page": same} {
		t.Run(name, func(t *testing.T) {
			l := &listing{noTotal: true, serve: serve}
			got, err := collect(t, newListingClient(t, l), &ListImagesOptions{Limit: 10})
			require.Error(t, err)
			assert.True(t, errors.Is(err, ErrListingInconsistent), "%v", err)
			var le *ListingError
			require.ErrorAs(t, err, &le)
			assert.Equal(t, "images", le.Listing)
			assert.Equal(t, 10, le.Offset, "the first page that brought nothing new")
			assert.Contains(t, err.Error(), "5 pages in a row, at offsets 10 to 50, brought no item not already listed")
			assert.ElementsMatch(t, ten, got, "each image once")
			assert.Equal(t, 1+maxStalledPages, l.reads, "the walk ends after a bounded number of reads")
		})
	}
}

func TestWalkOverAServerThatIgnoresTheOffsetUnderASteadyTotalEndsAtTheSecondRepeatedPage(t *testing.T) {
	l := &listing{ids: seq(50, "img-"), serve: func(l *listing, _, limit int) []string { return l.ids[:limit] }}
	got, err := collect(t, newListingClient(t, l), &ListImagesOptions{Limit: 10})
	require.ErrorIs(t, err, ErrListingInconsistent)
	assert.Contains(t, err.Error(), "2 pages in a row, at offsets 10 to 20, repeated only items already listed while the total stayed 50")
	assert.Equal(t, seq(10, "img-"), got)
	assert.Equal(t, 3, l.reads)
}

// One page of repeats under a steady total is what a burst of inserts
// ahead of the offset with as many deletes behind it looks like: the walk
// goes on, and ends well.
func TestWalkGoesOnAfterOnePageOfRepeatsUnderASteadyTotal(t *testing.T) {
	l := &listing{ids: []string{"o3", "o2", "o1"}}
	l.afterRead = func(l *listing) {
		if l.reads == 1 {
			l.ids = []string{"new1", "o3", "o2"} // one in at the head, one out at the tail
		}
	}
	got, err := collect(t, newListingClient(t, l), &ListImagesOptions{Limit: 1})
	require.NoError(t, err)
	assert.Equal(t, []string{"o3", "o2"}, got)
}

func TestWalkWithoutTotalOrSizeTakesAFullDefaultPageAsAskingForMore(t *testing.T) {
	for _, tc := range []struct {
		n         int
		wantReads int
	}{{DefaultPageSize, 2}, {DefaultPageSize - 1, 1}, {DefaultPageSize + 1, 2}} {
		t.Run(strconv.Itoa(tc.n), func(t *testing.T) {
			l := &listing{ids: seq(tc.n, "img-"), noTotal: true}
			got, err := collect(t, newListingClient(t, l), nil)
			require.NoError(t, err)
			assert.Len(t, got, tc.n)
			assert.Equal(t, tc.wantReads, l.reads)
		})
	}
}

func TestWalkOfGroupsAndNotebooksCountsNullSlotsTowardTheOffset(t *testing.T) {
	c, mt, _ := newMockClient(t)
	pages := map[string]string{
		"":  `{"data":[{"id":"g1"},null,{"id":"g2"}]}`,
		"3": `{"data":[null,{"id":"g3"}]}`,
	}
	var offsets []string
	serve := func(r *http.Request) (*http.Response, error) {
		o := r.URL.Query().Get("offset")
		offsets = append(offsets, o)
		return jsonResponder(200, strings.ReplaceAll(pages[o], `"id"`, `"name":"x","id"`))(r)
	}
	mt.RegisterResponder("GET", testEndpoint+projectPath+"/images/group", serve)
	mt.RegisterResponder("GET", testEndpoint+projectPath+"/notebooks", serve)

	var groups []string
	for g, err := range c.ListImageGroups(context.Background(), &ListImageGroupsOptions{Limit: 3}) {
		require.NoError(t, err)
		groups = append(groups, g.ID)
	}
	assert.Equal(t, []string{"g1", "g2", "g3"}, groups)
	assert.Equal(t, []string{"", "3"}, offsets)

	offsets = nil
	var nbs []string
	for nb, err := range c.ListNotebooks(context.Background(), &ListNotebooksOptions{Limit: 10}) {
		require.NoError(t, err)
		nbs = append(nbs, nb.ID)
	}
	assert.Equal(t, []string{"g1", "g2"}, nbs, "a short page (3 slots of 10) ends the walk")
	assert.Equal(t, []string{""}, offsets)
}

func TestWalkYieldsItemsWithoutAnIDAsTheyCome(t *testing.T) {
	c, mt, _ := newMockClient(t)
	mt.RegisterResponder("GET", testEndpoint+projectPath+"/images", jsonResponder(200, `{"data":[{"name":"a"},{"name":"b"},{"id":"x"}]}`))
	var names []string
	for img, err := range c.ListImages(context.Background(), &ListImagesOptions{Limit: 5}) {
		require.NoError(t, err)
		names = append(names, img.Name)
	}
	assert.Equal(t, []string{"a", "b", ""}, names)
}
