package modelarts_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelarts-go/modelarts"
	"github.com/modelarts-go/modelarts/auth"
)

const (
	gTok   = `MIIEtok+en/AB=C&<x>"q'zzSECRETzz9f8e7d`
	gAK    = "AKIDzq8Xw2Lp7Rt5Vn3M"
	gSK    = `sk+S3cr3t/Key=&<"'>zzSKzz0123456789`
	gSTS   = `sts+Sec/Tok=en&<x>"zzSTSzz987654321`
	gIAMPw = `pw+P4ss/w=rd&<x>"zzPWzz13579`
	gIAMTk = `MIIiam+Tok/en=&<y>"zzIAMzz24680`
)

func gJSONEsc(s string) string { b, _ := json.Marshal(s); return string(b[1 : len(b)-1]) }
func gJSONEscNoHTML(s string) string {
	var buf bytes.Buffer
	e := json.NewEncoder(&buf)
	e.SetEscapeHTML(false)
	e.Encode(s)
	o := strings.TrimSpace(buf.String())
	return o[1 : len(o)-1]
}
func gUEsc(s string) string {
	var b strings.Builder
	for _, r := range s {
		fmt.Fprintf(&b, `\u%04x`, r)
	}
	return b.String()
}
func gPctAll(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		fmt.Fprintf(&b, "%%%02x", s[i])
	}
	return b.String()
}
func gLowerPct(s string) string {
	q := url.QueryEscape(s)
	var b strings.Builder
	for i := 0; i < len(q); i++ {
		if q[i] == '%' && i+2 < len(q) {
			b.WriteString("%" + strings.ToLower(q[i+1:i+3]))
			i += 2
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}
func gEntDec(s string) string {
	var b strings.Builder
	for _, r := range s {
		fmt.Fprintf(&b, "&#%d;", r)
	}
	return b.String()
}
func gEntHex(s string) string {
	var b strings.Builder
	for _, r := range s {
		fmt.Fprintf(&b, "&#x%x;", r)
	}
	return b.String()
}
func gQuote(s string) string { q := strconv.Quote(s); return q[1 : len(q)-1] }

var gSingle = map[string]func(string) string{
	"raw": func(s string) string { return s }, "json": gJSONEsc, "jsonNoHTML": gJSONEscNoHTML,
	"query": url.QueryEscape, "path": url.PathEscape, "html": html.EscapeString, "goquote": gQuote,
}

// gStrictEncodings are what the contract names: raw, JSON, URL, HTML, Go-quoted and two layered.
func gStrictEncodings(secret string) map[string]string {
	out := map[string]string{}
	for n1, f1 := range gSingle {
		out[n1] = f1(secret)
		for n2, f2 := range gSingle {
			if n1 != "raw" && n2 != "raw" {
				out[n1+"+"+n2] = f2(f1(secret))
			}
		}
	}
	return out
}

// gLooseEncodings are other spellings of the same encodings: every char \u-escaped, percent-encoded
// with lowercase hex or every byte, numeric HTML references.
func gLooseEncodings(secret string) map[string]string {
	return map[string]string{"uescape": gUEsc(secret), "lowerpct": gLowerPct(secret), "pctall": gPctAll(secret),
		"entdec": gEntDec(secret), "enthex": gEntHex(secret)}
}

func gSingleEncodings(secret string) map[string]string {
	out := map[string]string{}
	for n, f := range gSingle {
		out[n] = f(secret)
	}
	return out
}

func gEchoPayload(secrets ...string) string {
	var parts []string
	for _, s := range secrets {
		for _, e := range gSingleEncodings(s) {
			parts = append(parts, "<"+e+">")
		}
	}
	return strings.Join(parts, " ")
}

// gCheck fails when out holds a secret in any strict encoding (or hex, for %x).
func gCheck(t *testing.T, where, out string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		needles := gSingleEncodings(s)
		needles["hex"] = hex.EncodeToString([]byte(s))
		needles["HEX"] = strings.ToUpper(hex.EncodeToString([]byte(s)))
		for name, n := range needles {
			if i := strings.Index(out, n); i >= 0 {
				lo := max(0, i-120)
				t.Errorf("%s: secret %.6s… leaked (%s encoding): …%s…", where, s, name, out[lo:min(len(out), i+len(n)+40)])
				return
			}
		}
	}
}

var gVerbs = []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T"}

func gPrintAll(t *testing.T, where string, v any, secrets ...string) {
	t.Helper()
	for _, verb := range gVerbs {
		gCheck(t, where+" "+verb, fmt.Sprintf(verb, v), secrets...)
	}
	if b, err := json.Marshal(v); err == nil {
		gCheck(t, where+" json", string(b), secrets...)
	}
}

func gErrChain(t *testing.T, where string, err error, secrets ...string) {
	t.Helper()
	if err == nil {
		return
	}
	gCheck(t, where+" Error()", err.Error(), secrets...)
	gPrintAll(t, where, err, secrets...)
	var ae *modelarts.APIError
	if errors.As(err, &ae) {
		gPrintAll(t, where+" APIError", *ae, secrets...)
		gPrintAll(t, where+" APIError.Header", ae.Header, secrets...)
	}
	var re *modelarts.RequestError
	if errors.As(err, &re) {
		gPrintAll(t, where+" RequestError", *re, secrets...)
	}
	var de *modelarts.DecodeError
	if errors.As(err, &de) {
		gPrintAll(t, where+" DecodeError", *de, secrets...)
	}
	var we *modelarts.WaitError
	if errors.As(err, &we) {
		gPrintAll(t, where+" WaitError", *we, secrets...)
	}
	var ce *modelarts.CreateOutcomeError
	if errors.As(err, &ce) {
		gPrintAll(t, where+" CreateOutcomeError", *ce, secrets...)
	}
	// walk the whole chain
	var walk func(e error, depth int)
	walk = func(e error, depth int) {
		if e == nil || depth > 20 {
			return
		}
		gCheck(t, fmt.Sprintf("%s chain[%d] %T", where, depth, e), e.Error(), secrets...)
		gCheck(t, fmt.Sprintf("%s chain[%d] %%#v", where, depth), fmt.Sprintf("%#v", e), secrets...)
		switch u := e.(type) {
		case interface{ Unwrap() []error }:
			for _, x := range u.Unwrap() {
				walk(x, depth+1)
			}
		case interface{ Unwrap() error }:
			walk(u.Unwrap(), depth+1)
		}
	}
	walk(err, 0)
}

// gRecHandler keeps every record and prints its attrs unresolved with %#v.
type gRecHandler struct {
	mu  *sync.Mutex
	buf *bytes.Buffer
}

func (h gRecHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h gRecHandler) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	fmt.Fprintf(h.buf, "%s|", r.Message)
	r.Attrs(func(a slog.Attr) bool {
		fmt.Fprintf(h.buf, "%s=%#v %+v %v;", a.Key, a.Value.Any(), a.Value.Resolve().Any(), a.Value.Resolve())
		return true
	})
	h.buf.WriteString("\n")
	return nil
}
func (h gRecHandler) WithAttrs(as []slog.Attr) slog.Handler {
	h.mu.Lock()
	for _, a := range as {
		fmt.Fprintf(h.buf, "with %s=%#v;", a.Key, a.Value.Any())
	}
	h.mu.Unlock()
	return h
}
func (h gRecHandler) WithGroup(string) slog.Handler { return h }

