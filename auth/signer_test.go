package auth

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTokenSigner(t *testing.T) {
	req, _ := http.NewRequest("GET", "https://x/v1/p/images", nil)
	s := NewTokenSigner("tok-1")
	require.NoError(t, s.Validate())
	require.NoError(t, s.Sign(req))
	assert.Equal(t, "tok-1", req.Header.Get("X-Auth-Token"))
}

func TestTokenSignerValidate(t *testing.T) {
	for name, tc := range map[string]struct {
		s    *TokenSigner
		want string
	}{
		"empty":                        {NewTokenSigner(""), "empty"},
		"blank":                        {NewTokenSigner(" \t "), "empty"},
		"line break":                   {NewTokenSigner("MIIsecret-token\n"), "control character"},
		"unit separator (0x1f)":        {NewTokenSigner("MIIsecret\x1ftoken"), "control character"},
		"delete (0x7f)":                {NewTokenSigner("MIIsecret\x7ftoken"), "control character"},
		"a space is no control (0x20)": {NewTokenSigner("MIIsecret token"), ""},
		"four bytes":                   {NewTokenSigner("MIIs"), ""},
		"three bytes":                  {NewTokenSigner("MII"), "shorter than 4 bytes"},
		"zero value":                   {&TokenSigner{}, "NewTokenSigner"},
		"nil":                          {nil, "NewTokenSigner"},
		"usable token":                 {NewTokenSigner("MIIsecret-token"), ""},
	} {
		err := tc.s.Validate()
		if tc.want == "" {
			assert.NoError(t, err, name)
			continue
		}
		assert.ErrorContains(t, err, tc.want, name)
		assert.NotContains(t, err.Error(), "MIIsecret", name)
		req, _ := http.NewRequest("GET", "https://x/v1/p/images", nil)
		assert.Equal(t, err, tc.s.Sign(req), "Sign refuses what Validate refuses: %s", name)
		assert.Empty(t, req.Header.Get(HeaderAuthToken), name)
	}
}

func TestAKSKSignerRefusesEmptyKeysWithoutPrintingThem(t *testing.T) {
	for _, tc := range []struct{ ak, sk, want string }{
		{"", "SKsecret-value", "access key (AK) is empty"},
		{"AKvisible", "", "secret key (SK) is empty"},
		{" ", "\t", "access key (AK) and the secret key (SK) is empty"},
	} {
		s, err := NewAKSKSigner(tc.ak, tc.sk)
		assert.Nil(t, s)
		require.ErrorContains(t, err, tc.want)
		assert.NotContains(t, err.Error(), "SKsecret")
		assert.NotContains(t, err.Error(), "AKvisible")
	}
	_, err := NewAKSKSigner("AKvisible", "SKsecret-value", WithSecurityToken(""))
	assert.ErrorContains(t, err, "empty security token")

	zero := &AKSKSigner{}
	assert.ErrorContains(t, zero.Validate(), "NewAKSKSigner")
	req, _ := http.NewRequest("GET", "https://x/v1/p/images", nil)
	assert.ErrorContains(t, zero.Sign(req), "NewAKSKSigner", "a zero signer errs, never panics")
	ok, err := NewAKSKSigner("AKvisible", "SKsecret-value")
	require.NoError(t, err)
	assert.NoError(t, ok.Validate())
}

func TestIAMTokenSignerValidate(t *testing.T) {
	zero := &IAMTokenSigner{}
	assert.ErrorContains(t, zero.Validate(), "NewIAMTokenSigner")
	req, _ := http.NewRequest("GET", "https://x/v1/p/images", nil)
	assert.ErrorContains(t, zero.Sign(req), "NewIAMTokenSigner", "a zero signer errs, never panics")
	s, err := NewIAMTokenSigner(PasswordCredentials{IAMEndpoint: "https://iam.example.com", DomainName: "d", Username: "u", Password: NewSecret("pw-secret"), ProjectID: "p"})
	require.NoError(t, err)
	assert.NoError(t, s.Validate())
	var nilCtx context.Context // what a caller passing nil sends
	_, err = s.Token(nilCtx)
	assert.ErrorContains(t, err, "nil context")
}

func TestEverySignerRedactsItsSecrets(t *testing.T) {
	const (
		token = "MIIstatic<token>&more"
		ak    = "AKPUBLIC0123456789"
		sk    = "SK/secret+key=0123456789"
		stok  = "security\"token\\value"
		pw    = "iam<password>&é"
	)
	aksk, err := NewAKSKSigner(ak, sk, WithSecurityToken(stok))
	require.NoError(t, err)
	f := newFakeIAM(t)
	creds := f.creds()
	creds.Password = NewSecret(pw)
	iam, err := NewIAMTokenSigner(creds, WithIAMHTTPClient(f.srv.Client()))
	require.NoError(t, err)
	first := signedToken(t, iam)
	iam.InvalidateToken(first)
	second := signedToken(t, iam)
	require.NotEqual(t, first, second)

	for name, tc := range map[string]struct {
		r       SecretRedactor
		secrets []string
	}{
		"token": {NewTokenSigner(token), []string{token}},
		"aksk":  {aksk, []string{ak, sk, stok}},
		"iam":   {iam, []string{pw, first, second}},
	} {
		for _, sec := range tc.secrets {
			js, _ := json.Marshal(sec)
			for _, form := range []string{sec, string(js), url.QueryEscape(sec), url.PathEscape(sec)} {
				got := tc.r.RedactSecrets("server said: " + form + " (end)")
				assert.NotContains(t, got, sec, "%s: %q", name, form)
				assert.Contains(t, got, Redacted, "%s: %q", name, form)
				assert.Contains(t, got, "server said: ", name)
			}
		}
		assert.Equal(t, "nothing secret here", tc.r.RedactSecrets("nothing secret here"), name)
	}
	assert.Equal(t, "x", (*TokenSigner)(nil).RedactSecrets("x"))
}

func TestIAMRedactsOnlyTheMostRecentTokens(t *testing.T) {
	f := newFakeIAM(t)
	s := newIAM(t, f)
	var tokens []string
	for i := 0; i < maxHeldTokens+2; i++ {
		tok := signedToken(t, s)
		tokens = append(tokens, tok)
		s.InvalidateToken(tok)
	}
	for i, tok := range tokens {
		got := s.RedactSecrets("<" + tok + ">")
		if i < 2 {
			assert.Equal(t, "<"+tok+">", got, "older than the %d most recent: forgotten", maxHeldTokens)
		} else {
			assert.Equal(t, "<"+Redacted+">", got, tok)
		}
	}
	assert.Equal(t, Redacted, s.RedactSecrets(testPassword), "the password is always redacted")
}
