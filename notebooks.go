package modelarts

import (
	"context"
	"errors"
	"iter"
	"math"
	"net/url"
	"regexp"
	"strconv"
	"time"

	"github.com/modelarts-go/modelarts/internal/textutil"
)

// GetNotebook reads a notebook instance; its Status tells whether it can be
// saved as an image (only RUNNING can) and SNAPSHOTTING while one is saved.
func (c *Client) GetNotebook(ctx context.Context, notebookID string, opts ...CallOption) (_ *Notebook, err error) {
	ctx, obs := c.observeCall(ctx, CallStart{Operation: "GetNotebook", NotebookID: notebookID})
	defer obs.end(&err)
	cfg, err := begin(c, ctx, opts)
	if err != nil {
		return nil, err
	}
	return c.getNotebook(ctx, cfg, notebookID)
}

func (c *Client) getNotebook(ctx context.Context, cfg *callConfig, notebookID string) (*Notebook, error) {
	if err := validateID("notebook id", notebookID); err != nil {
		return nil, err
	}
	return c.doNotebook(ctx, &call{method: "GET", path: c.notebookPath(notebookID), cfg: cfg})
}

// doNotebook runs a call whose answer is a notebook.
func (c *Client) doNotebook(ctx context.Context, cl *call) (*Notebook, error) {
	var nb Notebook
	if err := c.do(ctx, cl, &nb); err != nil {
		return nil, err
	}
	if nb.ID == "" {
		return nil, &DecodeError{Method: cl.method, Path: cl.path, StatusCode: cl.status, Err: errors.New("the answer carries no notebook id")}
	}
	return &nb, nil
}

func (c *Client) notebookPath(notebookID string) string {
	return c.prefix + "/notebooks/" + url.PathEscape(notebookID)
}

// NotebookStatus is the state of a notebook instance.
type NotebookStatus string

// Notebook statuses.
const (
	NotebookStatusInit         NotebookStatus = "INIT"
	NotebookStatusCreating     NotebookStatus = "CREATING"
	NotebookStatusStarting     NotebookStatus = "STARTING"
	NotebookStatusStopping     NotebookStatus = "STOPPING"
	NotebookStatusDeleting     NotebookStatus = "DELETING"
	NotebookStatusRunning      NotebookStatus = "RUNNING"
	NotebookStatusStopped      NotebookStatus = "STOPPED"
	NotebookStatusSnapshotting NotebookStatus = "SNAPSHOTTING" // an image is being saved
	NotebookStatusCreateFailed NotebookStatus = "CREATE_FAILED"
	NotebookStatusStartFailed  NotebookStatus = "START_FAILED"
	NotebookStatusDeleteFailed NotebookStatus = "DELETE_FAILED"
	NotebookStatusError        NotebookStatus = "ERROR"
	NotebookStatusDeleted      NotebookStatus = "DELETED"
	NotebookStatusFrozen       NotebookStatus = "FROZEN"
)

var notebookStatusValues = []NotebookStatus{
	NotebookStatusInit, NotebookStatusCreating, NotebookStatusStarting, NotebookStatusStopping,
	NotebookStatusDeleting, NotebookStatusRunning, NotebookStatusStopped, NotebookStatusSnapshotting,
	NotebookStatusCreateFailed, NotebookStatusStartFailed, NotebookStatusDeleteFailed,
	NotebookStatusError, NotebookStatusDeleted, NotebookStatusFrozen,
}

// IsFailure reports a status a notebook does not leave on its own:
// CREATE_FAILED, START_FAILED, DELETE_FAILED, ERROR, DELETED, and FROZEN
// (frozen by the account's billing state, which no wait can cure).
func (s NotebookStatus) IsFailure() bool {
	switch s {
	case NotebookStatusCreateFailed, NotebookStatusStartFailed, NotebookStatusDeleteFailed,
		NotebookStatusError, NotebookStatusDeleted, NotebookStatusFrozen:
		return true
	}
	return false
}

// IsTransitional reports a status the notebook leaves on its own: INIT,
// CREATING, STARTING, STOPPING, DELETING and SNAPSHOTTING.
func (s NotebookStatus) IsTransitional() bool {
	switch s {
	case NotebookStatusInit, NotebookStatusCreating, NotebookStatusStarting,
		NotebookStatusStopping, NotebookStatusDeleting, NotebookStatusSnapshotting:
		return true
	}
	return false
}

// NotebookFeature is the kind of a notebook instance.
type NotebookFeature string

// Notebook features.
const (
	NotebookFeatureDefault  NotebookFeature = "DEFAULT"  // the free CodeLab instance, at most one per user
	NotebookFeatureNotebook NotebookFeature = "NOTEBOOK" // a billed instance
)