type gLogs struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *gLogs) loggers() []*slog.Logger {
	opts := &slog.HandlerOptions{Level: slog.LevelDebug}
	w := &gLockedWriter{l: l}
	return []*slog.Logger{
		slog.New(slog.NewJSONHandler(w, opts)),
		slog.New(slog.NewTextHandler(w, opts)),
		slog.New(gRecHandler{mu: &l.mu, buf: &l.buf}),
	}
}

type gLockedWriter struct{ l *gLogs }

func (w *gLockedWriter) Write(p []byte) (int, error) {
	w.l.mu.Lock()
	defer w.l.mu.Unlock()
	return w.l.buf.Write(p)
}
func (l *gLogs) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.buf.String() }

// gTeeHandler fans out to several.
type gTeeHandler []slog.Handler

func (h gTeeHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h gTeeHandler) Handle(ctx context.Context, r slog.Record) error {
	for _, x := range h {
		x.Handle(ctx, r.Clone())
	}
	return nil
}
func (h gTeeHandler) WithAttrs(as []slog.Attr) slog.Handler {
	o := gTeeHandler{}
	for _, x := range h {
		o = append(o, x.WithAttrs(as))
	}
	return o
}
func (h gTeeHandler) WithGroup(g string) slog.Handler {
	o := gTeeHandler{}
	for _, x := range h {
		o = append(o, x.WithGroup(g))
	}
	return o
}

