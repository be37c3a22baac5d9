package modelarts

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"
)

// Image is a ModelArts container image as the service describes it. It
// carries every response field of the register, save-from-notebook and get
// image APIs.
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

	DevServices          []DevService       `json:"dev_services,omitempty"`
	ResourceCategories   []ResourceCategory `json:"resource_categories,omitempty"`
	SupportResCategories []ResourceCategory `json:"support_res_categories,omitempty"`
	WorkspaceID          string             `json:"workspace_id,omitempty"`

	// Size of the image. The API pages document it "in KB", but their
	// example value (3376133259 for a PyTorch image) only makes sense as
	// bytes; the SDK passes the number through unchanged, so check the unit
	// against your own images before converting.
	Size int64 `json:"size,omitempty"`

	// CreatedAt and UpdatedAt are decoded from create_at / update_at, UTC
	// milliseconds since the epoch, and encoded back to them losslessly.
	CreatedAt time.Time `json:"-"`
	UpdatedAt time.Time `json:"-"`
}

// imageAlias has Image's fields but not its methods, so the codecs below
// can reuse the standard ones.
type imageAlias Image

// imageWire is the service's JSON shape of an image. The client decodes
// responses straight into it (one pass, no per-field methods) and finishes
// the Image with finish. A server that sends a number as a string or a
// float makes that fast decode fail with a type error; the client then
// decodes again with imageWireLoose.
type imageWire struct {
	imageAlias
	Size     int64 `json:"size,omitempty"`
	CreateAt int64 `json:"create_at,omitempty"`
	UpdateAt int64 `json:"update_at,omitempty"`
}

// imageWireLoose is imageWire with numbers accepted in any form.
type imageWireLoose struct {
	imageAlias
	Size     flexInt     `json:"size,omitempty"`
	CreateAt epochMillis `json:"create_at,omitempty"`
	UpdateAt epochMillis `json:"update_at,omitempty"`
}

func (l *imageWireLoose) wire() imageWire {
	return imageWire{imageAlias: l.imageAlias, Size: int64(l.Size), CreateAt: int64(l.CreateAt), UpdateAt: int64(l.UpdateAt)}
}

// decodeLoose decodes body with imageWireLoose.
func (w *imageWire) decodeLoose(body []byte) error {
	var l imageWireLoose
	if err := json.Unmarshal(body, &l); err != nil {
		return err
	}
	*w = l.wire()
	return nil
}

// finish returns the decoded image, which lives inside w, with sizes and
// times set and enums normalised.
func (w *imageWire) finish() *Image {
	img := (*Image)(&w.imageAlias)
	img.Size = w.Size
	img.CreatedAt = epochMillis(w.CreateAt).time()
	img.UpdatedAt = epochMillis(w.UpdateAt).time()
	img.normalize()
	return img
}

// normalize maps enum values the SDK knows, in any case, to their
// constants, in place; unknown values stay as sent.
func (img *Image) normalize() {
	img.Arch = normalize(string(img.Arch), archValues)
	img.Status = normalize(string(img.Status), imageStatusValues)
	img.Origin = normalize(string(img.Origin), originValues)
	img.Type = normalize(string(img.Type), imageTypeValues)
	img.Visibility = normalize(string(img.Visibility), visibilityValues)
	img.ServiceType = normalize(string(img.ServiceType), serviceTypeValues)
	img.FlavorType = normalize(string(img.FlavorType), flavorTypeValues)
	normalizeInPlace(img.DevServices, devServiceValues)
	normalizeInPlace(img.ResourceCategories, resourceCategoryValues)
	normalizeInPlace(img.SupportResCategories, resourceCategoryValues)
}

// UnmarshalJSON decodes the service's image JSON: timestamps from
// milliseconds, enums normalised, numbers sent as strings tolerated.
func (img *Image) UnmarshalJSON(b []byte) error {
	var l imageWireLoose
	if err := json.Unmarshal(b, &l); err != nil {
		return err
	}
	w := l.wire()
	*img = *w.finish()
	return nil
}

// MarshalJSON encodes the image in the service's shape, times as UTC
// milliseconds since the epoch.
func (img Image) MarshalJSON() ([]byte, error) {
	w := imageWire{imageAlias: imageAlias(img), Size: img.Size}
	w.CreateAt = int64(millisOf(img.CreatedAt))
	w.UpdateAt = int64(millisOf(img.UpdatedAt))
	return json.Marshal(w)
}

