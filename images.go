package modelarts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/url"
	"regexp"
	"strings"

	"github.com/modelarts-go/modelarts/internal/textutil"
)

// RegisterImageRequest registers a custom image that is already in SWR.
// Unset fields are omitted; the service then applies its defaults (X86_64,
// CUSTOMIZE, PRIVATE, workspace "0"). Enum fields take the SDK's constants
// or any other value, which is sent as given for the service to judge
// (known values are sent in their canonical case).
type RegisterImageRequest struct {
	SWRPath            string             `json:"swr_path"` // required; 16 to 2048 characters
	Arch               Arch               `json:"arch,omitempty"`
	Description        string             `json:"description,omitempty"` // at most 512 characters
	Origin             Origin             `json:"origin,omitempty"`
	ResourceCategories []ResourceCategory `json:"resource_category,omitempty"` // singular on the wire
	ServiceType        ServiceType        `json:"service_type,omitempty"`
	Services           []DevService       `json:"services,omitempty"`
	Visibility         Visibility         `json:"visibility,omitempty"`
	WorkspaceID        string             `json:"workspace_id,omitempty"` // "0" or 32 of [0-9a-z]
	FlavorType         FlavorType         `json:"flavor_type,omitempty"`
	// Tags are the tags of the image group the image joins, at most 20.
	// They are strings on the wire, as the official SDK types them; the
	// API pages do not say how a key/value pair is written in one.
	Tags          []string `json:"tags,omitempty"`
	SWRInstanceID string   `json:"swr_instance_id,omitempty"` // SWR Enterprise Edition instance
	ReadMe        string   `json:"read_me,omitempty"`         // image guide, at most 3000 characters
}

// CreateImageRequest saves a running notebook as an image.
type CreateImageRequest struct {
	Name      string `json:"name"`      // required; ≤128 chars: a-z 0-9 - _ . starting and ending alphanumeric
	Namespace string `json:"namespace"` // required; the SWR organization; ≤64 chars, starts a-z
	// Tag is at most 64 letters, digits, '-', '_', '.' and ','. When it is
	// empty, the SDK chooses one (see CreateImageFromNotebook): the API
	// pages give no default, and a tag of this call's own is what ties the
	// image to the call should the answer be lost.
	Tag               string `json:"tag,omitempty"`
	Description       string `json:"description,omitempty"` // at most 512 characters
	WorkspaceID       string `json:"workspace_id,omitempty"`
	SWRInstanceID     string `json:"swr_instance_id,omitempty"`     // SWR Enterprise Edition instance to save into
	SWRInstanceDomain string `json:"swr_instance_domain,omitempty"` // that instance's registry host
}

// RegisterImage registers a custom image from SWR with ModelArts. Should
// the answer be lost after the request was sent (or the service answer 2xx
// without the image), the client looks for the image this call registered,
// by swr_path and the service's clock, before it retries: found, it is
// returned; not listed within the reconcile window (WithReconcileWindow),
// the registration is sent again. A service whose listing lags longer than
// the window could then register the path twice; see the README's
// "Creates happen once".
func (c *Client) RegisterImage(ctx context.Context, req *RegisterImageRequest, opts ...CallOption) (_ *Image, err error) {
	ctx, obs := c.observeCall(ctx, CallStart{Operation: "RegisterImage"})
	defer obs.end(&err)
	cfg, err := begin(c, ctx, opts)
	if err != nil {
		return nil, err
	}
	if err := req.validate(); err != nil {
		return nil, err
	}
	norm := *req
	norm.Arch = normalize(string(req.Arch), archValues)
	norm.Origin = normalize(string(req.Origin), originValues)
	norm.ServiceType = normalize(string(req.ServiceType), serviceTypeValues)
	norm.Visibility = normalize(string(req.Visibility), visibilityValues)
	norm.FlavorType = normalize(string(req.FlavorType), flavorTypeValues)
	norm.ResourceCategories = cloneNormalized(req.ResourceCategories, resourceCategoryValues)
	norm.Services = cloneNormalized(req.Services, devServiceValues)
	body, err := json.Marshal(&norm)
	if err != nil {
		return nil, fmt.Errorf("modelarts: encoding the register request: %w", err)
	}
	return c.create(ctx, &call{
		method: "POST",
		path:   c.prefix + "/images",
		body:   body,
		cfg:    cfg,
	}, c.registerProbe(req))
}

