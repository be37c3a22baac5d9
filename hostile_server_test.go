package modelarts_test

// A hostile ModelArts server, written from the API pages (register 000,
// save-notebook 001/003, get 002, MORE-APIS.md ListImage paging, ShowNotebook
// and the error codes) and not from the SDK's code. It keeps an image store
// and notebooks, pages the listing its own way, runs on its own clock (sent in
// its Date header) and can lose the answer to a create in the ways a real
// network does: a gateway 502 before the service saw it, a connection closed
// after the service handled it, an answer that never comes, or a bare 201.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/modelarts-go/modelarts"
	"github.com/modelarts-go/modelarts/auth"
)

const (
	hProject  = "a4a5d4098fb4474fa22cd05f897d6b99"
	hNotebook = "6a5e1c2b-0b4d-4c5e-9f77-1e2d3c4b5a60"
	hOtherNB  = "7b6f2d3c-1c5e-4d6f-a088-2f3e4d5c6b71"
	hRegistry = "swr.cn-north-4.myhuaweicloud.com"
)

// createFault is what happens to one create request (POST create-image or
// POST images), in the order they arrive.
type createFault int

const (
	createOK          createFault = iota // handled, 200 with the image
	createGateway502                     // a gateway answers 502; the service never saw it
	createDropAfter                      // handled, then the connection is closed unanswered
	createHangAfter                      // handled, then no answer until the client gives up
	createEmpty201                       // handled, 201 Created with no body (2025 page)
	createNotImage201                    // handled, 201 with a JSON body that is not an image
)

// hImage is one image in the store. Owner is server-side truth (which
// notebook or caller made it); it is never sent.
type hImage struct {
	ID, Name, Namespace, Tag, SWRPath string
	Status, Origin                    string
	CreateAt                          int64     // service clock, UTC ms
	visibleAt                         time.Time // real time from which listings show it
	Owner                             string
}

func (im *hImage) wire() map[string]any {
	return map[string]any{
		"id": im.ID, "name": im.Name, "namespace": im.Namespace, "tag": im.Tag,
		"swr_path": im.SWRPath, "status": im.Status, "origin": im.Origin,
		"type": "DEDICATED", "arch": "x86_64", "visibility": "PRIVATE",
		"workspace_id": "0", "create_at": im.CreateAt, "update_at": im.CreateAt,
		"service_type": "UNKNOWN", "dev_services": []string{"NOTEBOOK", "SSH"},
	}
}

// hostileServer is the configurable fake. Set its fields before the first
// request; read its counters with the accessor methods.
type hostileServer struct {
	t   *testing.T
	srv *httptest.Server

	mu sync.Mutex
	// configuration
	clockSkew      time.Duration // service clock = real clock + skew
	gatewaySkew    time.Duration // the gateway's 502 carries a Date this far from the real clock
	pageSize       int           // largest page the server returns, whatever limit says (0: honour limit)
	omitTotal      bool          // leave "total" (and pages) out of listing answers
	ignoreOffset   bool          // always answer from the first record
	ignoreSort     bool          // list oldest first whatever sort_key/sort_dir say
	listLag        time.Duration // a new image shows in listings only after this
	lockNotebook   bool          // a create on a SNAPSHOTTING notebook gets 400 ModelArts.6357
	showSnapshot   bool          // a notebook shows SNAPSHOTTING once a save was handled
	registerRefuse bool          // registering a swr_path already registered (not failed) gets 6737
	ignoreFilters  bool          // list every DEDICATED image whatever name/namespace say
	fakeTotal      int           // report this total instead of the real one (0: the real one)
	listStatus     int           // answer every listing with this error status (0: list)
	faults         []createFault // per create request, in order; createOK after the list
	// onInFlight runs while a create request is being received, before the
	// service (or the gateway) acts on it: someone else's save goes here.
	onInFlight func(s *hostileServer)
	// onHandled runs right after the service stored this request's image.
	onHandled func(s *hostileServer)

	// state
	images    []*hImage
	notebooks map[string]string
	busy      map[string]bool // notebooks with a save running, shown or not
	seq       int
	creates   int // create-image requests that reached the handler
	registers int
	lists     int
	shows     int
	nbShows   int
	made      []string // IDs of images the service made for the client's requests
	stop      chan struct{}
}

