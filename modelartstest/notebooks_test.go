package modelartstest

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelarts-go/modelarts"
)

func notebookStatus(t *testing.T, s *Server, id string) string {
	t.Helper()
	status, m, _ := raw(t, s, "GET", v1(s)+"/notebooks/"+id, "", nil)
	require.Equal(t, 200, status, "%v", m)
	return m["status"].(string)
}

func TestNotebookStatusIsNormalisedLikeTheClient(t *testing.T) {
	s := NewServer()
	defer s.Close()
	s.AddNotebook("nb", "running")
	st, ok := s.NotebookStatus("nb")
	assert.True(t, ok)
	assert.Equal(t, modelarts.NotebookStatusRunning, st)
	status, m, _ := raw(t, s, "POST", v1(s)+"/notebooks/nb/create-image", `{"name":"env","namespace":"team"}`, nil)
	assert.Equal(t, 200, status, "a notebook added as \"running\" can be saved: %v", m)

	assert.True(t, s.SetNotebookStatus("nb", "stopped"))
	st, _ = s.NotebookStatus("nb")
	assert.Equal(t, modelarts.NotebookStatusStopped, st)
	assert.True(t, s.SetNotebookStatus("nb", modelarts.NotebookStatus("HIBERNATING")))
	st, _ = s.NotebookStatus("nb")
	assert.Equal(t, modelarts.NotebookStatus("HIBERNATING"), st, "an unknown status is kept")
	_, ok = s.NotebookStatus("missing")
	assert.False(t, ok)
}

func TestNotebookShowsSnapshottingWhileItsImageIsSaved(t *testing.T) {
	for _, fail := range []bool{false, true} {
		t.Run(fmt.Sprint("fail=", fail), func(t *testing.T) {
			s := NewServer()
			defer s.Close()
			s.AddNotebook("nb", modelarts.NotebookStatusRunning)
			if fail {
				s.FailNextImage("out of disk")
			}
			status, m, _ := raw(t, s, "POST", v1(s)+"/notebooks/nb/create-image", `{"name":"env","namespace":"team","tag":"v1"}`, nil)
			require.Equal(t, 200, status)
			id := m["id"].(string)
			assert.Equal(t, "SNAPSHOTTING", notebookStatus(t, s, "nb"))
			status, m, _ = raw(t, s, "POST", v1(s)+"/notebooks/nb/create-image", `{"name":"env","namespace":"team","tag":"v2"}`, nil)
			assert.Equal(t, 400, status)
			assert.Equal(t, "ModelArts.6357", m["error_code"], "one save at a time")

			// Reading the notebook is a poll of its save too (the first
			// read above moved the image to CREATING).
			_, m, _ = raw(t, s, "GET", v1(s)+"/images/"+id, "", nil)
			want := map[bool]string{false: "ACTIVE", true: "CREATE_FAILED"}[fail]
			assert.Equal(t, want, m["status"])
			assert.Equal(t, "RUNNING", notebookStatus(t, s, "nb"), "back to RUNNING when the image is done")
		})
	}
}

func TestNotebookAnswersInTheDocumentedShape(t *testing.T) {
	s := NewServer()
	defer s.Close()
	s.AddNotebook("nb", modelarts.NotebookStatusRunning, WithNotebookTags(modelarts.Tag{Key: "team", Value: "ml"}))
	status, m, _ := raw(t, s, "GET", v1(s)+"/notebooks/nb", "", nil)
	require.Equal(t, 200, status)
	for _, k := range []string{"action_progress", "description", "endpoints", "fail_reason", "flavor", "id", "image", "lease",
		"name", "status", "url", "volume", "workspace_id", "feature", "billing_items", "user", "ip", "user_id", "tags"} {
		assert.Contains(t, m, k)
	}
	img := m["image"].(map[string]any)
	assert.Equal(t, builtinPyTorchID, img["id"])
	assert.Contains(t, img, "swr_path", "the full image object")
	assert.Len(t, m["action_progress"], 4)
	assert.Len(t, m["endpoints"], 2, "one per dev service of the image")
	assert.Equal(t, []any{map[string]any{"key": "team", "value": "ml"}}, m["tags"])
	lease := m["lease"].(map[string]any)
	assert.Equal(t, float64(3600000), lease["duration"])
	assert.Equal(t, "timing", lease["type"])
}

