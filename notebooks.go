package modelarts

import (
	"context"
	"errors"
	"net/url"
)

// GetNotebook reads a notebook instance; its Status tells whether it can be
// saved as an image (only RUNNING can) and SNAPSHOTTING while one is saved.
func (c *Client) GetNotebook(ctx context.Context, notebookID string, opts ...CallOption) (*Notebook, error) {
	ctx, cfg, cancel, err := c.begin(ctx, opts, 0)
	if err != nil {
		return nil, err
	}
	defer cancel()
	return c.getNotebook(ctx, cfg, notebookID)
}

func (c *Client) getNotebook(ctx context.Context, cfg *callConfig, notebookID string) (*Notebook, error) {
	if err := validateID("notebook id", notebookID); err != nil {
		return nil, err
	}
	return c.doNotebook(ctx, &call{method: "GET", path: c.notebookPath(notebookID), cfg: cfg})
}

// doNotebook runs a call whose answer is a notebook.
func (c *Client) doNotebook(ctx context.Context, cl *call) (*Notebook, error) {
	var nb Notebook
	if err := c.do(ctx, cl, &nb); err != nil {
		return nil, err
	}
	if nb.ID == "" {
		return nil, &DecodeError{Method: cl.method, Path: cl.path, StatusCode: cl.status, Err: errors.New("the answer carries no notebook id")}
	}
	nb.normalize()
	return &nb, nil
}

func (c *Client) notebookPath(notebookID string) string {
	return c.prefix + "/notebooks/" + url.PathEscape(notebookID)
}
