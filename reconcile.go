package modelarts

import (
	"context"
	"strings"
	"time"
)

// A create whose answer was lost (connection reset, timeout or 5xx after the
// body was sent) may or may not have created the image. This API has no
// idempotency key, so before retrying or giving up the client looks the
// image up; found, the create succeeded. The listing is eventually
// consistent on the server; an image created a moment ago could still be
// missing from it, a window the SDK cannot close alone.

// findSaved looks up the image a create-image request would have made: own
// images of that exact name in that namespace, with that tag, or (no tag
// given, the server picks one) created since the call started.
func (c *Client) findSaved(req *CreateImageRequest, started time.Time) func(context.Context) (*Image, error) {
	return func(ctx context.Context) (*Image, error) {
		opts := &ListImagesOptions{Type: ImageTypeDedicated, Name: req.Name, Namespace: req.Namespace, WorkspaceID: req.WorkspaceID}
		return c.findImage(ctx, opts, func(img *Image) bool {
			if img.Name != req.Name || img.Namespace != req.Namespace {
				return false
			}
			if req.Tag != "" {
				return img.Tag == req.Tag
			}
			return !img.CreatedAt.Before(started.Add(-time.Minute)) // allow for clock skew
		})
	}
}

// findRegistered looks up an image registered from the same SWR path.
func (c *Client) findRegistered(req *RegisterImageRequest) func(context.Context) (*Image, error) {
	return func(ctx context.Context) (*Image, error) {
		opts := &ListImagesOptions{Type: ImageTypeDedicated, WorkspaceID: req.WorkspaceID}
		if ns, name, ok := splitSWRPath(req.SWRPath); ok {
			opts.Name, opts.Namespace = name, ns
		}
		return c.findImage(ctx, opts, func(img *Image) bool { return img.SWRPath == req.SWRPath })
	}
}

func (c *Client) findImage(ctx context.Context, opts *ListImagesOptions, match func(*Image) bool) (*Image, error) {
	for img, err := range c.ListImages(ctx, opts) {
		if err != nil {
			return nil, err
		}
		if match(img) {
			return img, nil
		}
	}
	return nil, nil
}

// splitSWRPath takes "host/org/name:tag" (or "host/org/name") apart into
// the organization and the image name the listing can filter on.
func splitSWRPath(p string) (namespace, name string, ok bool) {
	parts := strings.Split(p, "/")
	if len(parts) != 3 || parts[1] == "" || parts[2] == "" {
		return "", "", false
	}
	name, _, _ = strings.Cut(parts[2], ":")
	name, _, _ = strings.Cut(name, "@")
	return parts[1], name, name != ""
}
