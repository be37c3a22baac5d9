package modelartstest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func v2(s *Server) string { return "/v2/" + s.ProjectID() }

func TestTrainingJobSaveMovesAsPolledAndMakesTheImage(t *testing.T) {
	s := NewServer()
	defer s.Close()
	s.AddTrainingJob("job-1", "worker-0", "worker-1")
	path := v2(s) + "/training-jobs/job-1/tasks/worker-1/save-image-job"
	status, m, _ := raw(t, s, "POST", path, `{"name":"trained","namespace":"team","tag":"v1","description":"d"}`, nil)
	require.Equal(t, 200, status, "%v", m)
	assert.Equal(t, "INIT", m["status"])
	for _, k := range []string{"name", "namespace", "tag", "description", "status", "message", "create_time"} {
		assert.Contains(t, m, k)
	}
	imgs := s.Images()
	require.Len(t, imgs, 3, "the image is made at once")
	assert.Equal(t, "swr.fake.local/team/trained:v1", imgs[2].SWRPath)

	status, m, _ = raw(t, s, "POST", path, `{"name":"trained","namespace":"team","tag":"v2"}`, nil)
	assert.Equal(t, 400, status)
	assert.Equal(t, "ModelArts.6357", m["error_code"], "one save of a task at a time")

	var seen []string
	for i := 0; i < 3; i++ {
		_, m, _ = raw(t, s, "GET", path, "", nil)
		seen = append(seen, m["status"].(string))
	}
	assert.Equal(t, []string{"CREATING", "ACTIVE", "ACTIVE"}, seen)
	assert.Equal(t, "ACTIVE", string(s.Images()[2].Status))

	status, m, _ = raw(t, s, "POST", path, `{"name":"trained","namespace":"team","tag":"v1"}`, nil)
	assert.Equal(t, 400, status)
	assert.Equal(t, "ModelArts.6737", m["error_code"], "duplicate tag")
}

func TestTrainingJobSaveCanFailAndValidates(t *testing.T) {
	s := NewServer()
	defer s.Close()
	s.AddTrainingJob("job-1")
	path := v2(s) + "/training-jobs/job-1/tasks/worker-0/save-image-job"
	status, m, _ := raw(t, s, "GET", path, "", nil)
	assert.Equal(t, 400, status)
	assert.Equal(t, "ModelArts.6404", m["error_code"], "no save yet")
	s.FailNextImage("layer too large")
	status, m, _ = raw(t, s, "POST", path, `{}`, nil)
	require.Equal(t, 200, status, "every field is optional: %v", m)
	assert.Equal(t, "job-job-1", m["name"])
	assert.Equal(t, "training-jobs", m["namespace"])
	raw(t, s, "GET", path, "", nil)
	_, m, _ = raw(t, s, "GET", path, "", nil)
	assert.Equal(t, "CREATE_FAILED", m["status"])
	assert.Equal(t, "layer too large", m["message"])

	for _, body := range []string{`{"name":"Upper"}`, `{"namespace":"9ns"}`, `{"tag":"a b"}`, `{"tag":1}`} {
		status, m, _ := raw(t, s, "POST", path, body, nil)
		assert.Equal(t, 400, status, body)
		assert.Equal(t, "ModelArts.0104", m["error_code"], body)
	}
	for _, p := range []string{"/training-jobs/nope/tasks/worker-0/save-image-job", "/training-jobs/job-1/tasks/worker-9/save-image-job"} {
		status, m, _ := raw(t, s, "POST", v2(s)+p, `{}`, nil)
		assert.Equal(t, 400, status, p)
		assert.Equal(t, "ModelArts.6404", m["error_code"], p)
	}
	assert.Equal(t, 7, s.RequestCount(RouteCreateSaveImageJob))
	assert.Equal(t, 3, s.RequestCount(RouteGetSaveImageJob))
}

func TestTrainingJobSaveKeepsItsOutcomeAfterTheImageIsDeleted(t *testing.T) {
	s := NewServer()
	defer s.Close()
	s.AddTrainingJob("job-1")
	path := v2(s) + "/training-jobs/job-1/tasks/worker-0/save-image-job"
	status, _, _ := raw(t, s, "POST", path, `{"name":"trained","namespace":"team","tag":"v1"}`, nil)
	require.Equal(t, 200, status)
	raw(t, s, "GET", path, "", nil)
	_, m, _ := raw(t, s, "GET", path, "", nil)
	require.Equal(t, "ACTIVE", m["status"])
	status, _, _ = raw(t, s, "DELETE", v1(s)+"/images/"+s.Images()[2].ID, "", nil)
	require.Equal(t, 200, status)
	_, m, _ = raw(t, s, "GET", path, "", nil)
	assert.Equal(t, "ACTIVE", m["status"], "a save job's status is one of INIT, CREATING, CREATE_FAILED, ACTIVE")
}
