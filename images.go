package modelarts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
)

// RegisterImageRequest registers a custom image that is already in SWR.
// Unset fields are omitted; the service then applies its defaults (X86_64,
// CUSTOMIZE, PRIVATE, workspace "0").
type RegisterImageRequest struct {
	SWRPath            string             `json:"swr_path"` // required
	Arch               Arch               `json:"arch,omitempty"`
	Description        string             `json:"description,omitempty"` // at most 512 characters
	Origin             Origin             `json:"origin,omitempty"`
	ResourceCategories []ResourceCategory `json:"resource_category,omitempty"`
	ServiceType        ServiceType        `json:"service_type,omitempty"`
	Services           []DevService       `json:"services,omitempty"`
	Visibility         Visibility         `json:"visibility,omitempty"`
	WorkspaceID        string             `json:"workspace_id,omitempty"`
}

// CreateImageRequest saves a running notebook as an image.
type CreateImageRequest struct {
	Name        string `json:"name"`                  // required; ≤128 chars: a-z 0-9 - _ . starting and ending alphanumeric
	Namespace   string `json:"namespace"`             // required; the SWR organization; ≤64 chars, starts a-z
	Tag         string `json:"tag,omitempty"`         // ≤64 chars: letters, digits, - _ . ,
	Description string `json:"description,omitempty"` // at most 512 characters
	WorkspaceID string `json:"workspace_id,omitempty"`
}

// RegisterImage registers a custom image from SWR with ModelArts. Should
// the answer be lost after the request was sent, the client looks the image
// up by swr_path before retrying, so one call never registers two images.
func (c *Client) RegisterImage(ctx context.Context, req *RegisterImageRequest) (*Image, error) {
	if err := req.validate(); err != nil {
		return nil, err
	}
	norm := *req
	norm.Arch = normalize(string(req.Arch), archValues)
	norm.Origin = normalize(string(req.Origin), originValues)
	norm.ServiceType = normalize(string(req.ServiceType), serviceTypeValues)
	norm.Visibility = normalize(string(req.Visibility), visibilityValues)
	norm.ResourceCategories = cloneNormalized(req.ResourceCategories, resourceCategoryValues)
	norm.Services = cloneNormalized(req.Services, devServiceValues)
	body, err := json.Marshal(&norm)
	if err != nil {
		return nil, fmt.Errorf("modelarts: encoding the register request: %w", err)
	}
	return c.doImage(ctx, &call{
		method:    "POST",
		path:      c.prefix + "/images",
		body:      body,
		reconcile: c.findRegistered(req),
	})
}

// CreateImageFromNotebook saves the running notebook notebookID as an image
// in SWR. The image starts INIT; use WaitForActive to wait until it is
// usable. A notebook that is not RUNNING gives ErrNotebookNotRunning; one
// busy with another operation gives ErrOperationInProgress. Should the
// answer be lost after the request was sent, the client looks the image up
// by namespace, name and tag before retrying.
func (c *Client) CreateImageFromNotebook(ctx context.Context, notebookID string, req *CreateImageRequest) (*Image, error) {
	if err := validateID("notebook id", notebookID); err != nil {
		return nil, err
	}
	if err := req.validate(); err != nil {
		return nil, err
	}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("modelarts: encoding the create-image request: %w", err)
	}
	return c.doImage(ctx, &call{
		method:    "POST",
		path:      c.prefix + "/notebooks/" + url.PathEscape(notebookID) + "/create-image",
		body:      body,
		reconcile: c.findSaved(req, c.now()),
	})
}

// GetImage reads an image. An unknown ID gives an error matching
// ErrNotFound (the service reports it with HTTP 400 and ModelArts.6404).
func (c *Client) GetImage(ctx context.Context, imageID string) (*Image, error) {
	if err := validateID("image id", imageID); err != nil {
		return nil, err
	}
	return c.doImage(ctx, &call{method: "GET", path: c.imagePath(imageID)})
}

// DeleteImage deletes an image (its registration in ModelArts; the SWR
// image itself stays).
func (c *Client) DeleteImage(ctx context.Context, imageID string) error {
	if err := validateID("image id", imageID); err != nil {
		return err
	}
	return c.do(ctx, &call{method: "DELETE", path: c.imagePath(imageID)}, nil)
}

// doImage runs a call whose answer is an image: decoded in one pass into
// the wire shape, or, for a create whose answer was lost, the image the
// lookup found.
func (c *Client) doImage(ctx context.Context, cl *call) (*Image, error) {
	w := new(imageWire)
	if err := c.do(ctx, cl, w); err != nil {
		return nil, err
	}
	if cl.found != nil {
		return cl.found, nil
	}
	img := w.finish()
	if img.ID == "" {
		return nil, &DecodeError{Method: cl.method, Path: cl.path, StatusCode: cl.status, Err: errors.New("the answer carries no image id")}
	}
	return img, nil
}

func (c *Client) imagePath(imageID string) string {
	return c.prefix + "/images/" + url.PathEscape(imageID)
}
