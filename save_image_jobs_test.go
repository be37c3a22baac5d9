package modelarts

import (
	"context"
	"io"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelarts-go/modelarts/auth"
)

const saveJobPath = "/v2/" + testProject + "/training-jobs/job-1/tasks/worker-0/save-image-job"

func TestCreateSaveImageJob(t *testing.T) {
	rec := newRecorder(t)
	rec.onPath("POST", saveJobPath, ok(string(fixture(t, "save_image_job_response.json"))))
	c, _ := rec.client(t)
	job, err := c.CreateSaveImageJob(context.Background(), "job-1", "worker-0", &SaveImageJobRequest{
		Name: "trained-env", Namespace: "deep-learning-demo", Tag: "v1", Description: "environment of worker-0"})
	require.NoError(t, err)
	reqs := rec.requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "POST", reqs[0].Method)
	assert.Equal(t, saveJobPath, reqs[0].Path)
	assert.Empty(t, reqs[0].Query)
	assert.Equal(t, "application/json;charset=UTF-8", reqs[0].ContentType)
	assert.JSONEq(t, `{"name":"trained-env","namespace":"deep-learning-demo","tag":"v1","description":"environment of worker-0"}`, reqs[0].Body)
	assert.Equal(t, &SaveImageJob{Name: "trained-env", Namespace: "deep-learning-demo", Tag: "v1", Description: "environment of worker-0",
		Status: ImageStatusCreating, Message: "pushing layers 3/7", CreatedAt: Timestamp{time.UnixMilli(1650000000000).UTC()}}, job)
}

func TestCreateSaveImageJobEmptyRequestSendsEmptyObject(t *testing.T) {
	rec := newRecorder(t)
	rec.onPath("POST", saveJobPath, ok(`{"status":"INIT"}`))
	c, _ := rec.client(t)
	_, err := c.CreateSaveImageJob(context.Background(), "job-1", "worker-0", &SaveImageJobRequest{})
	require.NoError(t, err)
	assert.JSONEq(t, `{}`, rec.requests()[0].Body)
}

func TestCreateSaveImageJobLostAnswerIsNotResent(t *testing.T) {
	rec := newRecorder(t)
	rec.onPath("POST", saveJobPath, reply{502, `bad gateway`})
	c, _ := rec.client(t)
	_, err := c.CreateSaveImageJob(context.Background(), "job-1", "worker-0", &SaveImageJobRequest{})
	var ae *APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, 502, ae.StatusCode)
	assert.Len(t, rec.requests(), 1)
}

func TestSaveImageJobValidatesBeforeSending(t *testing.T) {
	cases := map[string]struct {
		job, task string
		req       *SaveImageJobRequest
		field     string
	}{
		"nil":       {"job-1", "worker-0", nil, "request"},
		"job":       {"job/1", "worker-0", &SaveImageJobRequest{}, "training job id"},
		"task":      {"job-1", "", &SaveImageJobRequest{}, "task id"},
		"name":      {"job-1", "worker-0", &SaveImageJobRequest{Name: "Trained"}, "name"},
		"long name": {"job-1", "worker-0", &SaveImageJobRequest{Name: strings.Repeat("a", 513)}, "name"},
		"namespace": {"job-1", "worker-0", &SaveImageJobRequest{Namespace: "1org"}, "namespace"},
		"tag":       {"job-1", "worker-0", &SaveImageJobRequest{Tag: "v 1"}, "tag"},
		"long tag":  {"job-1", "worker-0", &SaveImageJobRequest{Tag: strings.Repeat("1", 65)}, "tag"},
		"desc":      {"job-1", "worker-0", &SaveImageJobRequest{Description: strings.Repeat("d", 513)}, "description"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			rec := newRecorder(t)
			c, _ := rec.client(t)
			_, err := c.CreateSaveImageJob(context.Background(), tc.job, tc.task, tc.req)
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tc.field, ve.Field)
			assert.Empty(t, rec.requests())
		})
	}
}

func TestGetSaveImageJobToleratesANumericTag(t *testing.T) {
	rec := newRecorder(t)
	rec.onPath("GET", saveJobPath, ok(`{"name":"env","tag":0.1,"status":"active","create_time":"1650000000000"}`))
	c, _ := rec.client(t)
	job, err := c.GetSaveImageJob(context.Background(), "job-1", "worker-0")
	require.NoError(t, err)
	assert.Equal(t, &SaveImageJob{Name: "env", Tag: "0.1", Status: ImageStatusActive, CreatedAt: Timestamp{time.UnixMilli(1650000000000).UTC()}}, job)
	assert.Equal(t, []recorded{{Method: "GET", Path: saveJobPath}}, rec.requests())
}

func TestSaveImageJobWithoutStatusIsADecodeError(t *testing.T) {
	rec := newRecorder(t)
	rec.onPath("GET", saveJobPath, ok(`{"name":"env"}`))
	c, _ := rec.client(t)
	_, err := c.GetSaveImageJob(context.Background(), "job-1", "worker-0")
	var de *DecodeError
	require.ErrorAs(t, err, &de)
}

