package modelarts

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelarts-go/modelarts/auth"
)

func TestScrubbingAStringWithNothingToFindAllocatesNothing(t *testing.T) {
	signer, err := auth.NewAKSKSigner("HPUAXR7YWRSNL8JQ1XKE", "e6Pn2QvTfLmbYc8JrKd0ZsWx9HgUaN4o1yVt7EiF", auth.WithSecurityToken("gQpjbi1ub3J0aC00RjlTMU5RUkwxWFJUVExaN0JHWAVMAXRmm"))
	require.NoError(t, err)
	c, err := NewClient(testEndpoint, testProject, signer)
	require.NoError(t, err)
	req, _ := http.NewRequest("GET", testEndpoint+projectPath+"/images/x", nil)
	require.NoError(t, signer.Sign(req))
	at := &attempt{reqHeader: req.Header}
	at.sentSecrets() // made once per attempt
	msg := "The image pytorch1_4 of namespace atelier-auto failed to build: layer 3 of 7 could not be pushed to SWR (timeout after 300 s); retry the save."
	var out string
	allocs := testing.AllocsPerRun(100, func() { out = c.scrub(at, msg) })
	assert.Equal(t, msg, out)
	assert.Zero(t, allocs)

	img := &Image{ID: "4e0d1854", Name: "pytorch1_4", Description: msg, Tags: []Tag{{Key: "team", Value: "vision"}}}
	allocs = testing.AllocsPerRun(100, func() { c.scrubValue(at, img) })
	assert.Zero(t, allocs, "walking a decoded image with nothing to find")
	assert.Equal(t, msg, img.Description)
}
