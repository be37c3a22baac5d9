package modelartstest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/modelarts-go/modelarts"
	"github.com/modelarts-go/modelarts/auth"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// raw sends a request with the server's token and decodes the JSON answer.
func raw(t *testing.T, s *Server, method, path, body string, hdr map[string]string) (int, map[string]any, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, s.URL()+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("X-Auth-Token", s.Token())
	for k, v := range hdr {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := s.HTTPClient().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return resp.StatusCode, m, resp.Header
}

func TestAnswersInTheDocumentedShape(t *testing.T) {
	s := NewServer()
	defer s.Close()
	status, m, h := raw(t, s, "GET", "/v1/"+s.ProjectID()+"/images/"+builtinPyTorchID, "", nil)
	require.Equal(t, 200, status)
	assert.NotEmpty(t, h.Get("X-Request-Id"))
	assert.Equal(t, "x86_64", m["arch"], "lowercase, as the documented examples")
	assert.Equal(t, float64(1638234504492), m["create_at"])
	for _, k := range []string{"id", "name", "namespace", "tag", "swr_path", "status", "type", "service_type", "dev_services", "resource_categories", "workspace_id", "update_at"} {
		assert.Contains(t, m, k)
	}

	status, m, _ = raw(t, s, "GET", "/v1/"+s.ProjectID()+"/images", "", nil)
	require.Equal(t, 200, status)
	for _, k := range []string{"current", "data", "pages", "size", "total"} {
		assert.Contains(t, m, k)
	}
	assert.Equal(t, float64(2), m["total"], "BUILD_IN by default")
}

func TestRejectsUnauthenticatedRequests(t *testing.T) {
	s := NewServer(WithAKSK("AK", "SK-secret"))
	defer s.Close()
	path := "/v1/" + s.ProjectID() + "/images"
	status, m, _ := raw(t, s, "GET", path, "", map[string]string{"X-Auth-Token": ""})
	assert.Equal(t, 401, status)
	assert.Equal(t, "ModelArts.0201", m["error_code"])
	status, m, _ = raw(t, s, "GET", path, "", map[string]string{"X-Auth-Token": "forged"})
	assert.Equal(t, 401, status)
	assert.Equal(t, "ModelArts.0203", m["error_code"])
	status, _, _ = raw(t, s, "GET", path, "", map[string]string{"X-Auth-Token": "", "Authorization": "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;x-sdk-date, Signature=00", "X-Sdk-Date": "20260101T000000Z"})
	assert.Equal(t, 401, status)
	status, m, _ = raw(t, s, "GET", "/v1/other-project/images", "", nil)
	assert.Equal(t, 403, status)
	assert.Equal(t, "ModelArts.0108", m["error_code"])
	status, _, _ = raw(t, s, "GET", "/v2/nothing", "", nil)
	assert.Equal(t, 404, status)
}

func TestValidatesBodiesLikeTheService(t *testing.T) {
	s := NewServer()
	defer s.Close()
	s.AddNotebook("nb", "RUNNING")
	p := "/v1/" + s.ProjectID()
	cases := []struct{ method, path, body, code string }{
		{"POST", p + "/images", `{}`, "ModelArts.0104"},
		{"POST", p + "/images", `not json`, "ModelArts.0104"},
		{"POST", p + "/images", `{"swr_path":"swr.x/o/n:t","arch":"SPARC"}`, "ModelArts.0104"},
		{"POST", p + "/notebooks/nb/create-image", `{"name":"Bad","namespace":"ns"}`, "ModelArts.0104"},
		{"POST", p + "/notebooks/nb/create-image", `{"name":"ok"}`, "ModelArts.0104"},
		{"POST", p + "/notebooks/missing/create-image", `{"name":"ok","namespace":"ns"}`, "ModelArts.6309"},
		{"GET", p + "/images/nope", ``, "ModelArts.6404"},
		{"DELETE", p + "/images/nope", ``, "ModelArts.6404"},
		{"GET", p + "/notebooks/nope", ``, "ModelArts.6309"},
		{"GET", p + "/images?limit=0", ``, "ModelArts.0104"},
	}
	for _, c := range cases {
		status, m, _ := raw(t, s, c.method, c.path, c.body, nil)
		assert.Equal(t, 400, status, "%s %s %s", c.method, c.path, c.body)
		assert.Equal(t, c.code, m["error_code"], "%s %s %s", c.method, c.path, c.body)
		assert.NotEmpty(t, m["error_msg"])
	}
	status, m, _ := raw(t, s, "DELETE", p+"/images/"+builtinPyTorchID, "", nil)
	assert.Equal(t, 403, status, "built-in images cannot be deleted")
	assert.Equal(t, "ModelArts.6407", m["error_code"])
}

func TestSavedImageLifecycleAndDuplicateTag(t *testing.T) {
	s := NewServer(WithPollsPerStep(2))
	defer s.Close()
	s.AddNotebook("nb", "RUNNING")
	c := s.Client()
	ctx := context.Background()
	img, err := c.CreateImageFromNotebook(ctx, "nb", &modelarts.CreateImageRequest{Name: "env", Namespace: "team", Tag: "v1"})
	require.NoError(t, err)
	var seen []modelarts.ImageStatus
	for i := 0; i < 5; i++ {
		got, err := c.GetImage(ctx, img.ID)
		require.NoError(t, err)
		seen = append(seen, got.Status)
	}
	assert.Equal(t, []modelarts.ImageStatus{"INIT", "CREATING", "CREATING", "ACTIVE", "ACTIVE"}, seen, "one step every 2 reads")

	_, err = c.CreateImageFromNotebook(ctx, "nb", &modelarts.CreateImageRequest{Name: "env", Namespace: "team", Tag: "v1"})
	assert.ErrorIs(t, err, modelarts.ErrConflict, "ModelArts.6737 duplicate tag")

	s.FailNextImage("out of disk")
	img2, err := c.CreateImageFromNotebook(ctx, "nb", &modelarts.CreateImageRequest{Name: "env", Namespace: "team", Tag: "v2"})
	require.NoError(t, err)
	for i := 0; i < 4; i++ {
		_, _ = c.GetImage(ctx, img2.ID)
	}
	got, err := c.GetImage(ctx, img2.ID)
	require.NoError(t, err)
	assert.Equal(t, modelarts.ImageStatusCreateFailed, got.Status)
	assert.Equal(t, "out of disk", got.StatusMessage)
	nb, err := c.GetNotebook(ctx, "nb")
	require.NoError(t, err)
	assert.Equal(t, modelarts.NotebookStatusRunning, nb.Status, "the notebook runs again after the save")
	assert.True(t, s.SetNotebookStatus("nb", "STOPPED"))
	assert.False(t, s.SetNotebookStatus("other", "STOPPED"))
}

func TestListingFiltersSortsAndPages(t *testing.T) {
	s := NewServer()
	defer s.Close()
	for i := 0; i < 7; i++ {
		s.PutImage(modelarts.Image{Name: fmt.Sprintf("img-%d", i), Namespace: "team", Type: modelarts.ImageTypeDedicated,
			ServiceType: modelarts.ServiceTypeTrain, WorkspaceID: "0", Status: modelarts.ImageStatusActive})
	}
	s.PutImage(modelarts.Image{Name: "other", Namespace: "elsewhere", Type: modelarts.ImageTypeDedicated, WorkspaceID: otherWorkspace})
	c := s.Client()
	ctx := context.Background()
	page, err := c.ListImagesPage(ctx, &modelarts.ListImagesOptions{Type: modelarts.ImageTypeDedicated, Namespace: "team", Limit: 3, Offset: 6, SortKey: "name", SortDir: modelarts.SortAsc})
	require.NoError(t, err)
	assert.Equal(t, 7, page.Total)
	require.Len(t, page.Items, 1)
	assert.Equal(t, "img-6", page.Items[0].Name)

	page, err = c.ListImagesPage(ctx, &modelarts.ListImagesOptions{Type: modelarts.ImageTypeDedicated, Name: "img", NameFuzzyMatch: true})
	require.NoError(t, err)
	assert.Equal(t, 7, page.Total)
	page, err = c.ListImagesPage(ctx, &modelarts.ListImagesOptions{Type: modelarts.ImageTypeDedicated, Name: "img"})
	require.NoError(t, err)
	assert.Equal(t, 0, page.Total, "the client asks for an exact name (name_fuzzy_match=false)")
	page, err = c.ListImagesPage(ctx, &modelarts.ListImagesOptions{Type: modelarts.ImageTypeDedicated, WorkspaceID: otherWorkspace})
	require.NoError(t, err)
	assert.Equal(t, 1, page.Total)

	n := 0
	for _, err := range c.ListImages(ctx, &modelarts.ListImagesOptions{Type: modelarts.ImageTypeDedicated, Limit: 2}) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 7, n, "workspace \"0\" unless another is asked for")
}

