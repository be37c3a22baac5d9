package modelartstest

import (
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/modelarts-go/modelarts"
)

// partLocked returns the server's state of type T, made at first use: the
// state of an API that only its own file uses (a training job's saves,
// say) is declared there, as a type, rather than as a field of Server.
func partLocked[T any](s *Server) *T {
	k := reflect.TypeFor[T]()
	p, ok := s.parts[k].(*T)
	if !ok {
		p = new(T)
		s.parts[k] = p
	}
	return p
}

// image is an image as the fake stores it.
type image struct {
	modelarts.Image
	polls    int    // reads since the last step
	failWith string // status message to fail with, "" to succeed
	// notebookID is the notebook being saved, if any; the save ends
	// with the image.
	notebookID string
	// hiddenReads and hiddenUntil are its listing lag (misbehaviour.go).
	hiddenReads int
	hiddenUntil time.Time
}

// Images returns a copy of every image the server holds, oldest first,
// built-in ones included.
func (s *Server) Images() []modelarts.Image {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]modelarts.Image, 0, len(s.order))
	for _, id := range s.order {
		out = append(out, cloneImage(s.images[id].Image))
	}
	return out
}

// PutImage stores img as is, e.g. to prepare a listing or an image in a
// state no call leads to, and returns its ID. Like the service, it fills
// what every image has: an ID if it has none, and workspace "0" (the
// default workspace) if none is named. The image joins the group of its
// namespace and name.
func (s *Server) PutImage(img modelarts.Image) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if img.ID == "" {
		img.ID = newUUID()
	}
	if img.WorkspaceID == "" {
		img.WorkspaceID = "0"
	}
	s.putLocked(&image{Image: cloneImage(img)})
	return img.ID
}

// DeletedSWRPaths returns the SWR paths whose content a forced delete
// removed (DeleteImage or DeleteImageGroup with force, on private images),
// oldest first: the service deletes the image in SWR too, which a test can
// observe only here.
func (s *Server) DeletedSWRPaths() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.swrDeleted)
}

// cloneImage copies img with its own slices, so that no caller shares the
// fake's state.
func cloneImage(img modelarts.Image) modelarts.Image {
	img.DevServices = slices.Clone(img.DevServices)
	img.ResourceCategories = slices.Clone(img.ResourceCategories)
	img.SupportResCategories = slices.Clone(img.SupportResCategories)
	img.Tags = slices.Clone(img.Tags)
	return img
}

func (s *Server) putLocked(img *image) {
	if _, ok := s.images[img.ID]; !ok {
		s.order = append(s.order, img.ID)
	}
	s.images[img.ID] = img
}

// deleteLocked removes an image; force on a private image removes its SWR
// content too, as the API pages say.
func (s *Server) deleteLocked(img *image, force bool) {
	delete(s.images, img.ID)
	if i := slices.Index(s.order, img.ID); i >= 0 {
		s.order = slices.Delete(s.order, i, i+1)
	}
	if force && img.Type == modelarts.ImageTypeDedicated && img.Visibility != modelarts.VisibilityPublic {
		s.swrDeleted = append(s.swrDeleted, img.SWRPath)
	}
	img.Status = modelarts.ImageStatusDeleted
	img.UpdatedAt = modelarts.TimestampOf(s.now())
	s.endSaveLocked(img)
}

const (
	builtinPyTorchID  = "278e88d1-5b71-4766-8502-b3ba72e824d9"
	builtinPyTorchSWR = "swr.fake.local/atelier/pytorch_1_8:pytorch_1.8.0-cuda_10.2-py_3.7-ubuntu_18.04-x86_64-20220926104358-041ba2e"
)

