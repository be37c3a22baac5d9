package modelarts_test

// Guarantee 2, tested by an outsider: no secret the client holds comes back
// out, in any encoding the wire uses, whatever a server, gateway or IAM sends
// back; plus the hardening around it (userinfo, bounded strings, Retry-After
// beyond the cap, nil contexts).

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelarts-go/modelarts"
	"github.com/modelarts-go/modelarts/auth"
)

// Secrets with the characters that encodings change: < > & " + / = % and a
// space, so a raw, JSON-escaped, Go-quoted, URL- or HTML-encoded echo differs.
const (
	sStaticToken = `MIIstaticTokenQ7<t>&"+/=%41-static-9f8e7d6c5b4a`
	sAK          = "HSTAKQWERTYUIOP12345"
	sSK          = `skHostileSecretKey<k>&"+/=%42-0123456789abcdef`
	sSecToken    = `STsecurityTokenZ3<s>&"+/=%43-sectok-abcdef012345`
	sPassword    = `pwHostilePassword<p>&"+/= %44-pass-0123456789`
	sIAMTokenPfx = `MIIiamIssuedTokenK5<i>&"+/=%45-iam-`
)

// secretForms are the ways a secret can travel back: raw, JSON-escaped (with
// and without HTML escaping), Go-quoted (%#v), URL-encoded, HTML-escaped.
func secretForms(secret string) []string {
	var b1, b2 bytes.Buffer
	_ = json.NewEncoder(&b1).Encode(secret)
	e := json.NewEncoder(&b2)
	e.SetEscapeHTML(false)
	_ = e.Encode(secret)
	unq := func(s string) string { return strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(s), `"`), `"`) }
	q := strconv.Quote(secret)
	return []string{
		secret,
		unq(b1.String()),
		unq(b2.String()),
		q[1 : len(q)-1],
		url.QueryEscape(secret),
		url.PathEscape(secret),
		html.EscapeString(secret),
	}
}

// leak reports the first form of a secret (or a 20-character piece of one,
// as a truncated message would leave) found in out.
func leak(out string, secrets []string) string {
	for _, sec := range secrets {
		for _, f := range secretForms(sec) {
			const w = 20
			if len(f) <= w {
				if strings.Contains(out, f) {
					return f
				}
				continue
			}
			for i := 0; i+w <= len(f); i++ {
				if strings.Contains(out, f[i:i+w]) {
					return f[i : i+w]
				}
			}
		}
	}
	return ""
}

func assertNoLeak(t *testing.T, what, out string, secrets []string) {
	t.Helper()
	for _, sec := range secrets {
		if l := leak(out, []string{sec}); l != "" {
			i := strings.Index(out, l)
			lo, hi := max(0, i-60), min(len(out), i+len(l)+60)
			t.Errorf("%s leaks secret %.12q… (as %q) in: ...%s...", what, sec, l, out[lo:hi])
		}
	}
}

// printed is every way a caller can print err and what it wraps.
func printed(err error) string {
	if err == nil {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n%v\n%+v\n%#v\n", err.Error(), err, err, err)
	for e := err; e != nil; e = errors.Unwrap(e) {
		fmt.Fprintf(&b, "%#v\n%+v\n", e, e)
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			for _, x := range j.Unwrap() {
				b.WriteString(printed(x))
			}
		}
	}
	var ae *modelarts.APIError
	if errors.As(err, &ae) {
		fmt.Fprintf(&b, "%#v\n%v\n%#v\n", *ae, ae.Header, ae.Header)
	}
	var de *modelarts.DecodeError
	if errors.As(err, &de) {
		fmt.Fprintf(&b, "%#v\n", *de)
	}
	var coe *modelarts.CreateOutcomeError
	if errors.As(err, &coe) {
		fmt.Fprintf(&b, "%#v\n", *coe)
	}
	var ie *auth.IAMError
	if errors.As(err, &ie) {
		fmt.Fprintf(&b, "%#v\n", *ie)
	}
	return b.String()
}

// fanout sends every record to each handler: one logger, JSON and text.
type fanout []slog.Handler

