package modelarts

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// serverDefaultPage is the page size the API pages document for a listing
// without limit; written here, not taken from the SDK, so that a wrong SDK
// constant cannot hide a paging bug.
const serverDefaultPage = 200

// pagedResponder serves total images in pages honouring limit and offset.
func pagedResponder(t *testing.T, total int, calls *atomic.Int32) func(*http.Request) (*http.Response, error) {
	return cappedPagedResponder(total, serverDefaultPage, calls)
}

// cappedPagedResponder is a server whose pages hold at most maxPage
// images, whatever limit asks for, and which reports the total.
func cappedPagedResponder(total, maxPage int, calls *atomic.Int32) func(*http.Request) (*http.Response, error) {
	return func(r *http.Request) (*http.Response, error) {
		calls.Add(1)
		q := r.URL.Query()
		limit, _ := strconv.Atoi(q.Get("limit"))
		if limit == 0 {
			limit = serverDefaultPage
		}
		limit = min(limit, maxPage)
		offset, _ := strconv.Atoi(q.Get("offset"))
		var items []string
		for i := offset; i < total && i < offset+limit; i++ {
			items = append(items, fmt.Sprintf(`{"id":"img-%d","name":"n%d"}`, i, i))
		}
		body := fmt.Sprintf(`{"current":1,"data":[%s],"pages":1,"size":%d,"total":%d}`, strings.Join(items, ","), limit, total)
		return jsonResponder(200, body)(r)
	}
}

func collect(t *testing.T, c *Client, opts *ListImagesOptions) ([]string, error) {
	var ids []string
	for img, err := range c.ListImages(context.Background(), opts) {
		if err != nil {
			return ids, err
		}
		ids = append(ids, img.ID)
	}
	return ids, nil
}

func TestListImagesPaging(t *testing.T) {
	cases := []struct {
		total, limit, wantCalls int
	}{
		{0, 10, 1},
		{1, 10, 1},
		{10, 10, 1}, // exactly full: total says it is the last
		{25, 10, 3},
		{30, 10, 3},
		{450, 0, 3}, // server default page size
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%d_by_%d", tc.total, tc.limit), func(t *testing.T) {
			c, mt, _ := newMockClient(t)
			var calls atomic.Int32
			mt.RegisterResponder("GET", testEndpoint+projectPath+"/images", pagedResponder(t, tc.total, &calls))
			ids, err := collect(t, c, &ListImagesOptions{Limit: tc.limit, Type: ImageTypeDedicated})
			require.NoError(t, err)
			require.Len(t, ids, tc.total)
			for i, id := range ids {
				assert.Equal(t, fmt.Sprintf("img-%d", i), id)
			}
			assert.Equal(t, tc.wantCalls, int(calls.Load()))
		})
	}
}

func TestListImagesNeverAssumesTheServersPageSize(t *testing.T) {
	c, mt, _ := newMockClient(t)
	var calls atomic.Int32
	mt.RegisterResponder("GET", testEndpoint+projectPath+"/images", cappedPagedResponder(451, 100, &calls))
	ids, err := collect(t, c, nil)
	require.NoError(t, err)
	assert.Len(t, ids, 451, "a server paging at 100 under a 200 default is read to the end")
	assert.Equal(t, "img-450", ids[450])
	assert.Equal(t, int32(5), calls.Load())
}

func TestListImagesStopsOnAServerThatIgnoresTheOffset(t *testing.T) {
	c, mt, _ := newMockClient(t)
	mt.RegisterResponder("GET", testEndpoint+projectPath+"/images", jsonResponder(200, `{"data":[{"id":"a"},{"id":"b"}],"total":10}`))
	ids, err := collect(t, c, &ListImagesOptions{Limit: 2})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "ignores the offset")
	assert.Equal(t, []string{"a", "b"}, ids, "the repeated page is not yielded again")
	assert.Equal(t, 3, mt.GetTotalCallCount(), "no loop: two repeated pages under a steady total end it")
}

func TestListImagesWithoutTotalPagesUntilAShortPage(t *testing.T) {
	c, mt, _ := newMockClient(t)
	var calls atomic.Int32
	mt.RegisterResponder("GET", testEndpoint+projectPath+"/images", func(r *http.Request) (*http.Response, error) {
		calls.Add(1)
		switch r.URL.Query().Get("offset") {
		case "":
			return jsonResponder(200, `{"data":[{"id":"a"},{"id":"b"}]}`)(r)
		case "2":
			return jsonResponder(200, `{"data":[{"id":"c"},{"id":"d"}]}`)(r)
		default:
			return jsonResponder(200, `{"data":[]}`)(r)
		}
	})
	ids, err := collect(t, c, &ListImagesOptions{Limit: 2})
	require.NoError(t, err)
	assert.Len(t, ids, 4)
	assert.Equal(t, int32(3), calls.Load())
}

func TestListImagesEarlyBreakStopsPaging(t *testing.T) {
	c, mt, _ := newMockClient(t)
	var calls atomic.Int32
	mt.RegisterResponder("GET", testEndpoint+projectPath+"/images", pagedResponder(t, 100, &calls))
	n := 0
	for img, err := range c.ListImages(context.Background(), &ListImagesOptions{Limit: 10}) {
		require.NoError(t, err)
		require.NotNil(t, img)
		n++
		if n == 15 {
			break
		}
	}
	assert.Equal(t, 15, n)
	assert.Equal(t, int32(2), calls.Load())
}

