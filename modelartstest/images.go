package modelartstest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/modelarts-go/modelarts"
)

// Routes of this file.
const (
	// RouteRegisterImage is RegisterImage: register an SWR image.
	RouteRegisterImage Route = "POST /v1/{project_id}/images"
	// RouteGetImage is ShowImage: one image.
	RouteGetImage Route = "GET /v1/{project_id}/images/{id}"
	// RouteDeleteImage is DeleteImage.
	RouteDeleteImage Route = "DELETE /v1/{project_id}/images/{id}"
	// RouteSyncImage is SyncImage: repair an image's status.
	RouteSyncImage Route = "POST /v1/{project_id}/images/{id}/sync"
	// RouteCreateImage is CreateImage: save a notebook as an image.
	RouteCreateImage Route = "POST /v1/{project_id}/notebooks/{id}/create-image"
)

var (
	_ = declare(RouteRegisterImage, (*Server).registerImage)
	_ = declare(RouteGetImage, (*Server).getImage)
	_ = declare(RouteDeleteImage, (*Server).deleteImage)
	_ = declare(RouteSyncImage, (*Server).syncImage)
	_ = declare(RouteCreateImage, (*Server).createImage)
)

// Documented enum values the fake accepts in requests, any case. The
// official SDK's enums add undocumented values that its users can send:
// HIDDEN visibility and four more services; the fake accepts those too.
var (
	archValues        = []string{"X86_64", "AARCH64"}
	originValues      = []string{"CUSTOMIZE", "IMAGE_SAVE"}
	serviceTypeValues = []string{"COMMON", "INFERENCE", "TRAIN", "DEV", "UNKNOWN"}
	visibilityValues  = []string{"PRIVATE", "PUBLIC", "HIDDEN"}
	categoryValues    = []string{"CPU", "GPU", "ASCEND"}
	servicesValues    = []string{"NOTEBOOK", "SSH", "AI_FLOW", "MA_STUDIO", "TENSOR_BOARD", "WEB_IDE"}
	flavorTypeValues  = []string{"ASCEND_SNT9", "ASCEND_SNT9B", "ASCEND_SNT3"}
	imageTypeValues   = []string{"BUILD_IN", "DEDICATED"}
)

// decodeBody decodes a JSON body into v; fields the fake does not know are
// ignored, as a service ignores them, but a known field of the wrong type
// is a parameter error.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		badParam(w, "the body is not valid JSON: "+err.Error())
		return false
	}
	return true
}

// stringTags reads RegisterImage's tags: the official SDK sends a list of
// strings, the pages describe key/value pairs; the fake takes either
// ["key=value"] or [{"key":..., "value":...}].
type stringTags []modelarts.Tag

func (t *stringTags) UnmarshalJSON(b []byte) error {
	var strs []string
	if err := json.Unmarshal(b, &strs); err == nil {
		tags, _ := parseRegisterTags(strs)
		*t = tags
		return nil
	}
	var objs []modelarts.Tag
	if err := json.Unmarshal(b, &objs); err != nil {
		return err
	}
	*t = objs
	return nil
}

func (s *Server) registerImage(w http.ResponseWriter, r *http.Request) {
	var req registerRequest
	if !decodeBody(w, r, &req) {
		return
	}
	if msg := req.check(); msg != "" {
		badParam(w, msg)
		return
	}
	img := req.image(modelarts.TimestampOf(s.Now()))
	s.mu.Lock()
	for _, id := range s.order {
		if s.images[id].SWRPath == req.SWRPath && !s.bhv.repeatRegistrations {
			s.mu.Unlock()
			writeError(w, http.StatusBadRequest, "ModelArts.6737", "The image "+req.SWRPath+" is already registered")
			return
		}
	}
	stored := &image{Image: img}
	s.lagLocked(stored)
	s.putLocked(stored)
	// read_me and tags belong to the image's group (the page: "tags of
	// the image group this image belongs to").
	g := s.groupMetaLocked(img.Namespace, img.Name)
	if req.ReadMe != "" {
		g.readMe = req.ReadMe
	}
	if len(req.Tags) > 0 {
		g.tags = slices.Clone([]modelarts.Tag(req.Tags))
	}
	out := renderImage(&img, true)
	s.mu.Unlock()
	s.answerCreate(w, out)
}

