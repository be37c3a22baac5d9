package modelarts

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var saveReq = &CreateImageRequest{Name: "my-env", Namespace: "deep-learning-demo", Tag: "v1"}

const createImageBody = `{"name":"my-env","namespace":"deep-learning-demo","tag":"v1"}`

func savedImage(status, msg string) reply {
	return ok(`{"id":"img-9","name":"my-env","namespace":"deep-learning-demo","tag":"v1","status":"` + status + `","status_message":"` + msg + `"}`)
}

// paths returns "METHOD path" of each request.
func paths(reqs []recorded) []string {
	out := make([]string, len(reqs))
	for i, r := range reqs {
		out[i] = r.Method + " " + r.Path[len(projectPath):]
	}
	return out
}

func TestSaveNotebookAsImageHappyPath(t *testing.T) {
	rec := newRecorder(t)
	rec.on("GET", "/notebooks/"+nbID, notebookReplies("RUNNING", "SNAPSHOTTING", "RUNNING")...)
	rec.on("POST", "/notebooks/"+nbID+"/create-image", savedImage("INIT", ""))
	rec.on("GET", "/images/img-9", savedImage("CREATING", "step 1"), savedImage("ACTIVE", ""))
	c, _ := rec.client(t)
	var images []ImageStatus
	var notebooks []NotebookStatus
	img, err := c.SaveNotebookAsImage(context.Background(), nbID, saveReq,
		WithProgress(func(i *Image) { images = append(images, i.Status) }),
		WithNotebookProgress(func(nb *Notebook) { notebooks = append(notebooks, nb.Status) }))
	require.NoError(t, err)
	assert.Equal(t, "img-9", img.ID)
	assert.Equal(t, ImageStatusActive, img.Status)
	assert.Equal(t, []ImageStatus{"CREATING", "ACTIVE"}, images)
	assert.Equal(t, []NotebookStatus{"SNAPSHOTTING", "RUNNING"}, notebooks, "the check before the save is not a wait poll")
	reqs := rec.requests()
	assert.Equal(t, []string{
		"GET /notebooks/" + nbID,
		"POST /notebooks/" + nbID + "/create-image",
		"GET /images/img-9", "GET /images/img-9",
		"GET /notebooks/" + nbID, "GET /notebooks/" + nbID,
	}, paths(reqs))
	assert.JSONEq(t, createImageBody, reqs[1].Body)
}

func TestSaveNotebookAsImageFailedBuildWaitsForTheNotebook(t *testing.T) {
	rec := newRecorder(t)
	rec.on("GET", "/notebooks/"+nbID, notebookReplies("RUNNING", "SNAPSHOTTING", "RUNNING")...)
	rec.on("POST", "/notebooks/"+nbID+"/create-image", savedImage("INIT", ""))
	rec.on("GET", "/images/img-9", savedImage("CREATE_FAILED", "no space left on device"))
	c, _ := rec.client(t)
	img, err := c.SaveNotebookAsImage(context.Background(), nbID, saveReq)
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrImageFailed)
	var fe *ImageFailedError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, ImageFailedError{ImageID: "img-9", Status: ImageStatusCreateFailed, StatusMessage: "no space left on device"}, *fe)
	require.NotNil(t, img)
	assert.Equal(t, ImageStatusCreateFailed, img.Status)
	assert.Equal(t, []string{
		"GET /notebooks/" + nbID,
		"POST /notebooks/" + nbID + "/create-image",
		"GET /images/img-9",
		"GET /notebooks/" + nbID, "GET /notebooks/" + nbID,
	}, paths(rec.requests()), "the notebook is back to RUNNING before the call returns")
}

func TestSaveNotebookAsImageRefusesANotebookThatIsNotRunning(t *testing.T) {
	for _, status := range []string{"STOPPED", "SNAPSHOTTING", "starting", "HIBERNATING"} {
		t.Run(status, func(t *testing.T) {
			rec := newRecorder(t)
			rec.on("GET", "/notebooks/"+nbID, notebookReplies(status)...)
			c, _ := rec.client(t)
			img, err := c.SaveNotebookAsImage(context.Background(), nbID, saveReq)
			assert.Nil(t, img)
			assert.ErrorIs(t, err, ErrNotebookNotRunning)
			var ne *NotebookNotRunningError
			require.ErrorAs(t, err, &ne)
			want := normalize(status, notebookStatusValues)
			assert.Equal(t, NotebookNotRunningError{NotebookID: nbID, Status: want}, *ne)
			assert.Contains(t, err.Error(), string(want))
			assert.Equal(t, []string{"GET /notebooks/" + nbID}, paths(rec.requests()), "no create is sent")
		})
	}
}

