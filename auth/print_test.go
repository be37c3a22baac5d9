package auth

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
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
	creds := PasswordCredentials{IAMEndpoint: "https://iam.example.com", DomainName: "d", Username: "u", Password: NewSecret(pw), ProjectID: "p"}
	iam, err := NewIAMTokenSigner(creds)
	require.NoError(t, err)
	iam.st.token = newSecret("cached-iam-token-secret")

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

// printVerbs are the verbs every subject is printed with: the usual ones,
// verbs fmt finds bad for a struct or a pointer (it then prints the operand
// again with %v from depth 0, where a pointer to a struct is expanded and
// no method of anything behind an unexported field is called), and flags.
var printVerbs = []string{
	"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%z",
	"%p", "%t", "%b", "%o", "%c", "%U", "%e", "%g", "%w",
	"%10.4s", "%-30q", "%#q", "%+q", "% x", "%#x", "%T",
}

// printedEveryWay prints v with every verb, Print, Println, and through
// slog's text and JSON handlers, and returns all of it.
func printedEveryWay(v any) string {
	var b strings.Builder
	for _, verb := range printVerbs {
		fmt.Fprintf(&b, verb+"\n", v)
	}
	fmt.Fprint(&b, v)
	fmt.Fprintln(&b, v)
	slog.New(slog.NewTextHandler(&b, nil)).Info("m", slog.Any("v", v))
	slog.New(slog.NewJSONHandler(&b, nil)).Info("m", slog.Any("v", v))
	slog.New(slog.NewTextHandler(&b, nil)).Info("m", "v", v)
	return b.String()
}

// Long, distinct secrets: none can match by accident.
const (
	printToken    = "MIIstatic-token-5f1c2e9a7d-secret"
	printAK       = "HPUAXR7YWRSNL8JQ1XKE"
	printSK       = "e6Pn2QvTfLmbYc8JrKd0ZsWx9HgUaN4o1yVt7EiF"
	printSecToken = "gQpjbi1ub3J0aC00RjlTMU5R-security-token"
	printIAMToken = "MIIcached-iam-token-" // + request number
)

// iamWithCachedTokens returns an IAM signer that has obtained and cached
// two tokens (the first was rejected and replaced), and the tokens.
func iamWithCachedTokens(t *testing.T) (*IAMTokenSigner, []string) {
	t.Helper()
	f := newFakeIAM(t)
	f.answer = func(w http.ResponseWriter, n int32) bool {
		w.Header().Set(HeaderSubjectToken, fmt.Sprintf("%s%d-e3b0c44298fc", printIAMToken, n))
		w.WriteHeader(201)
		return true
	}
	s := newIAM(t, f)
	first, err := s.Token(context.Background())
	require.NoError(t, err)
	s.InvalidateToken(first)
	second, err := s.Token(context.Background())
	require.NoError(t, err)
	require.NotEqual(t, first, second)
	return s, []string{first, second}
}

// tempSignersWithCredentials returns a metadata, a pod identity and a
// federation signer, each holding credentials it fetched from a loopback
// source, and every secret they saw: keys, security tokens, the metadata
// session token, the pod token, the id-token and the unscoped IAM token.
func tempSignersWithCredentials(t *testing.T) (*MetadataSigner, *PodIdentitySigner, *FederationSigner, []string) {
	t.Helper()
	f := newFakeSource(t)
	dir := t.TempDir()
	f.podToken, f.idToken = "pod-token-eyJhbGciOiJSUzI1NiJ9-secret", "id-token-eyJraWQiOiJrMSJ9-secret"
	podFile, idFile := writeFile(t, dir, "pod", f.podToken), writeFile(t, dir, "id", f.idToken)
	meta := newMetadata(t, f)
	pod := newPod(t, f, podFile)
	fed := newFederation(t, f, idFile)
	var secrets []string
	for _, s := range []Signer{meta, pod, fed} {
		req := sign(t, s)
		secrets = append(secrets, req.Header.Get(HeaderSecurityToken))
	}
	for n := 1; n <= 3; n++ {
		secrets = append(secrets, fmt.Sprintf("AKTEMP%04dQWERTYUIOP", n)[:5], fmt.Sprintf("sk-temp-%04d-0123456789abcdefghij", n))
	}
	secrets = append(secrets, "metadata-session-1-5f1c2e9a7d", f.podToken, f.idToken, "MIIunscoped-federated-token-")
	return meta, pod, fed, secrets
}

