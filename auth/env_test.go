package auth

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestSignerFromEnv(t *testing.T) {
	cases := []struct {
		name    string
		env     map[string]string
		kind    string
		missing []string
	}{
		{"aksk", map[string]string{EnvAK: "ak", EnvSK: "sk"}, "*auth.akskSigner", nil},
		{"aksk temporary", map[string]string{EnvAK: "ak", EnvSK: "sk", EnvSecurityToken: "st"}, "*auth.akskSigner", nil},
		{"aksk wins over token", map[string]string{EnvAK: "ak", EnvSK: "sk", EnvAuthToken: "t"}, "*auth.akskSigner", nil},
		{"token", map[string]string{EnvAuthToken: "t"}, "*auth.tokenSigner", nil},
		{"token wins over a half AK", map[string]string{EnvAK: "ak", EnvAuthToken: "t"}, "*auth.tokenSigner", nil},
		{"iam with region", map[string]string{EnvIAMUsername: "u", EnvIAMPassword: "p", EnvIAMDomain: "d", EnvRegion: "cn-north-4"}, "*auth.iamSigner", nil},
		{"iam with endpoint and project", map[string]string{EnvIAMUsername: "u", EnvIAMPassword: "p", EnvIAMDomain: "d", EnvIAMEndpoint: "https://iam.example.com", EnvProjectID: "p1"}, "*auth.iamSigner", nil},
		{"nothing", map[string]string{}, "", []string{EnvAK + " and " + EnvSK + ", or " + EnvAuthToken + ", or " + EnvIAMUsername + ", " + EnvIAMPassword + " and " + EnvIAMDomain}},
		{"ak without sk", map[string]string{EnvAK: "ak"}, "", []string{EnvSK}},
		{"sk without ak", map[string]string{EnvSK: "sk"}, "", []string{EnvAK}},
		{"half iam", map[string]string{EnvIAMUsername: "u"}, "", []string{EnvIAMPassword, EnvIAMDomain, EnvIAMEndpoint + " or " + EnvRegion, EnvProjectID + " or " + EnvRegion}},
		{"half both", map[string]string{EnvAK: "ak", EnvIAMUsername: "u", EnvIAMPassword: "p", EnvIAMDomain: "d"}, "", []string{EnvSK, EnvIAMEndpoint + " or " + EnvRegion, EnvProjectID + " or " + EnvRegion}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := signerFromEnv(envOf(tc.env))
			if tc.missing != nil {
				var me *MissingEnvError
				require.True(t, errors.As(err, &me), "%v", err)
				assert.Equal(t, tc.missing, me.Missing)
				for _, v := range tc.env {
					assert.NotContains(t, err.Error(), "="+v)
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.kind, typeName(s))
		})
	}
}

func TestSignerFromEnvDetails(t *testing.T) {
	s, err := signerFromEnv(envOf(map[string]string{EnvAK: "ak", EnvSK: "sk", EnvSecurityToken: "st"}))
	require.NoError(t, err)
	assert.Equal(t, "st", s.(*akskSigner).securityToken())

	s, err = signerFromEnv(envOf(map[string]string{EnvIAMUsername: "u", EnvIAMPassword: "p", EnvIAMDomain: "d", EnvRegion: "ap-southeast-1"}))
	require.NoError(t, err)
	is := s.(*iamSigner)
	assert.Equal(t, "https://iam.ap-southeast-1.myhuaweicloud.com/v3/auth/tokens", is.tokens)
	assert.Equal(t, "ap-southeast-1", is.creds.ProjectName)

	s, err = signerFromEnv(envOf(map[string]string{EnvIAMUsername: "u", EnvIAMPassword: "p", EnvIAMDomain: "d", EnvRegion: "cn-north-4", EnvProjectID: "pid"}))
	require.NoError(t, err)
	assert.Equal(t, "pid", s.(*iamSigner).creds.ProjectID)
	assert.Empty(t, s.(*iamSigner).creds.ProjectName, "the project ID scopes the token when set")

	t.Setenv(EnvAuthToken, "from-real-env")
	s, err = SignerFromEnv()
	require.NoError(t, err)
	assert.Equal(t, "from-real-env", s.(*tokenSigner).token())
}

func typeName(v any) string {
	switch v.(type) {
	case *akskSigner:
		return "*auth.akskSigner"
	case *tokenSigner:
		return "*auth.tokenSigner"
	case *iamSigner:
		return "*auth.iamSigner"
	}
	return "?"
}
