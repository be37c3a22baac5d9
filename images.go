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
func (c *Client) RegisterImage(ctx context.Context, req *RegisterImageRequest, opts ...CallOption) (*Image, error) {
	ctx, cfg, cancel, err := c.begin(ctx, opts, 0)
	if err != nil {
		return nil, err
	}
	defer cancel()
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
func (c *Client) CreateImageFromNotebook(ctx context.Context, notebookID string, req *CreateImageRequest, opts ...CallOption) (*Image, error) {
	ctx, cfg, cancel, err := c.begin(ctx, opts, 0)
	if err != nil {
		return nil, err
	}
	defer cancel()
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
func (c *Client) GetImage(ctx context.Context, imageID string, opts ...CallOption) (*Image, error) {
	ctx, cfg, cancel, err := c.begin(ctx, opts, 0)
	if err != nil {
		return nil, err
	}
	defer cancel()
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
func (c *Client) DeleteImage(ctx context.Context, imageID string, opts ...DeleteOption) error {
	ctx, cfg, cancel, err := c.begin(ctx, opts, optForce)
	if err != nil {
		return err
	}
	defer cancel()
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
	w := new(imageWire)
	if err := c.do(ctx, cl, w); err != nil {
		return nil, err
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
