package auth

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/modelarts-go/modelarts/internal/errs"
)

// Environment variables of CCE pod identity, set in the pod by CCE.
const (
	EnvPodCredentialsURI = "HC_CONTAINER_CREDENTIALS_FULL_URI"     // official SDK name
	EnvPodTokenFile      = "HC_CONTAINER_AUTHORIZATION_TOKEN_FILE" // official SDK name
)

// podTimeout bounds one fetch from the pod identity endpoint (a node-local
// agent).
const podTimeout = 10 * time.Second

// PodIdentityOption configures NewPodIdentitySigner. Build one with
// WithPodIdentityHTTPClient.
type PodIdentityOption interface{ applyPod(*podConfig) }

type podConfig struct {
	hc     *http.Client
	optErr error
}

type podOptionFunc func(*podConfig)

func (f podOptionFunc) applyPod(c *podConfig) { f(c) }

// WithPodIdentityHTTPClient sets the HTTP client that asks the pod identity
// endpoint. The signer uses a copy that never follows a redirect and keeps
// no cookies; each fetch is bounded to 10 s.
func WithPodIdentityHTTPClient(hc *http.Client) PodIdentityOption {
	return podOptionFunc(func(c *podConfig) {
		if hc == nil {
			c.optErr = errs.Invalidf("auth: NewPodIdentitySigner: WithPodIdentityHTTPClient was given a nil *http.Client")
			return
		}
		c.hc = hc
	})
}

// PodIdentitySigner signs requests with the temporary credentials of a CCE
// pod identity: it posts the pod's token (read from its file on every fetch,
// as it is rotated) to the endpoint CCE names, and holds and refreshes the
// credentials it gets as MetadataSigner does. Build it with
// NewPodIdentitySigner; a zero PodIdentitySigner signs nothing.
type PodIdentitySigner struct {
	tc        tempCreds
	uri       string
	shown     string // uri without its query, for printing
	tokenFile string
	hc        *http.Client
}

// NewPodIdentitySigner returns a signer asking uri (the value of
// HC_CONTAINER_CREDENTIALS_FULL_URI) for credentials with the token held in
// tokenFile (HC_CONTAINER_AUTHORIZATION_TOKEN_FILE). Nothing is asked or
// read until the first signature.
func NewPodIdentitySigner(uri, tokenFile string, opts ...PodIdentityOption) (*PodIdentitySigner, error) {
	var cfg podConfig
	for _, o := range opts {
		if o == nil {
			return nil, errs.Invalidf("auth: NewPodIdentitySigner: a PodIdentityOption is nil")
		}
		o.applyPod(&cfg)
	}
	if cfg.optErr != nil {
		return nil, cfg.optErr
	}
	u, err := checkCredURLQuery("NewPodIdentitySigner", "the credentials URI ("+EnvPodCredentialsURI+")", uri, true)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(tokenFile) == "" {
		return nil, errs.Invalidf("auth: NewPodIdentitySigner: the token file path is empty; pass the path CCE sets in %s", EnvPodTokenFile)
	}
	s := &PodIdentitySigner{tc: newTempCreds(SourcePodIdentity), uri: u.String(), shown: printableURL(u), tokenFile: tokenFile, hc: noRedirectClient(cfg.hc)}
	if cfg.hc == nil {
		s.hc.Timeout = podTimeout
	}
	s.tc.fetch = s.fetch
	return s, nil
}

var errPodNotNew = errs.Invalidf("auth: the PodIdentitySigner was not built by NewPodIdentitySigner; use auth.NewPodIdentitySigner(uri, tokenFile)")

// Validate reports a signer not built by NewPodIdentitySigner.
func (s *PodIdentitySigner) Validate() error {
	if s == nil || !s.tc.valid() || s.hc == nil {
		return errPodNotNew
	}
	return nil
}

// Sign signs req with the pod's credentials, fetching them first when none
// are held or they are about to expire.
func (s *PodIdentitySigner) Sign(req *http.Request) error {
	if err := s.Validate(); err != nil {
		return err
	}
	return s.tc.sign(req)
}

// InvalidateToken drops the held credentials when rejected is their
// security token, so the next signature fetches new ones.
func (s *PodIdentitySigner) InvalidateToken(rejected string) {
	if s != nil {
		s.tc.invalidate(rejected)
	}
}

// RedactSecrets replaces every pod token read and every key and security
// token obtained (the most recent 64), in any encoding, with Redacted.
func (s *PodIdentitySigner) RedactSecrets(text string) string {
	if s == nil {
		return text
	}
	return s.tc.redact(text)
}

func (s *PodIdentitySigner) fetch(ctx context.Context) (issued, error) {
	const step = "the pod credentials"
	tok, err := s.tc.readTokenFile("the pod token", s.tokenFile, "named by "+EnvPodTokenFile+" (CCE mounts it into the pod)")
	if err != nil {
		return issued{}, err
	}
	fctx, cancel := context.WithTimeout(ctx, podTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(fctx, http.MethodPost, s.uri, bytes.NewReader([]byte("{}")))
	if err != nil {
		return issued{}, fmt.Errorf("auth: %s: building the request for %s: %w", SourcePodIdentity, step, err)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("Authorization", tok)
	resp, data, err := s.tc.do(ctx, s.hc, req, step)
	if err != nil {
		return issued{}, err
	}
	where := printableURL(req.URL)
	if resp.StatusCode != http.StatusOK {
		advice := ""
		if resp.StatusCode == 401 || resp.StatusCode == 403 {
			advice = "the pod token was refused: check the pod's identity association in CCE"
		}
		return issued{}, s.tc.answerError(step, where, resp.StatusCode, data, advice)
	}
	return s.tc.parseIssued(step, where, data, "credentials", "credential")
}

// String prints the signer with no credential.
func (s *PodIdentitySigner) String() string {
	return "auth.PodIdentitySigner{URI:" + s.shown + ", TokenFile:" + s.tokenFile + ", Credentials:" + Redacted + "}"
}

// GoString prints the redacted form for %#v.
func (s *PodIdentitySigner) GoString() string { return s.String() }

// Format makes every fmt verb print the redacted form.
func (s PodIdentitySigner) Format(f fmt.State, verb rune) { formatRedacted(f, s.String()) }

// LogValue keeps the credentials out of slog records.
func (s *PodIdentitySigner) LogValue() slog.Value {
	return slog.GroupValue(slog.String("kind", "pod_identity"), slog.String("uri", s.shown),
		slog.String("token_file", s.tokenFile), slog.String("credentials", Redacted))
}