func newHostileServer(t *testing.T) *hostileServer {
	t.Helper()
	s := &hostileServer{
		t:            t,
		notebooks:    map[string]string{hNotebook: "RUNNING", hOtherNB: "RUNNING"},
		busy:         map[string]bool{},
		showSnapshot: true,
		lockNotebook: true,
		stop:         make(chan struct{}),
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(func() {
		close(s.stop)
		s.srv.Close()
	})
	return s
}

// now is the service's clock.
func (s *hostileServer) now() time.Time { return time.Now().Add(s.clockSkew) }

// addImage stores an image made by someone (not through a client request).
// age is how long before the service's now it was made.
func (s *hostileServer) addImage(ns, name, tag, status, owner string, age time.Duration) *hImage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.storeLocked(ns, name, tag, "", status, "IMAGE_SAVE", owner, s.now().Add(-age))
}

func (s *hostileServer) addRegistered(swrPath, status string, age time.Duration) *hImage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.storeLocked("", "", "", swrPath, status, "CUSTOMIZE", "someone", s.now().Add(-age))
}

func (s *hostileServer) storeLocked(ns, name, tag, swrPath, status, origin, owner string, at time.Time) *hImage {
	s.seq++
	if swrPath == "" {
		swrPath = fmt.Sprintf("%s/%s/%s:%s", hRegistry, ns, name, tag)
	} else {
		ns, name, tag = splitSWR(swrPath)
	}
	im := &hImage{
		ID:   fmt.Sprintf("%08x-0000-4000-8000-%012d", s.seq, s.seq),
		Name: name, Namespace: ns, Tag: tag, SWRPath: swrPath,
		Status: status, Origin: origin, CreateAt: at.UnixMilli(), Owner: owner,
		visibleAt: time.Now(),
	}
	s.images = append(s.images, im)
	return im
}

func splitSWR(p string) (ns, name, tag string) {
	parts := strings.Split(p, "/")
	if len(parts) >= 3 {
		ns = parts[len(parts)-2]
	}
	last := parts[len(parts)-1]
	name, tag, _ = strings.Cut(last, ":")
	return ns, name, tag
}

func (s *hostileServer) counts() (creates, registers, lists int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.creates, s.registers, s.lists
}

func (s *hostileServer) madeIDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.made...)
}

func (s *hostileServer) count(pred func(*hImage) bool) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, im := range s.images {
		if pred(im) {
			n++
		}
	}
	return n
}

func (s *hostileServer) ownedBy(owner string) int {
	return s.count(func(im *hImage) bool { return im.Owner == owner })
}

func (s *hostileServer) nextFaultLocked() createFault {
	n := s.creates + s.registers // this request's index, already counted
	if n-1 < len(s.faults) {
		return s.faults[n-1]
	}
	return createOK
}

func (s *hostileServer) writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *hostileServer) writeErr(w http.ResponseWriter, status int, code, msg string) {
	s.writeJSON(w, status, map[string]string{"error_code": code, "error_msg": msg})
}

func (s *hostileServer) serve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Date", s.now().UTC().Format(http.TimeFormat))
	w.Header().Set("X-Request-Id", "hostile-req")
	prefix := "/v1/" + hProject
	if !strings.HasPrefix(r.URL.Path, prefix+"/") {
		s.writeErr(w, 404, "APIGW.0101", "The API does not exist or has not been published")
		return
	}
	p := strings.TrimPrefix(r.URL.Path, prefix)
	switch {
	case r.Method == http.MethodGet && p == "/images":
		s.list(w, r)
	case r.Method == http.MethodPost && p == "/images":
		s.create(w, r, "")
	case r.Method == http.MethodGet && strings.HasPrefix(p, "/images/"):
		s.show(w, strings.TrimPrefix(p, "/images/"))
	case r.Method == http.MethodPost && strings.HasPrefix(p, "/notebooks/") && strings.HasSuffix(p, "/create-image"):
		s.create(w, r, strings.TrimSuffix(strings.TrimPrefix(p, "/notebooks/"), "/create-image"))
	case r.Method == http.MethodGet && strings.HasPrefix(p, "/notebooks/"):
		s.notebook(w, strings.TrimPrefix(p, "/notebooks/"))
	default:
		s.writeErr(w, 404, "APIGW.0101", "The API does not exist or has not been published")
	}
}