func TestListImagesErrorMidway(t *testing.T) {
	c, mt, _ := newMockClient(t)
	var calls atomic.Int32
	ok := pagedResponder(t, 100, &calls)
	mt.RegisterResponder("GET", testEndpoint+projectPath+"/images", func(r *http.Request) (*http.Response, error) {
		if r.URL.Query().Get("offset") == "20" {
			return jsonResponder(403, `{"error_code":"ModelArts.6407","error_msg":"no"}`)(r)
		}
		return ok(r)
	})
	var ids []string
	var errs []error
	for img, err := range c.ListImages(context.Background(), &ListImagesOptions{Limit: 10}) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ids = append(ids, img.ID)
	}
	assert.Len(t, ids, 20)
	require.Len(t, errs, 1, "the error is yielded once, last")
	assert.ErrorIs(t, errs[0], ErrForbidden)
}

func TestListImagesQuery(t *testing.T) {
	c, mt, _ := newMockClient(t)
	var q map[string][]string
	mt.RegisterResponder("GET", testEndpoint+projectPath+"/images", func(r *http.Request) (*http.Response, error) {
		q = r.URL.Query()
		return jsonResponder(200, `{"data":[],"total":0}`)(r)
	})
	page, err := c.ListImagesPage(context.Background(), &ListImagesOptions{
		Limit: 50, Offset: 100, Name: "py torch&x=1", NameFuzzyMatch: true, Namespace: "team",
		Type: "dedicated", ServiceType: ServiceTypeTrain, SortKey: "create_at", SortDir: "asc", WorkspaceID: "ws",
	})
	require.NoError(t, err)
	assert.Equal(t, 0, page.Total)
	assert.Equal(t, map[string][]string{
		"limit": {"50"}, "offset": {"100"}, "name": {"py torch&x=1"}, "name_fuzzy_match": {"true"},
		"namespace": {"team"}, "type": {"DEDICATED"}, "service_type": {"TRAIN"}, "sort_key": {"create_at"},
		"sort_dir": {"ASC"}, "workspace_id": {"ws"},
	}, q)

	_, err = c.ListImagesPage(context.Background(), nil)
	require.NoError(t, err)
	assert.Empty(t, q, "no options, no query")
}

func TestListImagesPageTotal(t *testing.T) {
	c, mt, _ := newMockClient(t)
	mt.RegisterResponder("GET", testEndpoint+projectPath+"/images",
		jsonResponder(200, `{"current":2,"data":[{"id":"a","arch":"x86_64"}],"pages":7,"size":1,"total":7}`))
	page, err := c.ListImagesPage(context.Background(), &ListImagesOptions{Limit: 1, Offset: 1})
	require.NoError(t, err)
	assert.Equal(t, 7, page.Total)
	assert.Equal(t, 2, page.Current)
	assert.Equal(t, 7, page.Pages)
	require.Len(t, page.Items, 1)
	assert.Equal(t, ArchX86_64, page.Items[0].Arch)
}

func TestListImagesOptionsValidation(t *testing.T) {
	for name, o := range map[string]ListImagesOptions{
		"limit":        {Limit: -1},
		"offset":       {Offset: -5},
		"type":         {Type: "PUB\nLIC"},
		"service_type": {ServiceType: "X\x00"},
		"sort_dir":     {SortDir: "UP\r"},
		"sort_key":     {SortKey: "name; drop"},
		"show_name":    {ShowName: "a\x7f"},
		"name":         {Name: "a\nb"},
		"namespace":    {Namespace: strings.Repeat("n", 65)},
	} {
		err := o.validate()
		var ve *ValidationError
		require.ErrorAs(t, err, &ve, name)
		assert.Equal(t, name, ve.Field)
	}
	var ve *ValidationError
	over := ListImagesOptions{Limit: MaxPageSize + 1}
	require.ErrorAs(t, over.validate(), &ve, "a limit the service refuses is caught before sending")
	assert.Equal(t, "limit", ve.Field)
	for _, ok := range []ListImagesOptions{
		{Limit: MaxPageSize},
		{SortKey: "create_at,update_at"},
		{SortKey: "Create-At_2"},
		{Type: "SHARED", ServiceType: "SERVE", SortDir: "asc"}, // open enums
	} {
		assert.NoError(t, ok.validate(), "%+v", ok)
	}
}

func TestListImagesNameIsExactUnlessFuzzyIsAsked(t *testing.T) {
	for _, tc := range []struct {
		opts ListImagesOptions
		want string
	}{
		{ListImagesOptions{Name: "my image"}, "name=my%20image&name_fuzzy_match=false"},
		{ListImagesOptions{Name: "my", NameFuzzyMatch: true}, "name=my&name_fuzzy_match=true"},
		{ListImagesOptions{}, ""},
		{ListImagesOptions{ShowName: "PyTorch 2", ShowTag: "v+1", SWRInstanceID: "i"}, "show_name=PyTorch%202&show_tag=v%2B1&swr_instance_id=i"},
	} {
		assert.Equal(t, tc.want, encodeQuery(tc.opts.query()))
	}
}

func TestListImagesInvalidOptionsYieldTheError(t *testing.T) {
	c, mt, _ := newMockClient(t)
	var errs int
	for _, err := range c.ListImages(context.Background(), &ListImagesOptions{Offset: -1}) {
		assert.ErrorIs(t, err, ErrInvalidRequest)
		errs++
	}
	assert.Equal(t, 1, errs)
	assert.Zero(t, mt.GetTotalCallCount())
}
