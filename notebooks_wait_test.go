package modelarts

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func notebookReplies(statuses ...string) []reply {
	out := make([]reply, len(statuses))
	for i, s := range statuses {
		out[i] = ok(notebookJSON(nbID, s))
	}
	return out
}

func TestWaitForNotebookReachesWant(t *testing.T) {
	rec := newRecorder(t)
	rec.on("GET", "/notebooks/"+nbID, notebookReplies("STOPPED", "STARTING", "starting", "RUNNING")...)
	c, clk := rec.client(t)
	var seen []NotebookStatus
	nb, err := c.WaitForNotebook(context.Background(), nbID, "running",
		WithNotebookProgress(func(nb *Notebook) { seen = append(seen, nb.Status) }), WithPollInterval(time.Second, 4*time.Second))
	require.NoError(t, err)
	assert.Equal(t, NotebookStatusRunning, nb.Status)
	assert.Equal(t, []NotebookStatus{"STOPPED", "STARTING", "STARTING", "RUNNING"}, seen,
		"a STOPPED read before any transition does not end the wait")
	waits := clk.rec.all()
	require.Len(t, waits, 3, "immediate first poll, a wait between polls, none after the last")
	assert.Equal(t, time.Second, waits[0])
	for _, r := range rec.requests() {
		assert.Equal(t, recorded{Method: "GET", Path: projectPath + "/notebooks/" + nbID}, r)
	}
}

func TestWaitForNotebookEndsOnFailure(t *testing.T) {
	cases := map[string][]string{
		"failure state":                {"STARTING", "START_FAILED"},
		"frozen":                       {"FROZEN"},
		"settled elsewhere after move": {"STARTING", "STOPPED"},
	}
	for name, statuses := range cases {
		t.Run(name, func(t *testing.T) {
			rec := newRecorder(t)
			rec.on("GET", "/notebooks/"+nbID, notebookReplies(statuses...)...)
			c, _ := rec.client(t)
			nb, err := c.WaitForNotebook(context.Background(), nbID, NotebookStatusRunning)
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrNotebookFailed)
			var fe *NotebookFailedError
			require.ErrorAs(t, err, &fe)
			last := NotebookStatus(statuses[len(statuses)-1])
			assert.Equal(t, NotebookFailedError{NotebookID: nbID, Status: last, Want: NotebookStatusRunning, FailReason: "reason-" + string(last)}, *fe)
			assert.Contains(t, err.Error(), string(last))
			assert.Contains(t, err.Error(), "reason-"+string(last))
			require.NotNil(t, nb, "the notebook as last read is returned")
			assert.Equal(t, last, nb.Status)
			assert.Len(t, rec.requests(), len(statuses))
		})
	}
}

func TestWaitForNotebookCanAwaitAFailureState(t *testing.T) {
	rec := newRecorder(t)
	rec.on("GET", "/notebooks/"+nbID, notebookReplies("DELETING", "DELETED")...)
	c, _ := rec.client(t)
	nb, err := c.WaitForNotebook(context.Background(), nbID, NotebookStatusDeleted)
	require.NoError(t, err)
	assert.Equal(t, NotebookStatusDeleted, nb.Status)
}

func TestWaitForNotebookDeadline(t *testing.T) {
	rec := newRecorder(t)
	rec.on("GET", "/notebooks/"+nbID, reply{503, `{"error_code":"ModelArts.0000","error_msg":"busy"}`}, ok(notebookJSON(nbID, "STARTING")))
	c, clk := rec.client(t, WithRetry(RetryPolicy{MaxAttempts: 1}))
	ctx, cancel := context.WithDeadline(context.Background(), clk.now().Add(time.Minute))
	defer cancel()
	nb, err := c.WaitForNotebook(ctx, nbID, NotebookStatusRunning, WithPollInterval(10*time.Second, 20*time.Second))
	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	var we *WaitError
	require.ErrorAs(t, err, &we)
	assert.Equal(t, "notebook", we.Resource)
	assert.Equal(t, nbID, we.ID)
	assert.Equal(t, "STARTING", we.Status)
	assert.Equal(t, 1, we.TransientErrors)
	assert.Equal(t, len(rec.requests()), we.Polls)
	assert.Contains(t, err.Error(), "waiting for notebook "+nbID)
	assert.Contains(t, err.Error(), "last status STARTING")
	require.NotNil(t, nb)
	assert.Equal(t, NotebookStatusStarting, nb.Status)
}

func TestWaitForNotebookPermanentErrorEndsAtOnce(t *testing.T) {
	rec := newRecorder(t)
	rec.on("GET", "/notebooks/"+nbID, reply{403, `{"error_code":"ModelArts.0203","error_msg":"denied"}`})
	c, _ := rec.client(t)
	_, err := c.WaitForNotebook(context.Background(), nbID, NotebookStatusRunning)
	assert.ErrorIs(t, err, ErrForbidden)
	assert.Contains(t, err.Error(), "waiting for notebook "+nbID)
	assert.Len(t, rec.requests(), 1)
}

func TestWaitForNotebookValidatesBeforePolling(t *testing.T) {
	rec := newRecorder(t)
	c, _ := rec.client(t)
	_, err := c.WaitForNotebook(context.Background(), nbID, "")
	assert.ErrorIs(t, err, ErrInvalidRequest)
	_, err = c.WaitForNotebook(context.Background(), "../nb", NotebookStatusRunning)
	assert.ErrorIs(t, err, ErrInvalidRequest)
	_, err = c.WaitForNotebook(context.Background(), nbID, "RUN\x00")
	assert.ErrorIs(t, err, ErrInvalidRequest)
	assert.Empty(t, rec.requests())
}

func TestImageWaitErrorKeepsItsImageFields(t *testing.T) {
	rec := newRecorder(t)
	rec.on("GET", "/images/img-1", ok(imageJSON("CREATING", "")))
	c, clk := rec.client(t)
	ctx, cancel := context.WithDeadline(context.Background(), clk.now().Add(20*time.Second))
	defer cancel()
	_, err := c.WaitForActive(ctx, "img-1")
	var we *WaitError
	require.ErrorAs(t, err, &we)
	assert.Equal(t, WaitError{Resource: "image", ID: "img-1", Status: "CREATING",
		Polls: we.Polls, Err: context.DeadlineExceeded}, *we)
	assert.Contains(t, err.Error(), "waiting for image img-1")
	// A WaitError built by hand without a Resource reads as an image wait.
	hand := &WaitError{ID: "img-2", Status: "INIT", Polls: 1, Err: context.Canceled}
	assert.Equal(t, "modelarts: waiting for image img-2: context canceled after 1 polls; last status INIT", hand.Error())
}
