package modelarts

import "context"

// WaitForNotebook polls the notebook until its status is want and returns
// it, with the same loop as WaitForActive (immediate first poll, backoff
// with jitter, WithNotebookProgress after each poll, a final poll before
// ctx's deadline, transient failures counted into the *WaitError).
//
// The wait ends early with the notebook and a *NotebookFailedError
// (matching ErrNotebookFailed) when the notebook reaches a failure state
// (NotebookStatus.IsFailure) other than want, or when, after it was seen in
// transition (STARTING, STOPPING, SNAPSHOTTING…), it settles in RUNNING or
// STOPPED other than want. A settled state seen before any transition does
// not end the wait: right after StartNotebook the service may still report
// STOPPED.
func (c *Client) WaitForNotebook(ctx context.Context, notebookID string, want NotebookStatus, opts ...WaitOption) (*Notebook, error) {
	ctx, cfg, cancel, err := c.begin(ctx, opts, optWait)
	if err != nil {
		return nil, err
	}
	defer cancel()
	if err := validateID("notebook id", notebookID); err != nil {
		return nil, err
	}
	if want == "" {
		return nil, invalid("want", "the awaited status is empty; pass e.g. NotebookStatusRunning")
	}
	if err := checkOpenEnum("want", want); err != nil {
		return nil, err
	}
	return c.waitNotebook(ctx, cfg, notebookID, normalize(string(want), notebookStatusValues), false)
}

// waitNotebook is WaitForNotebook once the call has begun; moved says the
// caller knows the notebook is already in transition.
func (c *Client) waitNotebook(ctx context.Context, cfg *callConfig, notebookID string, want NotebookStatus, moved bool) (*Notebook, error) {
	return pollUntil(ctx, c, cfg.wait, &waitSpec[*Notebook]{
		resource: resourceNotebook,
		id:       notebookID,
		poll:     func(ctx context.Context) (*Notebook, error) { return c.getNotebook(ctx, cfg, notebookID) },
		status:   func(nb *Notebook) string { return string(nb.Status) },
		done:     untilNotebook(notebookID, want, moved),
		progress: cfg.wait.notebookProgress,
	})
}

// untilNotebook is WaitForNotebook's condition.
func untilNotebook(notebookID string, want NotebookStatus, moved bool) func(*Notebook) (bool, error) {
	return func(nb *Notebook) (bool, error) {
		failed := func() (bool, error) {
			return true, &NotebookFailedError{NotebookID: notebookID, Status: nb.Status, Want: want, FailReason: nb.FailReason}
		}
		switch {
		case nb.Status == want:
			return true, nil
		case nb.Status.IsFailure():
			return failed()
		case nb.Status.IsTransitional():
			moved = true
		case moved && (nb.Status == NotebookStatusRunning || nb.Status == NotebookStatusStopped):
			return failed()
		}
		return false, nil
	}
}
