package auth

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hostilePassword has every character an encoder escapes.
const hostilePassword = `Pa55<w0rd>&"é\/+ %x`

// hostileIAM is an IAM written from the signing specification that issues a token on the
// first request and answers every later one with what fail writes.
func hostileIAM(t *testing.T, fail func(w http.ResponseWriter, reqBody []byte)) *httptest.Server {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if n.Add(1) == 1 {
			w.Header().Set("X-Subject-Token", "MIIissued-token-one-0123456789")
			w.WriteHeader(201)
			io.WriteString(w, `{"token":{"expires_at":"2999-01-01T00:00:00.000000Z"}}`)
			return
		}
		fail(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func hostileSigner(t *testing.T, srv *httptest.Server) *IAMTokenSigner {
	s, err := NewIAMTokenSigner(PasswordCredentials{IAMEndpoint: srv.URL, DomainName: "dom", Username: "alice",
		Password: NewSecret(hostilePassword), ProjectID: "proj-1"}, WithIAMHTTPClient(srv.Client()))
	require.NoError(t, err)
	return s
}

// everyOutput renders v through every channel a user may print it with.
func everyOutput(v any) string {
	var out bytes.Buffer
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		fmt.Fprintf(&out, verb+"\n", v)
	}
	if err, ok := v.(error); ok {
		out.WriteString(err.Error() + "\n")
	}
	slog.New(slog.NewJSONHandler(&out, nil)).Error("failed", "err", v)
	slog.New(slog.NewTextHandler(&out, nil)).Error("failed", "err", v)
	return out.String()
}

// secretForms are the encodings of s a leak would show up in.
func secretForms(s string) []string {
	j, _ := json.Marshal(s)
	return []string{s, string(j[1 : len(j)-1]), url.QueryEscape(s), url.PathEscape(s), html.EscapeString(s)}
}

// Distinctive runs of plain characters each secret of these tests holds: any
// encoding of the secret that escapes less than everything shows them.
var secretCores = []string{"w0rd", "issued-token-one"}

func assertNoSecret(t *testing.T, out string, secrets ...string) {
	t.Helper()
	for _, core := range secretCores {
		assert.NotContains(t, out, core)
	}
	for _, sec := range secrets {
		for _, form := range secretForms(sec) {
			assert.NotContains(t, out, form)
		}
	}
}

func TestIAMEchoedSecretsNeverReachAnOutput(t *testing.T) {
	jsonPw, _ := json.Marshal(hostilePassword)
	issued := "MIIissued-token-one-0123456789"
	cases := map[string]func(w http.ResponseWriter, body []byte){
		"401 quoting the password raw": func(w http.ResponseWriter, _ []byte) {
			w.WriteHeader(401)
			fmt.Fprintf(w, `{"error":{"code":401,"message":"password %s is wrong"}}`, hostilePassword)
		},
		"401 quoting it JSON-escaped": func(w http.ResponseWriter, _ []byte) {
			w.WriteHeader(401)
			fmt.Fprintf(w, `{"error_code":"IAM.0101","error_msg":%s}`, jsonPw)
		},
		"401 quoting it URL-encoded": func(w http.ResponseWriter, _ []byte) {
			w.WriteHeader(401)
			fmt.Fprintf(w, `{"error_code":"IAM.0101","error_msg":"bad credentials password=%s&x=%s"}`, url.QueryEscape(hostilePassword), url.PathEscape(hostilePassword))
		},
		"400 echoing the request body": func(w http.ResponseWriter, body []byte) {
			w.WriteHeader(400)
			msg, _ := json.Marshal("cannot parse " + string(body))
			fmt.Fprintf(w, `{"error_code":"IAM.0001","error_msg":%s}`, msg)
		},
		"500 body that is the request body": func(w http.ResponseWriter, body []byte) {
			w.WriteHeader(500)
			w.Write(body)
		},
		"502 HTML page quoting X-Auth-Token": func(w http.ResponseWriter, _ []byte) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(502)
			fmt.Fprintf(w, "<html><body><h1>Bad Gateway</h1><pre>X-Auth-Token: %s\nuser password=%s</pre></body></html>", issued, html.EscapeString(hostilePassword))
		},
		"request id quoting the token": func(w http.ResponseWriter, _ []byte) {
			w.Header().Set("X-Request-Id", "req-"+issued)
			w.WriteHeader(403)
			io.WriteString(w, `{"error_code":"IAM.0102","error_msg":"locked"}`)
		},
		"redirect carrying the password": func(w http.ResponseWriter, _ []byte) {
			w.Header().Set("Location", "https://"+url.PathEscape(hostilePassword)+".evil.example/v3")
			w.WriteHeader(307)
		},
	}
	for name, fail := range cases {
		t.Run(name, func(t *testing.T) {
			s := hostileSigner(t, hostileIAM(t, fail))
			require.Equal(t, issued, signedToken(t, s))
			s.InvalidateToken(issued)
			_, err := s.Token(context.Background())
			var ie *IAMError
			require.ErrorAs(t, err, &ie)
			for _, v := range []any{err, ie, *ie, s} {
				out := everyOutput(v)
				assertNoSecret(t, out, hostilePassword, issued)
			}
			assert.Contains(t, err.Error(), `user "alice"`)
		})
	}
}