func (l *gLogs) logger() *slog.Logger {
	var hs gTeeHandler
	for _, lg := range l.loggers() {
		hs = append(hs, lg.Handler())
	}
	return slog.New(hs)
}

// gEchoServer echoes payload (plus the Authorization and token headers it receives) everywhere.
type gEcho struct {
	mu      sync.Mutex
	seen    []string // Authorization / tokens received
	mode    string
	payload string
}

func (e *gEcho) secretsSeen() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.seen...)
}

func gEchoServer(t *testing.T, e *gEcho) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if r.URL.Path == "/v3/auth/tokens" {
			w.Header().Set("X-Subject-Token", gIAMTk)
			w.WriteHeader(201)
			fmt.Fprintf(w, `{"token":{"expires_at":%q,"issued_at":%q}}`, time.Now().Add(24*time.Hour).UTC().Format("2006-01-02T15:04:05.000000Z"), time.Now().UTC().Format("2006-01-02T15:04:05.000000Z"))
			return
		}
		e.mu.Lock()
		echo := e.payload
		for _, h := range []string{"Authorization", "X-Auth-Token", "X-Security-Token"} {
			if v := r.Header.Get(h); v != "" {
				e.seen = append(e.seen, v)
				if i := strings.Index(v, "Signature="); i >= 0 {
					e.seen = append(e.seen, v[i+len("Signature="):])
				}
				echo += " " + gEchoPayload(v)
			}
		}
		mode := e.mode
		e.mu.Unlock()
		hv := strings.NewReplacer("\r", "", "\n", "").Replace(echo)
		w.Header().Set("X-Echo", hv)
		w.Header().Set("X-Request-Id", hv)
		w.Header().Set("Retry-After", hv)
		w.Header().Set("Www-Authenticate", hv)
		w.Header().Set("Location", "https://evil.example/?t="+url.QueryEscape(echo))
		img := map[string]any{"id": "img-1", "name": echo, "namespace": echo, "tag": echo, "swr_path": echo, "description": echo,
			"status": echo, "status_message": echo, "arch": echo, "origin": echo, "type": echo, "visibility": echo,
			"service_type": echo, "workspace_id": echo, "show_name": echo, "tags": []any{map[string]any{"key": echo, "value": echo}},
			"dev_services": []any{echo}, "resource_categories": []any{echo}, "create_at": 1700000000000}
		switch mode {
		case "error":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(400)
			json.NewEncoder(w).Encode(map[string]any{"error_code": echo, "error_msg": echo, "error_message": echo, "message": echo, "code": echo, "request_id": echo})
		case "html502":
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(502)
			io.WriteString(w, "<html><body>"+echo+"</body></html>")
		case "503":
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(503)
			io.WriteString(w, echo)
		case "garbage200":
			w.WriteHeader(200)
			io.WriteString(w, echo+"{not json")
		case "badnumber":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(200)
			fmt.Fprintf(w, `{"id":"img-1","size":%q,"create_at":%q}`, echo, echo)
		case "redirect":
			w.WriteHeader(302)
		default: // ok
			w.Header().Set("Content-Type", "application/json")
			if strings.HasSuffix(r.URL.Path, "/images") && r.Method == "GET" {
				json.NewEncoder(w).Encode(map[string]any{"data": []any{img}, "total": 1})
				return
			}
			if strings.Contains(r.URL.Path, "/notebooks") {
				nb := map[string]any{"id": "nb-1", "name": echo, "status": echo, "fail_reason": echo, "flavor": echo, "url": echo, "token": echo, "image": img}
				if strings.HasSuffix(r.URL.Path, "/notebooks") {
					json.NewEncoder(w).Encode(map[string]any{"data": []any{nb}, "total": 1})
					return
				}
				json.NewEncoder(w).Encode(nb)
				return
			}
			json.NewEncoder(w).Encode(img)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

type gSignerCase struct {
	name    string
	echo    []string // the full secrets the server echoes
	secrets []string
	build   func(t *testing.T, srvURL string) auth.Signer
}

func gSignerCases() []gSignerCase {
	return append([]gSignerCase{
		{"token", []string{gTok}, []string{gTok}, func(t *testing.T, _ string) auth.Signer { return auth.NewTokenSigner(gTok) }},
		{"aksk", []string{gAK, gSK, gSTS}, []string{gAK[4:], gSK, gSTS}, func(t *testing.T, _ string) auth.Signer {
			s, err := auth.NewAKSKSigner(gAK, gSK, auth.WithSecurityToken(gSTS))
			if err != nil {
				t.Fatal(err)
			}
			return s
		}},
		{"iam", []string{gIAMPw, gIAMTk}, []string{gIAMPw, gIAMTk}, func(t *testing.T, u string) auth.Signer {
			s, err := auth.NewIAMTokenSigner(auth.PasswordCredentials{IAMEndpoint: u, DomainName: "dom", Username: "usr", Password: auth.NewSecret(gIAMPw), ProjectID: gProject})
			if err != nil {
				t.Fatal(err)
			}
			return s
		}},
	}, gTemporarySignerCases()...)
}

func TestSecretsEchoedInEveryFieldHeaderAndEncodingNeverReachAnyOutput(t *testing.T) {
	for _, sc := range gSignerCases() {
		for _, mode := range []string{"ok", "error", "html502", "503", "garbage200", "badnumber", "redirect"} {
			t.Run(sc.name+"/"+mode, func(t *testing.T) {
				t.Parallel()
				e := &gEcho{mode: mode, payload: gEchoPayload(sc.echo...)}
				srv := gEchoServer(t, e)
				logs := &gLogs{}
				c, err := modelarts.NewClient(srv.URL, gProject, sc.build(t, srv.URL),
					modelarts.WithRetry(modelarts.RetryPolicy{MaxAttempts: 2, ZeroWait: true}),
					modelarts.WithAttemptTimeout(time.Second), modelarts.WithReconcileWindow(0),
					modelarts.WithLogger(logs.logger()))
				if err != nil {
					t.Fatal(err)
				}
				secrets := sc.secrets
				check := func(where string, v any, err error) {
					t.Helper()
					all := append(append([]string{}, secrets...), e.secretsSeen()...)
					gErrChain(t, where, err, all...)
					if v != nil {
						gPrintAll(t, where+" value", v, all...)
					}
				}
				ctx := gCtx(t, 5*time.Second)
				var md modelarts.Response
				img, err := c.GetImage(ctx, "img-1", modelarts.WithResponse(&md))
				check("GetImage", img, err)
				gPrintAll(t, "GetImage Response", md, append(secrets, e.secretsSeen()...)...)
				for it, err := range c.ListImages(ctx, &modelarts.ListImagesOptions{Limit: 5}) {
					check("ListImages", it, err)
				}
				page, err := c.ListImagesPage(ctx, &modelarts.ListImagesOptions{Limit: 5})
				check("ListImagesPage", page, err)
				reg, err := c.RegisterImage(ctx, &modelarts.RegisterImageRequest{SWRPath: gSWR})
				check("RegisterImage", reg, err)
				nb, err := c.GetNotebook(ctx, "nb-1")
				check("GetNotebook", nb, err)
				for it, err := range c.ListNotebooks(ctx, nil) {
					check("ListNotebooks", it, err)
				}
				wctx, cancel := context.WithTimeout(ctx, 150*time.Millisecond)
				w, err := c.WaitForActive(wctx, "img-1", modelarts.WithPollInterval(time.Millisecond, 2*time.Millisecond))
				cancel()
				check("WaitForActive", w, err)
				cr, err := c.CreateImageFromNotebook(ctx, "nb-1", &modelarts.CreateImageRequest{Name: "env", Namespace: "team", Tag: "v1"})
				check("CreateImageFromNotebook", cr, err)
				job, err := c.CreateSaveImageJob(ctx, "job-1", "worker-0", &modelarts.SaveImageJobRequest{})
				check("CreateSaveImageJob", job, err)
				gCheck(t, "logs", logs.String(), append(secrets, e.secretsSeen()...)...)
			})
		}
	}
}

// Lenient spellings of the same encodings (all-\u JSON, lowercase or full
// percent-encoding, numeric HTML references) echoed in an error message.
func TestSecretsEchoedInOtherSpellingsOfTheNamedEncodingsNeverReachTheError(t *testing.T) {
	for name, enc := range gLooseEncodings(gTok) {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/plain")
				w.WriteHeader(400)
				io.WriteString(w, "denied: "+enc)
			}))
			defer srv.Close()
			c := gClient(t, srv.URL, gTok)
			_, err := c.GetImage(gCtx(t, 2*time.Second), "img-1")
			if err != nil && strings.Contains(err.Error(), enc) {
				t.Fatalf("token echoed as %s (%.40s…) in a plain-text error body reaches Error() unredacted", name, enc)
			}
		})
	}
}

