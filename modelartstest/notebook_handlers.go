package modelartstest

import (
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/modelarts-go/modelarts"
)

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
	s.readNotebookLocked(nb)
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
		s.readNotebookLocked(nb)
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
	items := make([]any, len(match))
	for i, nb := range match {
		items[i] = s.renderNotebookLocked(nb)
	}
	writeJSON(w, http.StatusOK, s.pageLocked(items, offset, limit))
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