func (f fanout) Enabled(context.Context, slog.Level) bool { return true }
func (f fanout) Handle(ctx context.Context, r slog.Record) error {
	for _, h := range f {
		_ = h.Handle(ctx, r.Clone())
	}
	return nil
}
func (f fanout) WithAttrs(as []slog.Attr) slog.Handler {
	out := make(fanout, len(f))
	for i, h := range f {
		out[i] = h.WithAttrs(as)
	}
	return out
}
func (f fanout) WithGroup(n string) slog.Handler {
	out := make(fanout, len(f))
	for i, h := range f {
		out[i] = h.WithGroup(n)
	}
	return out
}

type lockedBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func debugLogger() (*slog.Logger, *lockedBuf) {
	buf := &lockedBuf{}
	o := &slog.HandlerOptions{Level: slog.LevelDebug}
	return slog.New(fanout{slog.NewJSONHandler(buf, o), slog.NewTextHandler(buf, o)}), buf
}

// --- IAM -------------------------------------------------------------------

// fakeIAM issues tokens (201, X-Subject-Token) or fails echoing what it got.
type fakeIAM struct {
	srv    *httptest.Server
	mode   string // "ok", "401-echo", "400-html", "500-text", "header-echo"
	mu     sync.Mutex
	issued []string
	posts  atomic.Int32
}

func newFakeIAM(t *testing.T, mode string) *fakeIAM {
	f := &fakeIAM{mode: mode}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.posts.Add(1)
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Request-Id", "iam-req-1")
		switch f.mode {
		case "401-echo":
			msg, _ := json.Marshal(map[string]any{"error": map[string]string{
				"code": "IAM.0101", "title": "Unauthorized",
				"message": "The username or password is wrong. Request was: " + string(body),
			}})
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(401)
			_, _ = w.Write(msg)
		case "400-html":
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(400)
			fmt.Fprintf(w, "<html><body><h1>Bad Request</h1><pre>%s</pre><a href=\"/retry?password=%s\">retry</a> %s</body></html>",
				html.EscapeString(string(body)), url.QueryEscape(sPassword), body)
		case "500-text":
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(500)
			fmt.Fprintf(w, "internal error while handling %s", body)
		case "header-echo":
			w.Header().Set("X-Request-Id", string(body[:min(len(body), 4000)]))
			w.Header().Set("X-Debug-Password", url.QueryEscape(sPassword))
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(401)
			_, _ = w.Write([]byte(`{"error":{"code":"IAM.0101","message":"The username or password is wrong."}}`))
		default:
			f.mu.Lock()
			tok := sIAMTokenPfx + strconv.Itoa(len(f.issued)+1)
			f.issued = append(f.issued, tok)
			f.mu.Unlock()
			w.Header().Set("X-Subject-Token", tok)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(201)
			fmt.Fprintf(w, `{"token":{"expires_at":%q,"issued_at":%q}}`,
				time.Now().Add(24*time.Hour).UTC().Format("2006-01-02T15:04:05.000000Z"),
				time.Now().UTC().Format("2006-01-02T15:04:05.000000Z"))
		}
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeIAM) tokens() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	// tokens that may yet be issued during the test are secrets too
	out := append([]string(nil), f.issued...)
	for i := len(f.issued) + 1; i <= len(f.issued)+3; i++ {
		out = append(out, sIAMTokenPfx+strconv.Itoa(i))
	}
	return out
}

func iamCreds(endpoint string) auth.PasswordCredentials {
	return auth.PasswordCredentials{
		IAMEndpoint: endpoint, DomainName: "hostile-domain", Username: "hostile-user",
		Password: auth.NewSecret(sPassword), ProjectID: hProject,
	}
}

// --- the echoing ModelArts server ------------------------------------------

