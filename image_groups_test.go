package modelarts

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestListImageGroupsPageSendsEveryFilterAndDecodes(t *testing.T) {
	rec := newRecorder(t)
	rec.on("GET", "/images/group", ok(string(fixture(t, "image_groups_response.json"))))
	c, _ := rec.client(t)
	page, err := c.ListImageGroupsPage(context.Background(), &ListImageGroupsOptions{
		Limit: 50, Offset: 5, Name: "my-pytorch", Namespace: "deep-learning-demo", Type: "dedicated",
		WorkspaceID: "0", SWRInstanceID: "c0ffee0123456789abcdef0123456789",
	})
	require.NoError(t, err)
	reqs := rec.requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "GET", reqs[0].Method)
	assert.Equal(t, projectPath+"/images/group", reqs[0].Path)
	assert.Equal(t, "limit=50&name=my-pytorch&name_fuzzy_match=false&namespace=deep-learning-demo&offset=5"+
		"&swr_instance_id=c0ffee0123456789abcdef0123456789&type=DEDICATED&workspace_id=0", reqs[0].Query)
	assert.Empty(t, reqs[0].Body)

	assert.True(t, page.IsSWREnterprise)
	assert.Equal(t, 2, page.Total)
	require.Len(t, page.Items, 2)
	assert.Equal(t, ImageGroup{
		ID: "0b4a8ad1-6d6b-4a7e-9c1d-5d4b2b1d1f10", Name: "my-pytorch", Namespace: "deep-learning-demo",
		Description: "custom pytorch", ReadMe: "# usage", IconName: "pytorch", VersionCount: 3,
		SWRInstanceID: "c0ffee0123456789abcdef0123456789", SWRInstanceName: "ee-instance",
		CreatedAt: Timestamp{time.UnixMilli(1650000000000).UTC()}, UpdatedAt: Timestamp{time.UnixMilli(1650000100000).UTC()},
	}, *page.Items[0])
}

func TestListImageGroupsNameMatching(t *testing.T) {
	cases := []struct {
		opts  *ListImageGroupsOptions
		query string
	}{
		{nil, ""},
		{&ListImageGroupsOptions{}, ""},
		{&ListImageGroupsOptions{Name: "a b"}, "name=a%20b&name_fuzzy_match=false"},
		{&ListImageGroupsOptions{Name: "py", NameFuzzyMatch: true}, "name=py&name_fuzzy_match=true"},
	}
	for _, tc := range cases {
		rec := newRecorder(t)
		rec.on("GET", "/images/group", ok(`{"data":[],"total":0}`))
		c, _ := rec.client(t)
		_, err := c.ListImageGroupsPage(context.Background(), tc.opts)
		require.NoError(t, err)
		assert.Equal(t, tc.query, rec.requests()[0].Query)
	}
}

func TestListImageGroupsWalksPages(t *testing.T) {
	rec := newRecorder(t)
	rec.on("GET", "/images/group",
		ok(`{"data":[{"id":"g1","name":"a"},{"id":"g2","name":"b"}],"total":3,"size":2}`),
		ok(`{"data":[{"id":"g3","name":"c","version_count":"7"}],"total":3,"size":2}`))
	c, _ := rec.client(t)
	var ids []string
	for g, err := range c.ListImageGroups(context.Background(), &ListImageGroupsOptions{Limit: 2}) {
		require.NoError(t, err)
		ids = append(ids, g.ID)
		if g.ID == "g3" {
			assert.Equal(t, 7, g.VersionCount, "a count sent as a string is tolerated")
		}
	}
	assert.Equal(t, []string{"g1", "g2", "g3"}, ids)
	reqs := rec.requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, "limit=2", reqs[0].Query)
	assert.Equal(t, "limit=2&offset=2", reqs[1].Query)
}

