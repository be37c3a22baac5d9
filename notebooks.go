package modelarts

import (
	"context"
	"net/url"
)

// GetNotebook reads a notebook instance; its Status tells whether it can be
// saved as an image (only RUNNING can) and SNAPSHOTTING while one is saved.
func (c *Client) GetNotebook(ctx context.Context, notebookID string) (*Notebook, error) {
	if err := validateID("notebook id", notebookID); err != nil {
		return nil, err
	}
	var nb Notebook
	err := c.do(ctx, &call{method: "GET", path: c.prefix + "/notebooks/" + url.PathEscape(notebookID)}, &nb)
	if err != nil {
		return nil, err
	}
	return &nb, nil
}