// seedBuiltIns adds the documented built-in image and one more, with the
// fields only preset images have (show_name, show_tag).
func (s *Server) seedBuiltIns() {
	at := modelarts.TimestampOf(time.UnixMilli(1638234504492))
	for _, img := range []modelarts.Image{{
		ID: builtinPyTorchID, Name: "pytorch1.8-cuda10.2-cudnn7-ubuntu18.04", Namespace: "atelier",
		Tag: "pytorch_1.8.0-cuda_10.2-py_3.7-ubuntu_18.04-x86_64-20220926104358-041ba2e", SWRPath: builtinPyTorchSWR,
		ShowName: "pytorch1.8-cuda10.2-cudnn7-ubuntu18.04", ShowTag: "pytorch_1.8.0-cuda_10.2-py_3.7-ubuntu_18.04",
		Description: "CPU and GPU general algorithm development and training, preconfigured with AI engine PyTorch1.8",
		Arch:        modelarts.ArchX86_64, Status: modelarts.ImageStatusActive, Type: modelarts.ImageTypeBuildIn,
		Origin: modelarts.OriginCustomize, Visibility: modelarts.VisibilityPublic, Size: 3376133259,
		ServiceType: modelarts.ServiceTypeCommon, DevServices: []modelarts.DevService{modelarts.DevServiceNotebook, modelarts.DevServiceSSH},
		ResourceCategories:   []modelarts.ResourceCategory{modelarts.ResourceCategoryGPU, modelarts.ResourceCategoryCPU},
		SupportResCategories: []modelarts.ResourceCategory{modelarts.ResourceCategoryGPU, modelarts.ResourceCategoryCPU},
		Tags:                 []modelarts.Tag{}, WorkspaceID: "0", CreatedAt: at, UpdatedAt: at,
	}, {
		ID: "e1c4a3f2-7d0b-4c55-9a1e-2b8f6c3d9a10", Name: "mindspore2.2-cann7-euler2.10", Namespace: "atelier",
		Tag: "mindspore_2.2.0-cann_7.0-py_3.9-euler_2.10-aarch64", SWRPath: "swr.fake.local/atelier/mindspore2.2-cann7-euler2.10:mindspore_2.2.0-cann_7.0-py_3.9-euler_2.10-aarch64",
		ShowName: "mindspore2.2-cann7-euler2.10", ShowTag: "mindspore_2.2.0-cann_7.0",
		Description: "Ascend development with MindSpore 2.2", Arch: modelarts.ArchAARCH64, Status: modelarts.ImageStatusActive,
		Type: modelarts.ImageTypeBuildIn, ServiceType: modelarts.ServiceTypeCommon, FlavorType: modelarts.FlavorTypeAscendSNT9,
		Origin: modelarts.OriginCustomize, Visibility: modelarts.VisibilityPublic, Size: 5120733184,
		DevServices:          []modelarts.DevService{modelarts.DevServiceNotebook, modelarts.DevServiceSSH},
		ResourceCategories:   []modelarts.ResourceCategory{modelarts.ResourceCategoryASCEND},
		SupportResCategories: []modelarts.ResourceCategory{modelarts.ResourceCategoryASCEND},
		Tags:                 []modelarts.Tag{}, WorkspaceID: "0", CreatedAt: at, UpdatedAt: at,
	}} {
		s.putLocked(&image{Image: img})
	}
}

// advanceLocked moves a saving image one step after enough reads.
func (s *Server) advanceLocked(img *image) {
	if img.Status != modelarts.ImageStatusInit && img.Status != modelarts.ImageStatusCreating {
		return
	}
	img.polls++
	if img.polls < s.pollsPerStep {
		return
	}
	img.polls = 0
	img.UpdatedAt = modelarts.TimestampOf(s.now())
	switch img.Status {
	case modelarts.ImageStatusInit:
		img.Status = modelarts.ImageStatusCreating
		img.StatusMessage = "building the image"
	case modelarts.ImageStatusCreating:
		if img.failWith != "" {
			img.Status = modelarts.ImageStatusCreateFailed
			img.StatusMessage = img.failWith
		} else {
			img.Status = modelarts.ImageStatusActive
			img.StatusMessage = ""
			img.Size = 3376133259
		}
		s.endSaveLocked(img)
	}
}

// endSaveLocked puts a notebook being saved back to RUNNING once its image
// is done (ACTIVE, failed or deleted).
func (s *Server) endSaveLocked(img *image) {
	if nb, ok := s.notebooks[img.notebookID]; ok && nb.savingImage == img.ID {
		if nb.status == modelarts.NotebookStatusSnapshotting {
			nb.status = modelarts.NotebookStatusRunning
		}
		nb.savingImage = ""
	}
}

func shortID(id string) string {
	if i := strings.IndexByte(id, '-'); i > 0 {
		return id[:i]
	}
	return id
}
