package modelartstest

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelarts-go/modelarts"
)

func v1(s *Server) string { return "/v1/" + s.ProjectID() }

func TestSingleImagesCarryEveryDocumentedField(t *testing.T) {
	s := NewServer()
	defer s.Close()
	status, m, _ := raw(t, s, "GET", v1(s)+"/images/"+builtinPyTorchID, "", nil)
	require.Equal(t, 200, status)
	for _, k := range []string{"arch", "create_at", "description", "dev_services", "id", "name", "namespace", "origin",
		"resource_categories", "service_type", "size", "status", "status_message", "support_res_categories", "swr_path",
		"tag", "type", "update_at", "visibility", "workspace_id", "flavor_type", "swr_instance_id", "show_name", "show_tag", "tags"} {
		assert.Contains(t, m, k)
	}
	assert.Equal(t, "pytorch1.8-cuda10.2-cudnn7-ubuntu18.04", m["show_name"], "built-ins have a display name")
	assert.NotEmpty(t, m["show_tag"])
	assert.Equal(t, "CUSTOMIZE", m["origin"])
	assert.Equal(t, "PUBLIC", m["visibility"])
	assert.Equal(t, float64(3376133259), m["size"])
	assert.Nil(t, m["swr_instance_id"], "null without SWR Enterprise")
	assert.Equal(t, []any{}, m["tags"])
	assert.Equal(t, []any{"GPU", "CPU"}, m["support_res_categories"])
}

func TestListingItemsLackSupportResCategories(t *testing.T) {
	s := NewServer()
	defer s.Close()
	status, m, _ := raw(t, s, "GET", v1(s)+"/images", "", nil)
	require.Equal(t, 200, status)
	data := m["data"].([]any)
	require.Len(t, data, 2)
	for _, d := range data {
		item := d.(map[string]any)
		assert.NotContains(t, item, "support_res_categories")
		for _, k := range []string{"show_name", "show_tag", "swr_instance_id", "tags", "origin", "visibility", "size"} {
			assert.Contains(t, item, k)
		}
	}
}

func listTotal(t *testing.T, s *Server, query string) float64 {
	t.Helper()
	status, m, _ := raw(t, s, "GET", v1(s)+"/images?"+query, "", nil)
	require.Equal(t, 200, status, "%s: %v", query, m)
	return m["total"].(float64)
}

func TestNameMatchesFuzzilyUnlessAskedExact(t *testing.T) {
	s := NewServer()
	defer s.Close()
	for _, n := range []string{"env", "env-gpu", "my-env"} {
		s.PutImage(modelarts.Image{Name: n, Namespace: "team", Type: modelarts.ImageTypeDedicated, WorkspaceID: "0"})
	}
	assert.Equal(t, float64(3), listTotal(t, s, "type=DEDICATED&name=env"), "fuzzy is the documented default")
	assert.Equal(t, float64(3), listTotal(t, s, "type=DEDICATED&name=env&name_fuzzy_match=true"))
	assert.Equal(t, float64(1), listTotal(t, s, "type=DEDICATED&name=env&name_fuzzy_match=false"))
	status, m, _ := raw(t, s, "GET", v1(s)+"/images?name=env&name_fuzzy_match=maybe", "", nil)
	assert.Equal(t, 400, status)
	assert.Equal(t, "ModelArts.0104", m["error_code"])
}

func TestListingFiltersOnDisplayFieldsAndSWRInstance(t *testing.T) {
	s := NewServer()
	defer s.Close()
	s.PutImage(modelarts.Image{Name: "a", Namespace: "team", Type: modelarts.ImageTypeDedicated, WorkspaceID: "0", SWRInstanceID: "ee1"})
	s.PutImage(modelarts.Image{Name: "b", Namespace: "team", Type: modelarts.ImageTypeDedicated, WorkspaceID: "0"})
	assert.Equal(t, float64(1), listTotal(t, s, "type=DEDICATED&swr_instance_id=ee1"))
	assert.Equal(t, float64(1), listTotal(t, s, "show_name="+url.QueryEscape("mindspore2.2-cann7-euler2.10")))
	assert.Equal(t, float64(1), listTotal(t, s, "show_tag=mindspore_2.2.0-cann_7.0"))
	assert.Equal(t, float64(2), listTotal(t, s, "service_type=common"), "enum values in any case")
}

