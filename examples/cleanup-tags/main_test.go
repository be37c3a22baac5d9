package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestRunsAgainstTheFake(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), &out, options{keep: 2, fake: true})
	require.NoError(t, err, out.String())
	got := out.String()
	assert.Contains(t, got, "my-team/training-env: 5 tags")
	assert.Contains(t, got, "keep   v5")
	assert.Contains(t, got, "keep   v4")
	for _, tag := range []string{"v3", "v2", "v1"} {
		assert.Contains(t, got, "delete "+tag)
	}
}

func TestRefusesToKeepNothing(t *testing.T) {
	err := run(context.Background(), &bytes.Buffer{}, options{keep: 0, fake: true})
	assert.ErrorContains(t, err, "-keep")
}