func (s *hostileServer) show(w http.ResponseWriter, id string) {
	s.mu.Lock()
	s.shows++
	var found *hImage
	for _, im := range s.images {
		if im.ID == id {
			found = im
		}
	}
	var body map[string]any
	if found != nil {
		body = found.wire()
	}
	s.mu.Unlock()
	if found == nil {
		s.writeErr(w, 400, "ModelArts.6404", "Image not found")
		return
	}
	s.writeJSON(w, 200, body)
}

func (s *hostileServer) notebook(w http.ResponseWriter, id string) {
	s.mu.Lock()
	s.nbShows++
	st, ok := s.notebooks[id]
	s.mu.Unlock()
	if !ok {
		s.writeErr(w, 400, "ModelArts.6309", "The instance does not exist.")
		return
	}
	s.writeJSON(w, 200, map[string]any{
		"id": id, "name": "nb-" + id[:8], "status": st, "flavor": "modelarts.vm.cpu.2u",
		"image": map[string]any{"id": "e1a07296-22a8-4f05-8bc8-e936c8e54090", "name": "pytorch", "swr_path": hRegistry + "/atelier/pytorch:1.8", "type": "BUILD_IN"},
		"url":   "https://notebook.example/" + id, "workspace_id": "0",
	})
}

func (s *hostileServer) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit := 200
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			s.writeErr(w, 400, "ModelArts.0104", "Parameter error: limit")
			return
		}
		limit = n
	}
	offset := 0
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			s.writeErr(w, 400, "ModelArts.0104", "Parameter error: offset")
			return
		}
		offset = n
	}
	fuzzy := q.Get("name_fuzzy_match") != "false"
	typ := q.Get("type")
	if typ == "" {
		typ = "BUILD_IN" // the documented server default
	}

	s.mu.Lock()
	s.lists++
	if s.listStatus != 0 {
		st := s.listStatus
		s.mu.Unlock()
		s.writeErr(w, st, "ModelArts.0001", "internal error")
		return
	}
	if s.ignoreOffset {
		offset = 0
	}
	if s.pageSize > 0 && limit > s.pageSize {
		limit = s.pageSize
	}
	now := time.Now()
	var match []*hImage
	for _, im := range s.images {
		if typ != "DEDICATED" || now.Before(im.visibleAt) {
			continue
		}
		if s.ignoreFilters {
			match = append(match, im)
			continue
		}
		if n := q.Get("name"); n != "" && ((fuzzy && !strings.Contains(im.Name, n)) || (!fuzzy && im.Name != n)) {
			continue
		}
		if ns := q.Get("namespace"); ns != "" && im.Namespace != ns {
			continue
		}
		match = append(match, im)
	}
	if !s.ignoreSort {
		desc := q.Get("sort_dir") != "ASC"
		sort.SliceStable(match, func(i, j int) bool {
			if desc {
				return match[i].CreateAt > match[j].CreateAt
			}
			return match[i].CreateAt < match[j].CreateAt
		})
	}
	total := len(match)
	reported := total
	if s.fakeTotal > 0 {
		reported = s.fakeTotal
	}
	page := []map[string]any{}
	for i := offset; i < total && len(page) < limit; i++ {
		page = append(page, match[i].wire())
	}
	s.mu.Unlock()

	body := map[string]any{"data": page, "size": len(page), "current": offset/limit + 1}
	if !s.omitTotal {
		body["total"] = reported
		body["pages"] = (reported + limit - 1) / limit
	}
	s.writeJSON(w, 200, body)
}

type hCreateBody struct {
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
	Tag       string `json:"tag"`
	SWRPath   string `json:"swr_path"`
}

