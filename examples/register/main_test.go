package main

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestRunsAgainstTheFake(t *testing.T) {
	var out bytes.Buffer
	start := time.Now()
	err := run(context.Background(), &out, options{description: "test", timeout: time.Minute})
	t.Logf("register and wait against the fake took %s", time.Since(start))
	require.NoError(t, err, out.String())
	assert.Contains(t, out.String(), "registered swr.fake.local/my-team/pytorch-custom:2.1.0 as image ")
	assert.Contains(t, out.String(), "done: ")
	assert.Contains(t, out.String(), "pytorch-custom:2.1.0 is ACTIVE")
}
