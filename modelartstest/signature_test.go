package modelartstest

import (
	"encoding/json"
	"go/parser"
	"go/token"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelarts-go/modelarts/internal/sdksign"
)

// The fake's verifier shares no code with the client's signer: no file of
// the fake (tests aside) imports the client's signing package.
func TestTheFakesVerifierImportsNoSigningCodeOfTheClient(t *testing.T) {
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		parsed, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		require.NoError(t, err)
		for _, imp := range parsed.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			assert.NotContains(t, path, "internal/sdksign", f)
		}
	}
	src, err := os.ReadFile("signature.go")
	require.NoError(t, err)
	assert.NotContains(t, string(src), "sdksign.")
}

// signWithRule signs a GET of the image listing the way the client's code
// (internal/sdksign) canonicalises, then lets rule change the canonical
// request before the signature, as a client with that wrong rule would
// sign, and sends it.
func signWithRule(t *testing.T, s *Server, rule func(canonical string) string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest("GET", s.URL()+v1(s)+"/images?type=DEDICATED&sort_key=name,create_at", nil)
	require.NoError(t, err)
	date := time.Now().UTC().Format(sdksign.DateFormat)
	req.Header.Set(sdksign.HeaderDate, date)
	req.Header.Set("X-Project-Id", s.ProjectID())
	signed := []string{"host", "x-project-id", "x-sdk-date"}
	canonical, err := sdksign.CanonicalRequest(req, signed, sdksign.EmptyBodyHash)
	require.NoError(t, err)
	canonical = rule(canonical)
	req.Header.Set("Authorization", sdksign.AuthorizationHeader("AKRULE", signed, sdksign.Signature(ruleSK, date, canonical)))
	resp, err := s.HTTPClient().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var m map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&m))
	return resp.StatusCode, m
}

const ruleSK = "secret-key-of-the-rule-tests-0123"

// A signature our client would make under a deliberately wrong rule is
// refused by the fake's gateway: each wrong rule below is applied to the
// canonical request the client's code builds. The unchanged rule passes.
func TestASignatureMadeUnderAWrongRuleIsRefused(t *testing.T) {
	s := NewServer(WithAKSK("AKRULE", ruleSK))
	defer s.Close()
	st, m := signWithRule(t, s, func(c string) string { return c })
	require.Equal(t, 200, st, "the client's own rules are accepted: %v", m)

	lines := func(c string) []string { return strings.Split(c, "\n") }
	for name, rule := range map[string]func(string) string{
		"canonical URI without its trailing slash": func(c string) string {
			l := lines(c)
			l[1] = strings.TrimSuffix(l[1], "/")
			return strings.Join(l, "\n")
		},
		"percent-encoding in lowercase hex": func(c string) string {
			require.Contains(t, c, "%2C")
			return strings.Replace(c, "%2C", "%2c", 1)
		},
		"query keys in the order sent": func(c string) string {
			l := lines(c)
			l[2] = "type=DEDICATED&sort_key=name%2Ccreate_at"
			return strings.Join(l, "\n")
		},
		"query values not percent-encoded": func(c string) string {
			return strings.Replace(c, "%2C", ",", 1)
		},
		"header values not trimmed": func(c string) string {
			return strings.Replace(c, "x-project-id:"+s.ProjectID(), "x-project-id: "+s.ProjectID(), 1)
		},
		"signed header names in uppercase in the canonical headers": func(c string) string {
			return strings.Replace(c, "x-sdk-date:", "X-Sdk-Date:", 1)
		},
		"body hash in uppercase hex": func(c string) string {
			return strings.Replace(c, sdksign.EmptyBodyHash, strings.ToUpper(sdksign.EmptyBodyHash), 1)
		},
	} {
		t.Run(name, func(t *testing.T) {
			st, m := signWithRule(t, s, rule)
			assert.Equal(t, 401, st)
			assert.Equal(t, "APIGW.0301", m["error_code"])
		})
	}
}

// The gateway checks the date against its own clock: a signature dated
// by the caller's clock is stale once the gateway's clock is 16 minutes
// on (APIGW.0303), and fine again when its clock is back.
func TestSignaturesAreDatedAgainstTheGatewaysClock(t *testing.T) {
	s := NewServer(WithAKSK("AKRULE", ruleSK))
	defer s.Close()
	s.Misbehave(GatewayClockOffset(16 * time.Minute))
	st, m := signWithRule(t, s, func(c string) string { return c })
	assert.Equal(t, 401, st)
	assert.Equal(t, "APIGW.0303", m["error_code"])
	s.Misbehave(GatewayClockOffset(0))
	st, _ = signWithRule(t, s, func(c string) string { return c })
	assert.Equal(t, 200, st)
}
