package modelartstest

import (
	"encoding/json"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/modelarts-go/modelarts"
)

// maxBody bounds what the fake reads of a request body.
const maxBody = 12 << 20

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc(RouteIAMToken, s.withFaults(RouteIAMToken, s.issueToken))
	for route, h := range map[string]http.HandlerFunc{
		RouteRegisterImage: s.registerImage,
		RouteListImages:    s.listImages,
		RouteGetImage:      s.getImage,
		RouteDeleteImage:   s.deleteImage,
		RouteCreateImage:   s.createImage,
		RouteGetNotebook:   s.getNotebook,
	} {
		mux.HandleFunc(route, s.withFaults(route, s.authenticated(h)))
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", randomHex(16))
		writeError(w, http.StatusNotFound, "APIGW.0101", "The API does not exist or has not been published in the environment")
	})
	return mux
}

// render is the documented JSON of an image; arch in lowercase as the
// service's examples send it.
func render(img *modelarts.Image) map[string]any {
	m := map[string]any{
		"id": img.ID, "name": img.Name, "namespace": img.Namespace, "tag": img.Tag,
		"swr_path": img.SWRPath, "description": img.Description,
		"arch": strings.ToLower(string(img.Arch)), "status": img.Status,
		"origin": img.Origin, "type": img.Type, "visibility": img.Visibility,
		"service_type": img.ServiceType, "dev_services": img.DevServices,
		"resource_categories": img.ResourceCategories, "workspace_id": img.WorkspaceID,
		"create_at": img.CreatedAt.UnixMilli(), "update_at": img.UpdatedAt.UnixMilli(),
	}
	if img.StatusMessage != "" {
		m["status_message"] = img.StatusMessage
	}
	if img.Size != 0 {
		m["size"] = img.Size
	}
	if img.FlavorType != "" {
		m["flavor_type"] = img.FlavorType
	}
	if len(img.SupportResCategories) > 0 {
		m["support_res_categories"] = img.SupportResCategories
	}
	if img.Origin == "" {
		delete(m, "origin")
	}
	if img.Visibility == "" {
		delete(m, "visibility")
	}
	return m
}

var (
	nameRE      = regexp.MustCompile(`^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$`)
	namespaceRE = regexp.MustCompile(`^[a-z][a-zA-Z0-9._-]*$`)
	tagRE       = regexp.MustCompile(`^[A-Za-z0-9._,-]+$`)
)

func badParam(w http.ResponseWriter, msg string) {
	writeError(w, http.StatusBadRequest, "ModelArts.0104", "Invalid parameter: "+msg)
}

func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(r.Body)
	if err := dec.Decode(v); err != nil {
		badParam(w, "the body is not valid JSON: "+err.Error())
		return false
	}
	return true
}

func oneOf(v string, allowed ...string) bool {
	if v == "" {
		return true
	}
	for _, a := range allowed {
		if strings.EqualFold(v, a) {
			return true
		}
	}
	return false
}