// Raw TCP: the server answers with a malformed header line or status line quoting the token.
func TestSecretsInMalformedRawHTTPAnswersNeverReachTheError(t *testing.T) {
	answers := map[string]string{
		"bad header line": "HTTP/1.1 200 OK\r\nX-Bad header " + gTok + "\r\n\r\n",
		"bad status":      "HTTP/1.1 2x0 " + gTok + "\r\n\r\n",
		"bad proto":       gTok + " 200 OK\r\n\r\n",
		"bad length":      "HTTP/1.1 200 OK\r\nContent-Length: " + gTok + "\r\n\r\n",
		"bad chunk":       "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + gTok + "\r\n",
		"bad json":        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 60\r\n\r\n{\"id\":\"" + gTok[:10] + "\\x" + gTok + "\"}" + strings.Repeat(" ", 60),
	}
	for name, ans := range answers {
		t.Run(name, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			go func() {
				for {
					conn, err := ln.Accept()
					if err != nil {
						return
					}
					go func(conn net.Conn) {
						defer conn.Close()
						br := bufio.NewReader(conn)
						http.ReadRequest(br)
						conn.Write([]byte(ans))
						time.Sleep(20 * time.Millisecond)
					}(conn)
				}
			}()
			logs := &gLogs{}
			c := gClient(t, "http://"+ln.Addr().String(), gTok, modelarts.WithLogger(logs.logger()), modelarts.WithAttemptTimeout(500*time.Millisecond))
			_, err = c.GetImage(gCtx(t, 3*time.Second), "img-1")
			if err == nil {
				t.Fatalf("no error")
			}
			gErrChain(t, name, err, gTok)
			gCheck(t, "logs", logs.String(), gTok)
			_, err = c.RegisterImage(gCtx(t, 3*time.Second), &modelarts.RegisterImageRequest{SWRPath: gSWR})
			gErrChain(t, name+" register", err, gTok)
		})
	}
}