// subjects returns every placement of every signer that a program may
// print, by name, and the secrets none of them may show.
func printSubjects(t *testing.T) (map[string]any, []string) {
	tokenSigner := NewTokenSigner(printToken)
	aksk, err := NewAKSKSigner(printAK, printSK)
	require.NoError(t, err)
	akskTemp, err := NewAKSKSigner(printAK, printSK, WithSecurityToken(printSecToken))
	require.NoError(t, err)
	iam, iamTokens := iamWithCachedTokens(t)
	meta, pod, fed, tempSecrets := tempSignersWithCredentials(t)

	signers := map[string]Signer{"token": tokenSigner, "aksk": aksk, "aksk+security token": akskTemp, "iam": iam,
		"metadata": meta, "pod identity": pod, "federation": fed}
	subjects := map[string]any{
		"token value": *tokenSigner,
		"aksk value":  *aksk, "aksk+security token value": *akskTemp,
		"iam value":      *iam,
		"metadata value": *meta, "pod identity value": *pod, "federation value": *fed,
	}
	for name, s := range signers {
		type exported struct{ S Signer }
		type unexported struct{ s Signer }
		type unexportedAny struct{ s any }
		type nested struct{ inner struct{ s Signer } }
		subjects[name] = s
		subjects[name+" in an exported field"] = exported{s}
		subjects[name+" in an exported field, by pointer"] = &exported{s}
		subjects[name+" in an unexported interface field"] = unexported{s}
		subjects[name+" in an unexported interface field, by pointer"] = &unexported{s}
		subjects[name+" in an unexported field of type any"] = unexportedAny{s}
		subjects[name+" two structs deep"] = nested{struct{ s Signer }{s}}
		subjects[name+" in a slice"] = []Signer{s}
		subjects[name+" in a map"] = map[string]Signer{"k": s}
		subjects[name+" in an array in an unexported field"] = struct{ a [1]Signer }{[1]Signer{s}}
	}
	// Each concrete type in unexported fields, by pointer and by value.
	subjects["*TokenSigner in an unexported field"] = struct{ s *TokenSigner }{tokenSigner}
	subjects["TokenSigner in an unexported field"] = &struct{ s TokenSigner }{*tokenSigner}
	subjects["*AKSKSigner in an unexported field"] = struct{ s *AKSKSigner }{akskTemp}
	subjects["AKSKSigner in an unexported field"] = &struct{ s AKSKSigner }{*akskTemp}
	subjects["AKSKSigner in an exported field"] = struct{ S AKSKSigner }{*akskTemp}
	subjects["*IAMTokenSigner in an unexported field"] = struct{ s *IAMTokenSigner }{iam}
	subjects["IAMTokenSigner in an unexported field"] = &struct{ s IAMTokenSigner }{*iam}
	subjects["IAMTokenSigner in an exported field"] = struct{ S IAMTokenSigner }{*iam}
	subjects["*MetadataSigner in an unexported field"] = struct{ s *MetadataSigner }{meta}
	subjects["MetadataSigner in an unexported field"] = &struct{ s MetadataSigner }{*meta}
	subjects["*PodIdentitySigner in an unexported field"] = struct{ s *PodIdentitySigner }{pod}
	subjects["PodIdentitySigner in an unexported field"] = &struct{ s PodIdentitySigner }{*pod}
	subjects["*FederationSigner in an unexported field"] = struct{ s *FederationSigner }{fed}
	subjects["FederationSigner in an unexported field"] = &struct{ s FederationSigner }{*fed}
	subjects["FederationSigner in an exported field"] = struct{ S FederationSigner }{*fed}

	secrets := append([]string{printToken, printAK, printAK[:5], printSK, printSecToken, testPassword}, iamTokens...)
	secrets = append(secrets, tempSecrets...)
	return subjects, secrets
}

func TestSignersPrintNoSecretUnderAnyVerbInAnyPlace(t *testing.T) {
	subjects, secrets := printSubjects(t)
	for name, v := range subjects {
		t.Run(name, func(t *testing.T) {
			out := printedEveryWay(v)
			for _, sec := range secrets {
				if i := strings.Index(out, sec); i >= 0 {
					t.Errorf("%q shows in:\n%s", sec, out[max(0, i-200):min(len(out), i+len(sec)+50)])
				}
			}
		})
	}
}

