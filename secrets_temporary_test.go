package modelarts_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/modelarts-go/modelarts/auth"
)

// Secrets of the temporary-credential sources, long and full of the
// characters encodings change.
const (
	gTempAK      = "TEMPAKzq8Xw2Lp7Rt5Vn"
	gTempSK      = `tsk+S3cr3t/Key=&<"'>zzTSKzz0123456789`
	gTempSTS     = `tsts+Sec/Tok=en&<x>"zzTSTSzz987654321`
	gMetaSession = `meta+Sess/ion=&<x>"zzMETAzz1122334455`
	gPodToken    = `pod+Tok/en=&<x>"zzPODzz5544332211`
	gIDToken     = `eyJid+Tok/en=&<x>"zzIDTOKzz6677889900`
	gUnscoped    = `MIIunscoped+Tok/en=&<x>"zzUNSzz0099887766`
)

// gCredServer is a metadata service, a pod identity endpoint and IAM's
// federation routes in one, written from CREDENTIALS.md, all issuing the
// same temporary keys.
func gCredServer(t *testing.T) *httptest.Server {
	issue := func(w http.ResponseWriter, key string, status int) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(map[string]any{key: map[string]string{
			"access": gTempAK, "secret": gTempSK, "securitytoken": gTempSTS,
			"expires_at": time.Now().Add(24 * time.Hour).UTC().Format(time.RFC3339),
		}})
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/meta-data/latest/api/token":
			w.Write([]byte(gMetaSession))
		case "/openstack/latest/securitykey":
			issue(w, "credential", 200)
		case "/pod":
			issue(w, "credentials", 200)
		case "/v3.0/OS-AUTH/id-token/tokens":
			w.Header().Set(auth.HeaderSubjectToken, gUnscoped)
			w.WriteHeader(201)
		case "/v3.0/OS-CREDENTIAL/securitytokens":
			issue(w, "credential", 201)
		default:
			w.WriteHeader(404)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func gTokenFile(t *testing.T, content string) string {
	p := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// gTemporarySignerCases are the signers of temporary credentials, each
// with every secret it sees, for the guarantee tests' table.
func gTemporarySignerCases() []gSignerCase {
	keys := []string{gTempAK, gTempSK, gTempSTS}
	must := func(t *testing.T, s auth.Signer, err error) auth.Signer {
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	return []gSignerCase{
		{"metadata", append(keys, gMetaSession), append(keys, gMetaSession), func(t *testing.T, _ string) auth.Signer {
			s, err := auth.NewMetadataSigner(auth.WithMetadataEndpoint(gCredServer(t).URL))
			return must(t, s, err)
		}},
		{"pod identity", append(keys, gPodToken), append(keys, gPodToken), func(t *testing.T, _ string) auth.Signer {
			s, err := auth.NewPodIdentitySigner(gCredServer(t).URL+"/pod", gTokenFile(t, gPodToken))
			return must(t, s, err)
		}},
		{"federation", append(keys, gIDToken, gUnscoped), append(keys, gIDToken, gUnscoped), func(t *testing.T, _ string) auth.Signer {
			s, err := auth.NewFederationSigner(auth.FederationConfig{IAMEndpoint: gCredServer(t).URL, IdentityProviderID: "idp",
				IDTokenFile: gTokenFile(t, gIDToken)})
			return must(t, s, err)
		}},
	}
}