// A secret used as a response header NAME (an alphanumeric token).
func TestSecretsAsResponseHeaderNamesNeverReachResponseOrError(t *testing.T) {
	const tok = "MIIalnumTokenSecretABCDEF0123456789"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-"+tok, "1")
		w.Header().Set(tok, tok)
		w.WriteHeader(503)
		io.WriteString(w, `{"error_code":"ModelArts.0000","error_msg":"x"}`)
	}))
	defer srv.Close()
	c := gClient(t, srv.URL, tok)
	var md modelarts.Response
	_, err := c.GetImage(gCtx(t, 2*time.Second), "img-1", modelarts.WithResponse(&md))
	gErrChain(t, "GetImage", err, tok)
	gPrintAll(t, "Response", md, tok)
	for k := range md.Header {
		if strings.Contains(strings.ToLower(k), strings.ToLower(tok)) {
			t.Fatalf("the token as a response header name survives in Response.Header: %q", k)
		}
	}
	var ae *modelarts.APIError
	if errors.As(err, &ae) {
		for k := range ae.Header {
			if strings.Contains(strings.ToLower(k), strings.ToLower(tok)) {
				t.Fatalf("the token as a response header name survives in APIError.Header: %q", k)
			}
		}
	}
}

// The secret key, which no request carries, as a response header NAME:
// Go re-cases the name, and the re-cased key never reaches the caller.
func TestTheSecretKeyAsAReCasedResponseHeaderNameNeverReachesResponseOrError(t *testing.T) {
	const ak, sk = "HPUAXR7YWRSNL8JQ1XKE", "advSecretKey0123456789ABCDEFGHIJ-kLmNoPqR"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header()["X-"+sk] = []string{"1"}          // sent as is: Go's client re-cases it
		w.Header()["Pre"+sk+"-post"] = []string{"2"} // the key not at the start of the name
		w.WriteHeader(503)
		io.WriteString(w, `{"error_code":"ModelArts.0000","error_msg":"x"}`)
	}))
	defer srv.Close()
	signer, err := auth.NewAKSKSigner(ak, sk)
	require.NoError(t, err)
	c, err := modelarts.NewClient(srv.URL, "a4a5d4098fb4474fa22cd05f897d6b99", signer,
		modelarts.WithHTTPClient(srv.Client()), modelarts.WithRetry(modelarts.RetryPolicy{MaxAttempts: 1}))
	require.NoError(t, err)
	var md modelarts.Response
	_, err = c.GetImage(gCtx(t, 2*time.Second), "img-1", modelarts.WithResponse(&md))
	var ae *modelarts.APIError
	require.ErrorAs(t, err, &ae)
	lower := strings.ToLower(sk)
	for _, h := range []http.Header{md.Header, ae.Header} {
		require.NotEmpty(t, h)
		for k := range h {
			assert.NotContains(t, strings.ToLower(k), lower[:12], "the key survives in a header name: %q", k)
			assert.NotContains(t, strings.ToLower(k), lower[len(lower)-12:], "the key survives in a header name: %q", k)
		}
	}
	assert.NotContains(t, strings.ToLower(fmt.Sprintf("%+v %#v", err, md)), lower[:12])
}

