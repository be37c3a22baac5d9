package modelarts

import (
	"context"
	"net/url"
	"strconv"
	"time"
)

// Documented range of StartNotebookOptions.Duration.
const (
	MinNotebookDuration = time.Hour
	MaxNotebookDuration = 72 * time.Hour
)

// StartNotebookOptions tunes StartNotebook; a nil *StartNotebookOptions
// means the service's defaults.
type StartNotebookOptions struct {
	// Duration is how long the notebook runs before it stops on its own,
	// MinNotebookDuration to MaxNotebookDuration, sent in milliseconds; 0
	// leaves it to the service (1 h by the official SDK; an older API page
	// says 0, so the SDK sends nothing rather than guess).
	Duration time.Duration
	// Type is the kind of auto-stop (LeaseTypeTiming, LeaseTypeIdle), sent
	// in the official SDK's lowercase form; "" leaves it to the service.
	Type LeaseType
}

func (o *StartNotebookOptions) validate() error {
	if o.Duration != 0 && (o.Duration < MinNotebookDuration || o.Duration > MaxNotebookDuration) {
		return invalid("duration", "must be %s to %s (0 for the service's default), got %s", MinNotebookDuration, MaxNotebookDuration, o.Duration)
	}
	return checkOpenEnum("type", o.Type)
}

func (o *StartNotebookOptions) query() url.Values {
	q := url.Values{}
	if o.Duration != 0 {
		q.Set("duration", strconv.FormatInt(o.Duration.Milliseconds(), 10))
	}
	if o.Type != "" {
		q.Set("type", string(normalize(string(o.Type), leaseTypeValues)))
	}
	return q
}

// StartNotebook starts a stopped notebook and returns it as the service
// reports it (typically STARTING): wait for RUNNING with WaitForNotebook.
// A running notebook gives an error matching ErrNotebookAlreadyRunning, one
// that is starting ErrNotebookStarting. opts may be nil.
//
// The API pages of 2022 mention an optional request body; the official SDK
// sends none and puts duration and type in the query, which the SDK
// follows.
func (c *Client) StartNotebook(ctx context.Context, notebookID string, opts *StartNotebookOptions, callOpts ...CallOption) (*Notebook, error) {
	ctx, cfg, cancel, err := c.begin(ctx, callOpts, 0)
	if err != nil {
		return nil, err
	}
	defer cancel()
	if err := validateID("notebook id", notebookID); err != nil {
		return nil, err
	}
	if opts == nil {
		opts = &StartNotebookOptions{}
	}
	if err := opts.validate(); err != nil {
		return nil, err
	}
	return c.doNotebook(ctx, &call{method: "POST", path: c.notebookPath(notebookID) + "/start", query: opts.query(), cfg: cfg})
}

// StopNotebook stops a running notebook and returns it as the service
// reports it (typically STOPPING): wait for STOPPED with WaitForNotebook.
func (c *Client) StopNotebook(ctx context.Context, notebookID string, opts ...CallOption) (*Notebook, error) {
	ctx, cfg, cancel, err := c.begin(ctx, opts, 0)
	if err != nil {
		return nil, err
	}
	defer cancel()
	if err := validateID("notebook id", notebookID); err != nil {
		return nil, err
	}
	return c.doNotebook(ctx, &call{method: "POST", path: c.notebookPath(notebookID) + "/stop", cfg: cfg})
}
