package modelarts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/modelarts-go/modelarts/internal/textutil"
)

// SaveImageJobRequest saves the container of one task of a training job as
// an image in SWR. Every field is optional (the service then chooses).
type SaveImageJobRequest struct {
	Name        string `json:"name,omitempty"`        // ≤512 chars: a-z 0-9 - _ .
	Namespace   string `json:"namespace,omitempty"`   // SWR organization; ≤64 chars, starts a-z
	Tag         string `json:"tag,omitempty"`         // ≤64 chars: letters, digits, - _ .
	Description string `json:"description,omitempty"` // at most 512 characters
}

// saveJobNameRE is the documented image-name alphabet of a save-image job.
var saveJobNameRE = regexp.MustCompile(`^[a-z0-9._-]+$`)

func (r *SaveImageJobRequest) validate() error {
	switch {
	case r == nil:
		return invalid("request", "the SaveImageJobRequest is nil")
	case len(r.Name) > 512:
		return tooLong("name", r.Name, len(r.Name), 512)
	case r.Name != "" && !saveJobNameRE.MatchString(r.Name):
		return invalid("name", "%q may contain only lowercase letters, digits, '-', '_' and '.'", textutil.Clip(r.Name, 64))
	case len(r.Namespace) > maxNamespaceLen:
		return tooLong("namespace", r.Namespace, len(r.Namespace), maxNamespaceLen)
	case r.Namespace != "" && !namespaceRE.MatchString(r.Namespace):
		return invalid("namespace", "%q must start with a lowercase letter and contain only letters, digits, '-', '_' and '.'", textutil.Clip(r.Namespace, 64))
	case len(r.Tag) > maxTagLen:
		return tooLong("tag", r.Tag, len(r.Tag), maxTagLen)
	case r.Tag != "" && !tagRE.MatchString(r.Tag):
		return invalid("tag", "%q may contain only letters, digits, '-', '_' and '.'", textutil.Clip(r.Tag, 64))
	}
	return checkLen("description", r.Description, maxDescriptionLen)
}

// SaveImageJob is the state of a training-job save: the image it makes and
// how far it got.
//
// Both the official SDK and the API pages describe "message" as the
// creation time and "create_time" as the build information, but type them
// the other way round (a string and an int64): the SDK trusts the types,
// so Message is the build information and CreatedAt the creation time.
type SaveImageJob struct {
	Name        string `json:"name,omitempty"`
	Namespace   string `json:"namespace,omitempty"`
	Tag         string `json:"tag,omitempty"`
	Description string `json:"description,omitempty"`
	// Status takes the image statuses INIT, CREATING, CREATE_FAILED and
	// ACTIVE, so it is an ImageStatus (IsTerminal, IsFailure apply).
	Status    ImageStatus `json:"status,omitempty"`
	Message   string      `json:"message,omitempty"` // build information; the reason of a failure
	CreatedAt Timestamp   `json:"create_time"`
}

// saveImageJobWire is the wire shape of a save-image job.
type saveImageJobWire struct{ SaveImageJob }

// CreateSaveImageJob starts saving the container of task taskID (e.g.
// "worker-0") of training job trainingJobID as an image; wait for it with
// WaitForSaveImageJob. The API has no idempotency key and nothing tells an
// earlier save from this one, so a request whose answer is lost is not
// sent again: the error is a *SaveImageJobOutcomeError (matching
// ErrCreateOutcomeUnknown) that says so, and GetSaveImageJob shows whether
// the save started.
func (c *Client) CreateSaveImageJob(ctx context.Context, trainingJobID, taskID string, req *SaveImageJobRequest, opts ...CallOption) (_ *SaveImageJob, err error) {
	ctx, obs := c.observeCall(ctx, CallStart{Operation: "CreateSaveImageJob", TrainingJobID: trainingJobID, TaskID: taskID})
	defer obs.end(&err)
	cfg, err := begin(c, ctx, opts)
	if err != nil {
		return nil, err
	}
	path, err := c.saveJobPath(trainingJobID, taskID)
	if err != nil {
		return nil, err
	}
	if err := req.validate(); err != nil {
		return nil, err
	}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("modelarts: encoding the save-image-job request: %w", err)
	}
	cl := &call{method: "POST", path: path, body: body, cfg: cfg}
	job, err := c.doSaveJob(ctx, cl)
	var de *DecodeError
	switch {
	case err != nil && cl.mayHaveHappened:
		return nil, &SaveImageJobOutcomeError{TrainingJobID: trainingJobID, TaskID: taskID, Err: err}
	case errors.As(err, &de) && de.StatusCode >= 200 && de.StatusCode <= 299:
		return nil, &SaveImageJobOutcomeError{TrainingJobID: trainingJobID, TaskID: taskID, Started: true, Err: err}
	}
	return job, err
}