// create handles both creates: notebookID "" is RegisterImage.
func (s *hostileServer) create(w http.ResponseWriter, r *http.Request, notebookID string) {
	var b hCreateBody
	if err := json.NewDecoder(r.Body).Decode(&b); err != nil {
		s.writeErr(w, 400, "ModelArts.0104", "Parameter error: body")
		return
	}
	s.mu.Lock()
	if notebookID == "" {
		s.registers++
	} else {
		s.creates++
	}
	fault := s.nextFaultLocked()
	inFlight := s.onInFlight
	s.mu.Unlock()
	if inFlight != nil {
		inFlight(s)
	}
	if fault == createGateway502 {
		w.Header().Set("Date", time.Now().Add(s.gatewaySkew).UTC().Format(http.TimeFormat))
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = w.Write([]byte("<html><body><h1>502 Bad Gateway</h1>nginx</body></html>"))
		return
	}

	s.mu.Lock()
	var im *hImage
	if notebookID == "" {
		if s.registerRefuse {
			for _, old := range s.images {
				if old.SWRPath == b.SWRPath && old.Status != "CREATE_FAILED" {
					s.mu.Unlock()
					s.writeErr(w, 400, "ModelArts.6737", "The image tag already exists.")
					return
				}
			}
		}
		im = s.storeLocked("", "", "", b.SWRPath, "ACTIVE", "CUSTOMIZE", "client", s.now())
	} else {
		st, ok := s.notebooks[notebookID]
		switch {
		case !ok:
			s.mu.Unlock()
			s.writeErr(w, 400, "ModelArts.6309", "The instance does not exist.")
			return
		case s.busy[notebookID] && s.lockNotebook:
			s.mu.Unlock()
			s.writeErr(w, 400, "ModelArts.6357", "Another operation is in progress for the instance.")
			return
		case st != "RUNNING" && st != "SNAPSHOTTING":
			s.mu.Unlock()
			s.writeErr(w, 400, "ModelArts.6327", "The instance is not running.")
			return
		}
		if b.Tag != "" {
			for _, old := range s.images {
				if old.Namespace == b.Namespace && old.Name == b.Name && old.Tag == b.Tag && old.Status != "CREATE_FAILED" {
					s.mu.Unlock()
					s.writeErr(w, 400, "ModelArts.6737", "The image tag already exists.")
					return
				}
			}
		}
		tag := b.Tag
		if tag == "" {
			// The pages do not say what a tagless save is tagged with; this
			// service makes one up, as SWR needs a tag.
			tag = fmt.Sprintf("auto-%d", s.seq+1)
		}
		im = s.storeLocked(b.Namespace, b.Name, tag, "", "INIT", "IMAGE_SAVE", notebookID, s.now())
		s.busy[notebookID] = true
		if s.showSnapshot {
			s.notebooks[notebookID] = "SNAPSHOTTING"
		}
	}
	if notebookID == "" {
		im.Owner = "client"
	}
	im.visibleAt = time.Now().Add(s.listLag)
	s.made = append(s.made, im.ID)
	body := im.wire()
	handled := s.onHandled
	s.mu.Unlock()
	if handled != nil {
		handled(s)
	}

	switch fault {
	case createDropAfter:
		hijackClose(w)
	case createHangAfter:
		select {
		case <-r.Context().Done():
		case <-s.stop:
		}
	case createEmpty201:
		w.WriteHeader(http.StatusCreated)
	case createNotImage201:
		s.writeJSON(w, http.StatusCreated, map[string]any{"result": "success"})
	default:
		s.writeJSON(w, 200, body)
	}
}

func hijackClose(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("hijack unsupported")
	}
	conn, _, err := hj.Hijack()
	if err == nil {
		_ = conn.Close()
	}
}

// hClient is a client of s with fast retries and the given reconcile window.
func (s *hostileServer) client(t *testing.T, window time.Duration, opts ...modelarts.Option) *modelarts.Client {
	t.Helper()
	all := append([]modelarts.Option{
		modelarts.WithRetry(modelarts.RetryPolicy{ZeroWait: true}),
		modelarts.WithReconcileWindow(window),
		modelarts.WithTimeout(2 * time.Second),
	}, opts...)
	c, err := modelarts.NewClient(s.srv.URL, hProject, auth.NewTokenSigner("hostile-token-0123456789"), all...)
	require.NoError(t, err)
	return c
}

// describe is the outcome in one line, for the test log and the report.
func describe(img *modelarts.Image, err error) string {
	if err != nil {
		return fmt.Sprintf("error %T: %v", err, err)
	}
	return "image " + img.ID
}

// owners maps every stored image to the notebook or caller that made it.
func (s *hostileServer) owners() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]string, len(s.images))
	for _, im := range s.images {
		out[im.ID] = im.Owner
	}
	return out
}