func TestListingLimitBoundsAndSortKeys(t *testing.T) {
	s := NewServer()
	defer s.Close()
	assert.Equal(t, float64(2), listTotal(t, s, "limit=1000"))
	for _, q := range []string{"limit=1001", "limit=0", "offset=-1", "sort_dir=UP", "type=OTHER", "workspace_id=ws2",
		"sort_key=" + strings.Repeat("a", 129), "sort_key=create_at%3Bdrop", "namespace=Team"} {
		status, m, _ := raw(t, s, "GET", v1(s)+"/images?"+q, "", nil)
		assert.Equal(t, 400, status, q)
		assert.Equal(t, "ModelArts.0104", m["error_code"], q)
	}
	status, m, _ := raw(t, s, "GET", v1(s)+"/images?sort_key=color", "", nil)
	assert.Equal(t, 400, status)
	assert.Equal(t, "ModelArts.6303", m["error_code"], "a field that does not support sorting")

	for i, n := range []string{"b", "a", "c"} {
		s.PutImage(modelarts.Image{Name: n, Namespace: "team", Type: modelarts.ImageTypeDedicated, WorkspaceID: "0",
			CreatedAt: modelarts.TimestampOf(s.now()), UpdatedAt: modelarts.TimestampOf(s.now().Add(-time.Duration(i) * time.Second))})
	}
	names := func(q string) []string {
		_, m, _ := raw(t, s, "GET", v1(s)+"/images?type=DEDICATED&"+q, "", nil)
		var out []string
		for _, d := range m["data"].([]any) {
			out = append(out, d.(map[string]any)["name"].(string))
		}
		return out
	}
	assert.Equal(t, []string{"a", "b", "c"}, names("sort_key=name&sort_dir=ASC"))
	assert.Equal(t, []string{"c", "a", "b"}, names("sort_key=update_at,name&sort_dir=ASC"), "several keys, comma-separated")
}

func TestRegisterKeepsEveryAcceptedField(t *testing.T) {
	s := NewServer()
	defer s.Close()
	body := `{"swr_path":"swr.fake.local/team/env:v1","arch":"aarch64","flavor_type":"ASCEND_SNT9B","tags":["owner=ml","cost"],
		"swr_instance_id":"ee0123","read_me":"how to use","visibility":"PUBLIC","service_type":"TRAIN","resource_category":["ASCEND"],
		"services":["SSH"],"workspace_id":"` + otherWorkspace + `","description":"d","origin":"IMAGE_SAVE"}`
	status, m, _ := raw(t, s, "POST", v1(s)+"/images", body, nil)
	require.Equal(t, 200, status, "%v", m)
	assert.Equal(t, "aarch64", m["arch"])
	assert.Equal(t, "ASCEND_SNT9B", m["flavor_type"])
	assert.Equal(t, "ee0123", m["swr_instance_id"])
	assert.Equal(t, []any{map[string]any{"key": "owner", "value": "ml"}, map[string]any{"key": "cost", "value": ""}}, m["tags"])
	assert.Equal(t, "PUBLIC", m["visibility"])
	assert.Equal(t, "TRAIN", m["service_type"])
	assert.Equal(t, "IMAGE_SAVE", m["origin"])
	assert.Equal(t, []any{"ASCEND"}, m["resource_categories"])
	assert.Equal(t, []any{"ASCEND"}, m["support_res_categories"])
	assert.Equal(t, []any{"SSH"}, m["dev_services"])
	assert.Equal(t, otherWorkspace, m["workspace_id"])
	assert.Equal(t, "env", m["name"])
	assert.Equal(t, "team", m["namespace"])
	assert.Equal(t, "v1", m["tag"])

	_, g, _ := raw(t, s, "GET", v1(s)+"/images/group?workspace_id="+otherWorkspace, "", nil)
	group := g["data"].([]any)[0].(map[string]any)
	assert.Equal(t, "how to use", group["read_me"], "read_me belongs to the image's group")

	status, m, _ = raw(t, s, "POST", v1(s)+"/images", `{"swr_path":"swr.fake.local/team/env:v2","tags":[{"key":"k","value":"v"}]}`, nil)
	require.Equal(t, 200, status, "tags as key/value objects too: %v", m)
	assert.Equal(t, []any{map[string]any{"key": "k", "value": "v"}}, m["tags"])
}

func TestRegisterValidatesByTheAPIPage(t *testing.T) {
	s := NewServer()
	defer s.Close()
	long := "swr.fake.local/team/" + strings.Repeat("a", 2048-len("swr.fake.local/team/"))
	require.Len(t, long, 2048)
	status, m, _ := raw(t, s, "POST", v1(s)+"/images", `{"swr_path":"`+long+`"}`, nil)
	assert.Equal(t, 200, status, "2048 characters are allowed: %v", m)
	tags := make([]string, 21)
	for i := range tags {
		tags[i] = fmt.Sprintf(`"k%d=v"`, i)
	}
	for _, body := range []string{
		`{"swr_path":"` + long + `a"}`, `{"swr_path":"s.io/a/b:c"}`, `{"swr_path":"swr.fake.local/teamenv"}`,
		`{"swr_path":"swr.fake.local/team/x:1","flavor_type":"TPU"}`,
		`{"swr_path":"swr.fake.local/team/x:1","tags":[` + strings.Join(tags, ",") + `]}`,
		`{"swr_path":"swr.fake.local/team/x:1","tags":["` + strings.Repeat("k", 129) + `=v"]}`,
		`{"swr_path":"swr.fake.local/team/x:1","read_me":"` + strings.Repeat("r", 3001) + `"}`,
		`{"swr_path":"swr.fake.local/team/x:1","workspace_id":"ws2"}`,
		`{"swr_path":"swr.fake.local/team/x:1","swr_instance_id":"UPPER"}`,
		`{"swr_path":"swr.fake.local/team/x:1","services":["FTP"]}`,
		`{"swr_path":"swr.fake.local/team/x:1","resource_category":["TPU"]}`,
	} {
		status, m, _ := raw(t, s, "POST", v1(s)+"/images", body, nil)
		assert.Equal(t, 400, status, body[:min(len(body), 120)])
		assert.Equal(t, "ModelArts.0104", m["error_code"])
	}
}