// LeaseType is the kind of a notebook's auto-stop.
//
// The official SDK sends the lowercase values "timing" and "idle", the API
// pages print TIMING in their examples: the SDK sends the lowercase form,
// which is what the official SDK's users send every day, and reads either
// case.
type LeaseType string

// Lease types.
const (
	LeaseTypeTiming LeaseType = "timing" // stop after a set duration
	LeaseTypeIdle   LeaseType = "idle"   // stop after a set idle time
)

var (
	notebookFeatureValues = []NotebookFeature{NotebookFeatureDefault, NotebookFeatureNotebook}
	leaseTypeValues       = []LeaseType{LeaseTypeTiming, LeaseTypeIdle}
)

// UnmarshalJSON reads a notebook status as the service sends it: a known value in any
// case as its constant, any other value as sent.
func (s *NotebookStatus) UnmarshalJSON(b []byte) error { return decodeEnum(b, s, notebookStatusValues) }

// UnmarshalJSON reads a notebook feature as the service sends it: a known value in any
// case as its constant, any other value as sent.
func (f *NotebookFeature) UnmarshalJSON(b []byte) error {
	return decodeEnum(b, f, notebookFeatureValues)
}

// UnmarshalJSON reads a lease type as the service sends it: a known value in any
// case as its constant, any other value as sent.
func (l *LeaseType) UnmarshalJSON(b []byte) error { return decodeEnum(b, l, leaseTypeValues) }

// Notebook is a notebook instance as the service describes it (start,
// stop, get and list answer with it). Fields the service adds and the SDK
// does not model are ignored.
//
// The service also sends the instance's access token ("token"); the SDK
// does not model it on purpose, so that printing or logging a Notebook can
// never show a credential.
type Notebook struct {
	ID          string         `json:"id"`
	Name        string         `json:"name"`
	Description string         `json:"description,omitempty"`
	Status      NotebookStatus `json:"status"`
	// FailReason explains a failure status.
	FailReason string `json:"fail_reason,omitempty"`
	// Flavor is the flavor code, e.g. modelarts.vm.cpu.2u; for an instance
	// made with a custom spec it is "custom.flavor.spec.code" and the
	// resources are in CustomSpec.
	Flavor     string              `json:"flavor"`
	CustomSpec *NotebookCustomSpec `json:"custom_spec,omitempty"`
	// Image is the image the notebook runs. The API pages give the full
	// image object here (the same as GetImage's), so Image is an Image;
	// the service fills only some of its fields.
	Image          Image                  `json:"image"`
	URL            string                 `json:"url"`
	WorkspaceID    string                 `json:"workspace_id,omitempty"`
	Feature        NotebookFeature        `json:"feature,omitempty"`
	ActionProgress []NotebookProgressStep `json:"action_progress,omitempty"`
	Endpoints      []NotebookEndpoint     `json:"endpoints,omitempty"`
	Lease          *NotebookLease         `json:"lease,omitempty"`
	Pool           *NotebookPool          `json:"pool,omitempty"`
	Volume         *NotebookVolume        `json:"volume,omitempty"`
	BillingItems   []string               `json:"billing_items,omitempty"` // STORAGE, COMPUTE, ALL
	User           *NotebookUser          `json:"user,omitempty"`
	UserID         string                 `json:"user_id,omitempty"`
	IP             string                 `json:"ip,omitempty"` // of the node hosting the instance
	JupyterVersion string                 `json:"jupyter_version,omitempty"`
	Tags           []Tag                  `json:"tags,omitempty"`
}

// NotebookProgressStep is one step of a notebook's initialisation.
type NotebookProgressStep struct {
	// Step: 1 prepare storage, 2 prepare compute, 3 configure the network,
	// 4 initialise the instance.
	Step        int    `json:"step"`
	Status      string `json:"status"` // WAITING, PROCESSING, FAILED, COMPLETED
	Description string `json:"description,omitempty"`
}

// NotebookEndpoint is a way to reach the instance from a local IDE or an
// SSH client.
type NotebookEndpoint struct {
	DevService   DevService `json:"dev_service,omitempty"`
	Service      DevService `json:"service,omitempty"`
	URI          string     `json:"uri,omitempty"` // the instance's private address
	KeyPairNames []string   `json:"key_pair_names,omitempty"`
}

// NotebookLease is a notebook's auto-stop setting.
type NotebookLease struct {
	Enable bool      `json:"enable"`
	Type   LeaseType `json:"type,omitempty"`
	// DurationMillis is the run time in milliseconds, counted from
	// CreatedAt: when it has passed the service stops the instance.
	DurationMillis int64     `json:"duration,omitempty"`
	CreatedAt      Timestamp `json:"create_at"`
	UpdatedAt      Timestamp `json:"update_at"`
}

// NotebookPool is the dedicated resource pool an instance runs in.
type NotebookPool struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

