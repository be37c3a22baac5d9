package modelartstest

import (
	"slices"
	"strings"

	"github.com/modelarts-go/modelarts"
)

// The notebook statuses the API pages list; a status given to AddNotebook
// or SetNotebookStatus in any case is stored as one of these, like the
// client normalises what it reads (an unknown status is kept as given).
var notebookStatuses = []modelarts.NotebookStatus{
	"INIT", "CREATING", "STARTING", "STOPPING", "DELETING", "RUNNING", "STOPPED",
	"SNAPSHOTTING", "CREATE_FAILED", "START_FAILED", "DELETE_FAILED", "ERROR", "DELETED", "FROZEN",
}

func normalizeStatus(st modelarts.NotebookStatus) modelarts.NotebookStatus {
	for _, k := range notebookStatuses {
		if strings.EqualFold(string(k), string(st)) {
			return k
		}
	}
	return st
}

// The fake's user owns every notebook (ListNotebooks' owner filter) and
// belongs to the fake's account.
const (
	fakeUserID   = "5b1e0c1d8f2a4e7b9c3d6a0f1e2d3c4b"
	fakeDomainID = "9c3d6a0f1e2d3c4b5b1e0c1d8f2a4e7b"
)

// Lease defaults: StartNotebook's duration default and the auto-stop kind.
const (
	defaultDuration = 3600000
	defaultLease    = "timing"
)

// notebook is a notebook instance as the fake stores it.
type notebook struct {
	id, name, description string
	status                modelarts.NotebookStatus
	flavor, feature       string
	workspaceID           string
	imageID               string
	image                 modelarts.Image // as when the notebook was added, if its image is gone
	tags                  []modelarts.Tag
	failReason            string
	savingImage           string // the image being saved while SNAPSHOTTING
	failStart             string // the fail reason the running start will end with
	polls                 int
	created               modelarts.Timestamp
	leaseAt               modelarts.Timestamp
	leaseDuration         int64
	leaseType             string
}

// NotebookOption sets a field of a notebook AddNotebook adds.
type NotebookOption interface{ applyNotebook(*notebook) }

// notebookOption makes a NotebookOption of a function.
type notebookOption func(*notebook)

func (f notebookOption) applyNotebook(n *notebook) { f(n) }

// WithNotebookName sets the notebook's name (default "notebook-" and the
// ID's first part).
func WithNotebookName(name string) NotebookOption {
	return notebookOption(func(n *notebook) { n.name = name })
}

// WithNotebookImage sets the image the notebook runs, by ID (default the
// built-in PyTorch image); ListNotebooks' image_id filter matches it. Give
// the ID of an image the fake holds (see PutImage): the notebook's answer
// shows that image; of an unknown image it shows only the ID.
func WithNotebookImage(imageID string) NotebookOption {
	return notebookOption(func(n *notebook) { n.imageID = imageID })
}

// WithNotebookWorkspace sets the notebook's workspace ID (default "0").
func WithNotebookWorkspace(id string) NotebookOption {
	return notebookOption(func(n *notebook) { n.workspaceID = id })
}

// WithNotebookFlavor sets the notebook's flavor (default
// "modelarts.vm.cpu.2u").
func WithNotebookFlavor(flavor string) NotebookOption {
	return notebookOption(func(n *notebook) { n.flavor = flavor })
}

// WithNotebookFeature sets the notebook's feature, "NOTEBOOK" (default,
// billed) or "DEFAULT" (free CodeLab).
func WithNotebookFeature(feature modelarts.NotebookFeature) NotebookOption {
	return notebookOption(func(n *notebook) { n.feature = string(feature) })
}

// WithNotebookTags sets the notebook's TMS tags.
func WithNotebookTags(tags ...modelarts.Tag) NotebookOption {
	return notebookOption(func(n *notebook) { n.tags = slices.Clone(tags) })
}

// AddNotebook adds a notebook with the given status, replacing any with
// that ID. The status is normalised the way the client normalises it
// ("running" is RUNNING); only a RUNNING notebook can be saved as an image
// and only a STOPPED (or START_FAILED) one started.
func (s *Server) AddNotebook(id string, status modelarts.NotebookStatus, opts ...NotebookOption) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := modelarts.TimestampOf(s.now())
	nb := &notebook{
		id: id, name: "notebook-" + shortID(id), status: normalizeStatus(status),
		flavor: "modelarts.vm.cpu.2u", feature: "NOTEBOOK", workspaceID: "0", imageID: builtinPyTorchID,
		created: now, leaseAt: now, leaseDuration: defaultDuration, leaseType: defaultLease,
	}
	for _, o := range opts {
		if o != nil {
			o.applyNotebook(nb)
		}
	}
	if img, ok := s.images[nb.imageID]; ok {
		nb.image = cloneImage(img.Image)
	} else {
		nb.image = modelarts.Image{ID: nb.imageID}
	}
	if _, ok := s.notebooks[id]; !ok {
		s.nbOrder = append(s.nbOrder, id)
	}
	s.notebooks[id] = nb
}

// SetNotebookStatus changes a notebook's status, normalised like
// AddNotebook's; false if there is no such notebook.
func (s *Server) SetNotebookStatus(id string, status modelarts.NotebookStatus) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	nb, ok := s.notebooks[id]
	if ok {
		nb.status = normalizeStatus(status)
		nb.polls = 0
	}
	return ok
}