// echoServer answers every request by echoing the credentials it received,
// in the way mode says.
func echoServer(t *testing.T, mode string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		tok := r.Header.Get("X-Auth-Token")
		authz := r.Header.Get("Authorization")
		st := r.Header.Get("X-Security-Token")
		all := strings.Join([]string{tok, authz, st}, " | ")
		dump, _ := json.Marshal(map[string]string{"X-Auth-Token": tok, "Authorization": authz, "X-Security-Token": st})
		w.Header().Set("Date", time.Now().UTC().Format(http.TimeFormat))
		w.Header().Set("X-Request-Id", "echo-req")
		switch mode {
		case "401-json":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(401)
			msg, _ := json.Marshal(map[string]string{"error_code": "ModelArts.0203", "error_msg": "Invalid token: " + all})
			_, _ = w.Write(msg)
		case "403-html":
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(403)
			fmt.Fprintf(w, "<html><head><title>403 Forbidden</title></head><body>WAF blocked X-Auth-Token: %s <!-- %s --> <a href=\"/v1?token=%s&st=%s\">x</a> %s</body></html>",
				html.EscapeString(all), all, url.QueryEscape(tok), url.QueryEscape(st), dump)
		case "500-text":
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(500)
			fmt.Fprintf(w, "panic: upstream failed\nrequest headers: %s\nraw: %s\nquery: token=%s", dump, all, url.QueryEscape(tok+authz+st))
		case "500-json-nested":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(500)
			msg, _ := json.Marshal(map[string]any{"error_code": "ModelArts.0001", "error_msg": "internal error", "debug": map[string]string{"headers": string(dump)}})
			_, _ = w.Write(msg)
		case "200-text":
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(200)
			fmt.Fprintf(w, "DEBUG MODE ON\nheaders=%s\n%s", dump, all)
		case "200-truncated-json":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(200)
			fmt.Fprintf(w, `{"id":"4e0d1854-63e5-4517-b683-a0ee97a692a1","description":%q,"debug":%s`, all, dump)
		case "400-header-echo":
			w.Header().Set("X-Request-Id", all)
			w.Header().Set("X-Gateway-Debug", string(dump))
			w.Header().Set("X-Forwarded-Auth", url.QueryEscape(all))
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(400)
			_, _ = w.Write([]byte(`{"error_code":"ModelArts.0104","error_msg":"Parameter error"}`))
		case "200-header-echo":
			w.Header().Set("X-Request-Id", all)
			w.Header().Set("X-Gateway-Debug", string(dump))
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(200)
			_, _ = w.Write([]byte(`{"id":"4e0d1854-63e5-4517-b683-a0ee97a692a1","name":"pytorch1_4","status":"ACTIVE","create_at":1671786468811,"update_at":1671786468811,"swr_path":"` + hSWRPath + `","data":[],"total":0}`))
		case "429-echo":
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(429)
			msg, _ := json.Marshal(map[string]string{"error_code": "ModelArts.6101", "error_msg": "busy; your token " + tok + " security token " + st})
			_, _ = w.Write(msg)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

type signerCase struct {
	name    string
	signer  func(t *testing.T) (auth.Signer, func() []string)
	secrets []string
}

func signerCases() []signerCase {
	static := func(string) []string { return nil }
	_ = static
	return []signerCase{
		{"static-token", func(t *testing.T) (auth.Signer, func() []string) {
			return auth.NewTokenSigner(sStaticToken), func() []string { return nil }
		}, []string{sStaticToken}},
		{"aksk", func(t *testing.T) (auth.Signer, func() []string) {
			s, err := auth.NewAKSKSigner(sAK, sSK)
			require.NoError(t, err)
			return s, func() []string { return nil }
		}, []string{sAK, sSK}},
		{"aksk-security-token", func(t *testing.T) (auth.Signer, func() []string) {
			s, err := auth.NewAKSKSigner(sAK, sSK, auth.WithSecurityToken(sSecToken))
			require.NoError(t, err)
			return s, func() []string { return nil }
		}, []string{sAK, sSK, sSecToken}},
		{"iam-password", func(t *testing.T) (auth.Signer, func() []string) {
			iam := newFakeIAM(t, "ok")
			s, err := auth.NewIAMTokenSigner(iamCreds(iam.srv.URL))
			require.NoError(t, err)
			return s, iam.tokens
		}, []string{sPassword}},
	}
}

// Every signer against every echo: errors, %v/%+v/%#v of every SDK value,
// the Response of WithResponse and the debug log hold no secret.
func TestSecretsEchoedByAnyServerNeverComeBackOut(t *testing.T) {
	t.Parallel()
	modes := []string{"401-json", "403-html", "500-text", "500-json-nested", "200-text", "200-truncated-json", "400-header-echo", "200-header-echo", "429-echo"}
	for _, sc := range signerCases() {
		for _, mode := range modes {
			t.Run(sc.name+"/"+mode, func(t *testing.T) {
				srv := echoServer(t, mode)
				signer, extra := sc.signer(t)
				logger, logs := debugLogger()
				c, err := modelarts.NewClient(srv.URL, hProject, signer,
					modelarts.WithLogger(logger),
					modelarts.WithRetry(modelarts.RetryPolicy{ZeroWait: true, MaxAttempts: 2}),
					modelarts.WithReconcileWindow(0))
				require.NoError(t, err)

				var out strings.Builder
				ctx := hctx(t)
				var resp modelarts.Response
				img, gerr := c.GetImage(ctx, "4e0d1854-63e5-4517-b683-a0ee97a692a1", modelarts.WithResponse(&resp))
				out.WriteString(printed(gerr))
				fmt.Fprintf(&out, "%v\n%+v\n%#v\n%#v\n", resp, resp, resp, img)
				var resp2 modelarts.Response
				rimg, rerr := c.RegisterImage(ctx, register(), modelarts.WithResponse(&resp2))
				out.WriteString(printed(rerr))
				fmt.Fprintf(&out, "%v\n%+v\n%#v\n%#v\n", resp2, resp2, resp2, rimg)
				page, lerr := c.ListImagesPage(ctx, &modelarts.ListImagesOptions{Type: modelarts.ImageTypeDedicated})
				out.WriteString(printed(lerr))
				fmt.Fprintf(&out, "%#v\n", page)
				fmt.Fprintf(&out, "%v %+v %#v\n", signer, signer, signer)

				secrets := append(append([]string(nil), sc.secrets...), extra()...)
				assertNoLeak(t, "errors and values", out.String(), secrets)
				assertNoLeak(t, "log records", logs.String(), secrets)
				if mode != "200-header-echo" {
					require.Error(t, gerr, "mode %s must fail", mode)
				}
			})
		}
	}
}

// IAM refusing the password and echoing the request (the password
// JSON-escaped), in JSON, HTML, text and headers.
func TestSecretsEchoedByIAMNeverComeBackOut(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"401-echo", "400-html", "500-text", "header-echo"} {
		t.Run(mode, func(t *testing.T) {
			iam := newFakeIAM(t, mode)
			srv := echoServer(t, "200-header-echo")
			signer, err := auth.NewIAMTokenSigner(iamCreds(iam.srv.URL))
			require.NoError(t, err)
			logger, logs := debugLogger()
			c, err := modelarts.NewClient(srv.URL, hProject, signer, modelarts.WithLogger(logger),
				modelarts.WithRetry(modelarts.RetryPolicy{ZeroWait: true, MaxAttempts: 2}))
			require.NoError(t, err)

			_, gerr := c.GetImage(hctx(t), "4e0d1854-63e5-4517-b683-a0ee97a692a1")
			require.Error(t, gerr)
			t.Logf("IAM posts=%d err=%v", iam.posts.Load(), gerr)
			assertNoLeak(t, "IAM error", printed(gerr), []string{sPassword})
			assertNoLeak(t, "log records", logs.String(), []string{sPassword})
		})
	}
}

// An endpoint with userinfo is refused without printing the password; so is
// an IAM endpoint with userinfo.
func TestEndpointWithUserInfoIsRefusedWithoutPrintingIt(t *testing.T) {
	t.Parallel()
	const pw = "UserinfoPassw0rd-9z8y7x"
	srv := echoServer(t, "200-header-echo")
	u, _ := url.Parse(srv.URL)
	for _, ep := range []string{
		"http://user:" + pw + "@" + u.Host,
		"https://user:" + pw + "@modelarts.cn-north-4.myhuaweicloud.com",
		"http://user:" + url.QueryEscape(pw+"<>") + "@" + u.Host + "/prefix",
	} {
		_, err := modelarts.NewClient(ep, hProject, auth.NewTokenSigner(sStaticToken))
		require.Error(t, err, "endpoint with userinfo accepted")
		assertNoLeak(t, "endpoint error", printed(err), []string{pw})
		t.Logf("endpoint refused: %v", err)
	}

	iam := newFakeIAM(t, "401-echo")
	iu, _ := url.Parse(iam.srv.URL)
	signer, err := auth.NewIAMTokenSigner(iamCreds("http://iamuser:" + pw + "@" + iu.Host))
	if err != nil {
		assertNoLeak(t, "IAM endpoint error", printed(err), []string{pw, sPassword})
		return
	}
	c, cerr := modelarts.NewClient(srv.URL, hProject, signer)
	require.NoError(t, cerr)
	_, gerr := c.GetImage(hctx(t), "4e0d1854-63e5-4517-b683-a0ee97a692a1")
	assertNoLeak(t, "IAM error with userinfo endpoint", printed(gerr), []string{pw, sPassword})
	t.Errorf("IAM endpoint with userinfo accepted by NewIAMTokenSigner; first call: %v", gerr)
}

// IAM answering 307 to another host: the password is never POSTed there,
// even with the caller's own *http.Client, which is left unmodified.
func TestIAMNeverFollowsARedirect(t *testing.T) {
	t.Parallel()
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
		w.WriteHeader(500)
	}))
	t.Cleanup(other.Close)
	iam := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/v3/auth/tokens", http.StatusTemporaryRedirect)
	}))
	t.Cleanup(iam.Close)
	srv := echoServer(t, "200-header-echo")

	hc := &http.Client{}
	signer, err := auth.NewIAMTokenSigner(iamCreds(iam.URL), auth.WithIAMHTTPClient(hc))
	require.NoError(t, err)
	c, err := modelarts.NewClient(srv.URL, hProject, signer, modelarts.WithRetry(modelarts.RetryPolicy{MaxAttempts: 1}))
	require.NoError(t, err)
	_, gerr := c.GetImage(hctx(t), "4e0d1854-63e5-4517-b683-a0ee97a692a1")
	t.Logf("requests elsewhere=%d err=%v", elsewhere.Load(), gerr)
	require.Error(t, gerr)
	assert.Zero(t, elsewhere.Load(), "the password was POSTed to the redirect target")
	assert.Nil(t, hc.CheckRedirect, "the caller's *http.Client was modified")
	assertNoLeak(t, "redirect error", printed(gerr), []string{sPassword})
}

