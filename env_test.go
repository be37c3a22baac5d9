package modelarts

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelarts-go/modelarts/auth"
)

func clearEnv(t *testing.T) {
	for _, k := range []string{EnvEndpoint, auth.EnvRegion, auth.EnvProjectID, auth.EnvAK, auth.EnvSK, auth.EnvSecurityToken,
		auth.EnvAuthToken, auth.EnvIAMUsername, auth.EnvIAMPassword, auth.EnvIAMDomain, auth.EnvIAMEndpoint} {
		t.Setenv(k, "")
	}
}

func TestNewClientFromEnv(t *testing.T) {
	clearEnv(t)
	t.Setenv(auth.EnvRegion, "cn-north-4")
	t.Setenv(auth.EnvProjectID, testProject)
	t.Setenv(auth.EnvAuthToken, testToken)
	c, err := NewClientFromEnv()
	require.NoError(t, err)
	assert.Equal(t, "https://modelarts.cn-north-4.myhuaweicloud.com", c.Endpoint())
	assert.Equal(t, testProject, c.ProjectID())

	t.Setenv(auth.EnvRegion, "ap-southeast-1")
	c, err = NewClientFromEnv()
	require.NoError(t, err)
	assert.Equal(t, "https://modelarts.ap-southeast-1.myhuaweicloud.cn", c.Endpoint())

	t.Setenv(EnvEndpoint, "https://modelarts.example.org/")
	c, err = NewClientFromEnv(WithUserAgent("x"))
	require.NoError(t, err)
	assert.Equal(t, "https://modelarts.example.org", c.Endpoint(), "MODELARTS_ENDPOINT wins over the region")
}

func TestNewClientFromEnvListsEverythingMissing(t *testing.T) {
	clearEnv(t)
	t.Setenv(auth.EnvAK, "AKONLY")
	_, err := NewClientFromEnv()
	var me *auth.MissingEnvError
	require.True(t, errors.As(err, &me), "%v", err)
	assert.Equal(t, []string{EnvEndpoint + " or " + auth.EnvRegion, auth.EnvProjectID, auth.EnvSK}, me.Missing)
	assert.Contains(t, err.Error(), "HUAWEICLOUD_SDK_SK")
	assert.NotContains(t, err.Error(), "AKONLY")

	clearEnv(t)
	t.Setenv(EnvEndpoint, "http://modelarts.example.org")
	t.Setenv(auth.EnvProjectID, testProject)
	t.Setenv(auth.EnvAuthToken, testToken)
	_, err = NewClientFromEnv()
	assert.ErrorIs(t, err, ErrInvalidRequest, "the endpoint is still checked")
}

func TestNewClientFromEnvWithNothingSetListsTheCredentialSets(t *testing.T) {
	clearEnv(t)
	_, err := NewClientFromEnv()
	var me *auth.MissingEnvError
	require.True(t, errors.As(err, &me), "%v", err)
	assert.Equal(t, []string{EnvEndpoint + " or " + auth.EnvRegion, auth.EnvProjectID}, me.Missing)
	require.Len(t, me.Alternatives, 3, "the credential sets survive the client's own additions")
	for _, alt := range me.Alternatives {
		assert.Contains(t, err.Error(), alt)
	}
}
