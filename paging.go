package modelarts

import (
	"context"
	"fmt"
	"iter"
	"math"
	"net/url"
	"reflect"
	"slices"
	"strconv"
)

// Page is one page of a listing: its items, and the counts the server
// reported with them. ImagePage and NotebookPage are Pages; ImageGroupPage
// embeds one.
type Page[T any] struct {
	Items   []*T `json:"data"`
	Total   int  `json:"total"`   // items matching the filter, all pages
	Current int  `json:"current"` // page number the server reports
	Pages   int  `json:"pages"`   // page count the server reports
	Size    int  `json:"size"`    // page size the server reports

	slots int // items in the data the server sent, null ones included
}

// settle takes in a decoded page: it counts the slots the server sent and
// drops null items. Every listing does it here.
func (p *Page[T]) settle() {
	p.slots = len(p.Items)
	kept := p.Items[:0]
	for _, item := range p.Items {
		if item == nil { // a null item
			continue
		}
		kept = append(kept, item)
	}
	clear(p.Items[len(kept):])
	p.Items = kept
}

// iterate is the public face of a listing: it checks the context and the
// options when the loop starts, and yields their error as the only element.
// The loop is the call op, as the observers see it: it ends when the loop
// does, with the error yielded, if any.
func iterate[T any](c *Client, ctx context.Context, op CallStart, callOpts []CallOption, list func(context.Context, *callConfig) iter.Seq2[*T, error]) iter.Seq2[*T, error] {
	return func(yield func(*T, error) bool) {
		ctx, obs := c.observeCall(ctx, op)
		var failed error
		defer obs.end(&failed)
		cfg, err := begin(c, ctx, callOpts)
		if err != nil {
			failed = err
			yield(nil, err)
			return
		}
		for item, err := range list(ctx, cfg) {
			if err != nil {
				failed = err
			}
			if !yield(item, err) {
				return
			}
		}
	}
}

// pageCounts is what a page says about itself: how many slots its data
// held (null items included: the offset moves past them too) and the total
// and page size the server reported (0: not reported).
type pageCounts struct{ slots, total, size int }

// walk yields every item of a paged listing once, reading pages as the
// loop needs them: readPage reads the page at *offset (which walk moves on);
// limit is the page size asked for (0: the server's default); id tells
// items apart. An error is yielded once, as the last element.
func walk[T any](what string, offset *int, limit int, readPage func() ([]*T, pageCounts, error), id func(*T) string) iter.Seq2[*T, error] {
	return func(yield func(*T, error) bool) {
		p := pager{limit: limit, seen: map[string]struct{}{}}
		var idless []*T // the ID-less items of the previous page
		for {
			items, counts, err := readPage()
			if err != nil {
				yield(nil, err)
				return
			}
			fresh, tally, pageIDless := sift(&p, items, idless, id)
			idless = pageIDless
			more, err := p.next(offset, counts, tally)
			for _, item := range fresh {
				if !yield(item, nil) {
					return
				}
			}
			if err != nil {
				yield(nil, &ListingError{Listing: what, Offset: p.errFrom, Reason: err.Error()})
				return
			}
			if !more {
				return
			}
		}
	}
}

// sift picks the items of a page to yield, those not yielded before, and
// tallies the page. Items without an ID cannot be told apart, so they are
// yielded as they come; the tally says whether they repeat exactly those
// of the previous page (prev), which a server that ignores the offset
// does, and which then is no progress. It returns the page's ID-less
// items, for the next page.
func sift[T any](p *pager, items, prev []*T, id func(*T) string) (fresh []*T, t pageTally, idless []*T) {
	for _, item := range items {
		if id(item) == "" {
			idless = append(idless, item)
		}
	}
	t.idlessRepeated = len(idless) > 0 && sameItems(prev, idless)
	for _, item := range items {
		known := id(item) != ""
		isNew := p.fresh(id(item))
		if isNew {
			fresh = append(fresh, item)
		}
		t.add(known, isNew)
	}
	return fresh, t, idless
}

// sameItems reports whether a and b hold equal items in the same order.
func sameItems[T any](a, b []*T) bool {
	return len(a) == len(b) && slices.EqualFunc(a, b, func(x, y *T) bool { return reflect.DeepEqual(x, y) })
}

// When a walk gives up. A page that brings nothing new is no proof of a
// broken server: as many new items as a page holds may have arrived ahead
// of the offset since the last read (while as many were deleted behind it,
// leaving the total as it was). A walk gives up when it cannot make
// progress, whoever is to blame:
//
//   - repeatedPages pages in a row repeat only items already listed while
//     the total stays the same: the pattern of a server that ignores the
//     offset, which churn would have to reproduce burst for burst;
//   - maxStalledPages pages in a row bring nothing new, of any kind (null
//     items only, repeats under a changing or absent total, ID-less items
//     exactly as the page before).
const (
	repeatedPages   = 2
	maxStalledPages = 5
)

// pager decides, page after page, whether a listing goes on, and keeps the
// IDs already yielded so that no item is yielded twice. It is the one
// paging rule of the SDK: every listing walks with it, and so does the
// lookup of a create's image.
type pager struct {
	limit      int                 // the page size asked for (0: the server's default)
	seen       map[string]struct{} // IDs yielded so far
	stalled    int                 // pages in a row that brought nothing new
	repeated   int                 // pages in a row of repeats only, under a steady total
	stallFrom  int                 // the offset of the first stalled page
	repeatFrom int                 // the offset of the first repeated page
	errFrom    int                 // the offset ListingError names
	lastTotal  int                 // the total of the previous page (0: none)
}