// Server-derived strings are bounded: a 1 MiB X-Request-Id, error message or
// gateway header does not make a 1 MiB error string or log record.
func TestServerStringsAreBounded(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("R", 1<<20)
	for _, mode := range []string{"request-id", "message", "header", "html-body"} {
		t.Run(mode, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				switch mode {
				case "request-id":
					w.Header().Set("X-Request-Id", big)
				case "header":
					w.Header().Set("X-Gateway-Debug", big)
				}
				w.WriteHeader(400)
				switch mode {
				case "message":
					fmt.Fprintf(w, `{"error_code":"ModelArts.0104","error_msg":%q}`, big)
				case "html-body":
					fmt.Fprintf(w, "<html>%s</html>", big)
				default:
					_, _ = w.Write([]byte(`{"error_code":"ModelArts.0104","error_msg":"Parameter error"}`))
				}
			}))
			t.Cleanup(srv.Close)
			logger, logs := debugLogger()
			c, err := modelarts.NewClient(srv.URL, hProject, auth.NewTokenSigner(sStaticToken), modelarts.WithLogger(logger))
			require.NoError(t, err)
			var resp modelarts.Response
			_, gerr := c.GetImage(hctx(t), "4e0d1854-63e5-4517-b683-a0ee97a692a1", modelarts.WithResponse(&resp))
			require.Error(t, gerr)
			const limit = 16 << 10
			assert.Less(t, len(gerr.Error()), limit, "error message of %d bytes", len(gerr.Error()))
			var ae *modelarts.APIError
			require.ErrorAs(t, gerr, &ae)
			assert.Less(t, len(fmt.Sprintf("%#v", *ae)), limit, "%%#v of *APIError (Header included) is %d bytes", len(fmt.Sprintf("%#v", *ae)))
			assert.Less(t, len(logs.String()), limit, "log records are %d bytes", len(logs.String()))
		})
	}
}