func TestStartAndStopMoveOneStepPerRead(t *testing.T) {
	s := NewServer(WithPollsPerStep(2))
	defer s.Close()
	s.AddNotebook("nb", modelarts.NotebookStatusStopped)
	status, m, _ := raw(t, s, "POST", v1(s)+"/notebooks/nb/start?duration=7200000&type=IDLE", "", nil)
	require.Equal(t, 200, status, "%v", m)
	assert.Equal(t, "STARTING", m["status"])
	lease := m["lease"].(map[string]any)
	assert.Equal(t, float64(7200000), lease["duration"])
	assert.Equal(t, "idle", lease["type"])

	status, m, _ = raw(t, s, "POST", v1(s)+"/notebooks/nb/start", "", nil)
	assert.Equal(t, 400, status)
	assert.Equal(t, "ModelArts.6306", m["error_code"], "starting")
	assert.Equal(t, []string{"STARTING", "RUNNING", "RUNNING"},
		[]string{notebookStatus(t, s, "nb"), notebookStatus(t, s, "nb"), notebookStatus(t, s, "nb")})
	status, m, _ = raw(t, s, "POST", v1(s)+"/notebooks/nb/start", "", nil)
	assert.Equal(t, 400, status)
	assert.Equal(t, "ModelArts.6305", m["error_code"], "already running")

	status, m, _ = raw(t, s, "POST", v1(s)+"/notebooks/nb/stop", "", nil)
	require.Equal(t, 200, status)
	assert.Equal(t, "STOPPING", m["status"])
	assert.Equal(t, []string{"STOPPING", "STOPPED"}, []string{notebookStatus(t, s, "nb"), notebookStatus(t, s, "nb")})
	status, m, _ = raw(t, s, "POST", v1(s)+"/notebooks/nb/stop", "", nil)
	assert.Equal(t, 400, status)
	assert.Equal(t, "ModelArts.6357", m["error_code"], "already stopped")
	assert.Equal(t, 2, s.RequestCount(RouteStopNotebook))
	assert.Equal(t, 3, s.RequestCount(RouteStartNotebook))
}

func TestStartValidatesItsQueryAndCanFail(t *testing.T) {
	s := NewServer()
	defer s.Close()
	s.AddNotebook("nb", modelarts.NotebookStatusStopped)
	for _, q := range []string{"duration=3599999", "duration=259200001", "duration=1h", "type=weekly"} {
		status, m, _ := raw(t, s, "POST", v1(s)+"/notebooks/nb/start?"+q, "", nil)
		assert.Equal(t, 400, status, q)
		assert.Equal(t, "ModelArts.0104", m["error_code"], q)
	}
	status, _, _ := raw(t, s, "POST", v1(s)+"/notebooks/nb/start?duration=259200000", "", nil)
	require.Equal(t, 200, status, "72 h is the documented maximum")
	s.SetNotebookStatus("nb", modelarts.NotebookStatusStopped)

	s.FailNextNotebookStart("no resources")
	status, _, _ = raw(t, s, "POST", v1(s)+"/notebooks/nb/start", "", nil)
	require.Equal(t, 200, status)
	_, m, _ := raw(t, s, "GET", v1(s)+"/notebooks/nb", "", nil)
	assert.Equal(t, "START_FAILED", m["status"])
	assert.Equal(t, "no resources", m["fail_reason"])
	status, _, _ = raw(t, s, "POST", v1(s)+"/notebooks/nb/start", "", nil)
	require.Equal(t, 200, status, "a failed start can be tried again")
	assert.Equal(t, "RUNNING", notebookStatus(t, s, "nb"))

	status, m, _ = raw(t, s, "POST", v1(s)+"/notebooks/missing/start", "", nil)
	assert.Equal(t, 400, status)
	assert.Equal(t, "ModelArts.6309", m["error_code"])
}

func listNotebookNames(t *testing.T, s *Server, query string) []string {
	t.Helper()
	status, m, _ := raw(t, s, "GET", v1(s)+"/notebooks?"+query, "", nil)
	require.Equal(t, 200, status, "%s: %v", query, m)
	var out []string
	for _, d := range m["data"].([]any) {
		out = append(out, d.(map[string]any)["name"].(string))
	}
	return out
}

