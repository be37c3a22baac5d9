package interop

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/signer"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/request"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelarts-go/modelarts"
	"github.com/modelarts-go/modelarts/auth"
)

const (
	verifierProject = "a4a5d4098fb4474fa22cd05f897d6b99"
	verifierImageID = "278e88d1-5b71-4766-8502-b3ba72e824d9"
	verifierAK      = "HPUAXR7YWRSNL8JQ1XKE"
	verifierSK      = "e6Pn2QvTfLmbYc8JrKd0ZsWx9HgUaN4o1yVt7EiF"
)

// officialVerifier is a server that checks each request's Authorization
// header by signing the request again with the official SDK's signer
// (signer.Sign, the SDK-HMAC-SHA256 code the official clients use) and
// comparing the two headers byte for byte. It answers 401 on a mismatch
// and otherwise a minimal valid answer for the route.
type officialVerifier struct {
	srv  *httptest.Server
	keys map[string]string // AK → SK

	mu       sync.Mutex
	checked  int
	failures []string
}

func newOfficialVerifier(t *testing.T) *officialVerifier {
	v := &officialVerifier{keys: map[string]string{verifierAK: verifierSK}}
	v.srv = httptest.NewServer(http.HandlerFunc(v.serve))
	t.Cleanup(func() {
		v.srv.CloseClientConnections()
		v.srv.Close()
	})
	return v
}

func (v *officialVerifier) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err == nil {
		err = v.check(r, body)
	}
	v.mu.Lock()
	v.checked++
	if err != nil {
		v.failures = append(v.failures, fmt.Sprintf("%s %s?%s: %v", r.Method, r.URL.Path, r.URL.RawQuery, err))
	}
	v.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if err != nil {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, `{"error_code":"APIGW.0301","error_msg":%q}`, "Incorrect IAM authentication information")
		return
	}
	if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/images") {
		fmt.Fprint(w, `{"current":1,"data":[],"pages":0,"size":10,"total":0}`)
		return
	}
	fmt.Fprintf(w, `{"id":%q,"name":"n","namespace":"team","tag":"v1","swr_path":"swr.x/team/n:v1","status":"ACTIVE","type":"DEDICATED","arch":"x86_64","create_at":1638234504492,"update_at":1638234504492}`, verifierImageID)
}

// check signs r again with the official signer and compares.
func (v *officialVerifier) check(r *http.Request, body []byte) error {
	got := r.Header.Get("Authorization")
	ak, signed, err := parseAuthorization(got)
	if err != nil {
		return err
	}
	sk, ok := v.keys[ak]
	if !ok {
		return fmt.Errorf("unknown AK %q", ak)
	}
	want, err := officialAuthorization(r, body, ak, sk, signed)
	if err != nil {
		return err
	}
	if want != got {
		return fmt.Errorf("the official signer computes %q, the request carries %q", want, got)
	}
	return nil
}

// officialAuthorization builds the official SDK's own request type from r,
// with exactly the headers r says it signed, and has the official signer
// compute its Authorization header.
func officialAuthorization(r *http.Request, body []byte, ak, sk string, signed []string) (string, error) {
	b := request.NewHttpRequestBuilder().
		WithEndpoint("http://" + r.Host).
		WithPath(r.URL.Path).
		WithMethod(r.Method)
	for _, h := range signed {
		switch h {
		case "host":
			b.AddHeaderParam(h, r.Host)
		case "x-sdk-date":
			// The signer reads the date under exactly this key.
			b.AddHeaderParam(signer.HeaderXDate, r.Header.Get(signer.HeaderXDate))
		default:
			vals := r.Header.Values(h)
			if len(vals) != 1 {
				return "", fmt.Errorf("signed header %q has %d values", h, len(vals))
			}
			b.AddHeaderParam(h, vals[0])
		}
	}
	for k, vals := range r.URL.Query() {
		// The signer reads query values through reflection.
		if len(vals) == 1 {
			b.AddQueryParam(k, reflect.ValueOf(vals[0]))
		} else {
			b.AddQueryParam(k, reflect.ValueOf(vals))
		}
	}
	if len(body) > 0 {
		b.WithBody("", string(body))
	}
	hdr, err := signer.Sign(b.Build(), ak, sk)
	if err != nil {
		return "", fmt.Errorf("the official signer refused the request: %w", err)
	}
	return hdr[signer.HeaderAuthorization], nil
}

// parseAuthorization splits "SDK-HMAC-SHA256 Access=…, SignedHeaders=…,
// Signature=…" without this library's code.
func parseAuthorization(v string) (ak string, signed []string, err error) {
	rest, ok := strings.CutPrefix(v, "SDK-HMAC-SHA256 ")
	if !ok {
		return "", nil, fmt.Errorf("authorization %q is not SDK-HMAC-SHA256", v)
	}
	for _, part := range strings.Split(rest, ", ") {
		if a, ok := strings.CutPrefix(part, "Access="); ok {
			ak = a
		}
		if s, ok := strings.CutPrefix(part, "SignedHeaders="); ok {
			signed = strings.Split(s, ";")
		}
	}
	if ak == "" || len(signed) == 0 {
		return "", nil, fmt.Errorf("authorization %q lacks Access or SignedHeaders", v)
	}
	return ak, signed, nil
}

func (v *officialVerifier) result() (checked int, failures []string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.checked, append([]string(nil), v.failures...)
}

