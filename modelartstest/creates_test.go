package modelartstest

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelarts-go/modelarts"
)

// rawBody sends a request and returns the status and the body as bytes.
func rawBody(t *testing.T, s *Server, method, path, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, s.URL()+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("X-Auth-Token", s.Token())
	resp, err := s.HTTPClient().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, b
}

func TestCreatesCanBeAnsweredCreatedWithNoBody(t *testing.T) {
	s := NewServer()
	defer s.Close()
	s.AddNotebook("nb", modelarts.NotebookStatusRunning)
	s.AddTrainingJob("job")
	s.AnswerCreatesWithEmptyBody(true)
	for _, c := range []struct{ path, body string }{
		{v1(s) + "/images", `{"swr_path":"swr.fake.local/team/reg:v1"}`},
		{v1(s) + "/notebooks/nb/create-image", `{"name":"saved","namespace":"team","tag":"v1"}`},
		{v2(s) + "/training-jobs/job/tasks/worker-0/save-image-job", `{"name":"trained","namespace":"team","tag":"v1"}`},
	} {
		status, body := rawBody(t, s, "POST", c.path, c.body)
		assert.Equal(t, http.StatusCreated, status, c.path)
		assert.Empty(t, body, c.path)
	}
	imgs := s.Images()
	require.Len(t, imgs, 5, "each create still made its image")
	assert.Equal(t, []string{"reg", "saved", "trained"}, []string{imgs[2].Name, imgs[3].Name, imgs[4].Name})
	st, _ := s.NotebookStatus("nb")
	assert.Equal(t, modelarts.NotebookStatusSnapshotting, st)

	s.AnswerCreatesWithEmptyBody(false)
	status, body := rawBody(t, s, "POST", v1(s)+"/images", `{"swr_path":"swr.fake.local/team/reg:v2"}`)
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, string(body), `"swr_path":"swr.fake.local/team/reg:v2"`)

	s.AnswerCreatesWithEmptyBody(true)
	status, body = rawBody(t, s, "POST", v1(s)+"/images", `{"swr_path":"swr.fake.local/team/reg:v2"}`)
	assert.Equal(t, http.StatusBadRequest, status, "errors are answered as ever")
	assert.Contains(t, string(body), "ModelArts.6737")
}

// The client turns a 201 without a body into the image it made (issue 14),
// with exactly one image on the server.
func TestClientGetsTheImageAfterAnEmptyCreatedAnswer(t *testing.T) {
	s := NewServer()
	defer s.Close()
	s.AddNotebook("nb", modelarts.NotebookStatusRunning)
	s.AnswerCreatesWithEmptyBody(true)
	c := s.Client()
	ctx := context.Background()
	reg, err := c.RegisterImage(ctx, &modelarts.RegisterImageRequest{SWRPath: "swr.fake.local/team/reg:v1"})
	require.NoError(t, err)
	assert.Equal(t, "swr.fake.local/team/reg:v1", reg.SWRPath)
	saved, err := c.CreateImageFromNotebook(ctx, "nb", &modelarts.CreateImageRequest{Name: "saved", Namespace: "team"})
	require.NoError(t, err)
	assert.Equal(t, "saved", saved.Name)
	assert.Len(t, s.Images(), 4)
	assert.Equal(t, 1, s.RequestCount(RouteRegisterImage))
	assert.Equal(t, 1, s.RequestCount(RouteCreateImage))
}
