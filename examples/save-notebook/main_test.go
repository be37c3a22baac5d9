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
	t.Setenv("MODELARTS_ENDPOINT", "")
	var out bytes.Buffer
	err := run(context.Background(), &out, options{namespace: "my-team", name: "my-env", tag: "v1", timeout: time.Minute})
	require.NoError(t, err, out.String())
	assert.Contains(t, out.String(), "saving notebook")
	assert.Contains(t, out.String(), "image    CREATING")
	assert.Contains(t, out.String(), "notebook RUNNING")
	assert.Contains(t, out.String(), "done: swr.fake.local/my-team/my-env:v1 is ACTIVE and the notebook is RUNNING again")
}
