package modelarts

import (
	"context"
	"fmt"
	"iter"
	"net/url"
	"regexp"

	"github.com/modelarts-go/modelarts/internal/textutil"
)

// DefaultPageSize is the server's page size when Limit is 0.
const DefaultPageSize = 200

// MaxPageSize is the largest Limit a listing accepts. The API pages state
// no maximum; the SDK refuses more, before sending, so that one page stays
// bounded in memory (about 1 KB per image decoded) and a typo does not
// become a 400 ModelArts.0104 from the service.
const MaxPageSize = 1000

// ListImagesOptions filters and pages a listing. Every field is optional.
//
// The server lists BUILD_IN (system) images unless told otherwise: set
// Type: ImageTypeDedicated to list your own images.
type ListImagesOptions struct {
	Limit  int // page size, 1 to MaxPageSize; 0 means the server default (200)
	Offset int // images to skip
	// Name filters on the image name: the exact name, or a substring with
	// NameFuzzyMatch. The service matches fuzzily unless told otherwise,
	// so the SDK sends name_fuzzy_match=false whenever Name is set and
	// NameFuzzyMatch is not.
	Name           string
	NameFuzzyMatch bool
	Namespace      string      // SWR organization
	Type           ImageType   // BUILD_IN (server default) or DEDICATED
	ServiceType    ServiceType // e.g. ServiceTypeTrain
	// SortKey is one or more field names, comma-separated, e.g.
	// "create_at" or "create_at,update_at" (at most 128 characters of
	// letters, digits, '-', '_' and ','). Which fields the service sorts
	// on is not documented: an unsupported one gives ModelArts.6303.
	SortKey       string
	SortDir       SortDir // SortAsc or SortDesc (server default)
	WorkspaceID   string
	ShowName      string // display name; only built-in images have one
	ShowTag       string // display tag; only built-in images have one
	SWRInstanceID string // SWR Enterprise Edition instance
}

var sortKeyRE = regexp.MustCompile(`^[A-Za-z0-9_,-]{1,128}$`)