// Retry-After beyond the cap, in any form, waits the cap: with a 300 ms call
// budget the call must not retry (it would, at once, were the value read as
// zero). The control without Retry-After shows the test sees immediate
// retries.
func TestRetryAfterBeyondTheCapWaitsTheCap(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, value string
		status      int
		wantReqs    int32
	}{
		{"control/none", "", 503, 4},
		{"seconds/huge", "999999999", 503, 1},
		{"seconds/max-int64", "9223372036854775807", 503, 1},
		{"seconds/overflow-int64", "99999999999999999999999", 503, 1},
		{"seconds/overflow-duration", "9223372037", 429, 1},
		{"date/far-future", "Fri, 31 Dec 9999 23:59:59 GMT", 503, 1},
		{"date/year-3000", time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC).Format(http.TimeFormat), 429, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var reqs atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				reqs.Add(1)
				if tc.value != "" {
					w.Header().Set("Retry-After", tc.value)
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(`{"error_code":"ModelArts.6101","error_msg":"system busy"}`))
			}))
			t.Cleanup(srv.Close)
			c, err := modelarts.NewClient(srv.URL, hProject, auth.NewTokenSigner(sStaticToken),
				modelarts.WithRetry(modelarts.RetryPolicy{ZeroWait: true, MaxAttempts: 4}))
			require.NoError(t, err)
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			_, gerr := c.GetImage(ctx, "4e0d1854-63e5-4517-b683-a0ee97a692a1")
			t.Logf("requests=%d err=%v", reqs.Load(), gerr)
			require.Error(t, gerr)
			assert.Equal(t, tc.wantReqs, reqs.Load())
		})
	}
}