// registerRequest is the body of POST /images.
type registerRequest struct {
	SWRPath       string     `json:"swr_path"`
	Arch          string     `json:"arch"`
	Description   string     `json:"description"`
	Origin        string     `json:"origin"`
	Categories    []string   `json:"resource_category"`
	ServiceType   string     `json:"service_type"`
	Services      []string   `json:"services"`
	Visibility    string     `json:"visibility"`
	WorkspaceID   string     `json:"workspace_id"`
	FlavorType    string     `json:"flavor_type"`
	Tags          stringTags `json:"tags"`
	SWRInstanceID string     `json:"swr_instance_id"`
	ReadMe        string     `json:"read_me"`
}

// check applies the page's rules: the message of the first one broken, or
// "".
func (req *registerRequest) check() string {
	for _, msg := range []string{
		checkSWRPath(req.SWRPath), checkDescription(req.Description), checkWorkspaceID(req.WorkspaceID),
		checkSWRInstanceID(req.SWRInstanceID), checkReadMe(req.ReadMe, maxRegisterReadMe), checkTags(req.Tags),
		enum("arch", req.Arch, archValues), enum("origin", req.Origin, originValues),
		enum("service_type", req.ServiceType, serviceTypeValues), enum("visibility", req.Visibility, visibilityValues),
		enum("flavor_type", req.FlavorType, flavorTypeValues),
		enums("resource_category", req.Categories, categoryValues), enums("services", req.Services, servicesValues),
	} {
		if msg != "" {
			return msg
		}
	}
	return ""
}

// image is the image a registration makes, with the service's defaults.
func (req *registerRequest) image(now modelarts.Timestamp) modelarts.Image {
	parts := strings.Split(req.SWRPath, "/")
	name, tag, _ := strings.Cut(parts[2], ":")
	if tag == "" {
		tag = "latest"
	}
	img := modelarts.Image{
		ID: newUUID(), Name: name, Namespace: parts[1], Tag: tag, SWRPath: req.SWRPath,
		Description: req.Description, Arch: modelarts.Arch(strings.ToUpper(or(req.Arch, "X86_64"))),
		Status: modelarts.ImageStatusActive, Origin: modelarts.Origin(strings.ToUpper(or(req.Origin, "CUSTOMIZE"))),
		Type: modelarts.ImageTypeDedicated, Visibility: modelarts.Visibility(strings.ToUpper(or(req.Visibility, "PRIVATE"))),
		ServiceType: modelarts.ServiceType(strings.ToUpper(or(req.ServiceType, "UNKNOWN"))), WorkspaceID: or(req.WorkspaceID, "0"),
		FlavorType: modelarts.FlavorType(strings.ToUpper(req.FlavorType)), SWRInstanceID: req.SWRInstanceID,
		Tags: orEmpty([]modelarts.Tag(req.Tags)), Size: 3376133259, CreatedAt: now, UpdatedAt: now,
	}
	for _, c := range orList(req.Categories, "CPU", "GPU") {
		img.ResourceCategories = append(img.ResourceCategories, modelarts.ResourceCategory(strings.ToUpper(c)))
	}
	img.SupportResCategories = slices.Clone(img.ResourceCategories)
	for _, d := range orList(req.Services, "NOTEBOOK", "SSH") {
		img.DevServices = append(img.DevServices, modelarts.DevService(strings.ToUpper(d)))
	}
	return img
}

func (s *Server) createImage(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Name              string `json:"name"`
		Namespace         string `json:"namespace"`
		Tag               string `json:"tag"`
		Description       string `json:"description"`
		WorkspaceID       string `json:"workspace_id"`
		SWRInstanceID     string `json:"swr_instance_id"`
		SWRInstanceDomain string `json:"swr_instance_domain"`
	}
	if !decodeBody(w, r, &req) {
		return
	}
	for _, msg := range []string{
		checkImageName(req.Name), checkNamespace(req.Namespace), checkTag(req.Tag), checkDescription(req.Description),
		checkWorkspaceID(req.WorkspaceID), checkSWRInstanceID(req.SWRInstanceID), checkSWRInstanceDomain(req.SWRInstanceDomain),
	} {
		if msg != "" {
			badParam(w, msg)
			return
		}
	}
	s.mu.Lock()
	img, code, msg := s.saveNotebookLocked(r.PathValue("id"), SaveRequest{
		Name: req.Name, Namespace: req.Namespace, Tag: req.Tag, Description: req.Description,
		WorkspaceID: req.WorkspaceID, SWRInstanceID: req.SWRInstanceID, SWRInstanceDomain: req.SWRInstanceDomain,
	})
	var out map[string]any
	if img != nil {
		out = renderImage(&img.Image, true)
	}
	s.mu.Unlock()
	if img == nil {
		writeError(w, http.StatusBadRequest, code, msg)
		return
	}
	s.answerCreate(w, out)
}

