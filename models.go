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

// imageWire is the wire shape the client decodes one image into.
type imageWire struct{ Image }

// finish returns the decoded image with its enums normalised.
func (w *imageWire) finish() *Image {
	img := &w.Image
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

// Timestamp is a time the service sends as UTC milliseconds since the
// epoch. It embeds time.Time, so its methods (Before, Format, UnixMilli…)
// apply directly. The zero Timestamp is encoded as 0 and 0 decodes to it.
type Timestamp struct {
	time.Time
}

// TimestampOf returns t as a Timestamp, truncated to the millisecond the
// wire carries.
func TimestampOf(t time.Time) Timestamp {
	if t.IsZero() {
		return Timestamp{}
	}
	return Timestamp{t.Truncate(time.Millisecond).UTC()}
}

// MarshalJSON encodes the time as UTC milliseconds since the epoch.
func (t Timestamp) MarshalJSON() ([]byte, error) {
	return strconv.AppendInt(nil, int64(millisOf(t.Time)), 10), nil
}

// UnmarshalJSON accepts milliseconds as an integer, a float, a numeric
// string or null.
func (t *Timestamp) UnmarshalJSON(b []byte) error {
	var m epochMillis
	if err := m.UnmarshalJSON(b); err != nil {
		return err
	}
	t.Time = m.time()
	return nil
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
		// The string's own value, escapes undone: quoted once in an error,
		// it is what the server meant, and what scrubbing recognises.
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		if s == "" {
			return nil
		}
		b = []byte(s)
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

// Page is one page of a listing: its items, and the counts the server
// reported with them. ImagePage and NotebookPage are Pages; ImageGroupPage
// embeds one.
type Page[T any] struct {
	Items   []*T `json:"data"`
	Total   int  `json:"total"`   // items matching the filter, all pages
	Current int  `json:"current"` // page number the server reports
	Pages   int  `json:"pages"`   // page count the server reports
	Size    int  `json:"size"`    // page size the server reports

	slots int // items in the data the server sent, null ones included
}

// ImagePage is one page of ListImagesPage.
type ImagePage = Page[Image]

// settle takes in a decoded page: it counts the slots the server sent,
// drops null items and normalises the others. Every listing does it here.
func (p *Page[T]) settle(normalize func(*T)) {
	p.slots = len(p.Items)
	kept := p.Items[:0]
	for _, item := range p.Items {
		if item == nil { // a null item
			continue
		}
		normalize(item)
		kept = append(kept, item)
	}
	clear(p.Items[len(kept):])
	p.Items = kept
}
