package netutil

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestIsLoopbackHost(t *testing.T) {
	for h, want := range map[string]bool{
		"localhost": true, "LOCALHOST": true, "127.0.0.1": true, "127.8.9.1": true, "::1": true, "[::1]": true,
		"10.0.0.1": false, "example.com": false, "localhost.example.com": false, "": false,
		"[127.0.0.1": false, "::ffff:10.0.0.1": false, "0.0.0.0": false,
	} {
		assert.Equal(t, want, IsLoopbackHost(h), h)
	}
}
