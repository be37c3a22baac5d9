package auth

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTokenSigner(t *testing.T) {
	req, _ := http.NewRequest("GET", "https://x/v1/p/images", nil)
	require.NoError(t, NewTokenSigner("tok-1").Sign(req))
	assert.Equal(t, "tok-1", req.Header.Get("X-Auth-Token"))

	err := NewTokenSigner("").Sign(req)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "empty")
}