func TestListImageGroupsValidatesBeforeSending(t *testing.T) {
	for name, o := range map[string]*ListImageGroupsOptions{
		"limit":     {Limit: MaxPageSize + 1},
		"negative":  {Limit: -1},
		"offset":    {Offset: -1},
		"workspace": {WorkspaceID: "ws"},
		"namespace": {Namespace: strings.Repeat("a", 65)},
		"name":      {Name: "a\nb"},
	} {
		t.Run(name, func(t *testing.T) {
			rec := newRecorder(t)
			c, _ := rec.client(t)
			_, err := c.ListImageGroupsPage(context.Background(), o)
			assert.ErrorIs(t, err, ErrInvalidRequest)
			for _, err := range c.ListImageGroups(context.Background(), o) {
				assert.ErrorIs(t, err, ErrInvalidRequest)
			}
			assert.Empty(t, rec.requests())
		})
	}
}

func TestUpdateImageGroupSendsBodyAndDecodes(t *testing.T) {
	rec := newRecorder(t)
	rec.on("PUT", "/images/group/g-1", ok(`{"id":"g-1","name":"my-pytorch","read_me":"# new","version_count":3}`))
	c, _ := rec.client(t)
	g, err := c.UpdateImageGroup(context.Background(), "g-1", &UpdateImageGroupRequest{
		ReadMe: "# new", Tags: []Tag{{Key: "team", Value: "ml"}}})
	require.NoError(t, err)
	reqs := rec.requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "PUT", reqs[0].Method)
	assert.Equal(t, projectPath+"/images/group/g-1", reqs[0].Path)
	assert.Empty(t, reqs[0].Query)
	assert.JSONEq(t, `{"read_me":"# new","tags":[{"key":"team","value":"ml"}]}`, reqs[0].Body)
	assert.Equal(t, "application/json;charset=UTF-8", reqs[0].ContentType)
	assert.Equal(t, &ImageGroup{ID: "g-1", Name: "my-pytorch", ReadMe: "# new", VersionCount: 3}, g)
}

func TestUpdateImageGroupOnlySendsWhatIsSet(t *testing.T) {
	rec := newRecorder(t)
	rec.on("PUT", "/images/group/g-1", ok(`{"id":"g-1"}`))
	c, _ := rec.client(t)
	_, err := c.UpdateImageGroup(context.Background(), "g-1", &UpdateImageGroupRequest{Tags: []Tag{{Key: "k"}}})
	require.NoError(t, err)
	assert.JSONEq(t, `{"tags":[{"key":"k","value":""}]}`, rec.requests()[0].Body)
}

func TestUpdateImageGroupToleratesAnswersWithoutTheGroup(t *testing.T) {
	for name, body := range map[string]string{"empty": "", "blank": "  \n", "object": "{}", "null": "null"} {
		t.Run(name, func(t *testing.T) {
			rec := newRecorder(t)
			rec.on("PUT", "/images/group/g-1", ok(body))
			c, _ := rec.client(t)
			g, err := c.UpdateImageGroup(context.Background(), "g-1", &UpdateImageGroupRequest{ReadMe: "# hi"})
			require.NoError(t, err)
			assert.Equal(t, &ImageGroup{ID: "g-1", ReadMe: "# hi"}, g)
		})
	}
	rec := newRecorder(t)
	rec.on("PUT", "/images/group/g-1", ok("<html>"))
	c, _ := rec.client(t)
	_, err := c.UpdateImageGroup(context.Background(), "g-1", &UpdateImageGroupRequest{ReadMe: "# hi"})
	var de *DecodeError
	assert.ErrorAs(t, err, &de, "a body that is not JSON is still an error")
}