func TestSaveEchoesSWREnterpriseFields(t *testing.T) {
	s := NewServer()
	defer s.Close()
	s.AddNotebook("nb", modelarts.NotebookStatusRunning)
	status, m, _ := raw(t, s, "POST", v1(s)+"/notebooks/nb/create-image",
		`{"name":"env","namespace":"team","tag":"v1","swr_instance_id":"ee42","swr_instance_domain":"ee.swr.local:5000"}`, nil)
	require.Equal(t, 200, status, "%v", m)
	assert.Equal(t, "ee42", m["swr_instance_id"])
	assert.Equal(t, "ee.swr.local:5000/team/env:v1", m["swr_path"])
	assert.Equal(t, "INIT", m["status"])
}

func TestSyncRepairsAnImageInError(t *testing.T) {
	s := NewServer()
	defer s.Close()
	id := s.PutImage(modelarts.Image{Name: "env", Namespace: "team", Type: modelarts.ImageTypeDedicated, WorkspaceID: "0",
		Status: modelarts.ImageStatusError, StatusMessage: "lost track"})
	status, m, _ := raw(t, s, "POST", v1(s)+"/images/"+id+"/sync", "", nil)
	require.Equal(t, 200, status)
	assert.Equal(t, "ACTIVE", m["status"])
	assert.Equal(t, "", m["status_message"])
	assert.Equal(t, modelarts.ImageStatusActive, s.Images()[2].Status, "the repair is kept")
	status, m, _ = raw(t, s, "POST", v1(s)+"/images/nope/sync", "", nil)
	assert.Equal(t, 400, status)
	assert.Equal(t, "ModelArts.6404", m["error_code"])
	assert.Equal(t, 2, s.RequestCount(RouteSyncImage))
}

func TestDeleteTakesForceInTheQueryOrTheBody(t *testing.T) {
	s := NewServer()
	defer s.Close()
	put := func(name string) string {
		return s.PutImage(modelarts.Image{Name: name, Namespace: "team", Type: modelarts.ImageTypeDedicated, WorkspaceID: "0",
			Visibility: modelarts.VisibilityPrivate, SWRPath: "swr.fake.local/team/" + name + ":1"})
	}
	plain, byQuery, byBody := put("plain"), put("query"), put("body")
	status, m, _ := raw(t, s, "DELETE", v1(s)+"/images/"+plain, "", nil)
	require.Equal(t, 200, status)
	assert.Equal(t, "DELETED", m["status"])
	assert.Empty(t, s.DeletedSWRPaths(), "without force the SWR content stays")
	status, _, _ = raw(t, s, "DELETE", v1(s)+"/images/"+byQuery+"?force=true", "", nil)
	require.Equal(t, 200, status)
	status, _, _ = raw(t, s, "DELETE", v1(s)+"/images/"+byBody, `{"is_force": true}`, nil)
	require.Equal(t, 200, status)
	assert.Equal(t, []string{"swr.fake.local/team/query:1", "swr.fake.local/team/body:1"}, s.DeletedSWRPaths())
	assert.Len(t, s.Images(), 2, "only the built-ins are left")

	for _, c := range []struct{ query, body string }{{"?force=yes", ""}, {"", `{"is_force": "x"}`}, {"", "{"}} {
		status, m, _ := raw(t, s, "DELETE", v1(s)+"/images/"+put("x")+c.query, c.body, nil)
		assert.Equal(t, 400, status, c)
		assert.Equal(t, "ModelArts.0104", m["error_code"])
	}
}

func TestImagesWithoutTimesAnswerZero(t *testing.T) {
	s := NewServer()
	defer s.Close()
	id := s.PutImage(modelarts.Image{Name: "bare", Namespace: "team", Type: modelarts.ImageTypeDedicated, WorkspaceID: "0"})
	_, m, _ := raw(t, s, "GET", v1(s)+"/images/"+id, "", nil)
	assert.Equal(t, float64(0), m["create_at"], "not the epoch of Go's zero time")
	assert.Equal(t, float64(0), m["update_at"])
	data, _ := groups(t, s, "name=bare")
	require.Len(t, data, 1)
	assert.Equal(t, float64(0), data[0]["create_at"])
}

func TestForceLeavesPublicImagesInSWR(t *testing.T) {
	s := NewServer()
	defer s.Close()
	id := s.PutImage(modelarts.Image{Name: "shared", Namespace: "team", Type: modelarts.ImageTypeDedicated, WorkspaceID: "0",
		Visibility: modelarts.VisibilityPublic, SWRPath: "swr.fake.local/team/shared:1"})
	status, _, _ := raw(t, s, "DELETE", v1(s)+"/images/"+id+"?force=true", "", nil)
	require.Equal(t, 200, status)
	assert.Empty(t, s.DeletedSWRPaths(), "force is only effective for private images")
}
