package modelartstest_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelarts-go/modelarts"
	"github.com/modelarts-go/modelarts/auth"
	"github.com/modelarts-go/modelarts/modelartstest"
)

func clientWith(t *testing.T, srv *modelartstest.Server, s auth.Signer) *modelarts.Client {
	t.Helper()
	return srv.ClientWith(s)
}

func listOnce(t *testing.T, c *modelarts.Client) error {
	t.Helper()
	_, err := c.ListImagesPage(context.Background(), nil)
	return err
}

func writeToken(t *testing.T, dir, tok string) string {
	t.Helper()
	p := filepath.Join(dir, "token")
	require.NoError(t, os.WriteFile(p, []byte(tok), 0o600))
	return p
}

func TestFakeMetadataServiceIssuesAgencyCredentialsItsGatewayAccepts(t *testing.T) {
	srv := modelartstest.NewServer()
	defer srv.Close()
	s, err := auth.NewMetadataSigner(auth.WithMetadataEndpoint(srv.URL()))
	require.NoError(t, err)
	c := clientWith(t, srv, s)
	require.NoError(t, listOnce(t, c))
	require.NoError(t, listOnce(t, c))
	assert.Equal(t, 1, srv.RequestCount(modelartstest.RouteMetadataToken))
	assert.Equal(t, 1, srv.RequestCount(modelartstest.RouteMetadataSecurityKey))
	assert.Equal(t, 1, srv.IssuedCredentials())
}

func TestFakeGatewayRefusesRevokedCredentialsAndTheClientFetchesNewOnesOnce(t *testing.T) {
	srv := modelartstest.NewServer()
	defer srv.Close()
	s, err := auth.NewMetadataSigner(auth.WithMetadataEndpoint(srv.URL()))
	require.NoError(t, err)
	c := clientWith(t, srv, s)
	require.NoError(t, listOnce(t, c))
	srv.RevokeIssuedCredentials()
	require.NoError(t, listOnce(t, c), "a 401 APIGW.0301 drops the credentials and the call is retried once")
	assert.Equal(t, 2, srv.IssuedCredentials())
}

func TestFakeMetadataFaultsAreRetriedOrServedAround(t *testing.T) {
	srv := modelartstest.NewServer()
	defer srv.Close()
	s, err := auth.NewMetadataSigner(auth.WithMetadataEndpoint(srv.URL()))
	require.NoError(t, err)
	c := clientWith(t, srv, s)
	srv.InjectFault(modelartstest.RouteMetadataSecurityKey, modelartstest.ErrorAnswer{Status: 503})
	require.NoError(t, listOnce(t, c), "a metadata 503 on the first fetch is retried like any 503")
	assert.Equal(t, 2, srv.RequestCount(modelartstest.RouteMetadataSecurityKey))
}

func TestFakeMetadataWithoutAgencySaysSo(t *testing.T) {
	srv := modelartstest.NewServer(modelartstest.WithoutAgency())
	defer srv.Close()
	s, err := auth.NewMetadataSigner(auth.WithMetadataEndpoint(srv.URL()))
	require.NoError(t, err)
	err = listOnce(t, clientWith(t, srv, s))
	assert.ErrorContains(t, err, "attach a cloud service agency")
	assert.False(t, auth.IsTemporary(err))
}

func TestFakePodIdentityIssuesCredentialsAndRefusesARotatedOutToken(t *testing.T) {
	srv := modelartstest.NewServer()
	defer srv.Close()
	dir := t.TempDir()
	s, err := auth.NewPodIdentitySigner(srv.PodIdentityURI(), writeToken(t, dir, srv.PodToken()))
	require.NoError(t, err)
	c := clientWith(t, srv, s)
	require.NoError(t, listOnce(t, c))

	srv.RotatePodToken() // the file still holds the old one
	srv.RevokeIssuedCredentials()
	err = listOnce(t, c)
	assert.ErrorIs(t, err, modelarts.ErrUnauthorized, "the old pod token is refused")

	writeToken(t, dir, srv.RotatePodToken())
	require.NoError(t, listOnce(t, c), "the rotated file is read on the next fetch")
}

func TestFakeIAMFederatesAnOIDCIdentity(t *testing.T) {
	srv := modelartstest.NewServer()
	defer srv.Close()
	dir := t.TempDir()
	s, err := auth.NewFederationSigner(auth.FederationConfig{IAMEndpoint: srv.URL(), IdentityProviderID: srv.IdentityProviderID(),
		IDTokenFile: writeToken(t, dir, srv.IDToken())}, auth.WithFederationHTTPClient(srv.HTTPClient()))
	require.NoError(t, err)
	c := clientWith(t, srv, s)
	require.NoError(t, listOnce(t, c))
	assert.Equal(t, 1, srv.RequestCount(modelartstest.RouteIAMIDToken))
	assert.Equal(t, 1, srv.RequestCount(modelartstest.RouteIAMSecurityTokens))

	srv.InjectFault(modelartstest.RouteIAMSecurityTokens, modelartstest.ErrorAnswer{Status: 500})
	srv.RevokeIssuedCredentials()
	require.NoError(t, listOnce(t, c), "an IAM 500 is retried")
}

func TestFakeChainRunsOfflineOnTheMetadataService(t *testing.T) {
	srv := modelartstest.NewServer()
	defer srv.Close()
	for _, k := range []string{auth.EnvAK, auth.EnvSK, auth.EnvAuthToken, auth.EnvIAMUsername, auth.EnvIAMPassword, auth.EnvIAMDomain,
		auth.EnvIdpID, auth.EnvIDTokenFile, auth.EnvCredentialsFile, auth.EnvPodCredentialsURI, auth.EnvPodTokenFile} {
		t.Setenv(k, "")
	}
	t.Setenv("HOME", t.TempDir())
	t.Setenv(auth.EnvMetadataEndpoint, srv.URL())
	s, err := auth.DefaultSigner()
	require.NoError(t, err)
	require.NoError(t, listOnce(t, clientWith(t, srv, s)))
	assert.Equal(t, 1, srv.IssuedCredentials())
}

func TestFakeIAMNamesTheProjectOfItsRegionForDiscovery(t *testing.T) {
	srv := modelartstest.NewServer()
	defer srv.Close()
	s, err := auth.NewMetadataSigner(auth.WithMetadataEndpoint(srv.URL()))
	require.NoError(t, err)
	c, err := modelarts.NewClient(srv.URL(), "", s, modelarts.WithHTTPClient(srv.HTTPClient()),
		modelarts.WithProjectDiscovery(modelartstest.DefaultRegion, srv.URL()))
	require.NoError(t, err)
	require.NoError(t, listOnce(t, c))
	assert.Equal(t, srv.ProjectID(), c.ProjectID())
	assert.Equal(t, 1, srv.RequestCount(modelartstest.RouteIAMProjects))

	other, err := modelarts.NewClient(srv.URL(), "", s, modelarts.WithHTTPClient(srv.HTTPClient()),
		modelarts.WithProjectDiscovery("eu-west-101", srv.URL()))
	require.NoError(t, err)
	var pe *modelarts.ProjectDiscoveryError
	require.ErrorAs(t, listOnce(t, other), &pe)
	assert.Equal(t, 0, pe.Found)
}