// NotebookVolume is an instance's primary storage.
type NotebookVolume struct {
	Category  string `json:"category,omitempty"` // SFS, EVS, OBS, OBSFS, EFS
	Capacity  int    `json:"capacity,omitempty"` // GB
	MountPath string `json:"mount_path,omitempty"`
	Ownership string `json:"ownership,omitempty"` // MANAGED or DEDICATED
	Status    string `json:"status,omitempty"`
	URI       string `json:"uri,omitempty"`
	MountType string `json:"mount_type,omitempty"` // STATIC or DYNAMIC
}

// NotebookCustomSpec is the resources of an instance created with a
// custom spec.
type NotebookCustomSpec struct {
	CPU            float64 `json:"cpu"`
	Memory         float64 `json:"memory"` // MB, by the documented minimum of 513
	GPU            float64 `json:"gpu,omitempty"`
	GPUType        string  `json:"gpu_type,omitempty"`
	Arch           Arch    `json:"arch,omitempty"`
	Category       string  `json:"category,omitempty"` // CPU or GPU
	ResourceFlavor string  `json:"resource_flavor,omitempty"`
}

// NotebookUser is the owner of an instance.
type NotebookUser struct {
	ID     string        `json:"id"`
	Name   string        `json:"name,omitempty"`
	Domain *NotebookUser `json:"domain,omitempty"` // the account
}

// DefaultNotebookPageSize is the service's page size for ListNotebooks
// when Limit is 0.
const DefaultNotebookPageSize = 10

// ListNotebooksOptions filters and pages ListNotebooks. Every field is
// optional; a nil *ListNotebooksOptions means all defaults.
type ListNotebooksOptions struct {
	// Limit is the page size: 10, 20 or 50, the only values the service
	// takes (others are refused before sending); 0 means its default, 10.
	Limit  int
	Offset int // notebooks to skip
	// Name matches instance names fuzzily (the service offers no exact
	// match here): at most 128 letters, digits, '-' and '_'.
	Name        string
	Status      NotebookStatus
	Feature     NotebookFeature // the service lists NOTEBOOK instances when unset
	PoolID      string          // dedicated pool
	Owner       string          // user ID; honoured for the account's master user and admins only
	Flavor      string          // e.g. modelarts.vm.cpu.2u
	ImageID     string          // notebooks running this image
	ID          string          // one instance
	Billing     string          // COMPUTE, STORAGE or ALL
	WorkspaceID string
	// Tags filters on tags, items separated by ',' or '|' (the API pages
	// do not say more about its syntax; the SDK sends it as given).
	Tags string
	// SortKey is one or more field names, comma-separated, as for
	// ListImagesOptions.SortKey.
	SortKey string
	SortDir SortDir
}

var notebookNameRE = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