// A nil context is a clear error from every call, never a panic.
func TestNilContextIsRefusedEverywhere(t *testing.T) {
	t.Parallel()
	srv := echoServer(t, "200-header-echo")
	c, err := modelarts.NewClient(srv.URL, hProject, auth.NewTokenSigner(sStaticToken))
	require.NoError(t, err)
	var nilCtx context.Context // a caller's nil, as from a zero struct field
	calls := map[string]func() error{
		"GetImage":      func() error { _, err := c.GetImage(nilCtx, "4e0d1854-63e5-4517-b683-a0ee97a692a1"); return err },
		"GetNotebook":   func() error { _, err := c.GetNotebook(nilCtx, hNotebook); return err },
		"RegisterImage": func() error { _, err := c.RegisterImage(nilCtx, register()); return err },
		"CreateImageFromNotebook": func() error {
			_, err := c.CreateImageFromNotebook(nilCtx, hNotebook, tagged())
			return err
		},
		"DeleteImage":    func() error { return c.DeleteImage(nilCtx, "4e0d1854-63e5-4517-b683-a0ee97a692a1") },
		"ListImagesPage": func() error { _, err := c.ListImagesPage(nilCtx, nil); return err },
		"ListImages": func() error {
			for _, err := range c.ListImages(nilCtx, nil) {
				if err != nil {
					return err
				}
			}
			return nil
		},
		"WaitForActive": func() error { _, err := c.WaitForActive(nilCtx, "4e0d1854-63e5-4517-b683-a0ee97a692a1"); return err },
		"WaitForImage": func() error {
			_, err := c.WaitForImage(nilCtx, "4e0d1854-63e5-4517-b683-a0ee97a692a1", func(*modelarts.Image) (bool, error) { return true, nil })
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			var err error
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Errorf("%s(nil ctx) panicked: %v", name, p)
					}
				}()
				err = call()
			}()
			if err == nil && !t.Failed() {
				t.Errorf("%s(nil ctx) returned no error", name)
			}
			if err != nil {
				assert.Contains(t, strings.ToLower(err.Error()), "context", "%s: %v", name, err)
			}
		})
	}
}
