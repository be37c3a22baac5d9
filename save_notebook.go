package modelarts

import (
	"context"
	"errors"
)

// SaveNotebookAsImage saves the running notebook notebookID as an image and
// returns once both are usable again:
//
//  1. it reads the notebook; one that is not RUNNING gives a
//     *NotebookNotRunningError naming its status (matching
//     ErrNotebookNotRunning), and nothing is created;
//  2. it creates the image with CreateImageFromNotebook, with its
//     create-once rules for a lost answer;
//  3. it waits until the image is terminal (WithProgress sees each poll);
//  4. it waits until the notebook is RUNNING again (WithNotebookProgress
//     sees each poll): while an image is saved the notebook is
//     SNAPSHOTTING and cannot be used.
//
// A failed build returns the image and the image wait's *WaitError, behind
// which errors.As finds the *ImageFailedError (matching ErrImageFailed),
// after the notebook is back to RUNNING. Should the notebook not come back
// (a failure state, or STOPPED after the save), the error holds the
// notebook wait's, with its *NotebookFailedError (joined with the build's
// failure, if any). The options are WaitOptions (poll interval, progress, grace) and
// the per-call options, which apply to every request made; bound the whole
// call with ctx.
func (c *Client) SaveNotebookAsImage(ctx context.Context, notebookID string, req *CreateImageRequest, opts ...WaitOption) (_ *Image, err error) {
	ctx, obs := c.observeCall(ctx, CallStart{Operation: "SaveNotebookAsImage", NotebookID: notebookID})
	defer obs.end(&err)
	cfg, err := begin(c, ctx, opts)
	if err != nil {
		return nil, err
	}
	if err := validateID("notebook id", notebookID); err != nil {
		return nil, err
	}
	if err := req.validate(); err != nil {
		return nil, err
	}
	nb, err := c.getNotebook(ctx, cfg, notebookID)
	if err != nil {
		return nil, err
	}
	if nb.Status != NotebookStatusRunning {
		return nil, &NotebookNotRunningError{NotebookID: notebookID, Status: nb.Status}
	}
	created, err := c.CreateImageFromNotebook(ctx, notebookID, req, inheritCallOptions(cfg))
	if err != nil {
		return nil, err
	}
	img, buildErr := c.waitImage(ctx, cfg, created.ID, untilActive)
	if img == nil { // no poll succeeded: the image as created is all there is
		img = created
	}
	var failed *ImageFailedError
	if buildErr != nil && !errors.As(buildErr, &failed) {
		return img, buildErr // the wait itself ended: deadline, permanent error
	}
	// The notebook snapshots while the image builds: it is in transition.
	if _, err := c.waitNotebook(ctx, cfg, notebookID, NotebookStatusRunning, true); err != nil {
		return img, errors.Join(buildErr, err)
	}
	return img, buildErr
}

// inheritCallOptions passes the per-call settings of cfg (attempt timeout,
// retry policy, response metadata) to a call made on cfg's behalf; the
// whole-call timeout is already in the context.
func inheritCallOptions(cfg *callConfig) CallOption {
	return callOptionFunc(func(c *callConfig) {
		c.attemptTimeout = cfg.attemptTimeout
		c.retry = cfg.retry
		c.response = cfg.response
	})
}