// CreateImageFromNotebook saves the running notebook notebookID as an image
// in SWR. The image starts INIT; use WaitForActive to wait until it is
// usable, or SaveNotebookAsImage to do it all. A notebook that is not
// RUNNING gives ErrNotebookNotRunning; one busy with another operation
// gives ErrOperationInProgress. Should the answer be lost after the request
// was sent (or the service answer 2xx without the image), the client looks
// for the image this call made, by namespace, name and tag, the service's
// clock and the notebook's SNAPSHOTTING status, before anything else: found,
// it is returned; undecidable, a *CreateOutcomeError names the candidates;
// no save running and nothing listed for the whole window, the create is
// sent again (see "Creates happen once" in the package doc).
//
// A request without a Tag is sent with one the SDK chooses, unique to the
// call: the caller's UTC time as YYYYMMDDhhmmss, '-', and 12 random hex
// digits, e.g. "20261129203012-9f3a61c0b27e" (27 characters, valid under
// both editions of the API page). The returned image carries it; req is
// not changed. Without it, another caller's tagless save of the same name
// could not be told from this call's.
func (c *Client) CreateImageFromNotebook(ctx context.Context, notebookID string, req *CreateImageRequest, opts ...CallOption) (_ *Image, err error) {
	ctx, obs := c.observeCall(ctx, CallStart{Operation: "CreateImageFromNotebook", NotebookID: notebookID})
	defer obs.end(&err)
	cfg, err := begin(c, ctx, opts)
	if err != nil {
		return nil, err
	}
	if err := validateID("notebook id", notebookID); err != nil {
		return nil, err
	}
	if err := req.validate(); err != nil {
		return nil, err
	}
	ownTag := req.Tag == ""
	if ownTag {
		r := *req
		if r.Tag, err = saveTag(c.now()); err != nil {
			return nil, err
		}
		req = &r
	}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("modelarts: encoding the create-image request: %w", err)
	}
	return c.create(ctx, &call{
		method: "POST",
		path:   c.notebookPath(notebookID) + "/create-image",
		body:   body,
		cfg:    cfg,
	}, c.saveProbe(notebookID, req, ownTag))
}

// GetImage reads an image. An unknown ID gives an error matching
// ErrNotFound (the service reports it with HTTP 400 and ModelArts.6404).
func (c *Client) GetImage(ctx context.Context, imageID string, opts ...CallOption) (_ *Image, err error) {
	ctx, obs := c.observeCall(ctx, CallStart{Operation: "GetImage", ImageID: imageID})
	defer obs.end(&err)
	cfg, err := begin(c, ctx, opts)
	if err != nil {
		return nil, err
	}
	return c.getImage(ctx, cfg, imageID)
}

func (c *Client) getImage(ctx context.Context, cfg *callConfig, imageID string) (*Image, error) {
	if err := validateID("image id", imageID); err != nil {
		return nil, err
	}
	return c.doImage(ctx, &call{method: "GET", path: c.imagePath(imageID), cfg: cfg})
}

// DeleteImage deletes an image (its registration in ModelArts). With
// WithForce, the image content in SWR goes too (personal private images
// only). A delete whose answer was lost and whose retry finds the image
// gone has succeeded.
//
// The sources disagree on how force is sent: the official SDK sends a JSON
// body {"is_force": true}, the API pages a query parameter force=true. The
// SDK sends the body: it is what the official SDK's users exercise against
// the service every day, and the pages themselves put is_force in the body
// for DeleteImageGroup. Without WithForce no body is sent.
func (c *Client) DeleteImage(ctx context.Context, imageID string, opts ...DeleteOption) (err error) {
	ctx, obs := c.observeCall(ctx, CallStart{Operation: "DeleteImage", ImageID: imageID})
	defer obs.end(&err)
	cfg, err := begin(c, ctx, opts)
	if err != nil {
		return err
	}
	if err := validateID("image id", imageID); err != nil {
		return err
	}
	return c.delete(ctx, c.imagePath(imageID), cfg)
}

