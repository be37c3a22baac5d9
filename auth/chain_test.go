package auth

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/modelarts-go/modelarts/internal/errs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// env is a fake environment for defaultSource. HOME is pointed at an empty
// directory so no real ~/.huaweicloud/credentials is read.
func env(t *testing.T, kv map[string]string) func(string) string {
	t.Helper()
	t.Setenv("HOME", t.TempDir())
	return func(k string) string { return kv[k] }
}

func TestChainWithNothingConfiguredIsTheMetadataServiceAskedLazily(t *testing.T) {
	f := newFakeSource(t)
	src, err := defaultSource(env(t, map[string]string{EnvMetadataEndpoint: f.srv.URL}))
	require.NoError(t, err)
	assert.Equal(t, "ECS metadata", src.Name)
	assert.EqualValues(t, 0, f.calls.Load(), "DefaultSigner does not probe the metadata service")
	ms := src.Signer.(*MetadataSigner)
	ms.tc.now = f.clock.now
	f.verify(t, sign(t, src.Signer))
}

func TestChainWithNothingConfiguredFailsFastListingEverySource(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	l.Close() // nothing answers there, as off ECS
	src, err := defaultSource(env(t, map[string]string{EnvMetadataEndpoint: "http://" + addr}))
	require.NoError(t, err)
	start := time.Now()
	err = src.Signer.Sign(newRequest(t))
	assert.Less(t, time.Since(start), 2*time.Second)
	var none *NoCredentialsError
	require.ErrorAs(t, err, &none)
	assert.False(t, IsTemporary(err), "the client must not retry a machine with nothing configured")
	msg := err.Error()
	for _, want := range []string{"1. environment: " + EnvIdpID, EnvAK, EnvAuthToken, EnvIAMUsername,
		"2. credentials file: " + EnvCredentialsFile, "3. CCE pod identity: " + EnvPodCredentialsURI + " and " + EnvPodTokenFile,
		"4. ECS metadata", "the metadata service: ECS metadata: the metadata session token from http://" + addr} {
		assert.Contains(t, msg, want)
	}
	assert.True(t, strings.HasPrefix(msg, "auth: no credentials"), msg)
	assert.Contains(t, msg, "this does not look like an ECS instance")
	assert.NotContains(t, msg, "temporary", "a laptop's error does not promise a retry")
	assert.Equal(t, 1, strings.Count(msg, "auth: "), msg)
}

func TestChainMetadataIsAskedUnderTheCallersContext(t *testing.T) {
	f := newFakeSource(t)
	src, err := defaultSource(env(t, map[string]string{EnvMetadataEndpoint: f.srv.URL}))
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = src.Signer.Sign(newRequest(t).WithContext(ctx))
	assert.ErrorIs(t, err, context.Canceled)
	assert.EqualValues(t, 0, f.calls.Load())
}

func TestChainBadMetadataEndpointVariableIsAnErrorNamingIt(t *testing.T) {
	_, err := defaultSource(env(t, map[string]string{EnvMetadataEndpoint: "169.254.169.254"}))
	assert.ErrorIs(t, err, errs.ErrInvalidRequest)
	assert.Contains(t, err.Error(), EnvMetadataEndpoint)
}

func TestChainPrefersOIDCFederationFromTheEnvironmentOverAKSK(t *testing.T) {
	src, err := defaultSource(env(t, map[string]string{
		EnvIdpID: "idp-1", EnvIDTokenFile: "/var/run/secrets/token", EnvAK: "AKENVQWERTYUIOPASDF", EnvSK: "sk-env-0123456789abcdef",
		EnvRegion: "cn-north-4", EnvProjectID: "proj-1",
	}))
	require.NoError(t, err)
	assert.Equal(t, "environment (OIDC federation)", src.Name)
	fs := src.Signer.(*FederationSigner)
	assert.Equal(t, "https://iam.cn-north-4.myhuaweicloud.com", fs.iam)
	assert.Equal(t, "proj-1", fs.projectID)
}

