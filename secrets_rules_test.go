package modelarts_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/modelarts-go/modelarts"
	"github.com/modelarts-go/modelarts/auth"
	"github.com/modelarts-go/modelarts/modelartstest"
)

const (
	r2Token = `Tok/en+R2secret&<x>"q'=1%z`
	r2AK    = "AKR2ATTACKAKID0001"
	r2SK    = `sk/R2+secret=&<>"é~zz`
	r2STS   = `stsR2/+=&<tok>"xy`
)

func r2JSON(s string, escHTML bool) string {
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(escHTML)
	_ = e.Encode(s)
	out := strings.TrimSpace(b.String())
	return out[1 : len(out)-1]
}

func r2LowerHex(s string) string {
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

// r2Encodings are the contract's encodings (raw, JSON, URL, HTML, two
// layered) and a few more (Go-quoted, lower-case hex).
func r2Encodings(s string) map[string]string {
	q := strconv.Quote(s)
	m := map[string]string{
		"raw":            s,
		"json":           r2JSON(s, true),
		"json-nohtml":    r2JSON(s, false),
		"query":          url.QueryEscape(s),
		"path":           url.PathEscape(s),
		"html":           html.EscapeString(s),
		"go-quoted":      q[1 : len(q)-1],
		"query(json)":    url.QueryEscape(r2JSON(s, true)),
		"html(query)":    html.EscapeString(url.QueryEscape(s)),
		"json(html)":     r2JSON(html.EscapeString(s), true),
		"query(query)":   url.QueryEscape(url.QueryEscape(s)),
		"lower-hex":      r2LowerHex(s),
		"json(path)":     r2JSON(url.PathEscape(s), false),
		"html(json)":     html.EscapeString(r2JSON(s, false)),
		"path(html)":     url.PathEscape(html.EscapeString(s)),
		"query(go)":      url.QueryEscape(q[1 : len(q)-1]),
		"mixedcase-json": strings.ReplaceAll(r2JSON(s, true), `\u003c`, `\u003C`),
	}
	return m
}

// r2Leak reports every secret (in any encoding) found in out.
func r2Leak(out string, secrets ...string) []string {
	var found []string
	for _, s := range secrets {
		for name, enc := range r2Encodings(s) {
			if len(enc) >= 4 && strings.Contains(out, enc) {
				found = append(found, fmt.Sprintf("%s of %.6q…", name, s))
			}
		}
	}
	return found
}

// r2Echo writes every encoding of every secret the request carried into
// the answer: header values, header names, and the error body.
func r2Echo(w http.ResponseWriter, r *http.Request, status int) {
	var secrets []string
	for _, h := range []string{"X-Auth-Token", "Authorization", "X-Security-Token"} {
		if v := r.Header.Get(h); v != "" {
			secrets = append(secrets, v)
		}
	}
	secrets = append(secrets, r2SK, r2AK)
	var msg strings.Builder
	i := 0
	for _, s := range secrets {
		for name, enc := range r2Encodings(s) {
			i++
			if !strings.ContainsAny(enc, "\r\n\x00") && name != "raw" || !strings.ContainsRune(s, 'é') {
				w.Header().Add(fmt.Sprintf("X-Echo-%d", i), enc)
			}
			msg.WriteString(name + "=" + enc + " | ")
		}
		// header names
		w.Header().Add("X-"+url.QueryEscape(s), "name-echo")
	}
	w.Header().Add("X-"+r2AK, "ak-as-name")
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Retry-After", "0")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"error_code": "ModelArts." + url.QueryEscape(secrets[0]),
		"error_msg":  msg.String(),
		"request_id": secrets[0],
	})
}

type r2Signer struct {
	name    string
	signer  func(t *testing.T) auth.Signer
	secrets []string
}

func r2Signers() []r2Signer {
	return []r2Signer{
		{"token", func(t *testing.T) auth.Signer { return auth.NewTokenSigner(r2Token) }, []string{r2Token}},
		{"aksk", func(t *testing.T) auth.Signer {
			s, err := auth.NewAKSKSigner(r2AK, r2SK, auth.WithSecurityToken(r2STS))
			if err != nil {
				t.Fatal(err)
			}
			return s
		}, []string{r2AK, r2SK, r2STS}},
	}
}