// delete sends a DELETE with the lost-DELETE rule: a DELETE whose earlier
// attempt may have been carried out (its answer lost) and whose retry
// finds nothing has succeeded, since the earlier attempt did the work.
func (c *Client) delete(ctx context.Context, path string, cfg *callConfig) error {
	return c.do(ctx, &call{method: "DELETE", path: path, body: forceBody(cfg), cfg: cfg, settle: deletedAlready}, nil)
}

// deletedAlready is the lost-DELETE rule, as the engine asks it (see
// call.settle).
func deletedAlready(_ context.Context, failure error, lost bool) (bool, error) {
	return !lost && errors.Is(failure, ErrNotFound), nil
}

// forceBody is the body of a forced delete, nil otherwise.
func forceBody(cfg *callConfig) []byte {
	if !cfg.force {
		return nil
	}
	return []byte(`{"is_force":true}`)
}

// doImage runs a call whose answer is an image, decoded in one pass.
func (c *Client) doImage(ctx context.Context, cl *call) (*Image, error) {
	img := new(Image)
	if err := c.do(ctx, cl, img); err != nil {
		return nil, err
	}
	if img.ID == "" {
		return nil, &DecodeError{Method: cl.method, Path: cl.path, StatusCode: cl.status, Err: errors.New("the answer carries no image id")}
	}
	return img, nil
}

func (c *Client) imagePath(imageID string) string {
	return c.prefix + "/images/" + url.PathEscape(imageID)
}

// Image is a ModelArts container image as the service describes it. It
// carries every response field of the image APIs (register, save from a
// notebook, get, list, delete, sync). It is plain data: encoding/json
// reads and writes it in the service's shape through its field types
// (Timestamp for the times), so a struct that embeds it keeps its own
// fields too.
type Image struct {
	ID            string      `json:"id,omitempty"`
	Name          string      `json:"name,omitempty"`
	Namespace     string      `json:"namespace,omitempty"` // SWR organization
	Tag           string      `json:"tag,omitempty"`
	SWRPath       string      `json:"swr_path,omitempty"`
	Description   string      `json:"description,omitempty"`
	Arch          Arch        `json:"arch,omitempty"`
	Status        ImageStatus `json:"status,omitempty"`
	StatusMessage string      `json:"status_message,omitempty"` // build information; the reason of a failure
	Origin        Origin      `json:"origin,omitempty"`
	Type          ImageType   `json:"type,omitempty"`
	Visibility    Visibility  `json:"visibility,omitempty"`
	ServiceType   ServiceType `json:"service_type,omitempty"`
	FlavorType    FlavorType  `json:"flavor_type,omitempty"` // 2025 API edition only

	DevServices        []DevService       `json:"dev_services,omitempty"`
	ResourceCategories []ResourceCategory `json:"resource_categories,omitempty"`
	// SupportResCategories has the meaning of ResourceCategories; the
	// service sets it on single images, not on listing items.
	SupportResCategories []ResourceCategory `json:"support_res_categories,omitempty"`
	WorkspaceID          string             `json:"workspace_id,omitempty"`

	// ShowName and ShowTag are the display name and version; only preset
	// (built-in) images have them.
	ShowName string `json:"show_name,omitempty"`
	ShowTag  string `json:"show_tag,omitempty"`
	// SWRInstanceID is the SWR Enterprise Edition instance holding the
	// image; empty when SWR Enterprise is not used (the service sends null).
	SWRInstanceID string `json:"swr_instance_id,omitempty"`
	// Tags are the image's TMS tags.
	Tags []Tag `json:"tags,omitempty"`

	// Size of the image. The API pages document it "in KB", but their
	// example value (3376133259 for a PyTorch image) only makes sense as
	// bytes; the SDK passes the number through unchanged, so check the unit
	// against your own images before converting.
	Size int64 `json:"size,omitempty"`

	// CreatedAt and UpdatedAt are create_at / update_at: UTC milliseconds
	// since the epoch on the wire.
	CreatedAt Timestamp `json:"create_at"`
	UpdatedAt Timestamp `json:"update_at"`
}

