package modelarts

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every model and every listing tolerates the same things: counts and
// numbers sent as strings or floats, numbers where text is due, null for
// "not set", null items, enum case.
func TestEveryListingAndModelToleratesTheSameOddities(t *testing.T) {
	c, mt, _ := newMockClient(t)
	page := `{"data":[null,{"id":"x","status":"running","name":"n","volume":{"capacity":"5","category":"EVS"}}],"total":"0","current":"1","pages":1.0,"size":"10"}`
	mt.RegisterResponder("GET", testEndpoint+projectPath+"/notebooks", jsonResponder(200, page))
	mt.RegisterResponder("GET", testEndpoint+projectPath+"/images", jsonResponder(200, page))
	mt.RegisterResponder("GET", testEndpoint+projectPath+"/images/group", jsonResponder(200, page))
	mt.RegisterResponder("GET", testEndpoint+projectPath+"/notebooks/x", jsonResponder(200, `{"id":"x","status":"RUNNING","volume":{"capacity":"5"},"description":null,"lease":{"duration":"3600000"}}`))
	ctx := context.Background()

	nbs, err := c.ListNotebooksPage(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, 0, nbs.Total)
	assert.Equal(t, 10, nbs.Size)
	require.Len(t, nbs.Items, 1, "the null item is dropped")
	assert.Equal(t, NotebookStatusRunning, nbs.Items[0].Status, "enum case is normalised")

	imgs, err := c.ListImagesPage(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, 1, imgs.Current)
	require.Len(t, imgs.Items, 1)

	groups, err := c.ListImageGroupsPage(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, 1, groups.Pages)
	require.Len(t, groups.Items, 1)

	nb, err := c.GetNotebook(ctx, "x")
	require.NoError(t, err)
	require.NotNil(t, nb.Volume)
	assert.EqualValues(t, 5, nb.Volume.Capacity)
}

func TestAValueNoCoercionFitsIsADecodeErrorQuotingIt(t *testing.T) {
	var img imageWire
	err := decodeJSON([]byte(`{"id":"x","size":"big"}`), &img)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `"big"`)
	assert.Contains(t, err.Error(), "size")
}
