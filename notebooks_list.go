package modelarts

import (
	"context"
	"iter"
	"math"
	"net/url"
	"regexp"

	"github.com/modelarts-go/modelarts/internal/textutil"
)

// DefaultNotebookPageSize is the service's page size for ListNotebooks
// when Limit is 0.
const DefaultNotebookPageSize = 10

// ListNotebooksOptions filters and pages ListNotebooks. Every field is
// optional; a nil *ListNotebooksOptions means all defaults.
type ListNotebooksOptions struct {
	// Limit is the page size: 10, 20 or 50, the only values the service
	// takes (others are refused before sending); 0 means its default, 10.
	Limit  int
	Offset int // notebooks to skip
	// Name matches instance names fuzzily (the service offers no exact
	// match here): at most 128 letters, digits, '-' and '_'.
	Name        string
	Status      NotebookStatus
	Feature     NotebookFeature // the service lists NOTEBOOK instances when unset
	PoolID      string          // dedicated pool
	Owner       string          // user ID; honoured for the account's master user and admins only
	Flavor      string          // e.g. modelarts.vm.cpu.2u
	ImageID     string          // notebooks running this image
	ID          string          // one instance
	Billing     string          // COMPUTE, STORAGE or ALL
	WorkspaceID string
	// Tags filters on tags, items separated by ',' or '|' (the API pages
	// do not say more about its syntax; the SDK sends it as given).
	Tags string
	// SortKey is one or more field names, comma-separated, as for
	// ListImagesOptions.SortKey.
	SortKey string
	SortDir SortDir
}

var notebookNameRE = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

func (o *ListNotebooksOptions) validate() error {
	switch {
	case o.Limit != 0 && o.Limit != 10 && o.Limit != 20 && o.Limit != 50:
		return invalid("limit", "must be 10, 20 or 50 (0 for the service's default of 10), got %d", o.Limit)
	case o.Offset < 0 || o.Offset > math.MaxInt32:
		return invalid("offset", "must be 0 to %d, got %d", math.MaxInt32, o.Offset)
	case len(o.Name) > 128:
		return invalid("name", "%d characters, at most 128 allowed", len(o.Name))
	case o.Name != "" && !notebookNameRE.MatchString(o.Name):
		return invalid("name", "%q may contain only letters, digits, '-' and '_'", textutil.Clip(o.Name, 64))
	case o.SortKey != "" && !sortKeyRE.MatchString(o.SortKey):
		return invalid("sort_key", "%q must be field names separated by commas: at most 128 letters, digits, '-', '_' and ','", textutil.Clip(o.SortKey, 64))
	}
	for _, err := range []error{
		checkOpenEnum("status", o.Status),
		checkOpenEnum("feature", o.Feature),
		checkOpenEnum("sort_dir", o.SortDir),
		checkOpenEnum("billing", o.Billing),
		checkPrintable("pool_id", o.PoolID),
		checkPrintable("owner", o.Owner),
		checkPrintable("flavor", o.Flavor),
		checkPrintable("image_id", o.ImageID),
		checkPrintable("id", o.ID),
		checkPrintable("tags", o.Tags),
		checkWorkspaceID(o.WorkspaceID),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}

func (o *ListNotebooksOptions) query() url.Values {
	q := listQuery{}
	q.paging(o.Limit, o.Offset)
	q.set("name", o.Name) // fuzzy: the service has no exact match here
	q.set("status", string(normalize(string(o.Status), notebookStatusValues)))
	q.set("feature", string(normalize(string(o.Feature), notebookFeatureValues)))
	q.set("pool_id", o.PoolID)
	q.set("owner", o.Owner)
	q.set("flavor", o.Flavor)
	q.set("image_id", o.ImageID)
	q.set("id", o.ID)
	q.set("billing", o.Billing)
	q.set("workspace_id", o.WorkspaceID)
	q.set("tags", o.Tags)
	q.set("sort_key", o.SortKey)
	q.set("sort_dir", string(normalize(string(o.SortDir), sortDirValues)))
	return url.Values(q)
}

// NotebookPage is one page of ListNotebooksPage.
type NotebookPage = Page[Notebook]

// ListNotebooksPage reads one page of notebooks, with the total count.
func (c *Client) ListNotebooksPage(ctx context.Context, opts *ListNotebooksOptions, callOpts ...CallOption) (*NotebookPage, error) {
	ctx, cfg, cancel, err := c.begin(ctx, callOpts, 0)
	if err != nil {
		return nil, err
	}
	defer cancel()
	return c.listNotebooksPage(ctx, cfg, opts)
}

func (c *Client) listNotebooksPage(ctx context.Context, cfg *callConfig, opts *ListNotebooksOptions) (*NotebookPage, error) {
	if opts == nil {
		opts = &ListNotebooksOptions{}
	}
	if err := opts.validate(); err != nil {
		return nil, err
	}
	var page NotebookPage
	if err := c.do(ctx, &call{method: "GET", path: c.prefix + "/notebooks", query: opts.query(), cfg: cfg}, &page); err != nil {
		return nil, err
	}
	page.settle((*Notebook).normalize)
	return &page, nil
}

// ListNotebooks walks every page of the notebook listing, from opts.Offset
// on, with the same paging rules as ListImages (the shared pager): pages
// are read as the loop needs them, the walk stops when the server reports
// no more, and an error is yielded once, as the last element. A nil opts
// lists with the defaults.
func (c *Client) ListNotebooks(ctx context.Context, opts *ListNotebooksOptions, callOpts ...CallOption) iter.Seq2[*Notebook, error] {
	return iterate(c, ctx, callOpts, func(ctx context.Context, cfg *callConfig) iter.Seq2[*Notebook, error] {
		o := ListNotebooksOptions{}
		if opts != nil {
			o = *opts
		}
		limit := o.Limit
		if limit == 0 {
			limit = DefaultNotebookPageSize
		}
		return walk("notebooks", &o.Offset, limit, func() ([]*Notebook, pageCounts, error) {
			page, err := c.listNotebooksPage(ctx, cfg, &o)
			if err != nil {
				return nil, pageCounts{}, err
			}
			return page.Items, pageCounts{slots: page.slots, total: page.Total, size: page.Size}, nil
		}, func(nb *Notebook) string { return nb.ID })
	})
}