func TestSignerValuesPrintTheirRedactedForm(t *testing.T) {
	subjects, _ := printSubjects(t)
	for name, want := range map[string]string{
		"token value":               "auth.TokenSigner{Token:[REDACTED]}",
		"aksk value":                "auth.AKSKSigner{AK:HPUA…[REDACTED], SK:[REDACTED]}",
		"aksk+security token value": "auth.AKSKSigner{AK:HPUA…[REDACTED], SK:[REDACTED], SecurityToken:[REDACTED]}",
	} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d", "%z"} {
			assert.Equal(t, want, fmt.Sprintf(verb, subjects[name]), "%s with %s", name, verb)
		}
	}
	for name, want := range map[string]string{
		"metadata value":     "auth.MetadataSigner{Endpoint:http://127.0.0.1",
		"pod identity value": "auth.PodIdentitySigner{URI:http://127.0.0.1",
		"federation value":   "auth.FederationSigner{IAMEndpoint:http://127.0.0.1",
	} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d", "%z"} {
			got := fmt.Sprintf(verb, subjects[name])
			assert.True(t, strings.HasPrefix(got, want) && strings.HasSuffix(got, "Credentials:[REDACTED]}"), "%s with %s: %s", name, verb, got)
		}
	}
	iam := fmt.Sprintf("%s", subjects["iam value"])
	assert.True(t, strings.HasPrefix(iam, "auth.IAMTokenSigner{Credentials:auth.PasswordCredentials{"), iam)
	assert.True(t, strings.HasSuffix(iam, "Token:[REDACTED]}"), iam)
}

// The IAM signer's lock sits behind a pointer so the signer can have a
// value Format; copies share the cached token and the lock.
func TestIAMSignerCopySharesTheCachedToken(t *testing.T) {
	s, tokens := iamWithCachedTokens(t)
	c := *s
	tok, err := c.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, tokens[1], tok)
	assert.Equal(t, "x "+Redacted, c.RedactSecrets("x "+tokens[0]))
}

func TestPasswordCredentialsPrintNoPasswordWhereFmtCallsTheirMethods(t *testing.T) {
	creds := PasswordCredentials{IAMEndpoint: "https://user:" + testPassword + "@iam.example.com", DomainName: "d", Username: "u", Password: NewSecret(testPassword), ProjectID: "p"}
	type exported struct{ C PasswordCredentials }
	for name, v := range map[string]any{
		"value": creds, "pointer": &creds, "in an exported field": exported{creds},
		"by pointer in an exported field": struct{ C *PasswordCredentials }{&creds},
		"in a slice":                      []PasswordCredentials{creds}, "in a map": map[string]any{"k": creds},
	} {
		var out strings.Builder
		for _, verb := range printVerbs {
			if verb == "%w" || verb == "%p" {
				continue // see the next test
			}
			fmt.Fprintf(&out, verb+"\n", v)
		}
		slog.New(slog.NewTextHandler(&out, nil)).Info("m", "v", v)
		switch v.(type) {
		case PasswordCredentials, *PasswordCredentials: // LogValue; json.Marshal for the others (see the next test)
			slog.New(slog.NewJSONHandler(&out, nil)).Info("m", "v", v)
		}
		assert.NotContains(t, out.String(), testPassword, name)
		assert.Contains(t, out.String(), "Password:"+Redacted, name)
	}
}

// Where fmt calls no method (%w and %p on a non-error non-pointer, an
// unexported field), and where encoding/json writes the credentials, the
// password is a Secret: an address, or Redacted.
func TestPasswordCredentialsShowNoPasswordEvenWhereFmtCallsNoMethod(t *testing.T) {
	creds := PasswordCredentials{IAMEndpoint: "https://iam.example.com", DomainName: "d", Username: "u", Password: NewSecret(testPassword), ProjectID: "p"}
	percentW, percentP := "%w", "%p" // not constants: go vet rightly refuses these verbs for this operand
	assert.NotContains(t, fmt.Sprintf(percentW, creds), testPassword, "%%w on a non-error prints it with no method called")
	assert.NotContains(t, fmt.Sprintf(percentP, creds), testPassword, "%%p on a non-pointer prints it with no method called")
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		assert.NotContains(t, fmt.Sprintf(verb, struct{ c PasswordCredentials }{creds}), testPassword, "an unexported field, %s", verb)
		assert.NotContains(t, fmt.Sprintf(verb, struct{ c *PasswordCredentials }{&creds}), testPassword, "an unexported pointer field, %s", verb)
	}
	var out strings.Builder
	slog.New(slog.NewJSONHandler(&out, nil)).Info("m", "v", struct{ C PasswordCredentials }{creds})
	assert.NotContains(t, out.String(), testPassword, "encoding/json writes exported fields")
	assert.Contains(t, out.String(), `"Password":"[REDACTED]"`)

	var back PasswordCredentials
	require.NoError(t, json.Unmarshal([]byte(`{"Password":"`+testPassword+`"}`), &back))
	assert.Equal(t, testPassword, back.Password.Reveal(), "a password is read from JSON")
	assert.True(t, Secret{}.IsZero())
	assert.Equal(t, "", NewSecret("").String())
}