func TestIAMMalformedAnswerQuotingThePasswordIsRedacted(t *testing.T) {
	// A raw socket answers with a status line net/http quotes in its error.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan struct{})
	go func() {
		defer close(done)
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		_, _ = http.ReadRequest(bufio.NewReader(conn))
		fmt.Fprintf(conn, "HTTP/1.1 4o1 %s\r\n\r\n", hostilePassword)
	}()
	t.Cleanup(func() { ln.Close(); <-done })
	s, err := NewIAMTokenSigner(PasswordCredentials{IAMEndpoint: "http://" + ln.Addr().String(), DomainName: "d",
		Username: "alice", Password: NewSecret(hostilePassword), ProjectID: "p"})
	require.NoError(t, err)
	_, err = s.Token(context.Background())
	require.Error(t, err)
	assert.True(t, IsTemporary(err), "no answer could be read")
	assertNoSecret(t, everyOutput(err), hostilePassword)
	assert.Contains(t, err.Error(), "malformed")
}

func TestIAMErrorSaysTheStatusOnceAndStaysShort(t *testing.T) {
	srv := hostileIAM(t, func(w http.ResponseWriter, _ []byte) {
		w.WriteHeader(401)
		fmt.Fprintf(w, `{"error":{"code":401,"message":"The username or password is wrong. %s","title":"Unauthorized"}}`, strings.Repeat("x", 100<<10))
	})
	s := hostileSigner(t, srv)
	signedToken(t, s)
	s.InvalidateToken("MIIissued-token-one-0123456789")
	_, err := s.Token(context.Background())
	require.Error(t, err)
	msg := err.Error()
	assert.NotContains(t, msg, "401 401")
	// Counted after the endpoint, whose random port may hold "401" too.
	_, afterEndpoint, found := strings.Cut(msg, " for user ")
	require.True(t, found, msg)
	assert.Equal(t, 1, strings.Count(afterEndpoint, "401"), msg)
	assert.Contains(t, msg, "HTTP 401 Unauthorized: The username or password is wrong.")
	assert.Contains(t, msg, "check the domain name, user name and password")
	assert.Less(t, len(msg), 700, "a 100 KiB message is shortened")
	assert.ErrorIs(t, err, ErrUnauthorized)
}

func TestIAMNeverFollowsARedirectNorChangesTheCallersClient(t *testing.T) {
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
		w.Header().Set("X-Subject-Token", "stolen")
		w.WriteHeader(201)
	}))
	defer other.Close()
	iam := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/v3/auth/tokens", http.StatusTemporaryRedirect)
	}))
	defer iam.Close()

	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar} // follows redirects by default
	s, err := NewIAMTokenSigner(PasswordCredentials{IAMEndpoint: iam.URL, DomainName: "d", Username: "alice",
		Password: NewSecret(hostilePassword), ProjectID: "p"}, WithIAMHTTPClient(hc))
	require.NoError(t, err)
	_, err = s.Token(context.Background())
	var ie *IAMError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, 307, ie.StatusCode)
	assert.Contains(t, err.Error(), "redirect")
	assert.Contains(t, err.Error(), "set IAMEndpoint to the final IAM URL")
	assert.False(t, IsTemporary(err))
	assert.Zero(t, elsewhere.Load(), "the password went nowhere else")
	assert.Nil(t, hc.CheckRedirect, "the caller's client is left as it was")
	assert.Same(t, jar, hc.Jar)
}

func TestNewIAMTokenSignerRefusesUserInfoWithoutPrintingIt(t *testing.T) {
	base := PasswordCredentials{DomainName: "d", Username: "alice", Password: NewSecret(hostilePassword), ProjectID: "p"}
	for _, ep := range []string{
		"https://bob:hunter2-secret@iam.example.com",
		"https://hunter2-secret@iam.example.com/",
		"http://bob:hunter2-secret@127.0.0.1:8080",
		"https://bob:hunter2-secret@iam.example.com/%zz", // does not parse
	} {
		c := base
		c.IAMEndpoint = ep
		_, err := NewIAMTokenSigner(c)
		require.Error(t, err, ep)
		assert.NotContains(t, err.Error(), "hunter2-secret", ep)
		assert.NotContains(t, err.Error(), "bob", ep)
		assert.NotContains(t, fmt.Sprintf("%v %+v", c, c), "hunter2-secret", "the credentials print no user info either")
	}
	c := base
	c.IAMEndpoint = "https://bob:hunter2-secret@iam.example.com"
	_, err := NewIAMTokenSigner(c)
	assert.ErrorContains(t, err, "user info")
}

func TestNewIAMTokenSignerRefusesBadEndpointsAndOptions(t *testing.T) {
	base := PasswordCredentials{DomainName: "d", Username: "u", Password: NewSecret(hostilePassword), ProjectID: "p"}
	for ep, want := range map[string]string{
		"iam.example.com":                 "absolute https URL",
		"http://iam.example.com":          "plain http",
		"ftp://iam.example.com":           "use https",
		"https://iam.example.com/?x=1":    "query",
		"https://iam.example.com/#frag":   "fragment",
		"http://localhost:8080":           "",
		"http://[::1]:8080/":              "",
		"https://iam.example.com/prefix/": "",
	} {
		c := base
		c.IAMEndpoint = ep
		_, err := NewIAMTokenSigner(c)
		if want == "" {
			assert.NoError(t, err, ep)
			continue
		}
		assert.ErrorContains(t, err, want, ep)
	}
	c := base
	c.IAMEndpoint = "https://iam.example.com"
	_, err := NewIAMTokenSigner(c, WithRefreshMargin(-time.Second))
	assert.ErrorContains(t, err, "negative")
	_, err = NewIAMTokenSigner(c, WithIAMHTTPClient(nil))
	assert.ErrorContains(t, err, "nil")
	c.Password = NewSecret("   ")
	_, err = NewIAMTokenSigner(c)
	assert.ErrorContains(t, err, "Password")
}
