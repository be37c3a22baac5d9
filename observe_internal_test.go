package modelarts

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

// Without an observer, the observation points of the engine allocate
// nothing (BenchmarkGetImage shows the whole call: the same allocations as
// before the hooks).
func TestObservationsAllocateNothingWithoutAnObserver(t *testing.T) {
	c, _, _ := newMockClient(t)
	require.Empty(t, c.observers)
	cl := &call{method: "GET", path: c.imagePath("img-1")}
	at := &attempt{status: 200}
	ctx := context.Background()
	allocs := testing.AllocsPerRun(100, func() {
		octx, obs := c.observeCall(ctx, CallStart{Operation: "GetImage", ImageID: "img-1"})
		var err error
		defer obs.end(&err)
		ao := c.observeAttempt(octx, cl, 1, 0)
		c.endAttempt(ao, cl, at, nil, stop, "")
		c.observeRetry(octx, cl, 1, 0, at, "", nil)
		cr := &creation{c: c, cl: cl}
		cr.report(reconcileReport{ctx: octx}, ReconcileFound, "", nil)
	})
	require.Zero(t, allocs)
}

func TestRouteNamesTheIDs(t *testing.T) {
	c, _, _ := newMockClient(t)
	for path, want := range map[string]string{
		c.imagePath("img-1"):                       "/v1/{project_id}/images/{image_id}",
		c.imagePath("img-1") + "/sync":             "/v1/{project_id}/images/{image_id}/sync",
		c.prefix + "/images":                       "/v1/{project_id}/images",
		c.prefix + "/images/group":                 "/v1/{project_id}/images/group",
		c.groupPath("g-1"):                         "/v1/{project_id}/images/group/{group_id}",
		c.notebookPath("nb-1") + "/create-image":   "/v1/{project_id}/notebooks/{notebook_id}/create-image",
		mustSaveJobPath(t, c, "job-1", "worker-0"): "/v2/{project_id}/training-jobs/{training_job_id}/tasks/{task_id}/save-image-job",
	} {
		require.Equal(t, want, c.route(path), path)
	}
}

func mustSaveJobPath(t *testing.T, c *Client, job, task string) string {
	p, err := c.saveJobPath(job, task)
	require.NoError(t, err)
	return p
}
