package modelartstest

import (
	"strings"
	"time"

	"github.com/modelarts-go/modelarts"
)

// image is an image as the fake stores it.
type image struct {
	modelarts.Image
	polls      int    // reads since the last step
	failWith   string // status message to fail with, "" to succeed
	notebookID string // the notebook being snapshotted, if any
}

// notebook is a notebook as the fake stores it.
type notebook struct {
	modelarts.Notebook
}

// AddNotebook adds a notebook with the given status ("RUNNING" to be
// savable as an image), replacing any with that ID.
func (s *Server) AddNotebook(id string, status string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.notebooks[id] = &notebook{modelarts.Notebook{
		ID: id, Name: "notebook-" + shortID(id), Status: modelarts.NotebookStatus(status),
		Flavor: "modelarts.vm.cpu.2u", URL: s.srv.URL + "/notebook/" + id,
		Image: modelarts.NotebookImage{
			ID: builtinPyTorchID, Name: "pytorch1.8-cuda10.2-cudnn7-ubuntu18.04",
			SWRPath: builtinPyTorchSWR, Type: modelarts.ImageTypeBuildIn,
		},
		WorkspaceID: "0",
	}}
}

// SetNotebookStatus changes a notebook's status; false if there is none.
func (s *Server) SetNotebookStatus(id, status string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	nb, ok := s.notebooks[id]
	if ok {
		nb.Status = modelarts.NotebookStatus(status)
	}
	return ok
}

// Images returns a copy of every image the server holds, oldest first,
// built-in ones included.
func (s *Server) Images() []modelarts.Image {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]modelarts.Image, 0, len(s.order))
	for _, id := range s.order {
		out = append(out, s.images[id].Image)
	}
	return out
}

// PutImage stores img as is (an ID is made up if it has none), e.g. to
// prepare a listing; it returns the ID.
func (s *Server) PutImage(img modelarts.Image) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if img.ID == "" {
		img.ID = newUUID()
	}
	s.putLocked(&image{Image: img})
	return img.ID
}

func (s *Server) putLocked(img *image) {
	if _, ok := s.images[img.ID]; !ok {
		s.order = append(s.order, img.ID)
	}
	s.images[img.ID] = img
}

func (s *Server) deleteLocked(id string) {
	delete(s.images, id)
	for i, v := range s.order {
		if v == id {
			s.order = append(s.order[:i:i], s.order[i+1:]...)
			break
		}
	}
}

const (
	builtinPyTorchID  = "278e88d1-5b71-4766-8502-b3ba72e824d9"
	builtinPyTorchSWR = "swr.fake.local/atelier/pytorch_1_8:pytorch_1.8.0-cuda_10.2-py_3.7-ubuntu_18.04-x86_64-20220926104358-041ba2e"
)

// seedBuiltIns adds the documented built-in image and one more.
func (s *Server) seedBuiltIns() {
	at := time.UnixMilli(1638234504492).UTC()
	for _, img := range []modelarts.Image{{
		ID: builtinPyTorchID, Name: "pytorch1.8-cuda10.2-cudnn7-ubuntu18.04", Namespace: "atelier",
		Tag: "pytorch_1.8.0-cuda_10.2-py_3.7-ubuntu_18.04-x86_64-20220926104358-041ba2e", SWRPath: builtinPyTorchSWR,
		Description: "CPU and GPU general algorithm development and training, preconfigured with AI engine PyTorch1.8",
		Arch:        modelarts.ArchX86_64, Status: modelarts.ImageStatusActive, Type: modelarts.ImageTypeBuildIn,
		ServiceType: modelarts.ServiceTypeCommon, DevServices: []modelarts.DevService{modelarts.DevServiceNotebook, modelarts.DevServiceSSH},
		ResourceCategories: []modelarts.ResourceCategory{modelarts.ResourceCategoryGPU, modelarts.ResourceCategoryCPU},
		WorkspaceID:        "0", CreatedAt: modelarts.TimestampOf(at), UpdatedAt: modelarts.TimestampOf(at),
	}, {
		ID: "e1c4a3f2-7d0b-4c55-9a1e-2b8f6c3d9a10", Name: "mindspore2.2-cann7-euler2.10", Namespace: "atelier",
		Tag: "mindspore_2.2.0-cann_7.0-py_3.9-euler_2.10-aarch64", SWRPath: "swr.fake.local/atelier/mindspore2.2-cann7-euler2.10:mindspore_2.2.0-cann_7.0-py_3.9-euler_2.10-aarch64",
		Description: "Ascend development with MindSpore 2.2", Arch: modelarts.ArchAARCH64, Status: modelarts.ImageStatusActive,
		Type: modelarts.ImageTypeBuildIn, ServiceType: modelarts.ServiceTypeCommon, FlavorType: modelarts.FlavorTypeAscendSNT9,
		DevServices:        []modelarts.DevService{modelarts.DevServiceNotebook, modelarts.DevServiceSSH},
		ResourceCategories: []modelarts.ResourceCategory{modelarts.ResourceCategoryASCEND},
		WorkspaceID:        "0", CreatedAt: modelarts.TimestampOf(at), UpdatedAt: modelarts.TimestampOf(at),
	}} {
		img := img
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
		if nb, ok := s.notebooks[img.notebookID]; ok && nb.Status == modelarts.NotebookStatusSnapshotting {
			nb.Status = modelarts.NotebookStatusRunning
		}
	}
}

func shortID(id string) string {
	if i := strings.IndexByte(id, '-'); i > 0 {
		return id[:i]
	}
	return id
}
