package modelartstest

import (
	"net/http"
	"slices"
	"sort"
	"strconv"
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

// fakeUserID is the owner of every notebook (ListNotebooks' owner filter).
const fakeUserID = "5b1e0c1d8f2a4e7b9c3d6a0f1e2d3c4b"

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
type NotebookOption struct{ apply func(*notebook) }

// WithNotebookName sets the notebook's name (default "notebook-" and the
// ID's first part).
func WithNotebookName(name string) NotebookOption {
	return NotebookOption{func(n *notebook) { n.name = name }}
}

// WithNotebookImage sets the image the notebook runs, by ID (default the
// built-in PyTorch image); ListNotebooks' image_id filter matches it.
func WithNotebookImage(imageID string) NotebookOption {
	return NotebookOption{func(n *notebook) { n.imageID = imageID }}
}

// WithNotebookWorkspace sets the notebook's workspace ID (default "0").
func WithNotebookWorkspace(id string) NotebookOption {
	return NotebookOption{func(n *notebook) { n.workspaceID = id }}
}

// WithNotebookFlavor sets the notebook's flavor (default
// "modelarts.vm.cpu.2u").
func WithNotebookFlavor(flavor string) NotebookOption {
	return NotebookOption{func(n *notebook) { n.flavor = flavor }}
}

// WithNotebookFeature sets the notebook's feature, "NOTEBOOK" (default,
// billed) or "DEFAULT" (free CodeLab).
func WithNotebookFeature(feature string) NotebookOption {
	return NotebookOption{func(n *notebook) { n.feature = feature }}
}

// WithNotebookTags sets the notebook's TMS tags.
func WithNotebookTags(tags ...modelarts.Tag) NotebookOption {
	return NotebookOption{func(n *notebook) { n.tags = slices.Clone(tags) }}
}

// AddNotebook adds a notebook with the given status, replacing any with
// that ID. The status is normalised the way the client normalises it
// ("running" is RUNNING); only a RUNNING notebook can be saved as an image
// and only a STOPPED one started.
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
		if o.apply != nil {
			o.apply(nb)
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
			"create_at": nb.leaseAt.UnixMilli(), "update_at": nb.leaseAt.UnixMilli(),
			"duration": nb.leaseDuration, "enable": true, "type": nb.leaseType,
		},
		"volume": map[string]any{
			"capacity": 5, "category": "EVS", "mount_path": "/home/ma-user/work/", "ownership": "MANAGED", "status": "MOUNTED",
		},
		"billing_items": []string{"STORAGE", "COMPUTE"},
		"user": map[string]any{
			"id": fakeUserID, "name": s.iamUser, "domain": map[string]any{"id": randomHexOf(fakeUserID), "name": s.iamDomain},
		},
		"user_id": fakeUserID, "ip": "192.168.0.10", "is_need_credentials": true, "jupyter_version": "3",
	}
}

// randomHexOf is a fixed ID derived from id, so answers are stable.
func randomHexOf(id string) string { return id[16:] + id[:16] }

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

func notebookNotFound(w http.ResponseWriter) {
	writeError(w, http.StatusBadRequest, "ModelArts.6309", "The instance does not exist.")
}

func (s *Server) getNotebook(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	nb, ok := s.notebooks[r.PathValue("id")]
	if !ok {
		notebookNotFound(w)
		return
	}
	nb.advance(s)
	writeJSON(w, http.StatusOK, s.renderNotebookLocked(nb))
}