func (s *Server) registerImage(w http.ResponseWriter, r *http.Request) {
	var req struct {
		SWRPath     string   `json:"swr_path"`
		Arch        string   `json:"arch"`
		Description string   `json:"description"`
		Origin      string   `json:"origin"`
		Categories  []string `json:"resource_category"`
		ServiceType string   `json:"service_type"`
		Services    []string `json:"services"`
		Visibility  string   `json:"visibility"`
		WorkspaceID string   `json:"workspace_id"`
	}
	if !decodeBody(w, r, &req) {
		return
	}
	parts := strings.Split(req.SWRPath, "/")
	if req.SWRPath == "" || len(parts) != 3 || parts[1] == "" || parts[2] == "" {
		badParam(w, "swr_path must be host/organization/name:tag")
		return
	}
	switch {
	case !oneOf(req.Arch, "X86_64", "AARCH64"):
		badParam(w, "arch")
		return
	case !oneOf(req.Origin, "CUSTOMIZE", "IMAGE_SAVE"):
		badParam(w, "origin")
		return
	case !oneOf(req.ServiceType, "COMMON", "INFERENCE", "TRAIN", "DEV", "UNKNOWN"):
		badParam(w, "service_type")
		return
	case !oneOf(req.Visibility, "PRIVATE", "PUBLIC"):
		badParam(w, "visibility")
		return
	case len([]rune(req.Description)) > 512:
		badParam(w, "description longer than 512 characters")
		return
	}
	name, tag, _ := strings.Cut(parts[2], ":")
	if tag == "" {
		tag = "latest"
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	img := modelarts.Image{
		ID: newUUID(), Name: name, Namespace: parts[1], Tag: tag, SWRPath: req.SWRPath,
		Description: req.Description, Arch: modelarts.Arch(strings.ToUpper(or(req.Arch, "X86_64"))),
		Status: modelarts.ImageStatusActive, Origin: modelarts.Origin(or(req.Origin, "CUSTOMIZE")),
		Type: modelarts.ImageTypeDedicated, Visibility: modelarts.Visibility(or(req.Visibility, "PRIVATE")),
		ServiceType: modelarts.ServiceType(or(req.ServiceType, "UNKNOWN")), WorkspaceID: or(req.WorkspaceID, "0"),
		Size: 3376133259, CreatedAt: modelarts.TimestampOf(now), UpdatedAt: modelarts.TimestampOf(now),
	}
	for _, c := range orList(req.Categories, "CPU", "GPU") {
		img.ResourceCategories = append(img.ResourceCategories, modelarts.ResourceCategory(strings.ToUpper(c)))
	}
	for _, d := range orList(req.Services, "NOTEBOOK", "SSH") {
		img.DevServices = append(img.DevServices, modelarts.DevService(strings.ToUpper(d)))
	}
	s.mu.Lock()
	for _, id := range s.order {
		if s.images[id].SWRPath == req.SWRPath {
			s.mu.Unlock()
			writeError(w, http.StatusBadRequest, "ModelArts.6737", "The image "+req.SWRPath+" is already registered")
			return
		}
	}
	s.putLocked(&image{Image: img})
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, render(&img))
}

func (s *Server) createImage(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Name        string `json:"name"`
		Namespace   string `json:"namespace"`
		Tag         string `json:"tag"`
		Description string `json:"description"`
		WorkspaceID string `json:"workspace_id"`
	}
	if !decodeBody(w, r, &req) {
		return
	}
	switch {
	case req.Name == "" || len(req.Name) > 128 || !nameRE.MatchString(req.Name):
		badParam(w, "name")
		return
	case req.Namespace == "" || len(req.Namespace) > 64 || !namespaceRE.MatchString(req.Namespace):
		badParam(w, "namespace")
		return
	case req.Tag != "" && (len(req.Tag) > 64 || !tagRE.MatchString(req.Tag)):
		badParam(w, "tag")
		return
	case len([]rune(req.Description)) > 512:
		badParam(w, "description longer than 512 characters")
		return
	}
	id := r.PathValue("id")
	now := s.now().UTC().Truncate(time.Millisecond)
	tag := or(req.Tag, now.Format("20060102150405"))

	s.mu.Lock()
	defer s.mu.Unlock()
	nb, ok := s.notebooks[id]
	switch {
	case !ok:
		writeError(w, http.StatusBadRequest, "ModelArts.6309", "The instance does not exist.")
		return
	case nb.Status == modelarts.NotebookStatusSnapshotting:
		writeError(w, http.StatusBadRequest, "ModelArts.6357", "The instance is being saved as an image.")
		return
	case nb.Status != modelarts.NotebookStatusRunning:
		writeError(w, http.StatusBadRequest, "ModelArts.6327", "The instance is not running.")
		return
	}
	for _, iid := range s.order {
		o := s.images[iid]
		if o.Namespace == req.Namespace && o.Name == req.Name && o.Tag == tag && !o.Status.IsFailure() {
			writeError(w, http.StatusBadRequest, "ModelArts.6737", "Duplicate tag for image "+req.Name+":"+tag)
			return
		}
	}
	img := &image{Image: modelarts.Image{
		ID: newUUID(), Name: req.Name, Namespace: req.Namespace, Tag: tag,
		SWRPath:     "swr.fake.local/" + req.Namespace + "/" + req.Name + ":" + tag,
		Description: req.Description, Arch: modelarts.ArchX86_64, Status: modelarts.ImageStatusInit,
		Origin: modelarts.OriginImageSave, Type: modelarts.ImageTypeDedicated, Visibility: modelarts.VisibilityPrivate,
		ServiceType: modelarts.ServiceTypeTrain, WorkspaceID: or(req.WorkspaceID, "0"),
		DevServices:        []modelarts.DevService{modelarts.DevServiceSSH, modelarts.DevServiceNotebook},
		ResourceCategories: []modelarts.ResourceCategory{modelarts.ResourceCategoryCPU, modelarts.ResourceCategoryGPU},
		CreatedAt:          modelarts.TimestampOf(now), UpdatedAt: modelarts.TimestampOf(now),
	}, notebookID: id}
	if len(s.failNext) > 0 {
		img.failWith, s.failNext = s.failNext[0], s.failNext[1:]
	}
	nb.Status = modelarts.NotebookStatusSnapshotting
	s.putLocked(img)
	writeJSON(w, http.StatusOK, render(&img.Image))
}

