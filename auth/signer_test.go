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

func TestIsLoopbackHost(t *testing.T) {
	for h, want := range map[string]bool{"localhost": true, "LOCALHOST": true, "127.0.0.1": true, "127.8.9.1": true, "::1": true, "[::1]": true,
		"10.0.0.1": false, "example.com": false, "localhost.example.com": false, "": false} {
		assert.Equal(t, want, IsLoopbackHost(h), h)
	}
}