func (o *ListImagesOptions) validate() error {
	if err := checkPaging(o.Limit, o.Offset, MaxPageSize); err != nil {
		return err
	}
	if o.SortKey != "" && !sortKeyRE.MatchString(o.SortKey) {
		return invalid("sort_key", "%q must be field names separated by commas: at most 128 letters, digits, '-', '_' and ','", textutil.Clip(o.SortKey, 64))
	}
	for _, err := range []error{
		checkLen("name", o.Name, 512),
		checkLen("namespace", o.Namespace, maxNamespaceLen),
		checkPrintable("name", o.Name),
		checkPrintable("namespace", o.Namespace),
		checkPrintable("type", string(o.Type)),
		checkPrintable("service_type", string(o.ServiceType)),
		checkPrintable("sort_dir", string(o.SortDir)),
		checkPrintable("workspace_id", o.WorkspaceID),
		checkPrintable("show_name", o.ShowName),
		checkPrintable("show_tag", o.ShowTag),
		checkPrintable("swr_instance_id", o.SWRInstanceID),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}

func (o *ListImagesOptions) query() url.Values {
	q := listQuery{}
	q.paging(o.Limit, o.Offset)
	q.name(o.Name, o.NameFuzzyMatch)
	q.set("namespace", o.Namespace)
	q.set("type", string(normalize(string(o.Type), imageTypeValues)))
	q.set("service_type", string(normalize(string(o.ServiceType), serviceTypeValues)))
	q.set("sort_key", o.SortKey)
	q.set("sort_dir", string(normalize(string(o.SortDir), sortDirValues)))
	q.set("workspace_id", o.WorkspaceID)
	q.set("show_name", o.ShowName)
	q.set("show_tag", o.ShowTag)
	q.set("swr_instance_id", o.SWRInstanceID)
	return url.Values(q)
}

// ListImagesPage reads one page of images, with the total count.
func (c *Client) ListImagesPage(ctx context.Context, opts *ListImagesOptions, callOpts ...CallOption) (*ImagePage, error) {
	ctx, cfg, cancel, err := c.begin(ctx, callOpts, 0)
	if err != nil {
		return nil, err
	}
	defer cancel()
	return c.listImagesPage(ctx, cfg, opts)
}

func (c *Client) listImagesPage(ctx context.Context, cfg *callConfig, opts *ListImagesOptions) (*ImagePage, error) {
	if opts == nil {
		opts = &ListImagesOptions{}
	}
	if err := opts.validate(); err != nil {
		return nil, err
	}
	var page ImagePage
	// Room for a full page up front: decoding appends into it without
	// growing (and copying) the array of pointers.
	size := opts.Limit
	if size == 0 {
		size = DefaultPageSize
	}
	page.Items = make([]*Image, 0, size)
	if err := c.do(ctx, &call{method: "GET", path: c.prefix + "/images", query: opts.query(), cfg: cfg}, &page); err != nil {
		return nil, err
	}
	page.settle((*Image).normalize)
	return &page, nil
}

// ListImages walks every page of the listing, from opts.Offset on:
//
//	for img, err := range client.ListImages(ctx, &modelarts.ListImagesOptions{Type: modelarts.ImageTypeDedicated}) {
//		if err != nil { return err }
//		fmt.Println(img.Name)
//	}
//
// Pages are read as the loop needs them; the paging rules, and what a walk
// guarantees while the collection changes, are in the package doc
// ("Listings"). Breaking out of the loop stops paging. An error is yielded
// once, as the last element.
func (c *Client) ListImages(ctx context.Context, opts *ListImagesOptions, callOpts ...CallOption) iter.Seq2[*Image, error] {
	return iterate(c, ctx, callOpts, func(ctx context.Context, cfg *callConfig) iter.Seq2[*Image, error] {
		return c.listImages(ctx, cfg, opts)
	})
}

func (c *Client) listImages(ctx context.Context, cfg *callConfig, opts *ListImagesOptions) iter.Seq2[*Image, error] {
	o := ListImagesOptions{}
	if opts != nil {
		o = *opts
	}
	return walk("images", &o.Offset, o.Limit, func() ([]*Image, pageCounts, error) {
		page, err := c.listImagesPage(ctx, cfg, &o)
		if err != nil {
			return nil, pageCounts{}, err
		}
		return page.Items, pageCounts{slots: page.slots, total: page.Total, size: page.Size}, nil
	}, func(img *Image) string { return img.ID })
}

// iterate is the public face of a listing: it checks the context and the
// options when the loop starts, and yields their error as the only element.
func iterate[T any](c *Client, ctx context.Context, callOpts []CallOption, list func(context.Context, *callConfig) iter.Seq2[*T, error]) iter.Seq2[*T, error] {
	return func(yield func(*T, error) bool) {
		ctx, cfg, cancel, err := c.begin(ctx, callOpts, 0)
		if err != nil {
			yield(nil, err)
			return
		}
		defer cancel()
		for item, err := range list(ctx, cfg) {
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
		for {
			items, counts, err := readPage()
			if err != nil {
				yield(nil, err)
				return
			}
			fresh := items[:0:0]
			for _, item := range items {
				if p.fresh(id(item)) {
					fresh = append(fresh, item)
				}
			}
			progressed := 0
			for _, item := range fresh {
				if id(item) != "" {
					progressed++
				}
			}
			more, err := p.next(offset, counts, len(items), progressed)
			for _, item := range fresh {
				if !yield(item, nil) {
					return
				}
			}
			if err != nil {
				yield(nil, &ListingError{Listing: what, Offset: p.stallFrom, Reason: err.Error()})
				return
			}
			if !more {
				return
			}
		}
	}
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
//     items only, repeats under a changing or absent total).
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

// next moves *offset past a page and reports whether another page may
// follow. items is the page's items (nulls dropped), fresh how many of them
// were not yielded before. The error says why the walk gives up.
func (p *pager) next(offset *int, c pageCounts, items, fresh int) (bool, error) {
	if c.slots == 0 {
		return false, nil
	}
	if err := p.progress(*offset, c.total, items, fresh); err != nil {
		return false, err
	}
	*offset += c.slots
	switch {
	case c.total > 0:
		return *offset < c.total, nil
	case c.size > 0:
		return c.slots >= c.size, nil
	case p.limit > 0:
		return c.slots >= p.limit, nil
	}
	return c.slots >= DefaultPageSize, nil
}

// progress counts the pages in a row that brought nothing new and gives up
// as the rules above say.
func (p *pager) progress(offset, total, items, fresh int) error {
	steady := total > 0 && total == p.lastTotal
	p.lastTotal = total
	if fresh > 0 {
		p.stalled, p.repeated = 0, 0
		return nil
	}
	if p.stalled == 0 {
		p.stallFrom = offset
	}
	p.stalled++
	if items > 0 && steady {
		if p.repeated == 0 {
			p.repeatFrom = offset
		}
		p.repeated++
	} else {
		p.repeated = 0
	}
	switch {
	case p.repeated >= repeatedPages:
		return fmt.Errorf("%d pages in a row, at offsets %d to %d, repeated only items already listed while the total stayed %d: the server ignores the offset", p.repeated, p.repeatFrom, offset, total)
	case p.stalled >= maxStalledPages:
		return fmt.Errorf("%d pages in a row, at offsets %d to %d, brought no item not already listed: the server ignores the offset or reorders the listing between reads (or items arrive ahead of the walk faster than it reads)", p.stalled, p.stallFrom, offset)
	}
	return nil
}