func r2SecretClient(t *testing.T, signer auth.Signer, h http.Handler, logs *bytes.Buffer) *modelarts.Client {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	jl := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, err := modelarts.NewClient(srv.URL, r2Project, signer,
		modelarts.WithHTTPClient(srv.Client()), modelarts.WithLogger(jl),
		modelarts.WithRetry(modelarts.RetryPolicy{ZeroWait: true, MaxAttempts: 2}), modelarts.WithReconcileWindow(0))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func r2Dump(v any) string {
	var b strings.Builder
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T", "%p", "%10.3v", "%-+#v", "%!"} {
		fmt.Fprintf(&b, verb+"\n", v)
	}
	fmt.Fprintln(&b, v)
	fmt.Fprint(&b, v)
	if j, err := json.Marshal(v); err == nil {
		b.Write(j)
	}
	var sl bytes.Buffer
	slog.New(slog.NewTextHandler(&sl, nil)).Info("x", "v", v)
	slog.New(slog.NewJSONHandler(&sl, nil)).Info("x", "v", v)
	b.Write(sl.Bytes())
	return b.String()
}

// Every call that gets an echoing error answer: nothing in the error (any
// verb, the whole chain), the APIError's headers, the Response, the logs.
func TestSecretsEchoedInEveryEncodingInBodiesAndHeadersAppearInNoOutput(t *testing.T) {
	t.Parallel()
	for _, sg := range r2Signers() {
		for _, status := range []int{400, 401, 403, 429, 503} {
			t.Run(fmt.Sprintf("%s/%d", sg.name, status), func(t *testing.T) {
				var sigs []string
				h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if a := r.Header.Get("Authorization"); a != "" {
						if i := strings.Index(a, "Signature="); i >= 0 {
							sigs = append(sigs, a[i+len("Signature="):])
						}
					}
					r2Echo(w, r, status)
				})
				var logs bytes.Buffer
				c := r2SecretClient(t, sg.signer(t), h, &logs)
				var resp modelarts.Response
				_, err := c.GetImage(r2Ctx(t, 5*time.Second), "img-1", modelarts.WithResponse(&resp))
				if err == nil {
					t.Fatal("no error")
				}
				out := r2Dump(err) + err.Error() + fmt.Sprintf("%+v %#v", resp, resp.Header)
				var ae *modelarts.APIError
				if errors.As(err, &ae) {
					out += fmt.Sprintf("%#v %v %v", ae.Header, ae.Message, ae.Code) + ae.RequestID
					for k, vs := range ae.Header {
						out += k + strings.Join(vs, ",")
					}
				}
				for k, vs := range resp.Header {
					out += k + strings.Join(vs, ",")
				}
				out += logs.String()
				secrets := append(append([]string{}, sg.secrets...), sigs...)
				if status == 400 && sg.name == "token" {
					t.Logf("error as printed: %.600s", err)
				}
				if leaks := r2Leak(out, secrets...); len(leaks) > 0 {
					t.Fatalf("%s %d: secret found in output: %v", sg.name, status, leaks)
				}
			})
		}
	}
}

// A 200 whose model fields echo the secrets, and a 200 that does not decode.
func TestSecretsEchoedIn2xxModelFieldsAndUndecodableBodiesAppearInNoOutput(t *testing.T) {
	t.Parallel()
	for _, sg := range r2Signers() {
		t.Run(sg.name, func(t *testing.T) {
			var echoed []string
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				var all []string
				for _, s := range []string{r2Token, r2AK, r2SK, r2STS} {
					for _, e := range r2Encodings(s) {
						all = append(all, e)
					}
				}
				if a := r.Header.Get("Authorization"); a != "" {
					echoed = append(echoed, a)
					all = append(all, a)
				}
				j := strings.Join(all, " ")
				w.Header().Set("Content-Type", "application/json")
				if strings.HasSuffix(r.URL.Path, "bad") {
					fmt.Fprintf(w, `{"id":"x","name":%q,`, j)
					return
				}
				_ = json.NewEncoder(w).Encode(map[string]any{"id": "img-1", "name": j, "status_message": j, "description": j,
					"tags": []map[string]string{{"key": j, "value": j}}, "status": j, "swr_path": j, "dev_services": []string{j}})
			})
			var logs bytes.Buffer
			c := r2SecretClient(t, sg.signer(t), h, &logs)
			img, err := c.GetImage(r2Ctx(t, 5*time.Second), "img-1")
			out := r2Dump(img) + r2Dump(err)
			_, err2 := c.GetImage(r2Ctx(t, 5*time.Second), "bad")
			out += r2Dump(err2) + logs.String()
			if err2 != nil {
				out += err2.Error()
			}
			if leaks := r2Leak(out, sg.secrets...); len(leaks) > 0 {
				t.Fatalf("%s: secret in 2xx-derived output: %v", sg.name, leaks)
			}
		})
	}
}