// Tag is a TMS tag: a key and a value.
type Tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// ImagePage is one page of ListImagesPage.
type ImagePage = Page[Image]

// Arch is a processor architecture.
type Arch string

// Architectures.
const (
	ArchX86_64  Arch = "X86_64"
	ArchAARCH64 Arch = "AARCH64"
)

// ImageStatus is the state of an image.
//
// Lifecycle: INIT → CREATING → ACTIVE, or CREATE_FAILED / ERROR with the
// reason in Image.StatusMessage; DELETED is terminal too.
type ImageStatus string

// Image statuses.
const (
	ImageStatusInit         ImageStatus = "INIT"
	ImageStatusCreating     ImageStatus = "CREATING"
	ImageStatusCreateFailed ImageStatus = "CREATE_FAILED"
	ImageStatusError        ImageStatus = "ERROR"
	ImageStatusDeleted      ImageStatus = "DELETED"
	ImageStatusActive       ImageStatus = "ACTIVE"
)

// IsTerminal reports whether the image will not change status any more on
// its own: ACTIVE, CREATE_FAILED, ERROR or DELETED.
func (s ImageStatus) IsTerminal() bool {
	return s == ImageStatusActive || s.IsFailure()
}

// IsFailure reports whether the status is a terminal failure:
// CREATE_FAILED, ERROR or DELETED.
func (s ImageStatus) IsFailure() bool {
	return s == ImageStatusCreateFailed || s == ImageStatusError || s == ImageStatusDeleted
}

// ResourceCategory is a kind of compute an image supports.
type ResourceCategory string

// Resource categories.
const (
	ResourceCategoryCPU    ResourceCategory = "CPU"
	ResourceCategoryGPU    ResourceCategory = "GPU"
	ResourceCategoryASCEND ResourceCategory = "ASCEND"
)

// ServiceType is what an image is meant for.
type ServiceType string

// Service types.
const (
	ServiceTypeCommon    ServiceType = "COMMON"
	ServiceTypeInference ServiceType = "INFERENCE"
	ServiceTypeTrain     ServiceType = "TRAIN"
	ServiceTypeDev       ServiceType = "DEV"
	ServiceTypeUnknown   ServiceType = "UNKNOWN"
)

// DevService is a way to reach a notebook running the image.
type DevService string

// Development services.
const (
	DevServiceNotebook DevService = "NOTEBOOK" // HTTPS access to the notebook
	DevServiceSSH      DevService = "SSH"      // remote access from a local IDE
)

// Origin is where an image came from.
type Origin string

// Origins.
const (
	OriginCustomize Origin = "CUSTOMIZE"  // registered custom image
	OriginImageSave Origin = "IMAGE_SAVE" // saved from a notebook
)

// ImageType tells built-in images from one's own.
type ImageType string

// Image types.
const (
	ImageTypeBuildIn   ImageType = "BUILD_IN"  // system image
	ImageTypeDedicated ImageType = "DEDICATED" // your own image
)

// Visibility says who may use an image.
type Visibility string

// Visibilities.
const (
	VisibilityPrivate Visibility = "PRIVATE"
	VisibilityPublic  Visibility = "PUBLIC" // read-only for all users, by image ID
)

// FlavorType is the Ascend resource type an image targets (2025 API edition).
type FlavorType string

// Flavor types.
const (
	FlavorTypeAscendSNT9  FlavorType = "ASCEND_SNT9"
	FlavorTypeAscendSNT9B FlavorType = "ASCEND_SNT9B"
	FlavorTypeAscendSNT3  FlavorType = "ASCEND_SNT3"
)

// SortDir is a listing sort direction.
type SortDir string

// Sort directions.
const (
	SortAsc  SortDir = "ASC"
	SortDesc SortDir = "DESC"
)