func gVerbLeaks(what string, v any, secrets ...string) []string {
	var out []string
	for _, verb := range gVerbs {
		txt := fmt.Sprintf(verb, v)
		for _, sec := range secrets {
			needles := gSingleEncodings(sec)
			needles["hex"] = hex.EncodeToString([]byte(sec))
			needles["HEX"] = strings.ToUpper(needles["hex"])
			for name, n := range needles {
				if strings.Contains(txt, n) {
					out = append(out, fmt.Sprintf("%s %s shows %.6s… (%s)", what, verb, sec, name))
					break
				}
			}
		}
	}
	return out
}

// Signers and credentials printed with every verb directly hold; a user
// struct holding pointers to them in unexported fields is printed with %s/%q.
func TestSecretsSignersPrintedWithEveryVerbDirectlyNeverShowSecrets(t *testing.T) {
	tokS := auth.NewTokenSigner(gTok)
	akS, _ := auth.NewAKSKSigner(gAK, gSK, auth.WithSecurityToken(gSTS))
	creds := auth.PasswordCredentials{IAMEndpoint: "https://iam.example.com", DomainName: "d", Username: "u", Password: auth.NewSecret(gIAMPw), ProjectID: gProject}
	iamS, _ := auth.NewIAMTokenSigner(creds)
	all := []string{gTok, gAK[4:], gSK, gSTS, gIAMPw}
	var leaks []string
	for n, v := range map[string]any{"token": tokS, "aksk": akS, "iam": iamS, "creds": creds, "credsPtr": &creds} {
		leaks = append(leaks, gVerbLeaks(n, v, all...)...)
	}
	if len(leaks) > 0 {
		t.Fatalf("%v", leaks)
	}
	if b, _ := json.Marshal(creds); strings.Contains(string(b), gJSONEsc(gIAMPw)) {
		t.Logf("note (not claimed by the contract, which names fmt verbs and logs): json.Marshal(auth.PasswordCredentials) writes the Password: %s", b)
	}
}

func TestSecretsUserStructHoldingSignerPointersInUnexportedFieldsNeverShowsSecrets(t *testing.T) {
	tokS := auth.NewTokenSigner(gTok)
	akS, _ := auth.NewAKSKSigner(gAK, gSK, auth.WithSecurityToken(gSTS))
	creds := auth.PasswordCredentials{IAMEndpoint: "https://iam.example.com", DomainName: "d", Username: "u", Password: auth.NewSecret(gIAMPw), ProjectID: gProject}
	iamS, _ := auth.NewIAMTokenSigner(creds)
	type userPtrs struct {
		tok   *auth.TokenSigner
		ak    *auth.AKSKSigner
		iam   *auth.IAMTokenSigner
		creds *auth.PasswordCredentials
	}
	all := []string{gTok, gAK[4:], gSK, gSTS, gIAMPw}
	leaks := gVerbLeaks("userPtrs", userPtrs{tokS, akS, iamS, &creds}, all...)
	leaks = append(leaks, gVerbLeaks("&userPtrs", &userPtrs{tokS, akS, iamS, &creds}, all...)...)
	if len(leaks) > 0 {
		sort.Strings(leaks)
		t.Logf("%s", strings.Join(leaks, "\n"))
		t.Fatalf("a user struct holding signer pointers in unexported fields, printed with %%s/%%q, shows secrets: %s", leaks[0])
	}
}

