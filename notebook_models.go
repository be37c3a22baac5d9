package modelarts

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

// normalize maps the notebook's enum values the SDK knows to their
// constants, in place; unknown values stay as sent.
func (nb *Notebook) normalize() {
	nb.Status = normalize(string(nb.Status), notebookStatusValues)
	nb.Feature = normalize(string(nb.Feature), notebookFeatureValues)
	nb.Image.normalize()
	if nb.Lease != nil {
		nb.Lease.Type = normalize(string(nb.Lease.Type), leaseTypeValues)
	}
	if nb.CustomSpec != nil {
		nb.CustomSpec.Arch = normalize(string(nb.CustomSpec.Arch), archValues)
	}
	for i := range nb.Endpoints {
		nb.Endpoints[i].DevService = normalize(string(nb.Endpoints[i].DevService), devServiceValues)
		nb.Endpoints[i].Service = normalize(string(nb.Endpoints[i].Service), devServiceValues)
	}
}