func TestSaveImageJobPathKeepsTheEndpointPrefix(t *testing.T) {
	rec := newRecorder(t)
	rec.onPath("GET", "/gw"+saveJobPath, ok(`{"status":"INIT"}`))
	c, err := NewClient(rec.srv.URL+"/gw", testProject, auth.NewTokenSigner(testToken))
	require.NoError(t, err)
	_, err = c.GetSaveImageJob(context.Background(), "job-1", "worker-0")
	require.NoError(t, err)
	assert.Equal(t, "/gw"+saveJobPath, rec.requests()[0].Path)
}

func TestWaitForSaveImageJob(t *testing.T) {
	rec := newRecorder(t)
	rec.onPath("GET", saveJobPath, ok(`{"status":"INIT"}`), ok(`{"status":"CREATING","message":"layer 1"}`), ok(`{"status":"ACTIVE"}`))
	c, clk := rec.client(t)
	var seen []ImageStatus
	job, err := c.WaitForSaveImageJob(context.Background(), "job-1", "worker-0",
		WithSaveImageJobProgress(func(j *SaveImageJob) { seen = append(seen, j.Status) }))
	require.NoError(t, err)
	assert.Equal(t, ImageStatusActive, job.Status)
	assert.Equal(t, []ImageStatus{"INIT", "CREATING", "ACTIVE"}, seen)
	assert.Len(t, clk.rec.all(), 2)
}

func TestWaitForSaveImageJobFailure(t *testing.T) {
	rec := newRecorder(t)
	rec.onPath("GET", saveJobPath, ok(`{"status":"CREATING"}`), ok(`{"status":"CREATE_FAILED","message":"image too large"}`))
	c, _ := rec.client(t)
	job, err := c.WaitForSaveImageJob(context.Background(), "job-1", "worker-0")
	assert.ErrorIs(t, err, ErrImageFailed)
	var fe *SaveImageJobFailedError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, SaveImageJobFailedError{TrainingJobID: "job-1", TaskID: "worker-0", Status: ImageStatusCreateFailed, Message: "image too large"}, *fe)
	assert.Contains(t, err.Error(), "image too large")
	require.NotNil(t, job)
	assert.Equal(t, ImageStatusCreateFailed, job.Status)
}

func TestWaitForSaveImageJobDeadline(t *testing.T) {
	rec := newRecorder(t)
	rec.onPath("GET", saveJobPath, ok(`{"status":"CREATING"}`))
	c, clk := rec.client(t)
	ctx, cancel := context.WithDeadline(context.Background(), clk.now().Add(30*time.Second))
	defer cancel()
	_, err := c.WaitForSaveImageJob(ctx, "job-1", "worker-0")
	var we *WaitError
	require.ErrorAs(t, err, &we)
	assert.Equal(t, "save-image job", we.Resource)
	assert.Equal(t, "job-1/worker-0", we.ID)
	assert.Equal(t, "CREATING", we.Status)
	assert.ErrorIs(t, err, context.DeadlineExceeded)

	_, err = c.WaitForSaveImageJob(context.Background(), "job-1", "worker/0")
	assert.ErrorIs(t, err, ErrInvalidRequest)
}

func TestCreateSaveImageJobWhoseAnswerIsLostSaysTheJobMayHaveStartedAndIsNotSentAgain(t *testing.T) {
	lost := map[string]httpmock.Responder{
		"502 from a gateway": jsonResponder(502, `<html>502 Bad Gateway</html>`),
		"503":                jsonResponder(503, `{"error_code":"ModelArts.0001","error_msg":"busy"}`),
		"504 APIGW.0202":     jsonResponder(504, `{"error_code":"APIGW.0202","error_msg":"Backend timeout"}`),
		"connection reset":   httpmock.NewErrorResponder(syscall.ECONNRESET),
		"unexpected EOF":     httpmock.NewErrorResponder(io.ErrUnexpectedEOF),
	}
	for name, responder := range lost {
		t.Run(name, func(t *testing.T) {
			c, mt, _ := newMockClient(t)
			mt.RegisterResponder("POST", testEndpoint+saveJobPath, responder)
			_, err := c.CreateSaveImageJob(context.Background(), "job-1", "worker-0", &SaveImageJobRequest{Tag: "v1"})
			require.ErrorIs(t, err, ErrCreateOutcomeUnknown)
			var oe *SaveImageJobOutcomeError
			require.ErrorAs(t, err, &oe)
			assert.Equal(t, "job-1", oe.TrainingJobID)
			assert.Equal(t, "worker-0", oe.TaskID)
			for _, want := range []string{"task worker-0 of training job job-1", "may have started", `GetSaveImageJob(ctx, "job-1", "worker-0")`} {
				assert.Contains(t, err.Error(), want)
			}
			assert.Equal(t, 1, mt.GetTotalCallCount(), "a save that may have started is never sent again")
		})
	}
}

func TestCreateSaveImageJobRefusedBeforeItStartedIsAPlainAPIError(t *testing.T) {
	c, mt, _ := newMockClient(t)
	mt.RegisterResponder("POST", testEndpoint+saveJobPath, jsonResponder(400, `{"error_code":"ModelArts.2763","error_msg":"task not running"}`))
	_, err := c.CreateSaveImageJob(context.Background(), "job-1", "worker-0", &SaveImageJobRequest{})
	var ae *APIError
	require.ErrorAs(t, err, &ae)
	assert.NotErrorIs(t, err, ErrCreateOutcomeUnknown, "a 400 says the save did not start")
	assert.NotContains(t, err.Error(), "may have started")
}
