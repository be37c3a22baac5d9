package modelarts

import "context"

// SyncImage asks the service to bring an image whose status went wrong (a
// misoperation, a network or system fault) back in line with its real
// state, and returns the image as it is after the sync. It is a POST with
// no body; like every POST, it is not sent again when its answer is lost,
// so read the image with GetImage after such a failure.
func (c *Client) SyncImage(ctx context.Context, imageID string, opts ...CallOption) (*Image, error) {
	ctx, cfg, cancel, err := c.begin(ctx, opts, 0)
	if err != nil {
		return nil, err
	}
	defer cancel()
	if err := validateID("image id", imageID); err != nil {
		return nil, err
	}
	return c.doImage(ctx, &call{method: "POST", path: c.imagePath(imageID) + "/sync", cfg: cfg})
}