// GetSaveImageJob reads the state of the save of task taskID of training
// job trainingJobID.
func (c *Client) GetSaveImageJob(ctx context.Context, trainingJobID, taskID string, opts ...CallOption) (_ *SaveImageJob, err error) {
	ctx, obs := c.observeCall(ctx, CallStart{Operation: "GetSaveImageJob", TrainingJobID: trainingJobID, TaskID: taskID})
	defer obs.end(&err)
	cfg, err := begin(c, ctx, opts)
	if err != nil {
		return nil, err
	}
	return c.getSaveJob(ctx, cfg, trainingJobID, taskID)
}

func (c *Client) getSaveJob(ctx context.Context, cfg *callConfig, trainingJobID, taskID string) (*SaveImageJob, error) {
	path, err := c.saveJobPath(trainingJobID, taskID)
	if err != nil {
		return nil, err
	}
	return c.doSaveJob(ctx, &call{method: "GET", path: path, cfg: cfg})
}

// WaitForSaveImageJob polls the save of task taskID of training job
// trainingJobID until it is ACTIVE and returns it, with the same loop as
// WaitForActive (WithSaveImageJobProgress sees each poll). A save that
// ends CREATE_FAILED (or ERROR, DELETED) gives the job and a *WaitError
// wrapping a *SaveImageJobFailedError; ctx's end gives a *WaitError too.
func (c *Client) WaitForSaveImageJob(ctx context.Context, trainingJobID, taskID string, opts ...WaitOption) (_ *SaveImageJob, err error) {
	ctx, obs := c.observeCall(ctx, CallStart{Operation: "WaitForSaveImageJob", TrainingJobID: trainingJobID, TaskID: taskID})
	defer obs.end(&err)
	cfg, err := begin(c, ctx, opts)
	if err != nil {
		return nil, err
	}
	if _, err := c.saveJobPath(trainingJobID, taskID); err != nil {
		return nil, err
	}
	return pollUntil(ctx, c, cfg.wait, &waitSpec[*SaveImageJob]{
		resource: resourceSaveImageJob,
		id:       trainingJobID + "/" + taskID,
		poll: func(ctx context.Context) (*SaveImageJob, error) {
			return c.getSaveJob(ctx, cfg, trainingJobID, taskID)
		},
		status: func(j *SaveImageJob) string { return string(j.Status) },
		done: func(j *SaveImageJob) (bool, error) {
			switch {
			case j.Status == ImageStatusActive:
				return true, nil
			case j.Status.IsFailure():
				return true, &SaveImageJobFailedError{TrainingJobID: trainingJobID, TaskID: taskID, Status: j.Status, Message: j.Message}
			}
			return false, nil
		},
		progress: cfg.wait.saveJobProgress,
	})
}

// doSaveJob runs a call whose answer is a save-image job.
func (c *Client) doSaveJob(ctx context.Context, cl *call) (*SaveImageJob, error) {
	var w saveImageJobWire
	if err := c.do(ctx, cl, &w); err != nil {
		return nil, err
	}
	if w.Status == "" {
		return nil, &DecodeError{Method: cl.method, Path: cl.path, StatusCode: cl.status, Err: errors.New("the answer carries no status")}
	}
	w.Status = normalize(string(w.Status), imageStatusValues)
	return &w.SaveImageJob, nil
}

// saveJobPath checks the IDs and builds the job's path. The API is under
// /v2/{project_id}, beside the client's /v1 prefix.
func (c *Client) saveJobPath(trainingJobID, taskID string) (string, error) {
	if err := validateID("training job id", trainingJobID); err != nil {
		return "", err
	}
	if err := validateID("task id", taskID); err != nil {
		return "", err
	}
	v2 := strings.TrimSuffix(c.prefix, "/v1/"+c.projectID) + "/v2/" + c.projectID
	return v2 + "/training-jobs/" + url.PathEscape(trainingJobID) + "/tasks/" + url.PathEscape(taskID) + "/save-image-job", nil
}