var (
	archValues             = []Arch{ArchX86_64, ArchAARCH64}
	imageStatusValues      = []ImageStatus{ImageStatusInit, ImageStatusCreating, ImageStatusCreateFailed, ImageStatusError, ImageStatusDeleted, ImageStatusActive}
	resourceCategoryValues = []ResourceCategory{ResourceCategoryCPU, ResourceCategoryGPU, ResourceCategoryASCEND}
	serviceTypeValues      = []ServiceType{ServiceTypeCommon, ServiceTypeInference, ServiceTypeTrain, ServiceTypeDev, ServiceTypeUnknown}
	devServiceValues       = []DevService{DevServiceNotebook, DevServiceSSH}
	originValues           = []Origin{OriginCustomize, OriginImageSave}
	imageTypeValues        = []ImageType{ImageTypeBuildIn, ImageTypeDedicated}
	visibilityValues       = []Visibility{VisibilityPrivate, VisibilityPublic}
	flavorTypeValues       = []FlavorType{FlavorTypeAscendSNT9, FlavorTypeAscendSNT9B, FlavorTypeAscendSNT3}
	sortDirValues          = []SortDir{SortAsc, SortDesc}
)

// UnmarshalJSON reads an architecture as the service sends it: a known value in any
// case as its constant, any other value as sent.
func (a *Arch) UnmarshalJSON(b []byte) error { return decodeEnum(b, a, archValues) }

// UnmarshalJSON reads an image status as the service sends it: a known value in any
// case as its constant, any other value as sent.
func (s *ImageStatus) UnmarshalJSON(b []byte) error { return decodeEnum(b, s, imageStatusValues) }

// UnmarshalJSON reads a resource category as the service sends it: a known value in any
// case as its constant, any other value as sent.
func (r *ResourceCategory) UnmarshalJSON(b []byte) error {
	return decodeEnum(b, r, resourceCategoryValues)
}

// UnmarshalJSON reads a service type as the service sends it: a known value in any
// case as its constant, any other value as sent.
func (s *ServiceType) UnmarshalJSON(b []byte) error { return decodeEnum(b, s, serviceTypeValues) }

// UnmarshalJSON reads a development service as the service sends it: a known value in any
// case as its constant, any other value as sent.
func (d *DevService) UnmarshalJSON(b []byte) error { return decodeEnum(b, d, devServiceValues) }

// UnmarshalJSON reads an image origin as the service sends it: a known value in any
// case as its constant, any other value as sent.
func (o *Origin) UnmarshalJSON(b []byte) error { return decodeEnum(b, o, originValues) }

// UnmarshalJSON reads an image type as the service sends it: a known value in any
// case as its constant, any other value as sent.
func (t *ImageType) UnmarshalJSON(b []byte) error { return decodeEnum(b, t, imageTypeValues) }

// UnmarshalJSON reads a visibility as the service sends it: a known value in any
// case as its constant, any other value as sent.
func (v *Visibility) UnmarshalJSON(b []byte) error { return decodeEnum(b, v, visibilityValues) }

// UnmarshalJSON reads a flavor type as the service sends it: a known value in any
// case as its constant, any other value as sent.
func (f *FlavorType) UnmarshalJSON(b []byte) error { return decodeEnum(b, f, flavorTypeValues) }

// SyncImage asks the service to bring an image whose status went wrong (a
// misoperation, a network or system fault) back in line with its real
// state, and returns the image as it is after the sync. It is a POST with
// no body; like every POST, it is not sent again when its answer is lost,
// so read the image with GetImage after such a failure.
func (c *Client) SyncImage(ctx context.Context, imageID string, opts ...CallOption) (_ *Image, err error) {
	ctx, obs := c.observeCall(ctx, CallStart{Operation: "SyncImage", ImageID: imageID})
	defer obs.end(&err)
	cfg, err := begin(c, ctx, opts)
	if err != nil {
		return nil, err
	}
	if err := validateID("image id", imageID); err != nil {
		return nil, err
	}
	return c.doImage(ctx, &call{method: "POST", path: c.imagePath(imageID) + "/sync", cfg: cfg})
}

// DefaultPageSize is the server's page size when Limit is 0.
const DefaultPageSize = 200

// MaxPageSize is the largest Limit a listing accepts. The API pages state
// no maximum; the SDK refuses more, before sending, so that one page stays
// bounded in memory (about 1 KB per image decoded) and a typo does not
// become a 400 ModelArts.0104 from the service.
const MaxPageSize = 1000