// ourSigners are this library's AK/SK signers, permanent and temporary.
func ourSigners(t *testing.T) map[string]*signerUnderTest {
	perm, err := auth.NewAKSKSigner(verifierAK, verifierSK)
	require.NoError(t, err)
	temp, err := auth.NewAKSKSigner(verifierAK, verifierSK, auth.WithSecurityToken("gQpjbi1ub3J0aC00-security-token"))
	require.NoError(t, err)
	return map[string]*signerUnderTest{"permanent": {perm, ""}, "temporary": {temp, "gQpjbi1ub3J0aC00-security-token"}}
}

type signerUnderTest struct {
	signer auth.Signer
	token  string
}

func TestOurClientCheckedByOfficialSigner(t *testing.T) {
	for name, s := range ourSigners(t) {
		t.Run(name, func(t *testing.T) {
			v := newOfficialVerifier(t)
			c, err := modelarts.NewClient(v.srv.URL, verifierProject, s.signer, modelarts.WithHTTPClient(v.srv.Client()))
			require.NoError(t, err)
			ctx := context.Background()

			_, err = c.GetImage(ctx, verifierImageID)
			require.NoError(t, err)
			_, err = c.ListImagesPage(ctx, &modelarts.ListImagesOptions{
				Name: "py torch&x=1/ü+%~'()*!", NameFuzzyMatch: true, Namespace: "team.a_b-c",
				Limit: 10, Offset: 20, SortKey: "create_at", SortDir: modelarts.SortAsc, WorkspaceID: "0",
			})
			require.NoError(t, err)
			_, err = c.RegisterImage(ctx, &modelarts.RegisterImageRequest{
				SWRPath: "swr.cn-north-4.myhuaweicloud.com/team/n:v1", Description: `JSON body: "quotes", ü, <tags> & more`,
			})
			require.NoError(t, err)
			_, err = c.CreateImageFromNotebook(ctx, "0b5a0b2e-7c6e-4bb1-9b6e-3c0c6e1d2f47",
				&modelarts.CreateImageRequest{Name: "n", Namespace: "team", Tag: "v1", Description: "saved ü"})
			require.NoError(t, err)
			require.NoError(t, c.DeleteImage(ctx, verifierImageID))

			checked, failures := v.result()
			assert.Empty(t, failures)
			assert.GreaterOrEqual(t, checked, 5, "every call reached the verifier")
		})
	}
}

// Raw requests signed by our signer, with queries that stress the
// canonical form: spaces both ways, reserved and unreserved characters,
// repeated keys in any order, empty values, non-ASCII.
func TestOurSignerCheckedByOfficialSigner(t *testing.T) {
	queries := []string{
		"", "name=py%20torch", "name=a+b", "p=%2Fa%2Fb", "x=%26%3D%3F%23", "k=~-._*%27()!",
		"u=%E6%97%A5%E6%9C%AC&u=abc&u=%C3%BC", "b=2&a=1&a=0", "a=1&a=1&b=", "empty",
		"name_fuzzy_match=true&limit=200&offset=400&sort_dir=DESC", "%C3%BC%20key=v",
	}
	bodies := []string{"", `{"swr_path":"swr.x/o/n:t","description":"ü \"q\" <t>"}`, strings.Repeat("é", 5000)}
	for name, s := range ourSigners(t) {
		t.Run(name, func(t *testing.T) {
			v := newOfficialVerifier(t)
			send := func(method, query, body string) {
				t.Helper()
				req, err := http.NewRequest(method, v.srv.URL+"/v1/"+verifierProject+"/images?"+query, strings.NewReader(body))
				require.NoError(t, err)
				if body == "" {
					req.Body = http.NoBody
				}
				req.Header.Set("X-Project-Id", verifierProject)
				require.NoError(t, s.signer.Sign(req))
				assert.Equal(t, s.token, req.Header.Get("X-Security-Token"))
				resp, err := v.srv.Client().Do(req)
				require.NoError(t, err)
				resp.Body.Close()
				assert.Equal(t, 200, resp.StatusCode, "%s ?%s", method, query)
			}
			for _, q := range queries {
				send("GET", q, "")
				send("DELETE", q, "")
			}
			for _, b := range bodies {
				send("POST", "limit=1", b)
			}
			checked, failures := v.result()
			assert.Empty(t, failures)
			assert.Equal(t, 2*len(queries)+len(bodies), checked)
		})
	}
}

// The verifier is not a rubber stamp: a wrong SK, a changed query and a
// changed body are refused by the official signer's comparison.
func TestOfficialVerifierRefusesBadSignatures(t *testing.T) {
	v := newOfficialVerifier(t)
	wrong, err := auth.NewAKSKSigner(verifierAK, "not-the-secret-key")
	require.NoError(t, err)
	right, err := auth.NewAKSKSigner(verifierAK, verifierSK)
	require.NoError(t, err)
	cases := map[string]struct {
		signer auth.Signer
		after  func(*http.Request)
	}{
		"wrong SK":      {wrong, func(*http.Request) {}},
		"query changed": {right, func(r *http.Request) { r.URL.RawQuery = "name=other" }},
		"body changed": {right, func(r *http.Request) {
			r.Body, r.ContentLength = io.NopCloser(strings.NewReader(`{"swr_path":"swr.x/o/evil:t"}`)), -1
		}},
		"project changed": {right, func(r *http.Request) { r.Header.Set("X-Project-Id", "another") }},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			req, err := http.NewRequest("POST", v.srv.URL+"/v1/"+verifierProject+"/images?name=x", strings.NewReader(`{"swr_path":"swr.x/o/n:t"}`))
			require.NoError(t, err)
			req.Header.Set("X-Project-Id", verifierProject)
			require.NoError(t, c.signer.Sign(req))
			c.after(req)
			resp, err := v.srv.Client().Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, 401, resp.StatusCode)
		})
	}
	_, failures := v.result()
	assert.Len(t, failures, len(cases))
}
