package modelartstest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelarts-go/modelarts"
)

func groups(t *testing.T, s *Server, query string) (data []map[string]any, m map[string]any) {
	t.Helper()
	status, m, _ := raw(t, s, "GET", v1(s)+"/images/group?"+query, "", nil)
	require.Equal(t, 200, status, "%s: %v", query, m)
	for _, d := range m["data"].([]any) {
		data = append(data, d.(map[string]any))
	}
	return data, m
}

func register(t *testing.T, s *Server, swrPath string) string {
	t.Helper()
	status, m, _ := raw(t, s, "POST", v1(s)+"/images", `{"swr_path":"`+swrPath+`"}`, nil)
	require.Equal(t, 200, status, "%v", m)
	return m["id"].(string)
}

func TestGroupsReflectTheImagesTheyHold(t *testing.T) {
	s := NewServer()
	defer s.Close()
	for _, tag := range []string{"v1", "v2", "v3"} {
		register(t, s, "swr.fake.local/team/env:"+tag)
	}
	register(t, s, "swr.fake.local/team/other:v1")

	data, m := groups(t, s, "type=DEDICATED&name=env&name_fuzzy_match=false")
	require.Len(t, data, 1)
	g := data[0]
	assert.Equal(t, float64(3), g["version_count"])
	assert.Equal(t, "env", g["name"])
	assert.Equal(t, "team", g["namespace"])
	for _, k := range []string{"id", "description", "read_me", "icon_name", "create_at", "update_at", "swr_instance_id", "swr_instance_name"} {
		assert.Contains(t, g, k)
	}
	assert.Equal(t, false, m["is_swr_enterprise"])
	assert.Equal(t, groupID("team", "env"), g["id"], "the ID is stable")

	all, _ := groups(t, s, "")
	assert.Len(t, all, 4, "no type filter by default: two built-in groups and two of ours")
	data, _ = groups(t, s, "name=e")
	assert.Len(t, data, 3, "fuzzy by default: env, other and the mindspore built-in")
	data, m = groups(t, s, "limit=1&offset=1")
	assert.Len(t, data, 1)
	assert.Equal(t, float64(4), m["total"])
	data, _ = groups(t, s, "type=BUILD_IN&namespace=atelier")
	assert.Len(t, data, 2)

	s.PutImage(modelarts.Image{Name: "ee", Namespace: "team", Type: modelarts.ImageTypeDedicated, WorkspaceID: "0", SWRInstanceID: "ee1"})
	data, m = groups(t, s, "swr_instance_id=ee1")
	require.Len(t, data, 1)
	assert.Equal(t, "ee1", data[0]["swr_instance_id"])
	assert.Equal(t, true, m["is_swr_enterprise"])
	data, _ = groups(t, s, "workspace_id="+otherWorkspace)
	assert.Empty(t, data)

	for _, q := range []string{"limit=0", "limit=1001", "type=X", "name_fuzzy_match=1", "namespace=9x", "workspace_id=w"} {
		status, m, _ := raw(t, s, "GET", v1(s)+"/images/group?"+q, "", nil)
		assert.Equal(t, 400, status, q)
		assert.Equal(t, "ModelArts.0104", m["error_code"], q)
	}
}

func TestUpdateGroupSetsReadMeAndTags(t *testing.T) {
	s := NewServer()
	defer s.Close()
	register(t, s, "swr.fake.local/team/env:v1")
	id := groupID("team", "env")
	path := v1(s) + "/images/group/" + id
	status, m, _ := raw(t, s, "PUT", path, `{"read_me":"# env","tags":[{"key":"a","value":"1"}]}`, nil)
	require.Equal(t, 200, status, "%v", m)
	assert.Equal(t, "# env", m["read_me"])
	assert.Equal(t, []any{map[string]any{"key": "a", "value": "1"}}, m["tags"])
	assert.Equal(t, float64(1), m["version_count"])

	status, m, _ = raw(t, s, "PUT", path, `{"tags":[]}`, nil)
	require.Equal(t, 200, status)
	assert.Equal(t, "# env", m["read_me"], "an absent read_me is kept")
	assert.Equal(t, []any{}, m["tags"], "tags replace the set")

	long := strings.Repeat("r", 30000)
	status, _, _ = raw(t, s, "PUT", path, `{"read_me":"`+long+`"}`, nil)
	assert.Equal(t, 200, status, "30000 characters are allowed")
	tags := make([]string, 21)
	for i := range tags {
		tags[i] = fmt.Sprintf(`{"key":"k%d","value":"v"}`, i)
	}
	for _, body := range []string{`{"read_me":"` + long + `r"}`, `{"tags":[` + strings.Join(tags, ",") + `]}`,
		`{"tags":[{"key":"` + strings.Repeat("k", 129) + `"}]}`, `{"tags":[{"key":"k","value":"` + strings.Repeat("v", 256) + `"}]}`,
		`{"tags":[{"key":""}]}`, `[`} {
		status, m, _ := raw(t, s, "PUT", path, body, nil)
		assert.Equal(t, 400, status, body[:min(40, len(body))])
		assert.Equal(t, "ModelArts.0104", m["error_code"])
	}
	status, m, _ = raw(t, s, "PUT", v1(s)+"/images/group/nope", `{}`, nil)
	assert.Equal(t, 400, status)
	assert.Equal(t, "ModelArts.6404", m["error_code"])
}

func TestDeleteGroupDeletesEveryImage(t *testing.T) {
	s := NewServer()
	defer s.Close()
	register(t, s, "swr.fake.local/team/env:v1")
	register(t, s, "swr.fake.local/team/env:v2")
	keep := register(t, s, "swr.fake.local/team/other:v1")
	status, m, _ := raw(t, s, "DELETE", v1(s)+"/images/group/"+groupID("team", "env"), `{"is_force":true}`, nil)
	require.Equal(t, 200, status, "%v", m)
	assert.Equal(t, float64(2), m["version_count"], "the group as it was")
	imgs := s.Images()
	require.Len(t, imgs, 3)
	assert.Equal(t, keep, imgs[2].ID)
	assert.Equal(t, []string{"swr.fake.local/team/env:v1", "swr.fake.local/team/env:v2"}, s.DeletedSWRPaths())

	status, _, _ = raw(t, s, "DELETE", v1(s)+"/images/group/"+groupID("team", "other"), "", nil)
	require.Equal(t, 200, status, "no body: no force")
	assert.Len(t, s.DeletedSWRPaths(), 2)
	status, m, _ = raw(t, s, "DELETE", v1(s)+"/images/group/"+groupID("team", "other"), "", nil)
	assert.Equal(t, 400, status)
	assert.Equal(t, "ModelArts.6404", m["error_code"], "gone with its images")
	status, m, _ = raw(t, s, "DELETE", v1(s)+"/images/group/"+groupID("atelier", "pytorch1.8-cuda10.2-cudnn7-ubuntu18.04"), "", nil)
	assert.Equal(t, 403, status)
	assert.Equal(t, "ModelArts.6407", m["error_code"])
}
