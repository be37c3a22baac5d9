package modelarts_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelarts-go/modelarts"
	"github.com/modelarts-go/modelarts/auth"
	"github.com/modelarts-go/modelarts/modelartstest"
)

// clientPrintVerbs are the verbs every client is printed with: the usual
// ones, verbs fmt finds bad for a struct or a pointer (it then prints the
// operand again with %v from depth 0, expanding a pointer to a struct and
// calling no method of anything behind an unexported field), and flags.
var clientPrintVerbs = []string{
	"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%z",
	"%p", "%t", "%b", "%o", "%c", "%U", "%e", "%g", "%w",
	"%10.4s", "%-30q", "%#q", "%+q", "% x", "%#x", "%T",
}

// printedEveryWay prints v with every verb, Print, Println, and through
// slog's text and JSON handlers, and returns all of it.
func printedEveryWay(v any) string {
	var b strings.Builder
	for _, verb := range clientPrintVerbs {
		fmt.Fprintf(&b, verb+"\n", v)
	}
	fmt.Fprint(&b, v)
	fmt.Fprintln(&b, v)
	slog.New(slog.NewTextHandler(&b, nil)).Info("m", slog.Any("v", v))
	slog.New(slog.NewJSONHandler(&b, nil)).Info("m", slog.Any("v", v))
	slog.New(slog.NewTextHandler(&b, nil)).Info("m", "v", v)
	return b.String()
}

// printedClients returns clients of a fake, one per signer, each having
// made a call (the IAM signer holds a token it obtained), and the secrets
// none of them may print.
func printedClients(t *testing.T) (map[string]*modelarts.Client, []string) {
	const (
		token    = "MIIZmgYJKoZIhvcNAQcCoIIZizCCGYcCAQExDTALBglghkgBZQMEAgEw"
		ak       = "HPUAXR7YWRSNL8JQ1XKE"
		sk       = "e6Pn2QvTfLmbYc8JrKd0ZsWx9HgUaN4o1yVt7EiF"
		secToken = "gQpjbi1ub3J0aC00RjlTMU5RUkwxWFJUVExaN0JHWAVMAXRmm"
		password = "Tr0ub4dor&3-horse-battery"
	)
	srv := modelartstest.NewServer(modelartstest.WithToken(token), modelartstest.WithAKSK(ak, sk),
		modelartstest.WithTemporaryAKSK(ak+"TMP", sk+"tmp", secToken),
		modelartstest.WithIAMUser("corp", "deployer", password))
	t.Cleanup(srv.Close)

	aksk, err := auth.NewAKSKSigner(ak, sk)
	require.NoError(t, err)
	akskTemp, err := auth.NewAKSKSigner(ak+"TMP", sk+"tmp", auth.WithSecurityToken(secToken))
	require.NoError(t, err)
	iam, err := auth.NewIAMTokenSigner(srv.IAMCredentials(), auth.WithIAMHTTPClient(srv.HTTPClient()))
	require.NoError(t, err)

	clients := map[string]*modelarts.Client{}
	for name, signer := range map[string]auth.Signer{
		"token": auth.NewTokenSigner(token), "aksk": aksk, "aksk+security token": akskTemp, "iam": iam,
	} {
		c, err := modelarts.NewClient(srv.URL(), srv.ProjectID(), signer, modelarts.WithHTTPClient(srv.HTTPClient()))
		require.NoError(t, err)
		_, err = c.ListImagesPage(context.Background(), &modelarts.ListImagesOptions{})
		require.NoError(t, err, "%s signs a call the fake accepts", name)
		clients[name] = c
	}
	iamToken, err := iam.Token(context.Background())
	require.NoError(t, err)
	return clients, []string{token, ak, ak[:5], sk, secToken, password, iamToken}
}

func TestClientPrintsNoSecretUnderAnyVerbInAnyPlace(t *testing.T) {
	clients, secrets := printedClients(t)
	type exported struct{ C *modelarts.Client }
	type unexported struct{ c *modelarts.Client }
	type unexportedValue struct{ c modelarts.Client }
	type unexportedAny struct{ c any }
	for signer, c := range clients {
		for place, v := range map[string]any{
			"the client":                          c,
			"the client by value":                 *c,
			"in an exported field":                exported{c},
			"in an unexported field":              unexported{c},
			"in an unexported field, by pointer":  &unexported{c},
			"by value in an unexported field":     &unexportedValue{*c},
			"in an unexported field of type any":  unexportedAny{c},
			"in a slice":                          []*modelarts.Client{c},
			"in a map in an unexported field":     struct{ m map[string]*modelarts.Client }{map[string]*modelarts.Client{"k": c}},
			"two structs deep in unexported ones": struct{ in struct{ c *modelarts.Client } }{struct{ c *modelarts.Client }{c}},
		} {
			t.Run(signer+" "+place, func(t *testing.T) {
				out := printedEveryWay(v)
				for _, sec := range secrets {
					if i := strings.Index(out, sec); i >= 0 {
						t.Errorf("%q shows in:\n%s", sec, out[max(0, i-200):min(len(out), i+len(sec)+50)])
					}
				}
			})
		}
	}
}

func TestClientPrintsItsEndpointProjectAndRedactedSigner(t *testing.T) {
	clients, _ := printedClients(t)
	c := clients["aksk"]
	want := "modelarts.Client{Endpoint:" + c.Endpoint() + ", ProjectID:" + c.ProjectID() +
		", Signer:auth.AKSKSigner{AK:HPUA…[REDACTED], SK:[REDACTED]}}"
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d", "%z"} {
		assert.Equal(t, want, fmt.Sprintf(verb, c), verb)
		assert.Equal(t, want, fmt.Sprintf(verb, *c), verb+" of the value")
	}
	assert.Equal(t, want, c.String())

	var logs strings.Builder
	slog.New(slog.NewTextHandler(&logs, nil)).Info("m", "client", c)
	assert.Contains(t, logs.String(), "client.endpoint="+c.Endpoint()+" client.project_id="+c.ProjectID()+
		` client.signer="auth.AKSKSigner{AK:HPUA…[REDACTED], SK:[REDACTED]}"`)

	var none *modelarts.Client
	assert.Equal(t, "<nil>", fmt.Sprintf("%v", none), "a nil client prints as nil")
}

// selfMadeSigner is a caller's signer that prints its secret: a client
// holding it shows its type only.
type selfMadeSigner struct{ Key string }

func (s selfMadeSigner) Sign(r *http.Request) error { r.Header.Set("X-Key", s.Key); return nil }

func TestClientPrintsACallersSignerByItsTypeOnly(t *testing.T) {
	c, err := modelarts.NewClient("https://modelarts.example.com", "0123456789abcdef0123456789abcdef", selfMadeSigner{Key: "callers-own-secret"})
	require.NoError(t, err)
	out := printedEveryWay(c)
	assert.NotContains(t, out, "callers-own-secret")
	assert.Contains(t, out, "Signer:modelarts_test.selfMadeSigner}")
}