func TestSecretsPasswordCredentialsValueInUnexportedFieldNeverShowsPassword(t *testing.T) {
	type userCreds struct{ creds auth.PasswordCredentials }
	creds := auth.PasswordCredentials{IAMEndpoint: "https://iam.example.com", DomainName: "d", Username: "u", Password: auth.NewSecret(gIAMPw), ProjectID: gProject}
	leaks := gVerbLeaks("userCreds", userCreds{creds}, gIAMPw)
	if len(leaks) > 0 {
		t.Logf("%s", strings.Join(leaks, "\n"))
		t.Fatalf("auth.PasswordCredentials held by value in an unexported field of a user struct prints its Password: %s", leaks[0])
	}
}

func TestSecretsTokenSignerValueInUnexportedFieldDoesNotPrintToken(t *testing.T) {
	type holder struct{ s auth.TokenSigner }
	s := auth.NewTokenSigner(gTok)
	h := holder{*s} //nolint
	for _, verb := range gVerbs {
		out := fmt.Sprintf(verb, h)
		for name, n := range gStrictEncodings(gTok) {
			if strings.Contains(out, n) {
				t.Fatalf("a TokenSigner value in an unexported user field prints the token (%s) with %s", name, verb)
			}
		}
		if strings.Contains(out, hex.EncodeToString([]byte(gTok))) {
			t.Fatalf("a TokenSigner value in an unexported user field prints the token hex with %s", verb)
		}
	}
}

func TestSecretsAKSKSignerValueInUnexportedFieldDoesNotPrintSK(t *testing.T) {
	type holder struct{ s auth.AKSKSigner }
	s, _ := auth.NewAKSKSigner(gAK, gSK, auth.WithSecurityToken(gSTS))
	h := holder{*s} //nolint
	for _, verb := range gVerbs {
		out := fmt.Sprintf(verb, h)
		for _, sec := range []string{gSK, gSTS, gAK[4:]} {
			if strings.Contains(out, sec) || strings.Contains(out, hex.EncodeToString([]byte(sec))) {
				t.Fatalf("an AKSKSigner value in an unexported user field prints a secret (%.6s…) with %s", sec, verb)
			}
		}
	}
}

func TestSecretsClientValueInUnexportedFieldDoesNotPrintSecrets(t *testing.T) {
	type holder struct{ c modelarts.Client }
	s, _ := auth.NewAKSKSigner(gAK, gSK, auth.WithSecurityToken(gSTS))
	c, _ := modelarts.NewClient("https://modelarts.example.com", gProject, s)
	h := &holder{}
	h.c = *c //nolint
	for _, verb := range gVerbs {
		out := fmt.Sprintf(verb, h)
		for _, sec := range []string{gSK, gSTS, gAK[4:]} {
			if strings.Contains(out, sec) || strings.Contains(out, hex.EncodeToString([]byte(sec))) {
				t.Fatalf("a Client value in an unexported user field prints a secret (%.6s…) with %s", sec, verb)
			}
		}
	}
}

