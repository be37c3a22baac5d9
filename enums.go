package modelarts

import (
	"slices"
	"strings"
)

// Every enum is a string type. Decoding an Image or a Notebook never fails
// on an enum: a value the SDK knows is matched case-insensitively and
// normalised to its constant (servers send "x86_64" for X86_64), a value it
// does not know is kept as sent, so a newer server never breaks an older
// client.

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

// normalize returns the known constant matching s case-insensitively, or s
// unchanged. It allocates nothing.
func normalize[E ~string](s string, known []E) E {
	for _, k := range known {
		if string(k) == s {
			return k
		}
	}
	for _, k := range known {
		if strings.EqualFold(string(k), s) {
			return k
		}
	}
	return E(s)
}

// cloneNormalized returns a normalised copy of vs, leaving the caller's
// slice alone.
func cloneNormalized[E ~string](vs []E, known []E) []E {
	out := slices.Clone(vs)
	normalizeInPlace(out, known)
	return out
}

// normalizeInPlace normalises each element of vs.
func normalizeInPlace[E ~string](vs []E, known []E) {
	for i, v := range vs {
		vs[i] = normalize(string(v), known)
	}
}