func TestUpdateImageGroupValidatesBeforeSending(t *testing.T) {
	tags := func(n int) []Tag {
		out := make([]Tag, n)
		for i := range out {
			out[i] = Tag{Key: "k", Value: "v"}
		}
		return out
	}
	cases := map[string]struct {
		id    string
		req   *UpdateImageGroupRequest
		field string
	}{
		"nil":        {"g", nil, "request"},
		"nothing":    {"g", &UpdateImageGroupRequest{}, "request"},
		"id":         {"../x", &UpdateImageGroupRequest{ReadMe: "r"}, "group id"},
		"read_me":    {"g", &UpdateImageGroupRequest{ReadMe: strings.Repeat("é", 30001)}, "read_me"},
		"tags":       {"g", &UpdateImageGroupRequest{Tags: tags(21)}, "tags"},
		"empty key":  {"g", &UpdateImageGroupRequest{Tags: []Tag{{Value: "v"}}}, "tags[0].key"},
		"long key":   {"g", &UpdateImageGroupRequest{Tags: []Tag{{Key: strings.Repeat("k", 129)}}}, "tags[0].key"},
		"long value": {"g", &UpdateImageGroupRequest{Tags: []Tag{{Key: "k", Value: strings.Repeat("v", 256)}}}, "tags[0].value"},
		"control":    {"g", &UpdateImageGroupRequest{Tags: []Tag{{Key: "k\x00"}}}, "tags[0]"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			rec := newRecorder(t)
			c, _ := rec.client(t)
			_, err := c.UpdateImageGroup(context.Background(), tc.id, tc.req)
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tc.field, ve.Field)
			assert.Empty(t, rec.requests())
		})
	}
	// The limits themselves pass.
	rec := newRecorder(t)
	rec.on("PUT", "/images/group/g", ok(`{"id":"g"}`))
	c, _ := rec.client(t)
	_, err := c.UpdateImageGroup(context.Background(), "g", &UpdateImageGroupRequest{ReadMe: strings.Repeat("é", 30000),
		Tags: append(tags(19), Tag{Key: strings.Repeat("k", 128), Value: strings.Repeat("v", 255)})})
	require.NoError(t, err)
}

func TestDeleteImageGroupForceInBody(t *testing.T) {
	rec := newRecorder(t)
	rec.on("DELETE", "/images/group/g-1", ok(`{"id":"g-1","name":"my-pytorch"}`))
	c, _ := rec.client(t)
	require.NoError(t, c.DeleteImageGroup(context.Background(), "g-1"))
	require.NoError(t, c.DeleteImageGroup(context.Background(), "g-1", WithForce()))
	reqs := rec.requests()
	require.Len(t, reqs, 2)
	for _, r := range reqs {
		assert.Equal(t, "DELETE", r.Method)
		assert.Equal(t, projectPath+"/images/group/g-1", r.Path)
		assert.Empty(t, r.Query)
	}
	assert.Empty(t, reqs[0].Body, "no body without WithForce")
	assert.JSONEq(t, `{"is_force":true}`, reqs[1].Body)
}

func TestDeleteImageGroupErrorsAndValidation(t *testing.T) {
	rec := newRecorder(t)
	rec.on("DELETE", "/images/group/g-1", reply{400, `{"error_code":"ModelArts.6404","error_msg":"group not found"}`})
	c, _ := rec.client(t)
	err := c.DeleteImageGroup(context.Background(), "g-1")
	assert.ErrorIs(t, err, ErrNotFound)
	assert.ErrorIs(t, c.DeleteImageGroup(context.Background(), ""), ErrInvalidRequest)
	assert.Len(t, rec.requests(), 1)
}

// A server that sends the page's numbers as strings or floats is read all
// the same, as for the image listing.
func TestListImageGroupsPageToleratesOddNumbers(t *testing.T) {
	rec := newRecorder(t)
	rec.on("GET", "/images/group", ok(`{"data":[{"id":"g1","name":"env","version_count":"3","create_at":1.65e12}],
		"total":"1","current":"1","pages":1.0,"size":"200","is_swr_enterprise":true}`))
	c, _ := rec.client(t)
	page, err := c.ListImageGroupsPage(context.Background(), nil)
	require.NoError(t, err)
	assert.Equal(t, 1, page.Total)
	assert.Equal(t, 200, page.Size)
	assert.True(t, page.IsSWREnterprise)
	require.Len(t, page.Items, 1)
	assert.Equal(t, 3, page.Items[0].VersionCount)
	assert.Equal(t, int64(1650000000000), page.Items[0].CreatedAt.UnixMilli())
}