// A raw TCP server whose status text and header lines echo the token.
func TestSecretsEchoedInStatusTextAndMalformedHeaderLinesAppearInNoOutput(t *testing.T) {
	t.Parallel()
	for _, variant := range []string{"status-text", "bad-header-line", "bad-status-line", "bad-chunk"} {
		t.Run(variant, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { ln.Close() })
			go func() {
				for {
					conn, err := ln.Accept()
					if err != nil {
						return
					}
					go func() {
						defer conn.Close()
						br := bufio.NewReader(conn)
						req, err := http.ReadRequest(br)
						if err != nil {
							return
						}
						tok := req.Header.Get("X-Auth-Token")
						enc := tok + " " + url.QueryEscape(tok) + " " + r2JSON(tok, true)
						switch variant {
						case "status-text":
							fmt.Fprintf(conn, "HTTP/1.1 400 %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", enc)
						case "bad-header-line":
							fmt.Fprintf(conn, "HTTP/1.1 200 OK\r\n%s\r\nContent-Length: 0\r\n\r\n", enc)
						case "bad-status-line":
							fmt.Fprintf(conn, "HTTP/1.1 %s\r\n\r\n", enc)
						case "bad-chunk":
							fmt.Fprintf(conn, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n%s\r\n", url.QueryEscape(tok))
						}
					}()
				}
			}()
			var logs bytes.Buffer
			jl := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			c, err := modelarts.NewClient("http://"+ln.Addr().String(), r2Project, auth.NewTokenSigner(r2Token),
				modelarts.WithLogger(jl), modelarts.WithRetry(modelarts.RetryPolicy{ZeroWait: true, MaxAttempts: 2}))
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.GetImage(r2Ctx(t, 5*time.Second), "img-1")
			if err == nil {
				t.Fatal("no error")
			}
			out := r2Dump(err) + logs.String()
			if leaks := r2Leak(out, r2Token); len(leaks) > 0 {
				t.Fatalf("%s: token in output: %v", variant, leaks)
			}
		})
	}
}

// A transport whose errors quote the token in every encoding.
type r2LeakyTransport struct{ enc string }

func (l r2LeakyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	tok := r.Header.Get("X-Auth-Token")
	e := r2Encodings(tok)[l.enc]
	return nil, &net.OpError{Op: "read", Net: "tcp", Err: fmt.Errorf("malformed header %s: %w", e, context.DeadlineExceeded)}
}

func TestSecretsQuotedByATransportErrorInEveryEncodingAppearInNoOutput(t *testing.T) {
	t.Parallel()
	for enc := range r2Encodings(r2Token) {
		t.Run(enc, func(t *testing.T) {
			var logs bytes.Buffer
			jl := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			c, err := modelarts.NewClient("https://modelarts.example.com", r2Project, auth.NewTokenSigner(r2Token),
				modelarts.WithHTTPClient(&http.Client{Transport: r2LeakyTransport{enc}}), modelarts.WithLogger(jl),
				modelarts.WithRetry(modelarts.RetryPolicy{ZeroWait: true, MaxAttempts: 2}))
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.GetImage(r2Ctx(t, 5*time.Second), "img-1")
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("stand-in lost DeadlineExceeded: %v", err)
			}
			out := r2Dump(err) + logs.String()
			if leaks := r2Leak(out, r2Token); len(leaks) > 0 {
				t.Fatalf("transport error quoting the token %s: %v", enc, leaks)
			}
		})
	}
}