func TestChainEnvironmentSources(t *testing.T) {
	for name, tc := range map[string]struct {
		env  map[string]string
		want string
		typ  Signer
	}{
		"AK/SK":    {map[string]string{EnvAK: "AKENVQWERTYUIOPASDF", EnvSK: "sk-env-0123456789abcdef"}, "environment (AK/SK)", &AKSKSigner{}},
		"token":    {map[string]string{EnvAuthToken: "MIIenv-token-0123456789"}, "environment (MODELARTS_AUTH_TOKEN)", &TokenSigner{}},
		"IAM user": {map[string]string{EnvIAMUsername: "u", EnvIAMPassword: "pw-0123456789", EnvIAMDomain: "d", EnvRegion: "cn-north-4"}, "environment (IAM user)", &IAMTokenSigner{}},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			tc.env[EnvCredentialsFile] = writeFile(t, dir, "credentials", "[basic]\nak = AKFILEQWERTYUIOPASD\nsk = sk-file-0123456789abcdef\n")
			tc.env[EnvPodCredentialsURI], tc.env[EnvPodTokenFile] = "http://127.0.0.1:1/pod", "/var/run/secrets/tokens/pod"
			src, err := defaultSource(env(t, tc.env))
			require.NoError(t, err)
			assert.Equal(t, tc.want, src.Name, "the environment wins over the file and pod identity")
			assert.IsType(t, tc.typ, src.Signer)
		})
	}
}

func TestChainHalfConfiguredSourcesAreErrorsNamingWhatIsMissing(t *testing.T) {
	for name, tc := range map[string]struct {
		env  map[string]string
		want []string
	}{
		"idp without token file": {map[string]string{EnvIdpID: "idp-1", EnvAK: "AKENVQWERTYUIOPASDF", EnvSK: "sk-env-0123456789abcdef"},
			[]string{"OIDC federation is half configured", EnvIdpID + " is set but " + EnvIDTokenFile + " is not"}},
		"token file without idp": {map[string]string{EnvIDTokenFile: "/f"}, []string{EnvIDTokenFile + " is set but " + EnvIdpID + " is not"}},
		"AK without SK":          {map[string]string{EnvAK: "AKENVQWERTYUIOPASDF"}, []string{"set " + EnvSK}},
		"IAM user without password": {map[string]string{EnvIAMUsername: "u", EnvIAMDomain: "d", EnvRegion: "cn-north-4"},
			[]string{"set " + EnvIAMPassword}},
		"pod URI without token file": {map[string]string{EnvPodCredentialsURI: "http://169.254.170.2/c"},
			[]string{"CCE pod identity is half configured", EnvPodCredentialsURI + " is set but " + EnvPodTokenFile + " is not"}},
		"pod token file without URI": {map[string]string{EnvPodTokenFile: "/t"}, []string{EnvPodTokenFile + " is set but " + EnvPodCredentialsURI + " is not"}},
		"credentials file named but absent": {map[string]string{EnvCredentialsFile: "/nonexistent/credentials"},
			[]string{`"/nonexistent/credentials" named by ` + EnvCredentialsFile + " does not exist"}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := defaultSource(env(t, tc.env))
			require.Error(t, err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.NotContains(t, err.Error(), "sk-env-")
		})
	}
}

func TestChainReadsTheCredentialsFile(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "credentials", `
# a comment
[global]
ak = AKGLOBALQWERTYUIOPA
sk = sk-global-0123456789abcdef

[basic]
ak = AKFILEQWERTYUIOPASD ; an inline comment
sk = "sk-file-0123456789abcdef"
security_token = `+"`tok-file-0123456789=;#`"+`
project_id: proj-file
iam_endpoint = https://iam.cn-south-1.myhuaweicloud.com
`)
	src, err := defaultSource(env(t, map[string]string{EnvCredentialsFile: path, EnvPodCredentialsURI: "http://x/", EnvPodTokenFile: "/t"}))
	require.NoError(t, err)
	assert.Equal(t, "credentials file "+path+" (AK/SK)", src.Name)
	assert.Equal(t, "proj-file", src.ProjectID)
	assert.Equal(t, "https://iam.cn-south-1.myhuaweicloud.com", src.IAMEndpoint)
	s := src.Signer.(*AKSKSigner)
	assert.Equal(t, "AKFILEQWERTYUIOPASD", s.ak())
	assert.Equal(t, "tok-file-0123456789=;#", s.securityToken())
}

func TestChainReadsTheCredentialsFileInTheHomeDirectory(t *testing.T) {
	get := env(t, map[string]string{})
	home, _ := os.UserHomeDir()
	require.NoError(t, os.MkdirAll(filepath.Join(home, ".huaweicloud"), 0o700))
	writeFile(t, filepath.Join(home, ".huaweicloud"), "credentials", "[basic]\nidp_id = idp-9\nid_token_file = /var/run/token\n")
	src, err := defaultSource(get)
	require.NoError(t, err)
	assert.Contains(t, src.Name, "(OIDC federation)")
	assert.Equal(t, DefaultIAMEndpoint, src.Signer.(*FederationSigner).iam)
}