func TestIAMIssuesTokensTheServiceAccepts(t *testing.T) {
	s := NewServer(WithIAMUser("dom", "bob", "pw"))
	defer s.Close()
	signer, err := auth.NewIAMTokenSigner(s.IAMCredentials(), auth.WithIAMHTTPClient(s.HTTPClient()))
	require.NoError(t, err)
	c, err := modelarts.NewClient(s.URL(), s.ProjectID(), signer, modelarts.WithHTTPClient(s.HTTPClient()))
	require.NoError(t, err)
	_, err = c.GetImage(context.Background(), builtinPyTorchID)
	require.NoError(t, err)
	assert.Equal(t, 1, s.RequestCount(RouteIAMToken))
	assert.Equal(t, "pw", s.IAMCredentials().Password.Reveal())
}

func TestFaultsApplyInOrderAndRunOut(t *testing.T) {
	s := NewServer()
	defer s.Close()
	s.InjectFaultTimes(RouteGetImage, 2, ErrorAnswer{Status: 418, Code: "X.1", Message: "teapot"})
	s.InjectFault(RouteGetImage, ErrorAnswer{Status: 503, RetryAfter: "9"})
	p := "/v1/" + s.ProjectID() + "/images/" + builtinPyTorchID
	for i := 0; i < 2; i++ {
		status, m, _ := raw(t, s, "GET", p, "", nil)
		assert.Equal(t, 418, status)
		assert.Equal(t, "X.1", m["error_code"])
	}
	status, _, h := raw(t, s, "GET", p, "", nil)
	assert.Equal(t, 503, status)
	assert.Equal(t, "9", h.Get("Retry-After"))
	status, _, _ = raw(t, s, "GET", p, "", nil)
	assert.Equal(t, 200, status)
	assert.Equal(t, 4, s.RequestCount(RouteGetImage))
}