// ListImagesOptions filters and pages a listing. Every field is optional.
//
// The server lists BUILD_IN (system) images unless told otherwise: set
// Type: ImageTypeDedicated to list your own images.
type ListImagesOptions struct {
	Limit  int // page size, 1 to MaxPageSize; 0 means the server default (200)
	Offset int // images to skip
	// Name filters on the image name: the exact name, or a substring with
	// NameFuzzyMatch. The service matches fuzzily unless told otherwise,
	// so the SDK sends name_fuzzy_match=false whenever Name is set and
	// NameFuzzyMatch is not.
	Name           string
	NameFuzzyMatch bool
	Namespace      string      // SWR organization
	Type           ImageType   // BUILD_IN (server default) or DEDICATED
	ServiceType    ServiceType // e.g. ServiceTypeTrain
	// SortKey is one or more field names, comma-separated, e.g.
	// "create_at" or "create_at,update_at" (at most 128 characters of
	// letters, digits, '-', '_' and ','). Which fields the service sorts
	// on is not documented: an unsupported one gives ModelArts.6303.
	SortKey       string
	SortDir       SortDir // SortAsc or SortDesc (server default)
	WorkspaceID   string
	ShowName      string // display name; only built-in images have one
	ShowTag       string // display tag; only built-in images have one
	SWRInstanceID string // SWR Enterprise Edition instance
}

var sortKeyRE = regexp.MustCompile(`^[A-Za-z0-9_,-]{1,128}$`)