func TestChainBrokenCredentialsFilesAreErrorsNamingTheFileAndKey(t *testing.T) {
	for name, tc := range map[string]struct{ content, want string }{
		"ak without sk":    {"[basic]\nak = AKFILEQWERTYUIOPASD\n", "ak is set but sk is not"},
		"sk without ak":    {"[basic]\nsk = sk-file-0123456789abcdef\n", "sk is set but ak is not"},
		"idp without file": {"[basic]\nidp_id = idp\nak = A\n", "idp_id is set but id_token_file is not"},
		"empty section":    {"[basic]\n", "neither ak and sk nor idp_id and id_token_file are set"},
		"no basic section": {"[global]\nak = x\nsk = y\n", "has no [basic] section"},
		"not key = value":  {"[basic]\nak AKFILE\n", "line 2: not a 'key = value' line"},
		"unclosed section": {"[basic\n", "line 1: a section header lacks its closing ']'"},
		"multi-line value": {"[basic]\nsk = `sk-file-0123\n456`\n", `line 2: the value of "sk" spans lines`},
		"short secret key": {"[basic]\nak = AKFILEQWERTYUIOPASD\nsk = abc\n", "too short"},
	} {
		t.Run(name, func(t *testing.T) {
			path := writeFile(t, t.TempDir(), "credentials", tc.content)
			_, err := defaultSource(env(t, map[string]string{EnvCredentialsFile: path}))
			require.Error(t, err)
			assert.ErrorIs(t, err, errs.ErrInvalidRequest)
			assert.Contains(t, err.Error(), path)
			assert.Contains(t, err.Error(), tc.want)
			assert.NotContains(t, err.Error(), "sk-file-0123")
			assert.True(t, strings.HasPrefix(err.Error(), "auth: the credentials file"), err.Error())
		})
	}
}

func TestChainUnreadableCredentialsFileIsAnError(t *testing.T) {
	dir := t.TempDir()
	_, err := defaultSource(env(t, map[string]string{EnvCredentialsFile: dir}))
	assert.ErrorContains(t, err, "is a directory")
	if os.Geteuid() != 0 { // root reads anything
		path := writeFile(t, dir, "credentials", "[basic]\n")
		require.NoError(t, os.Chmod(path, 0))
		_, err = defaultSource(env(t, map[string]string{EnvCredentialsFile: path}))
		assert.ErrorContains(t, err, "cannot be opened")
	}
}

func TestChainPodIdentityWinsOverMetadata(t *testing.T) {
	f := newFakeSource(t)
	f.podToken = "pod-token-1-eyJhbGciOiJSUzI1NiJ9"
	tok := writeFile(t, t.TempDir(), "token", f.podToken)
	src, err := defaultSource(env(t, map[string]string{EnvPodCredentialsURI: f.srv.URL + "/pod/credentials", EnvPodTokenFile: tok, EnvMetadataEndpoint: f.srv.URL}))
	require.NoError(t, err)
	assert.Equal(t, "CCE pod identity", src.Name)
	src.Signer.(*PodIdentitySigner).tc.now = f.clock.now
	f.verify(t, sign(t, src.Signer))
	f.mu.Lock()
	defer f.mu.Unlock()
	_, askedMetadata := f.bodies["/openstack/latest/securitykey"]
	assert.False(t, askedMetadata)
}

func TestDefaultSignerReadsTheProcessEnvironment(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	for _, k := range []string{EnvIdpID, EnvIDTokenFile, EnvAuthToken, EnvIAMUsername, EnvIAMPassword, EnvIAMDomain, EnvCredentialsFile, EnvPodCredentialsURI, EnvPodTokenFile} {
		t.Setenv(k, "")
	}
	t.Setenv(EnvAK, "AKPROCQWERTYUIOPASD")
	t.Setenv(EnvSK, "sk-proc-0123456789abcdef")
	s, err := DefaultSigner()
	require.NoError(t, err)
	assert.IsType(t, &AKSKSigner{}, s)
	t.Setenv(EnvSK, "")
	s, err = DefaultSigner()
	assert.Nil(t, s)
	var me *MissingEnvError
	assert.True(t, errors.As(err, &me))
}
