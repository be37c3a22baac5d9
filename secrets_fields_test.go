package modelarts_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelarts-go/modelarts"
)

// Server strings that are not error bodies: a build log in status_message,
// a notebook's fail_reason, an unknown status, a save job's message, a
// description, tags, a group's read_me, a number field holding text. Each
// echoes the credentials the request carried, raw and URL-encoded; none of
// them may come back out of a value or an error the SDK returns.

const fieldsImageID = "4e0d1854-63e5-4517-b683-a0ee97a692a1"

func fieldEchoServer(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		echo := strings.Join([]string{r.Header.Get("X-Auth-Token"), r.Header.Get("Authorization"), r.Header.Get("X-Security-Token")}, " ")
		echo += " urlenc=" + url.QueryEscape(echo)
		w.Header().Set("Date", time.Now().UTC().Format(http.TimeFormat))
		w.Header().Set("Content-Type", "application/json")
		var body any
		p := r.URL.Path
		switch {
		case strings.HasSuffix(p, "/images/"+fieldsImageID):
			body = map[string]any{"id": fieldsImageID, "name": "env", "status": "CREATE_FAILED", "status_message": "build log: env " + echo,
				"description": echo, "tags": []map[string]string{{"key": "k", "value": echo}}}
		case strings.HasSuffix(p, "/images/img-unknown-status"):
			body = map[string]any{"id": "img-unknown-status", "status": "BUILDING " + echo}
		case strings.HasSuffix(p, "/images/img-size-text"):
			body = map[string]any{"id": "img-size-text", "status": "ACTIVE", "size": "size " + echo}
		case strings.HasSuffix(p, "/notebooks/nb-failed"):
			body = map[string]any{"id": "nb-failed", "name": "nb", "status": "ERROR", "fail_reason": echo}
		case strings.HasSuffix(p, "/notebooks/nb-odd"):
			body = map[string]any{"id": "nb-odd", "name": "nb", "status": "PAUSED " + echo}
		case strings.HasSuffix(p, "/save-image-job"):
			body = map[string]any{"status": "CREATE_FAILED", "message": echo}
		case strings.HasSuffix(p, "/images/group"):
			body = map[string]any{"data": []map[string]any{{"id": "g1", "name": "env", "read_me": echo}}, "total": 1}
		default:
			w.WriteHeader(404)
			return
		}
		_ = json.NewEncoder(w).Encode(body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestNoSecretFromAServerFieldReachesAValueOrAnError(t *testing.T) {
	t.Parallel()
	for _, sc := range signerCases() {
		t.Run(sc.name, func(t *testing.T) {
			srv := fieldEchoServer(t)
			signer, extra := sc.signer(t)
			c, err := modelarts.NewClient(srv.URL, hProject, signer, modelarts.WithRetry(modelarts.RetryPolicy{ZeroWait: true, MaxAttempts: 1}))
			require.NoError(t, err)
			ctx := hctx(t)
			fast := modelarts.WithPollInterval(time.Millisecond, time.Millisecond)
			var out strings.Builder
			show := func(v any, err error) {
				out.WriteString(printed(err))
				fmt.Fprintf(&out, "%v\n%+v\n%#v\n", v, v, v)
			}

			img, err := c.GetImage(ctx, fieldsImageID)
			require.NoError(t, err)
			show(img, err)
			require.NotEmpty(t, img.Tags)
			show(img.Tags[0], nil)
			img, err = c.WaitForActive(ctx, fieldsImageID, fast)
			require.ErrorIs(t, err, modelarts.ErrImageFailed)
			show(img, err)

			short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
			img, err = c.WaitForActive(short, "img-unknown-status", fast)
			cancel()
			var we *modelarts.WaitError
			require.ErrorAs(t, err, &we)
			show(img, err)
			show(we.Status, nil)

			img, err = c.GetImage(ctx, "img-size-text")
			var de *modelarts.DecodeError
			require.ErrorAs(t, err, &de)
			show(img, err)
			show(de.Err, nil)

			nb, err := c.WaitForNotebook(ctx, "nb-failed", modelarts.NotebookStatusRunning, fast)
			require.ErrorIs(t, err, modelarts.ErrNotebookFailed)
			show(nb, err)
			simg, err := c.SaveNotebookAsImage(ctx, "nb-odd", &modelarts.CreateImageRequest{Name: "env", Namespace: "team"})
			require.ErrorIs(t, err, modelarts.ErrNotebookNotRunning)
			show(simg, err)

			job, err := c.WaitForSaveImageJob(ctx, "job-1", "worker-0", fast)
			require.ErrorIs(t, err, modelarts.ErrImageFailed)
			show(job, err)

			for g, err := range c.ListImageGroups(ctx, nil) {
				require.NoError(t, err)
				show(g, nil)
				show(g.ReadMe, nil)
			}

			secrets := append(append([]string(nil), sc.secrets...), extra()...)
			assertNoLeak(t, "values and errors", out.String(), secrets)
		})
	}
}

// A transport error that quotes a malformed header line holding the token:
// net/http reports the line. The chain holds a scrubbed stand-in, which
// still answers errors.Is for the sentinels the original matched.
func TestATransportErrorQuotingTheTokenIsScrubbedAllTheWayDownTheChain(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				req, err := http.ReadRequest(bufio.NewReader(conn))
				if err != nil {
					return
				}
				fmt.Fprintf(conn, "HTTP/1.1 200 OK\r\nX-Echo %s\r\nContent-Length: 2\r\n\r\n{}", req.Header.Get("X-Auth-Token"))
			}()
		}
	}()
	c, err := modelarts.NewClient("http://"+ln.Addr().String(), hProject, signerCases()[0].signerOnly(t),
		modelarts.WithRetry(modelarts.RetryPolicy{ZeroWait: true, MaxAttempts: 1}))
	require.NoError(t, err)
	_, err = c.GetImage(hctx(t), fieldsImageID)
	var re *modelarts.RequestError
	require.ErrorAs(t, err, &re)
	assert.Contains(t, err.Error(), "malformed MIME header")
	assertNoLeak(t, "the transport error chain", printed(err), signerCases()[0].secrets)
}