// NotebookStatus returns a notebook's status as the fake holds it, without
// counting as a poll; false if there is no such notebook.
func (s *Server) NotebookStatus(id string) (modelarts.NotebookStatus, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	nb, ok := s.notebooks[id]
	if !ok {
		return "", false
	}
	return nb.status, true
}

// FailNextNotebookStart makes the next StartNotebook end START_FAILED with
// failReason instead of RUNNING; calls queue.
func (s *Server) FailNextNotebookStart(failReason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failStart = append(s.failStart, failReason)
}

// readNotebookLocked counts a read of nb (by GET or in a listing) as a
// poll: a starting or stopping notebook moves on, and so does the save it
// shows SNAPSHOTTING for. On the service these move on with time; the fake
// moves them as they are looked at, from any side.
func (s *Server) readNotebookLocked(nb *notebook) {
	nb.advance(s)
	if img, ok := s.images[nb.savingImage]; ok && nb.savingImage != "" {
		s.advanceLocked(img)
	}
}

// advance moves a starting or stopping notebook one step after
// enough reads.
func (nb *notebook) advance(s *Server) {
	if nb.status != modelarts.NotebookStatusStarting && nb.status != modelarts.NotebookStatusStopping {
		return
	}
	nb.polls++
	if nb.polls < s.pollsPerStep {
		return
	}
	nb.polls = 0
	switch {
	case nb.status == modelarts.NotebookStatusStopping:
		nb.status = modelarts.NotebookStatusStopped
	case nb.failStart != "":
		nb.status, nb.failReason, nb.failStart = modelarts.NotebookStatusStartFailed, nb.failStart, ""
	default:
		nb.status = modelarts.NotebookStatusRunning
	}
}

// renderNotebookLocked is the documented JSON of a notebook (every field of the
// official SDK's notebook object the fake can make sense of).
func (s *Server) renderNotebookLocked(nb *notebook) map[string]any {
	img := nb.image
	if cur, ok := s.images[nb.imageID]; ok {
		img = cur.Image
	}
	var endpoints []map[string]any
	for _, d := range img.DevServices {
		endpoints = append(endpoints, map[string]any{
			"dev_service": d, "service": d, "uri": "192.168.0.10", "key_pair_names": []string{},
		})
	}
	return map[string]any{
		"id": nb.id, "name": nb.name, "description": nb.description, "status": nb.status,
		"flavor": nb.flavor, "feature": nb.feature, "workspace_id": nb.workspaceID,
		"image": renderImage(&img, true), "url": s.srv.URL + "/notebook/" + nb.id,
		"fail_reason": nb.failReason, "action_progress": actionProgress(nb.status),
		"endpoints": orEmpty(endpoints), "tags": orEmpty(slices.Clone(nb.tags)),
		"lease": map[string]any{
			"create_at": millis(nb.leaseAt), "update_at": millis(nb.leaseAt),
			"duration": nb.leaseDuration, "enable": true, "type": nb.leaseType,
		},
		"volume": map[string]any{
			"capacity": 5, "category": "EVS", "mount_path": "/home/ma-user/work/", "ownership": "MANAGED", "status": "MOUNTED",
		},
		"billing_items": []string{"STORAGE", "COMPUTE"},
		"user": map[string]any{
			"id": fakeUserID, "name": s.iamUser, "domain": map[string]any{"id": fakeDomainID, "name": s.iamDomain},
		},
		"user_id": fakeUserID, "ip": "192.168.0.10", "is_need_credentials": true, "jupyter_version": "3",
		// Documented fields with nothing to say on the fake: no custom
		// spec, dedicated pool, affinity, extra volumes or user VPC; and no
		// notebook token (a credential, which the SDK does not model).
		"custom_spec": nil, "pool": nil, "token": nil, "affinity": nil, "data_volumes": []any{}, "user_vpc": nil,
		"run_user": map[string]any{"uid": 1000, "gid": 100, "user_name": "ma-user", "group_name": "ma-group"},
	}
}

// actionProgress is the start-up progress of a notebook in st: the four
// documented steps.
func actionProgress(st modelarts.NotebookStatus) []map[string]any {
	descs := []string{"prepare storage", "prepare compute resources", "configure network", "initialize instance"}
	statuses := []string{"COMPLETED", "COMPLETED", "COMPLETED", "COMPLETED"}
	switch st {
	case modelarts.NotebookStatusStarting, modelarts.NotebookStatusInit, modelarts.NotebookStatusCreating:
		statuses = []string{"COMPLETED", "PROCESSING", "WAITING", "WAITING"}
	case modelarts.NotebookStatusStartFailed, modelarts.NotebookStatusCreateFailed:
		statuses = []string{"COMPLETED", "FAILED", "WAITING", "WAITING"}
	case modelarts.NotebookStatusStopped, modelarts.NotebookStatusStopping:
		return []map[string]any{}
	}
	out := make([]map[string]any, len(descs))
	for i := range descs {
		out[i] = map[string]any{"step": i + 1, "status": statuses[i], "description": descs[i]}
	}
	return out
}
