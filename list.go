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
		return invalid("sort_key", "%q must be field names separated by commas: at most 128 letters, digits, '-', '_' and ','", textutil.Shorten(o.SortKey, 64))
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
	var page pageWire
	// Room for a full page up front: decoding appends into it without
	// growing (and copying) the array of pointers.
	size := opts.Limit
	if size == 0 {
		size = DefaultPageSize
	}
	page.Data = make([]*Image, 0, size)
	if err := c.do(ctx, &call{method: "GET", path: c.prefix + "/images", query: opts.query(), cfg: cfg}, &page); err != nil {
		return nil, err
	}
	return page.finish(), nil
}

// ListImages walks every page of the listing, from opts.Offset on:
//
//	for img, err := range client.ListImages(ctx, &modelarts.ListImagesOptions{Type: modelarts.ImageTypeDedicated}) {
//		if err != nil { return err }
//		fmt.Println(img.Name)
//	}
//
// Pages are read as the loop needs them, by offset += len(page). The walk
// never assumes the server's page size: it goes on while the server reports
// more (total) or, when it reports no total, while pages come back full,
// and stops on an empty page. A server that ignores the offset (the same
// page twice) ends the walk with an error rather than a loop. Breaking out
// of the loop stops paging. An error is yielded once, as the last element.
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
	return walk("images", &o.Offset, o.Limit, func() ([]*Image, int, int, error) {
		page, err := c.listImagesPage(ctx, cfg, &o)
		if err != nil {
			return nil, 0, 0, err
		}
		return page.Images, page.Total, page.Size, nil
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

// walk yields every item of a paged listing, reading pages as the loop
// needs them: readPage reads the page at *offset (which walk moves on) and
// returns its items and the total and page size the server reported; limit
// is the page size asked for (0: the server's default). An error is yielded
// once, as the last element.
func walk[T any](what string, offset *int, limit int, readPage func() (items []*T, total, size int, err error), id func(*T) string) iter.Seq2[*T, error] {
	return func(yield func(*T, error) bool) {
		var p pager
		for {
			items, total, size, err := readPage()
			if err != nil {
				yield(nil, err)
				return
			}
			first := ""
			if len(items) > 0 {
				first = id(items[0])
			}
			more, err := p.next(offset, limit, len(items), total, size, first)
			if err != nil { // the page repeats one already yielded
				yield(nil, fmt.Errorf("modelarts: listing %s: %w", what, err))
				return
			}
			for _, item := range items {
				if !yield(item, nil) {
					return
				}
			}
			if !more {
				return
			}
		}
	}
}

// pager decides, page after page, whether a listing goes on. It is shared
// by every listing of the SDK.
type pager struct {
	prevFirst string // the first item ID of the previous page
	pages     int
}

// next moves *offset past a page of n items and reports whether another
// page may follow. limit is the page size asked for (0: the server's
// default), total and size what the server reported (0: not reported),
// first the ID of the page's first item ("" if it has none).
func (p *pager) next(offset *int, limit, n, total, size int, first string) (bool, error) {
	p.pages++
	if n == 0 {
		return false, nil
	}
	if p.pages > 1 && first != "" && first == p.prevFirst {
		return false, fmt.Errorf("the server returned the same page again at offset %d: it ignores the offset, so the listing cannot go on", *offset)
	}
	p.prevFirst = first
	*offset += n
	switch {
	case total > 0:
		return *offset < total, nil
	case size > 0:
		return n >= size, nil
	case limit > 0:
		return n >= limit, nil
	}
	return n >= DefaultPageSize, nil
}