// SaveRequest is what SaveNotebook saves a notebook as: the fields of the
// create-image request.
type SaveRequest struct {
	Name        string // image name
	Namespace   string // SWR organization
	Tag         string // "" means the time, made unique
	Description string // image description
	WorkspaceID string // "" means "0"
	// SWRInstanceID and SWRInstanceDomain name an SWR Enterprise
	// instance; "" for the shared SWR.
	SWRInstanceID, SWRInstanceDomain string
}

// SaveNotebook saves notebook id as an image the way a create-image
// request does, as another caller would (no request is logged or
// faulted): the notebook shows SNAPSHOTTING (unless NoSnapshotting) and
// the image moves on as it is read. It returns the image made, or the
// service's refusal as an error naming its error code. Use it with
// AnotherCaller to have someone else save a notebook mid-request.
func (s *Server) SaveNotebook(id string, req SaveRequest) (modelarts.Image, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	img, code, msg := s.saveNotebookLocked(id, req)
	if img == nil {
		return modelarts.Image{}, fmt.Errorf("modelartstest: SaveNotebook(%s): %s: %s", id, code, msg)
	}
	return cloneImage(img.Image), nil
}

// saveNotebookLocked starts saving notebook id as an image, or returns
// the error code and message of the refusal. The request's fields are
// valid.
func (s *Server) saveNotebookLocked(id string, req SaveRequest) (img *image, code, msg string) {
	now := s.now()
	nb, ok := s.notebooks[id]
	switch {
	case !ok:
		return nil, "ModelArts.6309", "The instance does not exist."
	case (nb.savingImage != "" || nb.status == modelarts.NotebookStatusSnapshotting) && !s.bhv.unlockedSaves:
		return nil, "ModelArts.6357", "The instance is being saved as an image."
	case nb.status != modelarts.NotebookStatusRunning && nb.status != modelarts.NotebookStatusSnapshotting:
		return nil, "ModelArts.6327", "The instance is not running."
	}
	tag := req.Tag
	if tag == "" {
		// The pages do not say what a tagless save is tagged with; the
		// fake uses the time, made unique in the group.
		base := now.UTC().Format("20060102150405")
		tag = base
		for i := 2; s.duplicateLocked(req.Namespace, req.Name, tag); i++ {
			tag = base + "-" + strconv.Itoa(i)
		}
	}
	if s.duplicateLocked(req.Namespace, req.Name, tag) {
		return nil, "ModelArts.6737", "Duplicate tag for image " + req.Name + ":" + tag
	}
	img = s.newSavedImageLocked(req.Namespace, req.Name, tag, req.Description, or(req.WorkspaceID, "0"),
		or(req.SWRInstanceDomain, "swr.fake.local"), now)
	img.SWRInstanceID = req.SWRInstanceID
	img.notebookID = id
	if !s.bhv.noSnapshotting {
		nb.status = modelarts.NotebookStatusSnapshotting
	}
	nb.savingImage = img.ID
	return img, "", ""
}

// duplicateLocked reports whether namespace/name:tag exists and has not
// failed: the service refuses a second image of one tag (ModelArts.6737).
func (s *Server) duplicateLocked(namespace, name, tag string) bool {
	for _, id := range s.order {
		o := s.images[id]
		if o.Namespace == namespace && o.Name == name && o.Tag == tag && !o.Status.IsFailure() {
			return true
		}
	}
	return false
}

