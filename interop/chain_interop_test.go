package interop

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	hcauth "github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/provider"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelarts-go/modelarts"
	"github.com/modelarts-go/modelarts/auth"
	"github.com/modelarts-go/modelarts/internal/sdksign"
)

// chainVars are every variable either chain reads.
var chainVars = []string{
	auth.EnvAK, auth.EnvSK, auth.EnvSecurityToken, auth.EnvProjectID, "HUAWEICLOUD_SDK_DOMAIN_ID", auth.EnvIAMEndpoint,
	auth.EnvIdpID, auth.EnvIDTokenFile, auth.EnvCredentialsFile, auth.EnvRegion, auth.EnvAuthToken,
	auth.EnvIAMUsername, auth.EnvIAMPassword, auth.EnvIAMDomain, auth.EnvPodCredentialsURI, auth.EnvPodTokenFile, auth.EnvMetadataEndpoint,
}

const (
	chainAK  = "HPUACHAINQWERTYUIOPA"
	chainSK  = "chain-sk-e6Pn2QvTfLmbYc8JrKd0ZsWx9HgUaN"
	chainTok = "chain-security-token-gQpjbi1ub3J0aC00"
)

// TestBothChainsPickTheSameSourceAndKeys sets one environment and
// credentials file per case and asks the official SDK's default chain and
// ours: they must pick the same source (AK/SK or OIDC federation) and the
// same keys, security token, identity provider and token file. The keys
// are compared by verifying a request our chain's signer signed with the
// secret key the official chain read.
func TestBothChainsPickTheSameSourceAndKeys(t *testing.T) {
	file := func(body string) func(t *testing.T) string {
		return func(t *testing.T) string {
			p := filepath.Join(t.TempDir(), "credentials")
			require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
			return p
		}
	}
	for name, tc := range map[string]struct {
		env     map[string]string
		file    func(t *testing.T) string // the credentials file, named by HUAWEICLOUD_SDK_CREDENTIALS_FILE
		homeDir string                    // the file's content in ~/.huaweicloud/credentials instead
	}{
		"environment AK/SK with a security token": {env: map[string]string{auth.EnvAK: chainAK, auth.EnvSK: chainSK, auth.EnvSecurityToken: chainTok, auth.EnvProjectID: "proj-env"}},
		"environment AK/SK over a credentials file": {env: map[string]string{auth.EnvAK: chainAK, auth.EnvSK: chainSK},
			file: file("[basic]\nak = FILEAKQWERTYUIOPASDF\nsk = file-sk-0123456789abcdefghij\n")},
		"environment OIDC federation over AK/SK":       {env: map[string]string{auth.EnvIdpID: "idp-env", auth.EnvIDTokenFile: "/var/run/secrets/id-token", auth.EnvAK: chainAK, auth.EnvSK: chainSK}},
		"credentials file AK/SK, quoted and commented": {file: file("# keys\n[global]\nak = GLOBALAKQWERTYUIOPAS\nsk = global-sk-0123456789abcdef\n\n[basic]\nak = " + chainAK + " ; the agency's\nsk = \"" + chainSK + "\"\nsecurity_token = `" + chainTok + "`\nproject_id: proj-file\n")},
		"credentials file OIDC federation":             {file: file("[basic]\nidp_id = idp-file\nid_token_file = /var/run/token\nak = " + chainAK + "\nsk = " + chainSK + "\n")},
		"credentials file in the home directory":       {homeDir: "[basic]\nak = " + chainAK + "\nsk = " + chainSK + "\n"},
	} {
		t.Run(name, func(t *testing.T) {
			for _, k := range chainVars {
				t.Setenv(k, "")
			}
			home := t.TempDir()
			t.Setenv("HOME", home)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			if tc.file != nil {
				t.Setenv(auth.EnvCredentialsFile, tc.file(t))
			}
			if tc.homeDir != "" {
				require.NoError(t, os.MkdirAll(filepath.Join(home, ".huaweicloud"), 0o700))
				require.NoError(t, os.WriteFile(filepath.Join(home, ".huaweicloud", "credentials"), []byte(tc.homeDir), 0o600))
			}

			official, err := provider.DefaultCredentialProviderChain("basic").GetCredentials()
			require.NoError(t, err)
			oc := official.(*hcauth.BasicCredentials)
			ours, err := auth.DefaultSource()
			require.NoError(t, err)

			if oc.IdpId != "" {
				require.IsType(t, &auth.FederationSigner{}, ours.Signer, ours.Name)
				printed := fmt.Sprint(ours.Signer)
				assert.Contains(t, printed, "IdentityProviderID:"+oc.IdpId+",")
				assert.Contains(t, printed, "IDTokenFile:"+oc.IdTokenFile+",")
				return
			}
			require.IsType(t, &auth.AKSKSigner{}, ours.Signer, ours.Name)
			req, err := http.NewRequest(http.MethodGet, "https://modelarts.cn-north-4.myhuaweicloud.com/v1/p/images", nil)
			require.NoError(t, err)
			require.NoError(t, ours.Signer.Sign(req))
			err = sdksign.Verify(req, nil, func(ak string) (string, bool) { return oc.SK, ak == oc.AK }, time.Now())
			assert.NoError(t, err, "our signer holds the official chain's AK and SK")
			assert.Equal(t, oc.SecurityToken, req.Header.Get(auth.HeaderSecurityToken))
			assert.Equal(t, oc.ProjectId, ours.ProjectID)
		})
	}
}

// TestMetadataCredentialsSignRequestsTheOfficialSignerVerifies: our
// MetadataSigner takes credentials from a metadata service written from
// CREDENTIALS.md, and the official signer, given the same credentials,
// computes the same Authorization header for every request.
func TestMetadataCredentialsSignRequestsTheOfficialSignerVerifies(t *testing.T) {
	const (
		ak = "METAAKQWERTYUIOPASDF"
		sk = "meta-sk-0123456789abcdefghijklmnopqrst"
	)
	md := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodPut && r.URL.Path == "/meta-data/latest/api/token":
			fmt.Fprint(w, "session-token-0123456789")
		case r.Method == http.MethodGet && r.URL.Path == "/openstack/latest/securitykey" && r.Header.Get("X-Metadata-Token") == "session-token-0123456789":
			fmt.Fprintf(w, `{"credential":{"access":%q,"secret":%q,"securitytoken":%q,"expires_at":%q}}`,
				ak, sk, chainTok, time.Now().Add(24*time.Hour).UTC().Format("2006-01-02T15:04:05.000000Z"))
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	defer md.Close()
	s, err := auth.NewMetadataSigner(auth.WithMetadataEndpoint(md.URL), auth.WithMetadataHTTPClient(md.Client()))
	require.NoError(t, err)

	v := newOfficialVerifier(t)
	v.keys[ak] = sk
	c, err := modelarts.NewClient(v.srv.URL, verifierProject, s, modelarts.WithHTTPClient(v.srv.Client()))
	require.NoError(t, err)
	ctx := context.Background()
	_, err = c.GetImage(ctx, verifierImageID)
	require.NoError(t, err)
	_, err = c.ListImagesPage(ctx, &modelarts.ListImagesOptions{Name: "a b&c", Limit: 5})
	require.NoError(t, err)
	checked, failures := v.result()
	assert.Equal(t, 2, checked)
	assert.Empty(t, failures, strings.Join(failures, "\n"))
}
