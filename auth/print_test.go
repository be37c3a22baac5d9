package auth

import (
	"bytes"
	"fmt"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNoSignerPrintsItsSecret(t *testing.T) {
	const (
		token = "MIIZ-static-token-secret"
		sk    = "sk-very-secret-0123456789"
		stok  = "security-token-secret"
		pw    = "iam-password-secret"
	)
	tokenSigner := NewTokenSigner(token)
	aksk, err := NewAKSKSigner("AKPUBLIC", sk, WithSecurityToken(stok))
	require.NoError(t, err)
	creds := PasswordCredentials{IAMEndpoint: "https://iam.example.com", DomainName: "d", Username: "u", Password: pw, ProjectID: "p"}
	iam, err := NewIAMTokenSigner(creds)
	require.NoError(t, err)
	iam.token = newSecret("cached-iam-token-secret")

	type holder struct{ s Signer } // an unexported field: fmt skips Format there
	values := []any{tokenSigner, aksk, iam, creds, &creds, holder{tokenSigner}, &holder{aksk}, holder{iam}}
	secrets := []string{token, sk, stok, pw, "cached-iam-token-secret"}
	for _, v := range values {
		var out bytes.Buffer
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
			fmt.Fprintf(&out, verb+"\n", v)
		}
		fmt.Fprintln(&out, v)
		logger := slog.New(slog.NewJSONHandler(&out, nil))
		logger.Info("signer", "value", v)
		slog.New(slog.NewTextHandler(&out, nil)).Info("signer", "value", v)
		for _, s := range secrets {
			assert.NotContains(t, out.String(), s, "%T leaked", v)
		}
		if _, ok := v.(holder); !ok {
			if _, ok := v.(*holder); !ok {
				assert.Contains(t, out.String(), Redacted, "%T says where a secret was", v)
			}
		}
	}
	// The access key is shown by its first four characters only: with the
	// secret key it is the credential.
	assert.NotContains(t, fmt.Sprintf("%+v", aksk), "AKPUBLIC")
}