func (sc signerCase) signerOnly(t *testing.T) interface {
	Sign(*http.Request) error
} {
	s, _ := sc.signer(t)
	return s
}

// The stand-in keeps the sentinels: a reset stays a reset, a timeout a
// timeout, for errors.Is and for net.Error.
func TestAScrubbedTransportErrorStillMatchesItsSentinels(t *testing.T) {
	t.Parallel()
	for name, cause := range map[string]error{
		"reset":    syscall.ECONNRESET,
		"deadline": context.DeadlineExceeded,
	} {
		t.Run(name, func(t *testing.T) {
			var token string
			ht := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
				token = r.Header.Get("X-Auth-Token")
				return nil, &net.OpError{Op: "read", Net: "tcp", Err: fmt.Errorf("peer said %q: %w", token, cause)}
			})}
			c, err := modelarts.NewClient("https://modelarts.example.com", hProject, signerCases()[0].signerOnly(t),
				modelarts.WithHTTPClient(ht), modelarts.WithRetry(modelarts.RetryPolicy{ZeroWait: true, MaxAttempts: 1}))
			require.NoError(t, err)
			_, err = c.GetImage(context.Background(), fieldsImageID)
			require.Error(t, err)
			assert.True(t, errors.Is(err, cause), "%v", err)
			assertNoLeak(t, "the transport error chain", printed(err), []string{token})
			var op *net.OpError
			assert.False(t, errors.As(err, &op), "the original, which quoted the token, is not in the chain")
		})
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// A gateway that echoes only the bare signature of an AK/SK request (the
// hex after "Signature=", without the rest of the Authorization header):
// the signature is derived from the secret key and is redacted too.
func TestAnEchoedBareSignatureIsRedacted(t *testing.T) {
	t.Parallel()
	var sig string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		authz := r.Header.Get("Authorization")
		sig = authz[strings.Index(authz, "Signature=")+len("Signature="):]
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Echo", sig)
		w.WriteHeader(403)
		fmt.Fprintf(w, `{"error_code":"APIGW.0301","error_msg":"signature %s does not match"}`, sig)
	}))
	t.Cleanup(srv.Close)
	sc := signerCases()[1] // AK/SK
	c, err := modelarts.NewClient(srv.URL, hProject, sc.signerOnly(t), modelarts.WithRetry(modelarts.RetryPolicy{ZeroWait: true, MaxAttempts: 1}))
	require.NoError(t, err)
	var resp modelarts.Response
	_, err = c.GetImage(hctx(t), fieldsImageID, modelarts.WithResponse(&resp))
	require.Error(t, err)
	require.Len(t, sig, 64, "a hex SHA-256 signature was sent")
	out := printed(err)
	assert.NotContains(t, out, sig)
	assert.Contains(t, out, "signature [REDACTED] does not match")
}