// newSavedImageLocked stores an image being saved (from a notebook or a
// training job), INIT, taking the next FailNextImage.
func (s *Server) newSavedImageLocked(namespace, name, tag, description, workspaceID, registry string, now time.Time) *image {
	at := modelarts.TimestampOf(now)
	img := &image{Image: modelarts.Image{
		ID: newUUID(), Name: name, Namespace: namespace, Tag: tag,
		SWRPath:     registry + "/" + namespace + "/" + name + ":" + tag,
		Description: description, Arch: modelarts.ArchX86_64, Status: modelarts.ImageStatusInit,
		Origin: modelarts.OriginImageSave, Type: modelarts.ImageTypeDedicated, Visibility: modelarts.VisibilityPrivate,
		ServiceType: modelarts.ServiceTypeTrain, WorkspaceID: workspaceID,
		DevServices:          []modelarts.DevService{modelarts.DevServiceSSH, modelarts.DevServiceNotebook},
		ResourceCategories:   []modelarts.ResourceCategory{modelarts.ResourceCategoryCPU, modelarts.ResourceCategoryGPU},
		SupportResCategories: []modelarts.ResourceCategory{modelarts.ResourceCategoryCPU, modelarts.ResourceCategoryGPU},
		Tags:                 []modelarts.Tag{}, CreatedAt: at, UpdatedAt: at,
	}}
	if len(s.failNext) > 0 {
		img.failWith, s.failNext = s.failNext[0], s.failNext[1:]
	}
	s.lagLocked(img)
	s.putLocked(img)
	return img
}

func (s *Server) getImage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	img, ok := s.images[r.PathValue("id")]
	var out map[string]any
	if ok {
		s.advanceLocked(img)
		out = renderImage(&img.Image, true)
	}
	s.mu.Unlock()
	if !ok {
		imageNotFound(w, r.PathValue("id"))
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func imageNotFound(w http.ResponseWriter, id string) {
	writeError(w, http.StatusBadRequest, "ModelArts.6404", "Image "+id+" not found")
}

// forceOf reads the force flag of a delete: the API pages document the
// query ?force=true, the official SDK sends the body {"is_force": true};
// the fake honours both, and either one set means force.
func forceOf(w http.ResponseWriter, r *http.Request, query bool) (force, ok bool) {
	if query && r.URL.Query().Has("force") {
		switch v := strings.ToLower(r.URL.Query().Get("force")); v {
		case "true":
			force = true
		case "false":
		default:
			badParam(w, "force must be true or false")
			return false, false
		}
	}
	var body struct {
		IsForce *bool `json:"is_force"`
	}
	if b, _ := readAll(r); len(strings.TrimSpace(string(b))) > 0 {
		if err := json.Unmarshal(b, &body); err != nil {
			badParam(w, "the body is not valid JSON: "+err.Error())
			return false, false
		}
	}
	return force || body.IsForce != nil && *body.IsForce, true
}

func (s *Server) deleteImage(w http.ResponseWriter, r *http.Request) {
	force, ok := forceOf(w, r, true)
	if !ok {
		return
	}
	s.mu.Lock()
	img, ok := s.images[r.PathValue("id")]
	if ok && img.Type == modelarts.ImageTypeBuildIn {
		s.mu.Unlock()
		writeError(w, http.StatusForbidden, "ModelArts.6407", "Built-in images cannot be deleted")
		return
	}
	var out map[string]any
	if ok {
		s.deleteLocked(img, force)
		out = renderImage(&img.Image, true)
	}
	s.mu.Unlock()
	if !ok {
		imageNotFound(w, r.PathValue("id"))
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// syncImage repairs an image whose status went wrong: an image in ERROR
// is ACTIVE again after a sync (the fake's SWR still holds it); any other
// image is answered as it is, a save in progress included (a sync is not a
// poll and does not move it).
func (s *Server) syncImage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	img, ok := s.images[r.PathValue("id")]
	var out map[string]any
	if ok {
		if img.Status == modelarts.ImageStatusError {
			img.Status = modelarts.ImageStatusActive
			img.StatusMessage = ""
			img.UpdatedAt = modelarts.TimestampOf(s.now())
		}
		out = renderImage(&img.Image, true)
	}
	s.mu.Unlock()
	if !ok {
		imageNotFound(w, r.PathValue("id"))
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// enum checks a request enum against the documented values, any case.
func enum(field, v string, allowed []string) string {
	if !oneOf(v, allowed...) {
		return field + " must be one of " + strings.Join(allowed, ", ")
	}
	return ""
}

func enums(field string, vs []string, allowed []string) string {
	for _, v := range vs {
		if v == "" || !oneOf(v, allowed...) {
			return field + " items must be among " + strings.Join(allowed, ", ")
		}
	}
	return ""
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
