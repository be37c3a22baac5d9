package modelarts

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelarts-go/modelarts/auth"
)

func clearEnv(t *testing.T) {
	for _, k := range []string{EnvEndpoint, auth.EnvRegion, auth.EnvProjectID, auth.EnvAK, auth.EnvSK, auth.EnvSecurityToken,
		auth.EnvAuthToken, auth.EnvIAMUsername, auth.EnvIAMPassword, auth.EnvIAMDomain, auth.EnvIAMEndpoint,
		auth.EnvIdpID, auth.EnvIDTokenFile, auth.EnvCredentialsFile, auth.EnvPodCredentialsURI, auth.EnvPodTokenFile,
		auth.EnvMetadataEndpoint} {
		t.Setenv(k, "")
	}
	t.Setenv("HOME", t.TempDir()) // no real ~/.huaweicloud/credentials
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

func TestNewClientFromEnvWithNothingSetListsTheCredentialSources(t *testing.T) {
	clearEnv(t)
	_, err := NewClientFromEnv()
	var me *auth.MissingEnvError
	require.True(t, errors.As(err, &me), "%v", err)
	assert.Equal(t, []string{EnvEndpoint + " or " + auth.EnvRegion, auth.EnvProjectID}, me.Missing)
	require.Len(t, me.Alternatives, 4, "the chain's sources survive the client's own additions")
	for _, alt := range me.Alternatives {
		assert.Contains(t, err.Error(), alt)
	}
}

func TestNewClientFromEnvUsesTheDefaultChain(t *testing.T) {
	clearEnv(t)
	t.Setenv(auth.EnvRegion, "cn-north-4")
	dir := t.TempDir()
	path := filepath.Join(dir, "credentials")
	require.NoError(t, os.WriteFile(path, []byte("[basic]\nak = AKFILEQWERTYUIOPASD\nsk = sk-file-0123456789abcdef\nproject_id = "+testProject+"\n"), 0o600))
	t.Setenv(auth.EnvCredentialsFile, path)
	c, err := NewClientFromEnv()
	require.NoError(t, err)
	assert.Equal(t, testProject, c.ProjectID(), "the project of the credentials file")
	assert.IsType(t, &auth.AKSKSigner{}, c.signer())

	// With nothing configured but the endpoint and project, the client is
	// built on the metadata service, asked at the first call.
	clearEnv(t)
	t.Setenv(auth.EnvRegion, "cn-north-4")
	t.Setenv(auth.EnvProjectID, testProject)
	c, err = NewClientFromEnv()
	require.NoError(t, err)
	assert.IsType(t, &auth.MetadataSigner{}, c.signer())

	// A broken source is its own error, not a fall-through.
	t.Setenv(auth.EnvPodTokenFile, "/var/run/token")
	_, err = NewClientFromEnv()
	assert.ErrorContains(t, err, "CCE pod identity is half configured")
}