func TestSaveNotebookAsImageNotebookDoesNotComeBack(t *testing.T) {
	rec := newRecorder(t)
	rec.on("GET", "/notebooks/"+nbID, notebookReplies("RUNNING", "STOPPED")...)
	rec.on("POST", "/notebooks/"+nbID+"/create-image", savedImage("INIT", ""))
	rec.on("GET", "/images/img-9", savedImage("CREATE_FAILED", "boom"))
	c, _ := rec.client(t)
	img, err := c.SaveNotebookAsImage(context.Background(), nbID, saveReq)
	require.NotNil(t, img)
	assert.ErrorIs(t, err, ErrNotebookFailed, "STOPPED after a save is not coming back")
	assert.ErrorIs(t, err, ErrImageFailed, "the build's failure stays reachable")
	var nfe *NotebookFailedError
	require.ErrorAs(t, err, &nfe)
	assert.Equal(t, NotebookStatusStopped, nfe.Status)
}

func TestSaveNotebookAsImageDeadlineReturnsTheCreatedImage(t *testing.T) {
	rec := newRecorder(t)
	rec.on("GET", "/notebooks/"+nbID, notebookReplies("RUNNING")...)
	rec.on("POST", "/notebooks/"+nbID+"/create-image", savedImage("INIT", ""))
	rec.on("GET", "/images/img-9", reply{503, `{"error_msg":"down"}`})
	c, clk := rec.client(t, WithRetry(RetryPolicy{MaxAttempts: 1}))
	ctx, cancel := context.WithDeadline(context.Background(), clk.now().Add(time.Minute))
	defer cancel()
	img, err := c.SaveNotebookAsImage(ctx, nbID, saveReq)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	var we *WaitError
	require.ErrorAs(t, err, &we)
	assert.Equal(t, "img-9", we.ID)
	require.NotNil(t, img, "the image as created, when no poll succeeded")
	assert.Equal(t, ImageStatusInit, img.Status)
}

func TestSaveNotebookAsImageValidatesBeforeSending(t *testing.T) {
	rec := newRecorder(t)
	c, _ := rec.client(t)
	for _, req := range []*CreateImageRequest{nil, {}, {Name: "My Env", Namespace: "ns"}, {Name: "env"}} {
		_, err := c.SaveNotebookAsImage(context.Background(), nbID, req)
		assert.ErrorIs(t, err, ErrInvalidRequest)
	}
	_, err := c.SaveNotebookAsImage(context.Background(), "", saveReq)
	assert.ErrorIs(t, err, ErrInvalidRequest)
	_, err = c.SaveNotebookAsImage(context.Background(), nbID, saveReq, WithPollInterval(time.Second, time.Millisecond))
	assert.ErrorIs(t, err, ErrInvalidRequest)
	assert.Empty(t, rec.requests())
}

func TestSaveNotebookAsImagePassesCallOptionsToEveryRequest(t *testing.T) {
	rec := newRecorder(t)
	rec.on("GET", "/notebooks/"+nbID, notebookReplies("RUNNING")...)
	rec.on("POST", "/notebooks/"+nbID+"/create-image", reply{500, `{"error_msg":"boom"}`})
	rec.on("GET", "/images", ok(`{"data":[],"total":0}`))
	c, _ := rec.client(t, WithReconcileWindow(0))
	var resp Response
	_, err := c.SaveNotebookAsImage(context.Background(), nbID, saveReq, WithResponse(&resp), WithRetry(RetryPolicy{MaxAttempts: 1}))
	require.Error(t, err)
	creates := 0
	for _, r := range rec.requests() {
		if r.Method == "POST" {
			creates++
		}
	}
	assert.Equal(t, 1, creates, "the per-call retry policy reached the create")
	assert.NotZero(t, resp.StatusCode, "the per-call response reached the requests")
}
