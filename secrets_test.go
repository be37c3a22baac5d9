package modelarts_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelarts-go/modelarts"
	"github.com/modelarts-go/modelarts/auth"
	"github.com/modelarts-go/modelarts/modelartstest"
)

// TestNoSecretInAnyErrorOrLogRecord drives every error path and log record
// with real-looking secrets and looks for them in every Error(), every %+v
// and every log line.
func TestNoSecretInAnyErrorOrLogRecord(t *testing.T) {
	const (
		token    = "MIIZmgYJKoZIhvcNAQcCoIIZizCCGYcCAQExDTALBglghkgBZQMEAgEwgheoBgkqhkiG9w0BBwGggheZBIIXlXsidG9rZW4iOnsiZXhwaXJlc19hdCI6"
		ak       = "HPUAXR7YWRSNL8JQ1XKE"
		sk       = "e6Pn2QvTfLmbYc8JrKd0ZsWx9HgUaN4o1yVt7EiF"
		secToken = "gQpjbi1ub3J0aC00RjlTMU5RUkwxWFJUVExaN0JHWAVMAXRmmsecuritytoken"
		password = "Tr0ub4dor&3-horse-battery"
	)
	srv := modelartstest.NewServer(modelartstest.WithToken(token), modelartstest.WithAKSK(ak, sk),
		modelartstest.WithIAMUser("corp", "deployer", password))
	defer srv.Close()
	srv.AddNotebook(notebookID, "STOPPED")

	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	opts := []modelarts.Option{modelarts.WithHTTPClient(srv.HTTPClient()), modelarts.WithLogger(logger), fastRetries()}

	aksk, err := auth.NewAKSKSigner(ak, sk, auth.WithSecurityToken(secToken))
	require.NoError(t, err)
	iam, err := auth.NewIAMTokenSigner(srv.IAMCredentials(), auth.WithIAMHTTPClient(srv.HTTPClient()))
	require.NoError(t, err)
	creds := srv.IAMCredentials()
	creds.Password = auth.NewSecret(password + "-wrong")
	badIAM, err := auth.NewIAMTokenSigner(creds, auth.WithIAMHTTPClient(srv.HTTPClient()))
	require.NoError(t, err)
	wrongAKSK, _ := auth.NewAKSKSigner(ak, sk+"x", auth.WithSecurityToken(secToken))

	var seen []any
	ctx := context.Background()
	for _, signer := range []auth.Signer{auth.NewTokenSigner(token), auth.NewTokenSigner(token + "-stale"), aksk, wrongAKSK, iam, badIAM} {
		c, err := modelarts.NewClient(srv.URL(), srv.ProjectID(), signer, opts...)
		require.NoError(t, err)
		seen = append(seen, c, signer)

		srv.InjectFault(modelartstest.RouteGetImage, modelartstest.ErrorAnswer{Status: 503, RetryAfter: "0"})
		_, err = c.GetImage(ctx, "278e88d1-5b71-4766-8502-b3ba72e824d9")
		seen = append(seen, err)
		_, err = c.GetImage(ctx, "does-not-exist")
		seen = append(seen, err)
		_, err = c.CreateImageFromNotebook(ctx, notebookID, &modelarts.CreateImageRequest{Name: "env", Namespace: "team"})
		seen = append(seen, err)
		_, err = c.RegisterImage(ctx, &modelarts.RegisterImageRequest{SWRPath: ""})
		seen = append(seen, err)
		srv.InjectFault(modelartstest.RouteListImages, modelartstest.RawAnswer{Status: 200, Body: "<html>maintenance</html>"})
		_, err = c.ListImagesPage(ctx, &modelarts.ListImagesOptions{Name: "x"})
		seen = append(seen, err)
		wctx, cancel := context.WithTimeout(ctx, 30*time.Millisecond)
		_, err = c.WaitForActive(wctx, "does-not-exist", modelarts.WithPollInterval(time.Millisecond, time.Millisecond))
		cancel()
		seen = append(seen, err)
	}

	var out bytes.Buffer
	out.Write(logs.Bytes())
	for _, v := range seen {
		if v == nil {
			continue
		}
		fmt.Fprintf(&out, "%v\n%+v\n%#v\n%s\n", v, v, v, v)
		if e, ok := v.(error); ok {
			out.WriteString(e.Error())
		}
	}
	require.Greater(t, strings.Count(logs.String(), "modelarts attempt"), 20, "the log was exercised")
	require.Contains(t, logs.String(), "modelarts retry")
	text := out.String()
	for name, secret := range map[string]string{"token": token, "sk": sk, "security token": secToken, "password": password} {
		assert.NotContains(t, text, secret, "the %s leaked", name)
	}
}
