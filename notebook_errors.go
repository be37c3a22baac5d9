package modelarts

import "fmt"

// NotebookFailedError reports a notebook wait that ended because the
// notebook reached a state it will not leave for the one awaited: a
// failure state (see NotebookStatus.IsFailure), or, after it was seen in
// transition, a settled state other than the awaited one (STOPPED while
// waiting for RUNNING: the start or the save went wrong). It matches
// ErrNotebookFailed.
type NotebookFailedError struct {
	NotebookID string
	Status     NotebookStatus // the state reached
	Want       NotebookStatus // the state awaited
	FailReason string         // the server's explanation, when it gave one
}

// Error names the notebook, the state it reached, the state awaited and the
// server's explanation.
func (e *NotebookFailedError) Error() string {
	msg := fmt.Sprintf("modelarts: notebook %s ended %s while waiting for %s", e.NotebookID, e.Status, e.Want)
	if e.FailReason != "" {
		msg += ": " + e.FailReason
	}
	return msg
}

// Is makes errors.Is(err, ErrNotebookFailed) hold.
func (e *NotebookFailedError) Is(target error) bool { return target == ErrNotebookFailed }

// NotebookNotRunningError reports a notebook that must be RUNNING for the
// call (SaveNotebookAsImage) and is not; nothing was created. It matches
// ErrNotebookNotRunning, as the service's own refusal (ModelArts.6327) does.
type NotebookNotRunningError struct {
	NotebookID string
	Status     NotebookStatus // the status read
}

// Error names the notebook and its status, and what to do.
func (e *NotebookNotRunningError) Error() string {
	return fmt.Sprintf("modelarts: notebook %s is %s; only a RUNNING notebook can be saved as an image: start it (StartNotebook, then WaitForNotebook) and try again", e.NotebookID, e.Status)
}

// Is makes errors.Is(err, ErrNotebookNotRunning) hold.
func (e *NotebookNotRunningError) Is(target error) bool { return target == ErrNotebookNotRunning }