// fresh reports whether an item with this ID has not been yielded yet, and
// records it. An item without an ID cannot be told apart: it is yielded,
// but it is not counted as progress.
func (p *pager) fresh(id string) bool {
	if id == "" {
		return true
	}
	if _, dup := p.seen[id]; dup {
		return false
	}
	p.seen[id] = struct{}{}
	return true
}

// pageTally counts a page's items: all of them (nulls dropped), those
// with an ID, and those with an ID not yielded before; idlessRepeated says
// its items without an ID repeat those of the previous page.
type pageTally struct {
	items, known, fresh int
	idlessRepeated      bool
}

func (t *pageTally) add(known, isNew bool) {
	t.items++
	if known {
		t.known++
		if isNew {
			t.fresh++
		}
	}
}

// next moves *offset past a page and reports whether another page may
// follow. The error says why the walk gives up.
func (p *pager) next(offset *int, c pageCounts, t pageTally) (bool, error) {
	if c.slots == 0 {
		return false, nil
	}
	if err := p.progress(*offset, c.total, t); err != nil {
		return false, err
	}
	*offset += c.slots
	switch {
	case c.total > 0 && *offset <= c.total:
		// A total the walk lands on exactly is taken at its word: the
		// last page was full, and reading one more would cost every
		// listing of a multiple of the page size a request.
		return *offset < c.total, nil
	case c.total > 0 && t.fresh < t.items:
		// Past the total with a page that is not all new: the total bounds
		// a server that ignores the offset and trickles new items.
		return false, nil
	// No total, or one the walk has gone past with all-new pages (a stale
	// estimate): full pages say more may follow.
	case c.size > 0:
		return c.slots >= c.size, nil
	case p.limit > 0:
		return c.slots >= p.limit, nil
	}
	return c.slots >= DefaultPageSize, nil
}

// progress counts the pages in a row that brought nothing new and gives up
// as the rules above say.
func (p *pager) progress(offset, total int, t pageTally) error {
	steady := total > 0 && total == p.lastTotal
	p.lastTotal = total
	switch {
	case t.fresh > 0:
		p.stalled, p.repeated = 0, 0
		return nil
	case t.items > t.known && t.known == 0 && total > 0 && !t.idlessRepeated:
		// Items without an ID cannot be told apart; under a total, which
		// bounds the walk, a page of them is taken as it comes, unless it
		// repeats the previous page: a total of 10^12 bounds nothing.
		p.repeated = 0
		return nil
	}
	if p.stalled == 0 {
		p.stallFrom = offset
	}
	p.stalled++
	if t.known > 0 && steady {
		if p.repeated == 0 {
			p.repeatFrom = offset
		}
		p.repeated++
	} else {
		p.repeated = 0
	}
	switch {
	case p.repeated >= repeatedPages:
		p.errFrom = p.repeatFrom
		return fmt.Errorf("%d pages in a row, at offsets %d to %d, repeated only items already listed while the total stayed %d: the server ignores the offset", p.repeated, p.repeatFrom, offset, total)
	case p.stalled >= maxStalledPages:
		p.errFrom = p.stallFrom
		return fmt.Errorf("%d pages in a row, at offsets %d to %d, brought no item not already listed: the server ignores the offset or reorders the listing between reads (or items arrive ahead of the walk faster than it reads)", p.stalled, p.stallFrom, offset)
	}
	return nil
}

// listQuery builds the query of a listing: unset values are left out, as
// the official SDK leaves out what is not set.
type listQuery url.Values

// set adds k=v when v is not empty.
func (q listQuery) set(k, v string) {
	if v != "" {
		url.Values(q).Set(k, v)
	}
}

// paging adds limit and offset when set.
func (q listQuery) paging(limit, offset int) {
	if limit > 0 {
		url.Values(q).Set("limit", strconv.Itoa(limit))
	}
	if offset > 0 {
		url.Values(q).Set("offset", strconv.Itoa(offset))
	}
}

// name adds a name filter. The service matches name fuzzily unless told
// otherwise, so an exact match is asked for whenever a name is set without
// fuzzy.
func (q listQuery) name(name string, fuzzy bool) {
	q.set("name", name)
	if name != "" || fuzzy {
		url.Values(q).Set("name_fuzzy_match", strconv.FormatBool(fuzzy))
	}
}

// checkPaging checks a listing's limit (1 to maxLimit, or 0 for the
// server's default) and offset.
func checkPaging(limit, offset, maxLimit int) error {
	switch {
	case limit < 0 || limit > maxLimit:
		return invalid("limit", "must be 1 to %d (0 for the server default), got %d", maxLimit, limit)
	case offset < 0 || offset > math.MaxInt32:
		return invalid("offset", "must be 0 to %d, got %d", math.MaxInt32, offset)
	}
	return nil
}

// listOptions is what the options of a listing give the engine.
type listOptions interface {
	validate() error
	query() url.Values
}

// readPage reads one page of a listing at path (below the project prefix)
// into out, which holds p, and settles p: every listing reads its pages
// here.
func readPage[T any](ctx context.Context, c *Client, cfg *callConfig, path string, opts listOptions, out any, p *Page[T]) error {
	if err := opts.validate(); err != nil {
		return err
	}
	if err := c.do(ctx, &call{method: "GET", path: c.prefix + path, query: opts.query(), cfg: cfg}, out); err != nil {
		return err
	}
	p.settle()
	return nil
}
