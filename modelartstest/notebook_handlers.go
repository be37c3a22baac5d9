package modelartstest

import (
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/modelarts-go/modelarts"
)

// Routes of this file.
const (
	// RouteListNotebooks is ListNotebooks.
	RouteListNotebooks Route = "GET /v1/{project_id}/notebooks"
	// RouteGetNotebook is ShowNotebook.
	RouteGetNotebook Route = "GET /v1/{project_id}/notebooks/{id}"
	// RouteStartNotebook is StartNotebook.
	RouteStartNotebook Route = "POST /v1/{project_id}/notebooks/{id}/start"
	// RouteStopNotebook is StopNotebook.
	RouteStopNotebook Route = "POST /v1/{project_id}/notebooks/{id}/stop"
)

var (
	_ = declare(RouteListNotebooks, (*Server).listNotebooks)
	_ = declare(RouteGetNotebook, (*Server).getNotebook)
	_ = declare(RouteStartNotebook, (*Server).startNotebook)
	_ = declare(RouteStopNotebook, (*Server).stopNotebook)
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

// listNotebooks serves ListNotebooks with its documented filters (see
// notebookFilter), sort_key (name, create_at) and sort_dir, and its own
// page sizes (10, 20 or 50).
func (s *Server) listNotebooks(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, offset, msg := notebookPage(q)
	var f notebookFilter
	if msg == "" {
		f, msg = parseNotebookFilter(q)
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
		if nb := s.notebooks[id]; f.match(nb) {
			s.readNotebookLocked(nb)
			match = append(match, nb)
		}
	}
	sortNotebooks(match, keys, strings.ToUpper(or(q.Get("sort_dir"), "DESC")) == "DESC")
	items := make([]any, len(match))
	for i, nb := range match {
		items[i] = s.renderNotebookLocked(nb)
	}
	writeJSON(w, http.StatusOK, s.pageLocked(items, offset, limit))
}

// Notebook listing limits: only 10, 20 or 50, default 10.
var notebookLimits = []int{10, 20, 50}

// notebookPage reads limit and offset of the notebook listing, or says
// what is wrong with them.
func notebookPage(q url.Values) (limit, offset int, msg string) {
	limit = notebookLimits[0]
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || !slices.Contains(notebookLimits, n) {
			return 0, 0, "limit must be 10, 20 or 50"
		}
		limit = n
	}
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return 0, 0, "offset must be a non-negative integer"
		}
		offset = n
	}
	return limit, offset, ""
}

// notebookFilter is what a notebook listing asks for: feature (default
// NOTEBOOK), name (fuzzy), status, workspace_id (default "0"), flavor,
// image_id, id, owner, pool_id (the fake's notebooks are in no pool, so
// any pool_id lists none), billing (every notebook of the fake is billed
// for STORAGE and COMPUTE, so every valid value lists all) and tags (every
// item must match a tag: "key" or "key=value"; the pages leave the item
// syntax open).
type notebookFilter struct {
	q                   url.Values
	feature, ws, status string
	tagItems            []string
}

// parseNotebookFilter reads and checks the filters, or says what is
// wrong.
func parseNotebookFilter(q url.Values) (notebookFilter, string) {
	f := notebookFilter{q: q, feature: strings.ToUpper(or(q.Get("feature"), "NOTEBOOK")), ws: or(q.Get("workspace_id"), "0")}
	if st := q.Get("status"); st != "" {
		f.status = string(normalizeStatus(modelarts.NotebookStatus(st)))
	}
	for _, check := range []func() string{
		func() string {
			return when(!oneOf(f.feature, "DEFAULT", "NOTEBOOK"), "feature must be DEFAULT or NOTEBOOK")
		},
		func() string { return checkNotebookName(q.Get("name")) },
		func() string {
			return when(f.status != "" && !slices.Contains(notebookStatuses, modelarts.NotebookStatus(f.status)), "status must be a notebook status")
		},
		func() string { return checkWorkspaceID(f.ws) },
		func() string { return when(q.Has("pool_id"), checkPoolID(q.Get("pool_id"))) },
		func() string { return when(q.Has("owner"), checkOwner(q.Get("owner"))) },
		func() string {
			return when(!oneOf(strings.ToUpper(q.Get("billing")), "COMPUTE", "STORAGE", "ALL"), "billing must be COMPUTE, STORAGE or ALL")
		},
		func() string {
			return when(!oneOf(q.Get("sort_dir"), "ASC", "DESC"), "sort_dir must be ASC or DESC")
		},
		func() (msg string) {
			if q.Has("tags") {
				f.tagItems, msg = splitTagFilter(q.Get("tags"))
			}
			return msg
		},
	} {
		if msg := check(); msg != "" {
			return f, msg
		}
	}
	return f, ""
}

// when is msg if cond holds, else "".
func when(cond bool, msg string) string {
	if cond {
		return msg
	}
	return ""
}

// match reports whether nb passes every filter.
func (f notebookFilter) match(nb *notebook) bool {
	q := f.q
	has := func(k, v string) bool { return !q.Has(k) || q.Get(k) == v }
	return strings.EqualFold(nb.feature, f.feature) && nb.workspaceID == f.ws &&
		(!q.Has("name") || strings.Contains(nb.name, q.Get("name"))) &&
		(f.status == "" || string(nb.status) == f.status) &&
		has("flavor", nb.flavor) && has("image_id", nb.imageID) && has("id", nb.id) && has("owner", fakeUserID) &&
		!q.Has("pool_id") && hasTags(nb.tags, f.tagItems)
}

// sortNotebooks orders by the keys in turn (name or create_at).
func sortNotebooks(nbs []*notebook, keys []string, desc bool) {
	sort.SliceStable(nbs, func(i, j int) bool {
		a, b := nbs[i], nbs[j]
		for _, k := range keys {
			c := strings.Compare(a.name, b.name)
			if k == "create_at" {
				c = a.created.Compare(b.created.Time)
			}
			if c != 0 {
				return c < 0 != desc
			}
		}
		return false
	})
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
