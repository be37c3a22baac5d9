package modelarts

import (
	"context"
	"github.com/modelarts-go/modelarts/internal/textutil"
	"iter"
	"net/url"
	"regexp"
	"strconv"
)

// DefaultPageSize is the server's page size when Limit is 0.
const DefaultPageSize = 200

// ListImagesOptions filters and pages a listing. Every field is optional.
//
// The server lists BUILD_IN (system) images unless told otherwise: set
// Type: ImageTypeDedicated to list your own images.
type ListImagesOptions struct {
	Limit          int         // page size; 0 means the server default (200)
	Offset         int         // images to skip
	Name           string      // exact name, or a substring with NameFuzzyMatch
	NameFuzzyMatch bool        // match Name as a substring
	Namespace      string      // SWR organization
	Type           ImageType   // BUILD_IN (server default) or DEDICATED
	ServiceType    ServiceType // e.g. ServiceTypeTrain
	SortKey        string      // a field name, e.g. "create_at"
	SortDir        SortDir     // SortAsc or SortDesc
	WorkspaceID    string
}

var sortKeyRE = regexp.MustCompile(`^[a-z_]{1,64}$`)

func (o *ListImagesOptions) validate() error {
	switch {
	case o.Limit < 0:
		return invalid("limit", "cannot be negative, got %d", o.Limit)
	case o.Offset < 0:
		return invalid("offset", "cannot be negative, got %d", o.Offset)
	case o.SortKey != "" && !sortKeyRE.MatchString(o.SortKey):
		return invalid("sort_key", "%q is not a field name", textutil.Shorten(o.SortKey, 64))
	}
	for _, err := range []error{
		checkLen("name", o.Name, 512),
		checkLen("namespace", o.Namespace, maxNamespaceLen),
		checkEnum("type", o.Type, imageTypeValues),
		checkEnum("service_type", o.ServiceType, serviceTypeValues),
		checkEnum("sort_dir", o.SortDir, sortDirValues),
		checkPrintable("name", o.Name),
		checkPrintable("namespace", o.Namespace),
		checkPrintable("workspace_id", o.WorkspaceID),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}

func (o *ListImagesOptions) query() url.Values {
	q := url.Values{}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	if o.Limit > 0 {
		q.Set("limit", strconv.Itoa(o.Limit))
	}
	if o.Offset > 0 {
		q.Set("offset", strconv.Itoa(o.Offset))
	}
	set("name", o.Name)
	if o.NameFuzzyMatch {
		q.Set("name_fuzzy_match", "true")
	}
	set("namespace", o.Namespace)
	set("type", string(normalize(string(o.Type), imageTypeValues)))
	set("service_type", string(normalize(string(o.ServiceType), serviceTypeValues)))
	set("sort_key", o.SortKey)
	set("sort_dir", string(normalize(string(o.SortDir), sortDirValues)))
	set("workspace_id", o.WorkspaceID)
	return q
}

// ListImagesPage reads one page of images, with the total count.
func (c *Client) ListImagesPage(ctx context.Context, opts *ListImagesOptions) (*ImagePage, error) {
	if opts == nil {
		opts = &ListImagesOptions{}
	}
	if err := opts.validate(); err != nil {
		return nil, err
	}
	var page pageWire
	// Room for a full page up front: decoding appends into it without
	// growing (and copying) the array of images.
	size := opts.Limit
	if size == 0 {
		size = DefaultPageSize
	}
	page.Data = make([]imageWire, 0, min(size, 1000))
	if err := c.do(ctx, &call{method: "GET", path: c.prefix + "/images", query: opts.query()}, &page); err != nil {
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
// Pages are read as the loop needs them, by offset += len(page) until a
// short page; breaking out of the loop stops paging. An error is yielded
// once, as the last element.
func (c *Client) ListImages(ctx context.Context, opts *ListImagesOptions) iter.Seq2[*Image, error] {
	return func(yield func(*Image, error) bool) {
		o := ListImagesOptions{}
		if opts != nil {
			o = *opts
		}
		pageSize := o.Limit
		if pageSize == 0 {
			pageSize = DefaultPageSize
		}
		for {
			page, err := c.ListImagesPage(ctx, &o)
			if err != nil {
				yield(nil, err)
				return
			}
			for _, img := range page.Images {
				if img == nil {
					continue
				}
				if !yield(img, nil) {
					return
				}
			}
			n := len(page.Images)
			o.Offset += n
			if n == 0 || n < pageSize || (page.Total > 0 && o.Offset >= page.Total) {
				return
			}
		}
	}
}