// IAM refuses and echoes the password in every encoding in its error body and headers.
func TestSecretsIAMRefusalEchoingThePasswordNeverReachesAnyOutput(t *testing.T) {
	payload := gEchoPayload(gIAMPw)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Request-Id", strings.ReplaceAll(payload, "\n", ""))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(401)
		json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"code": "IAM.0101", "message": payload + " body=" + string(b)}})
	}))
	defer srv.Close()
	s, err := auth.NewIAMTokenSigner(auth.PasswordCredentials{IAMEndpoint: srv.URL, DomainName: "d", Username: "u", Password: auth.NewSecret(gIAMPw), ProjectID: gProject})
	if err != nil {
		t.Fatal(err)
	}
	logs := &gLogs{}
	c, err := modelarts.NewClient(srv.URL, gProject, s, modelarts.WithLogger(logs.logger()), modelarts.WithRetry(modelarts.RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetImage(gCtx(t, 2*time.Second), "img-1")
	if !errors.Is(err, modelarts.ErrUnauthorized) {
		t.Fatalf("want ErrUnauthorized, got %v", err)
	}
	gErrChain(t, "iam refusal", err, gIAMPw)
	var ie *auth.IAMError
	if errors.As(err, &ie) {
		gPrintAll(t, "IAMError", *ie, gIAMPw)
	}
	gCheck(t, "logs", logs.String(), gIAMPw)
}

// Each two-layered encoding of the token, echoed alone in error_msg, in a
// header and in an image field.
func TestSecretsTwoLayeredEncodingsEchoedNeverReachErrorsValuesOrHeaders(t *testing.T) {
	gTwoLayered(t, gTok)
}

// The same with a token shaped like a real IAM token (base64: + / =).
func TestSecretsTwoLayeredEncodingsOfABase64LikeTokenNeverReachErrorsValuesOrHeaders(t *testing.T) {
	gTwoLayered(t, "MIIPdQYJKoZIhvcNAQcCoIIPZjCCD2ICAQExDTALBglghkgBZQMEAgEwgg+/=+abc/def==")
}

func gTwoLayered(t *testing.T, gTok string) {
	var broke []string
	for name, enc := range gStrictEncodings(gTok) {
		if !strings.Contains(name, "+") {
			continue
		}
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Echo", enc)
			w.Header().Set("Content-Type", "application/json")
			if strings.HasSuffix(r.URL.Path, "/bad") {
				w.WriteHeader(400)
				json.NewEncoder(w).Encode(map[string]any{"error_code": "ModelArts.0000", "error_msg": "echo " + enc})
				return
			}
			json.NewEncoder(w).Encode(map[string]any{"id": "img-1", "name": enc, "status": "ACTIVE"})
		}))
		c := gClient(t, srv.URL, gTok)
		_, err := c.GetImage(gCtx(t, 2*time.Second), "bad")
		var md modelarts.Response
		img, _ := c.GetImage(gCtx(t, 2*time.Second), "img-1", modelarts.WithResponse(&md))
		srv.Close()
		var where []string
		if err != nil && strings.Contains(err.Error(), enc) {
			where = append(where, "Error()")
		}
		if img != nil && strings.Contains(img.Name, enc) {
			where = append(where, "Image.Name")
		}
		if strings.Contains(fmt.Sprint(md.Header), enc) {
			where = append(where, "Response.Header")
		}
		if len(where) > 0 {
			broke = append(broke, name+" in "+strings.Join(where, ","))
		}
	}
	if len(broke) > 0 {
		sort.Strings(broke)
		t.Logf("leaks: %s", strings.Join(broke, "; "))
		t.Fatalf("%d two-layered encodings of the token pass unredacted, e.g. %s", len(broke), broke[0])
	}
}

// A *Client (and a signer inside it) printed with %s or %q: fmt's bad-verb
// path expands pointers the client holds.
func TestSecretsClientPrintedWithEveryVerbNeverShowsSignerSecrets(t *testing.T) {
	var broke []string
	for _, sc := range gSignerCases() {
		e := &gEcho{mode: "ok"}
		srv := gEchoServer(t, e)
		c, err := modelarts.NewClient(srv.URL, gProject, sc.build(t, srv.URL))
		if err != nil {
			t.Fatal(err)
		}
		c.GetImage(gCtx(t, 2*time.Second), "img-1") // the IAM signer now holds a token
		for _, verb := range gVerbs {
			out := fmt.Sprintf(verb, c)
			for _, sec := range sc.secrets {
				for name, n := range gSingleEncodings(sec) {
					if strings.Contains(out, n) {
						broke = append(broke, fmt.Sprintf("%s client %s shows %.6s… (%s)", sc.name, verb, sec, name))
					}
				}
				if strings.Contains(out, hex.EncodeToString([]byte(sec))) {
					broke = append(broke, fmt.Sprintf("%s client %s shows %.6s… (hex)", sc.name, verb, sec))
				}
			}
		}
	}
	if len(broke) > 0 {
		sort.Strings(broke)
		t.Logf("%s", strings.Join(broke, "\n"))
		t.Fatalf("fmt %%s/%%q of a *Client prints signer internals: %s", broke[0])
	}
}