func TestListNotebooksFiltersAndPages(t *testing.T) {
	s := NewServer()
	defer s.Close()
	other := s.PutImage(modelarts.Image{Name: "custom", Namespace: "team", Type: modelarts.ImageTypeDedicated, WorkspaceID: "0"})
	s.AddNotebook("a", modelarts.NotebookStatusRunning, WithNotebookName("train-a"), WithNotebookTags(modelarts.Tag{Key: "team", Value: "ml"}))
	s.AddNotebook("b", modelarts.NotebookStatusStopped, WithNotebookName("train-b"), WithNotebookImage(other), WithNotebookFlavor("modelarts.vm.cpu.8u"))
	s.AddNotebook("c", modelarts.NotebookStatusRunning, WithNotebookName("codelab"), WithNotebookFeature("DEFAULT"))
	s.AddNotebook("d", modelarts.NotebookStatusRunning, WithNotebookName("elsewhere"), WithNotebookWorkspace(otherWorkspace))

	assert.Equal(t, []string{"train-a", "train-b"}, listNotebookNames(t, s, "sort_key=name&sort_dir=ASC"), "feature NOTEBOOK, workspace 0 by default")
	assert.Equal(t, []string{"train-a", "train-b"}, listNotebookNames(t, s, "name=train&sort_key=name&sort_dir=ASC"), "name is fuzzy")
	assert.Equal(t, []string{"train-a"}, listNotebookNames(t, s, "status=running"))
	assert.Equal(t, []string{"train-b"}, listNotebookNames(t, s, "image_id="+other))
	assert.Equal(t, []string{"train-b"}, listNotebookNames(t, s, "flavor=modelarts.vm.cpu.8u"))
	assert.Equal(t, []string{"train-a"}, listNotebookNames(t, s, "id=a"))
	assert.Equal(t, []string{"train-a"}, listNotebookNames(t, s, "tags=team=ml"))
	assert.Empty(t, listNotebookNames(t, s, "tags=team=ops"))
	assert.Equal(t, []string{"codelab"}, listNotebookNames(t, s, "feature=DEFAULT"))
	assert.Equal(t, []string{"elsewhere"}, listNotebookNames(t, s, "workspace_id="+otherWorkspace))
	assert.Empty(t, listNotebookNames(t, s, "pool_id=pool-1"), "the fake's notebooks are in no pool")
	assert.Len(t, listNotebookNames(t, s, "owner="+fakeUserID+"&billing=ALL"), 2)

	for i := 0; i < 25; i++ {
		s.AddNotebook(fmt.Sprintf("n%02d", i), modelarts.NotebookStatusStopped, WithNotebookName(fmt.Sprintf("n%02d", i)))
	}
	assert.Len(t, listNotebookNames(t, s, ""), 10, "limit defaults to 10")
	assert.Len(t, listNotebookNames(t, s, "limit=20"), 20)
	assert.Len(t, listNotebookNames(t, s, "limit=50"), 27)
	assert.Equal(t, []string{"train-b"}, listNotebookNames(t, s, "limit=10&offset=26&sort_key=name&sort_dir=ASC"))
	status, m, _ := raw(t, s, "GET", v1(s)+"/notebooks?limit=50", "", nil)
	require.Equal(t, 200, status)
	assert.Equal(t, float64(27), m["total"])

	for _, q := range []string{"limit=30", "limit=0", "offset=-1", "feature=FREE", "status=NAPPING", "name=a%20b",
		"pool_id=P1", "owner=me", "billing=SOME", "sort_dir=UP", "tags=,a", "tags=a,", "tags=a,,b", "tags=a%7C%7Cb", "workspace_id=x"} {
		status, m, _ := raw(t, s, "GET", v1(s)+"/notebooks?"+q, "", nil)
		assert.Equal(t, 400, status, q)
		assert.Equal(t, "ModelArts.0104", m["error_code"], q)
	}
	status, m, _ = raw(t, s, "GET", v1(s)+"/notebooks?sort_key=flavor", "", nil)
	assert.Equal(t, 400, status)
	assert.Equal(t, "ModelArts.6303", m["error_code"])
}