func (o *ListImagesOptions) validate() error {
	if err := checkPaging(o.Limit, o.Offset, MaxPageSize); err != nil {
		return err
	}
	if o.SortKey != "" && !sortKeyRE.MatchString(o.SortKey) {
		return invalid("sort_key", "%q must be field names separated by commas: at most 128 letters, digits, '-', '_' and ','", textutil.Clip(o.SortKey, 64))
	}
	for _, err := range []error{
		checkLen("name", o.Name, 512),
		checkLen("namespace", o.Namespace, maxNamespaceLen),
		checkPrintable("name", o.Name),
		checkPrintable("namespace", o.Namespace),
		checkPrintable("type", string(o.Type)),
		checkPrintable("service_type", string(o.ServiceType)),
		checkPrintable("sort_dir", string(o.SortDir)),
		checkPrintable("workspace_id", o.WorkspaceID),
		checkPrintable("show_name", o.ShowName),
		checkPrintable("show_tag", o.ShowTag),
		checkPrintable("swr_instance_id", o.SWRInstanceID),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}

func (o *ListImagesOptions) query() url.Values {
	q := listQuery{}
	q.paging(o.Limit, o.Offset)
	q.name(o.Name, o.NameFuzzyMatch)
	q.set("namespace", o.Namespace)
	q.set("type", string(normalize(string(o.Type), imageTypeValues)))
	q.set("service_type", string(normalize(string(o.ServiceType), serviceTypeValues)))
	q.set("sort_key", o.SortKey)
	q.set("sort_dir", string(normalize(string(o.SortDir), sortDirValues)))
	q.set("workspace_id", o.WorkspaceID)
	q.set("show_name", o.ShowName)
	q.set("show_tag", o.ShowTag)
	q.set("swr_instance_id", o.SWRInstanceID)
	return url.Values(q)
}

// ListImagesPage reads one page of images, with the total count.
func (c *Client) ListImagesPage(ctx context.Context, opts *ListImagesOptions, callOpts ...CallOption) (_ *ImagePage, err error) {
	ctx, obs := c.observeCall(ctx, CallStart{Operation: "ListImagesPage"})
	defer obs.end(&err)
	cfg, err := begin(c, ctx, callOpts)
	if err != nil {
		return nil, err
	}
	return c.listImagesPage(ctx, cfg, opts)
}

func (c *Client) listImagesPage(ctx context.Context, cfg *callConfig, opts *ListImagesOptions) (*ImagePage, error) {
	if opts == nil {
		opts = &ListImagesOptions{}
	}
	if err := opts.validate(); err != nil { // before the page is sized by it
		return nil, err
	}
	var page ImagePage
	// Room for a full page up front: decoding appends into it without
	// growing (and copying) the array of pointers.
	size := opts.Limit
	if size == 0 {
		size = DefaultPageSize
	}
	page.Items = make([]*Image, 0, size)
	if err := readPage(ctx, c, cfg, "/images", opts, &page, &page); err != nil {
		return nil, err
	}
	return &page, nil
}

// ListImages walks every page of the listing, from opts.Offset on:
//
//	for img, err := range client.ListImages(ctx, &modelarts.ListImagesOptions{Type: modelarts.ImageTypeDedicated}) {
//		if err != nil { return err }
//		fmt.Println(img.Name)
//	}
//
// Pages are read as the loop needs them; the paging rules, and what a walk
// guarantees while the collection changes, are in the package doc
// ("Listings"). Breaking out of the loop stops paging. An error is yielded
// once, as the last element.
func (c *Client) ListImages(ctx context.Context, opts *ListImagesOptions, callOpts ...CallOption) iter.Seq2[*Image, error] {
	return iterate(c, ctx, CallStart{Operation: "ListImages"}, callOpts, func(ctx context.Context, cfg *callConfig) iter.Seq2[*Image, error] {
		return c.listImages(ctx, cfg, opts)
	})
}

func (c *Client) listImages(ctx context.Context, cfg *callConfig, opts *ListImagesOptions) iter.Seq2[*Image, error] {
	o := ListImagesOptions{}
	if opts != nil {
		o = *opts
	}
	return walk("images", &o.Offset, o.Limit, func() ([]*Image, pageCounts, error) {
		page, err := c.listImagesPage(ctx, cfg, &o)
		if err != nil {
			return nil, pageCounts{}, err
		}
		return page.Items, pageCounts{slots: page.slots, total: page.Total, size: page.Size}, nil
	}, func(img *Image) string { return img.ID })
}

// WaitForActive polls the image until it is ACTIVE and returns it. An image
// that ends CREATE_FAILED, ERROR or DELETED gives the image and a
// *WaitError wrapping an *ImageFailedError (errors.As finds it) carrying
// the server's status_message. Bound the wait
// with ctx: on its deadline or cancellation a *WaitError wrapping ctx.Err()
// names the last status seen.
func (c *Client) WaitForActive(ctx context.Context, imageID string, opts ...WaitOption) (*Image, error) {
	return c.waitForImage(ctx, "WaitForActive", imageID, untilActive, opts)
}

// untilActive is WaitForActive's condition.
func untilActive(img *Image) (bool, error) {
	switch {
	case img.Status == ImageStatusActive:
		return true, nil
	case img.Status.IsFailure():
		return true, &ImageFailedError{ImageID: img.ID, Status: img.Status, StatusMessage: img.StatusMessage}
	}
	return false, nil
}

// WaitForImage polls the image until cond reports done, and returns the
// last image read with cond's error. Polls back off exponentially with
// jitter between the poll interval's bounds, one request at a time; the last
// wait is shortened so one final poll happens before ctx's deadline.
//
// Transient failures (network errors, 5xx, 429, after the client's own
// retries) do not end the wait; they are counted and reported if it times
// out. Permanent ones (401, 403, 4xx) end it at once. A not-found within
// the grace period is taken as eventual consistency; after it, the error
// matches ErrNotFound.
func (c *Client) WaitForImage(ctx context.Context, imageID string, cond func(*Image) (done bool, err error), opts ...WaitOption) (*Image, error) {
	return c.waitForImage(ctx, "WaitForImage", imageID, cond, opts)
}

// waitForImage is WaitForImage (and WaitForActive), observed as op.
func (c *Client) waitForImage(ctx context.Context, op, imageID string, cond func(*Image) (bool, error), opts []WaitOption) (_ *Image, err error) {
	ctx, obs := c.observeCall(ctx, CallStart{Operation: op, ImageID: imageID})
	defer obs.end(&err)
	if err := validateID("image id", imageID); err != nil {
		return nil, err
	}
	if cond == nil {
		return nil, invalid("cond", "the wait condition is nil")
	}
	cfg, err := begin(c, ctx, opts)
	if err != nil {
		return nil, err
	}
	return c.waitImage(ctx, cfg, imageID, cond)
}

// waitImage is WaitForImage once the call has begun.
func (c *Client) waitImage(ctx context.Context, cfg *callConfig, imageID string, cond func(*Image) (bool, error)) (*Image, error) {
	return pollUntil(ctx, c, cfg.wait, &waitSpec[*Image]{
		resource: resourceImage,
		id:       imageID,
		poll:     func(ctx context.Context) (*Image, error) { return c.getImage(ctx, cfg, imageID) },
		status:   func(img *Image) string { return string(img.Status) },
		done:     cond,
		progress: cfg.wait.progress,
	})
}

// validate checks a RegisterImageRequest against the documented rules.
func (r *RegisterImageRequest) validate() error {
	if r == nil {
		return invalid("request", "the RegisterImageRequest is nil")
	}
	if r.SWRPath == "" {
		return invalid("swr_path", "required: the SWR address of the image, e.g. swr.cn-north-4.myhuaweicloud.com/org/name:tag")
	}
	if n := len(r.SWRPath); n < minSWRPathLen || n > maxSWRPathLen || strings.ContainsAny(r.SWRPath, " \t\r\n") {
		return invalid("swr_path", "%q must be an SWR address without spaces, %d to %d characters", textutil.Clip(r.SWRPath, 64), minSWRPathLen, maxSWRPathLen)
	}
	if len(r.Tags) > maxRequestTags {
		return invalid("tags", "%d tags, at most %d allowed", len(r.Tags), maxRequestTags)
	}
	for _, t := range r.Tags {
		if t == "" {
			return invalid("tags", "contains an empty tag")
		}
		if err := checkPrintable("tags", t); err != nil {
			return err
		}
	}
	for _, err := range []error{
		checkPrintable("swr_path", r.SWRPath),
		checkOpenEnum("arch", r.Arch),
		checkLen("description", r.Description, maxDescriptionLen),
		checkOpenEnum("origin", r.Origin),
		checkOpenEnums("resource_category", r.ResourceCategories),
		checkOpenEnum("service_type", r.ServiceType),
		checkOpenEnums("services", r.Services),
		checkOpenEnum("visibility", r.Visibility),
		checkOpenEnum("flavor_type", r.FlavorType),
		checkWorkspaceID(r.WorkspaceID),
		checkPrintable("swr_instance_id", r.SWRInstanceID),
		checkLen("read_me", r.ReadMe, maxReadMeLen),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}

// validate checks a CreateImageRequest against the union of the documented
// editions: nothing either allows is rejected, except that name and
// namespace are required as the newest page says.
func (r *CreateImageRequest) validate() error {
	if r == nil {
		return invalid("request", "the CreateImageRequest is nil")
	}
	switch {
	case r.Name == "":
		return invalid("name", "required")
	case len(r.Name) > maxImageNameLen:
		return tooLong("name", r.Name, len(r.Name), maxImageNameLen)
	case !imageNameRE.MatchString(r.Name):
		return invalid("name", "%q may contain only lowercase letters, digits, '-', '_' and '.', and must start and end with a letter or digit", textutil.Clip(r.Name, 64))
	case r.Namespace == "":
		return invalid("namespace", "required: the SWR organization to save the image in")
	case len(r.Namespace) > maxNamespaceLen:
		return tooLong("namespace", r.Namespace, len(r.Namespace), maxNamespaceLen)
	case !namespaceRE.MatchString(r.Namespace):
		return invalid("namespace", "%q must start with a lowercase letter and contain only letters, digits, '-', '_' and '.'", textutil.Clip(r.Namespace, 64))
	case len(r.Tag) > maxTagLen:
		return tooLong("tag", r.Tag, len(r.Tag), maxTagLen)
	case r.Tag != "" && !tagRE.MatchString(r.Tag):
		return invalid("tag", "%q may contain only letters, digits, '-', '_', '.' and ','", textutil.Clip(r.Tag, 64))
	}
	for _, err := range []error{
		checkLen("description", r.Description, maxDescriptionLen),
		checkWorkspaceID(r.WorkspaceID),
		checkPrintable("swr_instance_id", r.SWRInstanceID),
		checkPrintable("swr_instance_domain", r.SWRInstanceDomain),
		checkLen("swr_instance_domain", r.SWRInstanceDomain, 255),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}