func (s *Server) getImage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	img, ok := s.images[r.PathValue("id")]
	if ok {
		s.advanceLocked(img)
	}
	var out map[string]any
	if ok {
		out = render(&img.Image)
	}
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusBadRequest, "ModelArts.6404", "Image "+r.PathValue("id")+" not found")
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) deleteImage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	img, ok := s.images[r.PathValue("id")]
	if ok && img.Type == modelarts.ImageTypeBuildIn {
		s.mu.Unlock()
		writeError(w, http.StatusForbidden, "ModelArts.6407", "Built-in images cannot be deleted")
		return
	}
	if ok {
		s.deleteLocked(img.ID)
		img.Status = modelarts.ImageStatusDeleted
	}
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusBadRequest, "ModelArts.6404", "Image "+r.PathValue("id")+" not found")
		return
	}
	writeJSON(w, http.StatusOK, render(&img.Image))
}

func (s *Server) listImages(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, offset := 200, 0
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			badParam(w, "limit")
			return
		}
		limit = n
	}
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			badParam(w, "offset")
			return
		}
		offset = n
	}
	typ := strings.ToUpper(or(q.Get("type"), "BUILD_IN"))
	name, fuzzy := q.Get("name"), q.Get("name_fuzzy_match") == "true"
	sortKey, sortDir := or(q.Get("sort_key"), "create_at"), strings.ToUpper(or(q.Get("sort_dir"), "DESC"))
	if sortDir != "ASC" && sortDir != "DESC" {
		badParam(w, "sort_dir")
		return
	}

	s.mu.Lock()
	var match []modelarts.Image
	for _, id := range s.order {
		img := s.images[id].Image
		switch {
		case string(img.Type) != typ,
			name != "" && !fuzzy && img.Name != name,
			name != "" && fuzzy && !strings.Contains(img.Name, name),
			q.Get("namespace") != "" && img.Namespace != q.Get("namespace"),
			q.Get("service_type") != "" && !strings.EqualFold(string(img.ServiceType), q.Get("service_type")),
			q.Get("workspace_id") != "" && img.WorkspaceID != q.Get("workspace_id"):
			continue
		}
		match = append(match, img)
	}
	s.mu.Unlock()

	sort.SliceStable(match, func(i, j int) bool {
		var less bool
		switch sortKey {
		case "name":
			less = match[i].Name < match[j].Name
		default:
			less = match[i].CreatedAt.Before(match[j].CreatedAt.Time)
		}
		if sortDir == "DESC" {
			return !less && !(match[i].Name == match[j].Name && match[i].CreatedAt.Equal(match[j].CreatedAt.Time))
		}
		return less
	})
	data := []map[string]any{}
	for i := offset; i < len(match) && i < offset+limit; i++ {
		data = append(data, render(&match[i]))
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"current": offset/limit + 1, "data": data, "pages": (len(match) + limit - 1) / limit,
		"size": limit, "total": len(match),
	})
}

func (s *Server) getNotebook(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	nb, ok := s.notebooks[r.PathValue("id")]
	var out modelarts.Notebook
	if ok {
		out = nb.Notebook
	}
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusBadRequest, "ModelArts.6309", "The instance does not exist.")
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func orList(v []string, def ...string) []string {
	if len(v) == 0 {
		return def
	}
	return v
}