// epochMillis is a timestamp in UTC milliseconds since the epoch; 0 means
// unset.
type epochMillis int64

func millisOf(t time.Time) epochMillis {
	if t.IsZero() {
		return 0
	}
	return epochMillis(t.UnixMilli())
}

func (m epochMillis) time() time.Time {
	if m == 0 {
		return time.Time{}
	}
	return time.UnixMilli(int64(m)).UTC()
}

// UnmarshalJSON accepts an integer, a float, a numeric string or null.
func (m *epochMillis) UnmarshalJSON(b []byte) error {
	var n flexInt
	if err := n.UnmarshalJSON(b); err != nil {
		return err
	}
	*m = epochMillis(n)
	return nil
}

// flexInt is an integer the server may send as a number, a float, a
// numeric string or null.
type flexInt int64

// UnmarshalJSON accepts an integer, a float, a numeric string or null.
func (n *flexInt) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		return nil
	}
	if b[0] == '"' {
		b = bytes.Trim(b, `"`)
		if len(b) == 0 {
			return nil
		}
	}
	if v, ok := parseDecimal(b); ok {
		*n = flexInt(v)
		return nil
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f > math.MaxInt64 || f < math.MinInt64 {
		return fmt.Errorf("modelarts: %q is not a number", b)
	}
	*n = flexInt(f)
	return nil
}

// parseDecimal parses an optionally signed run of at most 18 digits without
// allocating (the common case); anything else is left to ParseFloat.
func parseDecimal(b []byte) (int64, bool) {
	neg := false
	if len(b) > 0 && b[0] == '-' {
		neg, b = true, b[1:]
	}
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var v int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	if neg {
		v = -v
	}
	return v, true
}

// pageWire is the service's JSON shape of a listing page.
type pageWire struct {
	Data    []imageWire `json:"data"`
	Total   int         `json:"total"`
	Current int         `json:"current"`
	Pages   int         `json:"pages"`
	Size    int         `json:"size"`
}

// decodeLoose decodes body with numbers accepted in any form.
func (p *pageWire) decodeLoose(body []byte) error {
	var l struct {
		Data    []imageWireLoose `json:"data"`
		Total   flexInt          `json:"total"`
		Current flexInt          `json:"current"`
		Pages   flexInt          `json:"pages"`
		Size    flexInt          `json:"size"`
	}
	if err := json.Unmarshal(body, &l); err != nil {
		return err
	}
	*p = pageWire{Total: int(l.Total), Current: int(l.Current), Pages: int(l.Pages), Size: int(l.Size), Data: make([]imageWire, len(l.Data))}
	for i := range l.Data {
		p.Data[i] = l.Data[i].wire()
	}
	return nil
}

func (p *pageWire) finish() *ImagePage {
	page := &ImagePage{Total: p.Total, Current: p.Current, Pages: p.Pages, Size: p.Size, Images: make([]*Image, 0, len(p.Data))}
	for i := range p.Data { // the images live in p.Data's one array
		page.Images = append(page.Images, p.Data[i].finish())
	}
	return page
}

// ImagePage is one page of a listing.
type ImagePage struct {
	Images  []*Image `json:"data"`
	Total   int      `json:"total"`   // images matching the filter, all pages
	Current int      `json:"current"` // page number the server reports
	Pages   int      `json:"pages"`   // page count the server reports
	Size    int      `json:"size"`    // page size the server reports
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

// Notebook is a notebook instance, with the fields that matter to saving
// it as an image.
type Notebook struct {
	ID          string         `json:"id"`
	Name        string         `json:"name"`
	Status      NotebookStatus `json:"status"`
	Flavor      string         `json:"flavor"`
	Image       NotebookImage  `json:"image"`
	URL         string         `json:"url"`
	FailReason  string         `json:"fail_reason,omitempty"`
	WorkspaceID string         `json:"workspace_id,omitempty"`
}

// UnmarshalJSON decodes a notebook, normalising its enums.
func (nb *Notebook) UnmarshalJSON(b []byte) error {
	type plain Notebook
	if err := json.Unmarshal(b, (*plain)(nb)); err != nil {
		return err
	}
	nb.Status = normalize(string(nb.Status), notebookStatusValues)
	nb.Image.Type = normalize(string(nb.Image.Type), imageTypeValues)
	return nil
}

// NotebookImage is the image a notebook runs.
type NotebookImage struct {
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	SWRPath string    `json:"swr_path"`
	Type    ImageType `json:"type"`
}