// startNotebook serves StartNotebook: a STOPPED (or START_FAILED) notebook
// goes STARTING, then RUNNING as it is read. duration (milliseconds,
// 3600000 to 259200000) and type (timing or idle, any case) set its lease.
// A running one is refused ModelArts.6305, a starting one ModelArts.6306,
// one busy otherwise ModelArts.6357.
func (s *Server) startNotebook(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	duration := int64(defaultDuration)
	if v := q.Get("duration"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < minStartDuration || n > maxStartDuration {
			badParam(w, "duration must be "+strconv.Itoa(minStartDuration)+" to "+strconv.Itoa(maxStartDuration)+" milliseconds")
			return
		}
		duration = n
	}
	typ := strings.ToLower(or(q.Get("type"), defaultLease))
	if typ != "timing" && typ != "idle" {
		badParam(w, "type must be timing or idle")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	nb, ok := s.notebooks[r.PathValue("id")]
	switch {
	case !ok:
		notebookNotFound(w)
		return
	case nb.status == modelarts.NotebookStatusRunning || nb.status == modelarts.NotebookStatusSnapshotting:
		writeError(w, http.StatusBadRequest, "ModelArts.6305", "The instance is already running.")
		return
	case nb.status == modelarts.NotebookStatusStarting:
		writeError(w, http.StatusBadRequest, "ModelArts.6306", "The instance is starting.")
		return
	case nb.status != modelarts.NotebookStatusStopped && nb.status != modelarts.NotebookStatusStartFailed:
		writeError(w, http.StatusBadRequest, "ModelArts.6357", "The instance is "+string(nb.status)+"; it can be started when STOPPED.")
		return
	}
	nb.status, nb.polls, nb.failReason = modelarts.NotebookStatusStarting, 0, ""
	nb.leaseAt, nb.leaseDuration, nb.leaseType = modelarts.TimestampOf(s.now()), duration, typ
	if len(s.failStart) > 0 {
		nb.failStart, s.failStart = s.failStart[0], s.failStart[1:]
	}
	writeJSON(w, http.StatusOK, s.renderNotebookLocked(nb))
}

// stopNotebook serves StopNotebook: a RUNNING or STARTING notebook goes
// STOPPING, then STOPPED as it is read. One saving an image, stopping or
// stopped is refused ModelArts.6357 (another operation in progress, or
// already in the target state).
func (s *Server) stopNotebook(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	nb, ok := s.notebooks[r.PathValue("id")]
	switch {
	case !ok:
		notebookNotFound(w)
		return
	case nb.status != modelarts.NotebookStatusRunning && nb.status != modelarts.NotebookStatusStarting:
		writeError(w, http.StatusBadRequest, "ModelArts.6357", "The instance is "+string(nb.status)+"; it can be stopped when RUNNING.")
		return
	}
	nb.status, nb.polls, nb.failStart = modelarts.NotebookStatusStopping, 0, ""
	writeJSON(w, http.StatusOK, s.renderNotebookLocked(nb))
}

// Notebook listing limits: only 10, 20 or 50, default 10.
var notebookLimits = []int{10, 20, 50}

// listNotebooks serves ListNotebooks with its documented filters: feature
// (default NOTEBOOK), name (fuzzy), status, workspace_id (default "0"),
// flavor, image_id, id, owner, pool_id (the fake's notebooks are in no
// pool, so any pool_id lists none), billing (every notebook of the fake
// is billed for STORAGE and COMPUTE, so every valid value lists all), tags (every
// item must match a tag: "key" or "key=value"; the pages leave the item
// syntax open), sort_key (name, create_at) and sort_dir.
func (s *Server) listNotebooks(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, offset := notebookLimits[0], 0
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || !slices.Contains(notebookLimits, n) {
			badParam(w, "limit must be 10, 20 or 50")
			return
		}
		limit = n
	}
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			badParam(w, "offset must be a non-negative integer")
			return
		}
		offset = n
	}
	feature, ws, status := strings.ToUpper(or(q.Get("feature"), "NOTEBOOK")), or(q.Get("workspace_id"), "0"), q.Get("status")
	billing, sortDir := strings.ToUpper(q.Get("billing")), strings.ToUpper(or(q.Get("sort_dir"), "DESC"))
	var tagItems []string
	var msg string
	switch {
	case !oneOf(feature, "DEFAULT", "NOTEBOOK"):
		msg = "feature must be DEFAULT or NOTEBOOK"
	case checkNotebookName(q.Get("name")) != "":
		msg = checkNotebookName(q.Get("name"))
	case status != "" && !slices.Contains(notebookStatuses, normalizeStatus(modelarts.NotebookStatus(status))):
		msg = "status must be a notebook status"
	case checkWorkspaceID(ws) != "":
		msg = checkWorkspaceID(ws)
	case q.Has("pool_id") && checkPoolID(q.Get("pool_id")) != "":
		msg = checkPoolID(q.Get("pool_id"))
	case q.Has("owner") && checkOwner(q.Get("owner")) != "":
		msg = checkOwner(q.Get("owner"))
	case !oneOf(billing, "COMPUTE", "STORAGE", "ALL"):
		msg = "billing must be COMPUTE, STORAGE or ALL"
	case sortDir != "ASC" && sortDir != "DESC":
		msg = "sort_dir must be ASC or DESC"
	case q.Has("tags"):
		tagItems, msg = splitTagFilter(q.Get("tags"))
	}
	if msg != "" {
		badParam(w, msg)
		return
	}
	keys, code, msg := checkSortKey(or(q.Get("sort_key"), "create_at"), "create_at", "name")
	if code != "" {
		writeError(w, http.StatusBadRequest, code, msg)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var match []*notebook
	for _, id := range s.nbOrder {
		nb := s.notebooks[id]
		switch {
		case !strings.EqualFold(nb.feature, feature), nb.workspaceID != ws,
			q.Has("name") && !strings.Contains(nb.name, q.Get("name")),
			status != "" && nb.status != normalizeStatus(modelarts.NotebookStatus(status)),
			q.Has("flavor") && nb.flavor != q.Get("flavor"),
			q.Has("image_id") && nb.imageID != q.Get("image_id"),
			q.Has("id") && nb.id != q.Get("id"),
			q.Has("owner") && q.Get("owner") != fakeUserID,
			q.Has("pool_id"),
			!hasTags(nb.tags, tagItems):
			continue
		}
		match = append(match, nb)
	}
	sort.SliceStable(match, func(i, j int) bool {
		a, b := match[i], match[j]
		for _, k := range keys {
			c := strings.Compare(a.name, b.name)
			if k == "create_at" {
				c = a.created.Compare(b.created.Time)
			}
			if c != 0 {
				return c < 0 != (sortDir == "DESC")
			}
		}
		return false
	})
	data := []map[string]any{}
	for i := offset; i < len(match) && i < offset+limit; i++ {
		data = append(data, s.renderNotebookLocked(match[i]))
	}
	writeJSON(w, http.StatusOK, page(data, len(match), offset, limit))
}

// hasTags reports whether every item ("key" or "key=value") matches one of
// tags.
func hasTags(tags []modelarts.Tag, items []string) bool {
	for _, it := range items {
		k, v, withValue := strings.Cut(it, "=")
		if !slices.ContainsFunc(tags, func(t modelarts.Tag) bool { return t.Key == k && (!withValue || t.Value == v) }) {
			return false
		}
	}
	return true
}
