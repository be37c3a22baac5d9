package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestQuickstartRunsAgainstTheFake(t *testing.T) {
	t.Setenv("MODELARTS_ENDPOINT", "")
	t.Setenv("HUAWEICLOUD_SDK_REGION", "")
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out))
	text := out.String()
	for _, step := range []string{"1. Register", "2. Read it back", "3. Save", "4. Wait", "5. List", "6. Handle an error", "Done."} {
		assert.Contains(t, text, step)
	}
	assert.Contains(t, text, "is ACTIVE")
	assert.Contains(t, text, "not found, as expected: HTTP 400, code ModelArts.6404")
	assert.Equal(t, 2, strings.Count(text, "   my-team/"), "both own images listed")
}

func TestQuickstartAgainstTheServiceNeedsItsSettings(t *testing.T) {
	t.Setenv("MODELARTS_ENDPOINT", "https://modelarts.example.com")
	t.Setenv("HUAWEICLOUD_SDK_PROJECT_ID", "p")
	t.Setenv("MODELARTS_AUTH_TOKEN", "tok-0123")
	t.Setenv("QUICKSTART_NOTEBOOK_ID", "")
	err := run(context.Background(), &bytes.Buffer{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "QUICKSTART_NOTEBOOK_ID")
}