func (o *ListNotebooksOptions) validate() error {
	switch {
	case o.Limit != 0 && o.Limit != 10 && o.Limit != 20 && o.Limit != 50:
		return invalid("limit", "must be 10, 20 or 50 (0 for the service's default of 10), got %d", o.Limit)
	case o.Offset < 0 || o.Offset > math.MaxInt32:
		return invalid("offset", "must be 0 to %d, got %d", math.MaxInt32, o.Offset)
	case len(o.Name) > 128:
		return tooLong("name", o.Name, len(o.Name), 128)
	case o.Name != "" && !notebookNameRE.MatchString(o.Name):
		return invalid("name", "%q may contain only letters, digits, '-' and '_'", textutil.Clip(o.Name, 64))
	case o.SortKey != "" && !sortKeyRE.MatchString(o.SortKey):
		return invalid("sort_key", "%q must be field names separated by commas: at most 128 letters, digits, '-', '_' and ','", textutil.Clip(o.SortKey, 64))
	}
	for _, err := range []error{
		checkOpenEnum("status", o.Status),
		checkOpenEnum("feature", o.Feature),
		checkOpenEnum("sort_dir", o.SortDir),
		checkOpenEnum("billing", o.Billing),
		checkPrintable("pool_id", o.PoolID),
		checkPrintable("owner", o.Owner),
		checkPrintable("flavor", o.Flavor),
		checkPrintable("image_id", o.ImageID),
		checkPrintable("id", o.ID),
		checkPrintable("tags", o.Tags),
		checkWorkspaceID(o.WorkspaceID),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}

func (o *ListNotebooksOptions) query() url.Values {
	q := listQuery{}
	q.paging(o.Limit, o.Offset)
	q.set("name", o.Name) // fuzzy: the service has no exact match here
	q.set("status", string(normalize(string(o.Status), notebookStatusValues)))
	q.set("feature", string(normalize(string(o.Feature), notebookFeatureValues)))
	q.set("pool_id", o.PoolID)
	q.set("owner", o.Owner)
	q.set("flavor", o.Flavor)
	q.set("image_id", o.ImageID)
	q.set("id", o.ID)
	q.set("billing", o.Billing)
	q.set("workspace_id", o.WorkspaceID)
	q.set("tags", o.Tags)
	q.set("sort_key", o.SortKey)
	q.set("sort_dir", string(normalize(string(o.SortDir), sortDirValues)))
	return url.Values(q)
}

// NotebookPage is one page of ListNotebooksPage.
type NotebookPage = Page[Notebook]

// ListNotebooksPage reads one page of notebooks, with the total count.
func (c *Client) ListNotebooksPage(ctx context.Context, opts *ListNotebooksOptions, callOpts ...CallOption) (_ *NotebookPage, err error) {
	ctx, obs := c.observeCall(ctx, CallStart{Operation: "ListNotebooksPage"})
	defer obs.end(&err)
	cfg, err := begin(c, ctx, callOpts)
	if err != nil {
		return nil, err
	}
	return c.listNotebooksPage(ctx, cfg, opts)
}

func (c *Client) listNotebooksPage(ctx context.Context, cfg *callConfig, opts *ListNotebooksOptions) (*NotebookPage, error) {
	if opts == nil {
		opts = &ListNotebooksOptions{}
	}
	var page NotebookPage
	if err := readPage(ctx, c, cfg, "/notebooks", opts, &page, &page); err != nil {
		return nil, err
	}
	return &page, nil
}

// ListNotebooks walks every page of the notebook listing, from opts.Offset
// on, with the same paging rules as ListImages (the shared pager): pages
// are read as the loop needs them, the walk stops when the server reports
// no more, and an error is yielded once, as the last element. A nil opts
// lists with the defaults.
func (c *Client) ListNotebooks(ctx context.Context, opts *ListNotebooksOptions, callOpts ...CallOption) iter.Seq2[*Notebook, error] {
	return iterate(c, ctx, CallStart{Operation: "ListNotebooks"}, callOpts, func(ctx context.Context, cfg *callConfig) iter.Seq2[*Notebook, error] {
		o := ListNotebooksOptions{}
		if opts != nil {
			o = *opts
		}
		limit := o.Limit
		if limit == 0 {
			limit = DefaultNotebookPageSize
		}
		return walk("notebooks", &o.Offset, limit, func() ([]*Notebook, pageCounts, error) {
			page, err := c.listNotebooksPage(ctx, cfg, &o)
			if err != nil {
				return nil, pageCounts{}, err
			}
			return page.Items, pageCounts{slots: page.slots, total: page.Total, size: page.Size}, nil
		}, func(nb *Notebook) string { return nb.ID })
	})
}

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
func (c *Client) StartNotebook(ctx context.Context, notebookID string, opts *StartNotebookOptions, callOpts ...CallOption) (_ *Notebook, err error) {
	ctx, obs := c.observeCall(ctx, CallStart{Operation: "StartNotebook", NotebookID: notebookID})
	defer obs.end(&err)
	cfg, err := begin(c, ctx, callOpts)
	if err != nil {
		return nil, err
	}
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
func (c *Client) StopNotebook(ctx context.Context, notebookID string, opts ...CallOption) (_ *Notebook, err error) {
	ctx, obs := c.observeCall(ctx, CallStart{Operation: "StopNotebook", NotebookID: notebookID})
	defer obs.end(&err)
	cfg, err := begin(c, ctx, opts)
	if err != nil {
		return nil, err
	}
	if err := validateID("notebook id", notebookID); err != nil {
		return nil, err
	}
	return c.doNotebook(ctx, &call{method: "POST", path: c.notebookPath(notebookID) + "/stop", cfg: cfg})
}

// WaitForNotebook polls the notebook until its status is want and returns
// it, with the same loop as WaitForActive (immediate first poll, backoff
// with jitter, WithNotebookProgress after each poll, a final poll before
// ctx's deadline, transient failures counted into the *WaitError).
//
// The wait ends early with the notebook and a *WaitError wrapping a
// *NotebookFailedError (matching ErrNotebookFailed) when the notebook reaches a failure state
// (NotebookStatus.IsFailure) other than want, or when, after it was seen in
// transition (STARTING, STOPPING, SNAPSHOTTING…), it settles in RUNNING or
// STOPPED other than want. A settled state seen before any transition does
// not end the wait: right after StartNotebook the service may still report
// STOPPED.
func (c *Client) WaitForNotebook(ctx context.Context, notebookID string, want NotebookStatus, opts ...WaitOption) (_ *Notebook, err error) {
	ctx, obs := c.observeCall(ctx, CallStart{Operation: "WaitForNotebook", NotebookID: notebookID})
	defer obs.end(&err)
	cfg, err := begin(c, ctx, opts)
	if err != nil {
		return nil, err
	}
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
