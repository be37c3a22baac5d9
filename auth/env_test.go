package auth

import (
	"errors"
	"fmt"
	"strings"
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
		{"aksk", map[string]string{EnvAK: "ak", EnvSK: "sk-secret"}, "*auth.AKSKSigner", nil},
		{"aksk temporary", map[string]string{EnvAK: "ak", EnvSK: "sk-secret", EnvSecurityToken: "st-token"}, "*auth.AKSKSigner", nil},
		{"aksk wins over token", map[string]string{EnvAK: "ak", EnvSK: "sk-secret", EnvAuthToken: "tok-0123"}, "*auth.AKSKSigner", nil},
		{"token", map[string]string{EnvAuthToken: "tok-0123"}, "*auth.TokenSigner", nil},
		{"token wins over a half AK", map[string]string{EnvAK: "ak", EnvAuthToken: "tok-0123"}, "*auth.TokenSigner", nil},
		{"iam with region", map[string]string{EnvIAMUsername: "u", EnvIAMPassword: "p", EnvIAMDomain: "d", EnvRegion: "cn-north-4"}, "*auth.IAMTokenSigner", nil},
		{"iam with endpoint and project", map[string]string{EnvIAMUsername: "u", EnvIAMPassword: "p", EnvIAMDomain: "d", EnvIAMEndpoint: "https://iam.example.com", EnvProjectID: "p1"}, "*auth.IAMTokenSigner", nil},
		{"ak without sk", map[string]string{EnvAK: "ak"}, "", []string{EnvSK}},
		{"sk without ak", map[string]string{EnvSK: "sk-secret"}, "", []string{EnvAK}},
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

func TestSignerFromEnvNothingSetListsEachCredentialSet(t *testing.T) {
	_, err := signerFromEnv(envOf(nil))
	var me *MissingEnvError
	require.ErrorAs(t, err, &me)
	assert.Empty(t, me.Missing)
	require.Len(t, me.Alternatives, 3)
	assert.Contains(t, me.Alternatives[0], EnvAK+" and "+EnvSK)
	assert.Contains(t, me.Alternatives[0], EnvSecurityToken)
	assert.Contains(t, me.Alternatives[1], EnvAuthToken)
	assert.Contains(t, me.Alternatives[2], EnvIAMUsername+", "+EnvIAMPassword+" and "+EnvIAMDomain)
	// One line per set, so a person sees which set to complete.
	lines := strings.Split(err.Error(), "\n")
	require.Len(t, lines, 5, err.Error())
	for i, alt := range me.Alternatives {
		assert.Equal(t, fmt.Sprintf("      %d. %s", i+1, alt), lines[2+i])
	}
}

func TestMissingEnvErrorOneLinePerVariable(t *testing.T) {
	err := &MissingEnvError{Missing: []string{EnvSK, EnvProjectID}}
	assert.Equal(t, "modelarts: configuration from the environment is incomplete:\n  - set "+EnvSK+"\n  - set "+EnvProjectID, err.Error())
}

func TestSignerFromEnvRefusesABlankToken(t *testing.T) {
	_, err := signerFromEnv(envOf(map[string]string{EnvAuthToken: "  "}))
	require.Error(t, err)
	assert.Contains(t, err.Error(), EnvAuthToken)
	assert.Contains(t, err.Error(), "empty")
}

func TestSignerFromEnvDetails(t *testing.T) {
	s, err := signerFromEnv(envOf(map[string]string{EnvAK: "ak", EnvSK: "sk-secret", EnvSecurityToken: "st-token"}))
	require.NoError(t, err)
	assert.Equal(t, "st-token", s.(*AKSKSigner).securityToken())

	s, err = signerFromEnv(envOf(map[string]string{EnvIAMUsername: "u", EnvIAMPassword: "p", EnvIAMDomain: "d", EnvRegion: "ap-southeast-1"}))
	require.NoError(t, err)
	is := s.(*IAMTokenSigner)
	assert.Equal(t, "https://iam.ap-southeast-1.myhuaweicloud.com/v3/auth/tokens", is.tokens)
	assert.Equal(t, "ap-southeast-1", is.creds.ProjectName)

	s, err = signerFromEnv(envOf(map[string]string{EnvIAMUsername: "u", EnvIAMPassword: "p", EnvIAMDomain: "d", EnvRegion: "cn-north-4", EnvProjectID: "pid"}))
	require.NoError(t, err)
	assert.Equal(t, "pid", s.(*IAMTokenSigner).creds.ProjectID)
	assert.Empty(t, s.(*IAMTokenSigner).creds.ProjectName, "the project ID scopes the token when set")

	t.Setenv(EnvAuthToken, "from-real-env")
	s, err = SignerFromEnv()
	require.NoError(t, err)
	assert.Equal(t, "from-real-env", s.(*TokenSigner).token())
}

func typeName(v any) string {
	switch v.(type) {
	case *AKSKSigner:
		return "*auth.AKSKSigner"
	case *TokenSigner:
		return "*auth.TokenSigner"
	case *IAMTokenSigner:
		return "*auth.IAMTokenSigner"
	}
	return "?"
}