type r2Holder struct {
	c    *modelarts.Client
	cv   modelarts.Client
	ts   *auth.TokenSigner
	tsv  auth.TokenSigner
	ak   *auth.AKSKSigner
	akv  auth.AKSKSigner
	iam  *auth.IAMTokenSigner
	iamv auth.IAMTokenSigner
	pc   auth.PasswordCredentials
	pcp  *auth.PasswordCredentials
	sec  auth.Secret
	secp *auth.Secret
	any  any
	m    map[string]any
	s    []any
	arr  [1]any
	Pub  *auth.IAMTokenSigner
	PubC modelarts.Client
	PubP auth.PasswordCredentials
}

// Every SDK value holding a secret, printed every way, nested every way,
// and JSON-encoded, shows none of it; the IAM signer after it got a token.
func TestSecretsNoFmtVerbSlogHandlerOrJSONOfAnySDKValueShowsASecretWhereverItSits(t *testing.T) {
	t.Parallel()
	srv := modelartstest.NewServer()
	t.Cleanup(srv.Close)
	creds := srv.IAMCredentials()
	iam, err := auth.NewIAMTokenSigner(creds, auth.WithIAMHTTPClient(srv.HTTPClient()))
	if err != nil {
		t.Fatal(err)
	}
	c, err := modelarts.NewClient(srv.URL(), srv.ProjectID(), iam, modelarts.WithHTTPClient(srv.HTTPClient()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetImage(r2Ctx(t, 5*time.Second), "nope"); err == nil {
		t.Fatal("want not found")
	}
	var iamTok string
	for _, r := range srv.Requests() {
		if v := r.Header.Get("X-Auth-Token"); v != "" {
			iamTok = v
		}
	}
	if iamTok == "" {
		t.Fatal("no IAM token seen")
	}
	ts := auth.NewTokenSigner(r2Token)
	ak, _ := auth.NewAKSKSigner(r2AK, r2SK, auth.WithSecurityToken(r2STS))
	pc := auth.PasswordCredentials{IAMEndpoint: "https://iam.example", DomainName: "d", Username: "u", Password: auth.NewSecret(r2SK), ProjectID: "p"}
	sec := auth.NewSecret(r2Token)
	h := r2Holder{c: c, cv: *c, ts: ts, tsv: *ts, ak: ak, akv: *ak, iam: iam, iamv: *iam, pc: pc, pcp: &pc, sec: sec, secp: &sec,
		any: ak, m: map[string]any{"k": ak, "i": *iam}, s: []any{ts, *ak, creds}, arr: [1]any{iam}, Pub: iam, PubC: *c, PubP: creds}
	out := r2Dump(h) + r2Dump(&h) + r2Dump([]any{h, &h}) + r2Dump(map[string]r2Holder{"x": h})
	wrapped := fmt.Errorf("wrapped %w %v", errors.New("e"), h)
	wverb := "%w"
	out += wrapped.Error() + fmt.Sprintf(wverb, h) + fmt.Sprintf(wverb, &h)
	for _, v := range []any{c, *c, ts, *ts, ak, *ak, iam, *iam, pc, &pc, sec, &sec, creds} {
		out += r2Dump(v)
	}
	if leaks := r2Leak(out, r2Token, r2AK[4:], r2SK, r2STS, creds.Password.Reveal(), iamTok, srv.Token()); len(leaks) > 0 {
		t.Fatalf("secret printed: %v", leaks)
	}
}

// The detector itself finds what it looks for, so a pass means something.
func TestSecretsLeakDetectorFindsEveryEncodingItChecks(t *testing.T) {
	t.Parallel()
	for name, enc := range r2Encodings(r2Token) {
		if len(r2Leak("xx"+enc+"yy", r2Token)) == 0 {
			t.Fatalf("detector misses %s", name)
		}
	}
	if len(r2Leak("nothing here", r2Token, r2SK)) != 0 {
		t.Fatal("false positive")
	}
}