func TestConcurrentUse(t *testing.T) {
	s := NewServer()
	defer s.Close()
	s.AddNotebook("nb", "RUNNING")
	c := s.Client()
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, err := c.RegisterImage(context.Background(), &modelarts.RegisterImageRequest{SWRPath: fmt.Sprintf("swr.fake.local/team/img%d:1", i)})
			assert.NoError(t, err)
			_, err = c.ListImagesPage(context.Background(), &modelarts.ListImagesOptions{Type: modelarts.ImageTypeDedicated})
			assert.NoError(t, err)
		}(i)
	}
	wg.Wait()
	assert.Len(t, s.Images(), 52)
}

// otherWorkspace is a workspace ID of the documented form.
const otherWorkspace = "0123456789abcdefghijklmnopqrstuv"

func TestPutImageFillsTheDefaultWorkspaceSoTheImageIsListedAndGrouped(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	id := srv.PutImage(modelarts.Image{Name: "env", Namespace: "team", Tag: "v1", Type: modelarts.ImageTypeDedicated})
	c := srv.Client()
	img, err := c.GetImage(context.Background(), id)
	require.NoError(t, err)
	assert.Equal(t, "0", img.WorkspaceID)
	var groups []string
	for g, err := range c.ListImageGroups(context.Background(), &modelarts.ListImageGroupsOptions{Namespace: "team"}) {
		require.NoError(t, err)
		groups = append(groups, g.Name)
	}
	assert.Equal(t, []string{"env"}, groups)
}
