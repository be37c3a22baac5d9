package auth

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/modelarts-go/modelarts/internal/errs"
)

// DefaultMetadataEndpoint is the ECS (and BMS) metadata service's address.
const DefaultMetadataEndpoint = "http://169.254.169.254"

// Paths and headers of the metadata service's credential protocol.
const (
	metadataTokenPath       = "/meta-data/latest/api/token"
	metadataSecurityKeyPath = "/openstack/latest/securitykey"
	headerMetadataToken     = "X-Metadata-Token"
	headerMetadataTokenTTL  = "X-Metadata-Token-Ttl-Seconds"
	metadataTokenTTL        = 6 * 60 * 60 // seconds, as the official SDK asks
	metadataNoAgency        = "Please configure Cloud Service Agency first"
	// metadataTimeout bounds one fetch (session token and key): the
	// service is on the link-local network and answers at once, or not at
	// all (off ECS).
	metadataTimeout = 5 * time.Second
)

// MetadataOption configures NewMetadataSigner. Build one with
// WithMetadataEndpoint or WithMetadataHTTPClient.
type MetadataOption interface{ applyMetadata(*metadataConfig) }

type metadataConfig struct {
	endpoint string
	hc       *http.Client
	timeout  time.Duration
	optErr   error
}

type metadataOptionFunc func(*metadataConfig)

func (f metadataOptionFunc) applyMetadata(c *metadataConfig) { f(c) }

// WithMetadataEndpoint overrides the metadata service's address (default
// http://169.254.169.254), for tests and sidecars. It must be an absolute
// http or https URL without user info, query or fragment.
func WithMetadataEndpoint(url string) MetadataOption {
	return metadataOptionFunc(func(c *metadataConfig) {
		if _, err := checkCredURL("NewMetadataSigner", "WithMetadataEndpoint", url); err != nil {
			c.optErr = err
			return
		}
		c.endpoint = url
	})
}

// WithMetadataHTTPClient sets the HTTP client that asks the metadata
// service. The signer uses a copy that never follows a redirect and keeps no
// cookies; each fetch is bounded to 5 s whatever the client's timeout.
func WithMetadataHTTPClient(hc *http.Client) MetadataOption {
	return metadataOptionFunc(func(c *metadataConfig) {
		if hc == nil {
			c.optErr = errs.Invalidf("auth: NewMetadataSigner: WithMetadataHTTPClient was given a nil *http.Client")
			return
		}
		c.hc = hc
	})
}

// MetadataSigner signs requests (SDK-HMAC-SHA256, with X-Security-Token)
// with the temporary credentials of the cloud service agency attached to
// the ECS or BMS instance it runs on, which it fetches from the metadata
// service, holds, and refreshes before they expire: no key lives on the
// machine. Build it with NewMetadataSigner; a zero MetadataSigner signs
// nothing and Validate says so.
type MetadataSigner struct {
	tc       tempCreds
	endpoint string // scheme://host[/path], no trailing slash
	hc       *http.Client
	timeout  time.Duration
	// lastResort, set by DefaultSigner, turns a first fetch that gets no
	// answer into a *NoCredentialsError listing every source.
	lastResort func() []string
}

// NewMetadataSigner returns a signer with agency credentials from the ECS
// metadata service. It asks nothing until the first signature: then it
// takes a session token (PUT /meta-data/latest/api/token; an older service
// that answers 404, 405 or 503 needs none) and the credentials (GET
// /openstack/latest/securitykey), under the request's context, bounded to
// 5 s.
//
// Credentials are refreshed before they expire (40 minutes before the end
// of a 24-hour life, proportionally less for a shorter one), by one caller
// while the others keep signing; a failed refresh leaves the held
// credentials in use while valid. A failure with none valid is a
// *CredentialError, temporary (auth.IsTemporary) for a refused connection, a
// timeout or a 5xx. InvalidateToken, called by the client on a gateway 401,
// drops the held credentials.
func NewMetadataSigner(opts ...MetadataOption) (*MetadataSigner, error) {
	cfg := metadataConfig{endpoint: DefaultMetadataEndpoint, timeout: metadataTimeout}
	for _, o := range opts {
		if o == nil {
			return nil, errs.Invalidf("auth: NewMetadataSigner: a MetadataOption is nil")
		}
		o.applyMetadata(&cfg)
	}
	if cfg.optErr != nil {
		return nil, cfg.optErr
	}
	u, err := checkCredURL("NewMetadataSigner", "the metadata endpoint", cfg.endpoint)
	if err != nil {
		return nil, err
	}
	s := &MetadataSigner{
		tc:       newTempCreds(SourceMetadata),
		endpoint: strings.TrimRight(printableURL(u), "/"),
		hc:       noRedirectClient(cfg.hc),
		timeout:  cfg.timeout,
	}
	if cfg.hc == nil {
		s.hc.Timeout = cfg.timeout
	}
	s.tc.fetch = s.fetch
	return s, nil
}

var errMetadataNotNew = errs.Invalidf("auth: the MetadataSigner was not built by NewMetadataSigner; use auth.NewMetadataSigner()")

// Validate reports a signer not built by NewMetadataSigner. Whether the
// instance has an agency shows on the first request.
func (s *MetadataSigner) Validate() error {
	if s == nil || !s.tc.valid() || s.hc == nil {
		return errMetadataNotNew
	}
	return nil
}

// Sign signs req with the agency credentials, fetching them first when
// none are held or they are about to expire.
func (s *MetadataSigner) Sign(req *http.Request) error {
	if err := s.Validate(); err != nil {
		return err
	}
	return s.tc.sign(req)
}

// InvalidateToken drops the held credentials when rejected is their
// security token (the client passes the X-Security-Token of a request the
// gateway refused with a 401), so the next signature fetches new ones.
func (s *MetadataSigner) InvalidateToken(rejected string) {
	if s != nil {
		s.tc.invalidate(rejected)
	}
}

// RedactSecrets replaces every access key, secret key, security token and
// metadata session token the signer obtained (the most recent 64), in any
// encoding, with Redacted.
func (s *MetadataSigner) RedactSecrets(text string) string {
	if s == nil {
		return text
	}
	return s.tc.redact(text)
}

// fetch takes a session token, then the credentials.
func (s *MetadataSigner) fetch(ctx context.Context) (issued, error) {
	fctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	session, err := s.sessionToken(ctx, fctx)
	if err == nil {
		var iss issued
		iss, err = s.securityKey(ctx, fctx, session)
		if err == nil {
			return iss, nil
		}
	}
	if s.lastResort != nil && ctx.Err() == nil {
		if ce, ok := err.(*CredentialError); ok && ce.StatusCode == 0 && !s.everHeld() {
			ce.Advice = "nothing answers there: this does not look like an ECS instance"
			return issued{}, &NoCredentialsError{Sources: s.lastResort(), Metadata: ce}
		}
	}
	return issued{}, err
}

// everHeld reports whether the signer has obtained credentials before.
func (s *MetadataSigner) everHeld() bool {
	s.tc.st.heldMu.Lock()
	defer s.tc.st.heldMu.Unlock()
	return len(s.tc.st.held) > 0
}

// sessionToken asks for a metadata session token; "" when the service
// needs none.
func (s *MetadataSigner) sessionToken(ctx, fctx context.Context) (string, error) {
	const step = "the metadata session token"
	req, err := http.NewRequestWithContext(fctx, http.MethodPut, s.endpoint+metadataTokenPath, http.NoBody)
	if err != nil {
		return "", fmt.Errorf("auth: %s: building the request for %s: %w", SourceMetadata, step, err)
	}
	req.Header.Set(headerMetadataTokenTTL, strconv.Itoa(metadataTokenTTL))
	resp, data, err := s.tc.do(ctx, s.hc, req, step)
	if err != nil {
		return "", err
	}
	switch resp.StatusCode {
	case http.StatusOK:
		tok := strings.TrimSpace(string(data))
		s.tc.remember(tok)
		return tok, nil
	case http.StatusNotFound, http.StatusMethodNotAllowed, http.StatusServiceUnavailable:
		return "", nil // an older service: no session token needed
	}
	return "", s.tc.answerError(step, printableURL(req.URL), resp.StatusCode, data, "")
}

// securityKey asks for the agency's temporary credentials.
func (s *MetadataSigner) securityKey(ctx, fctx context.Context, session string) (issued, error) {
	const step = "the agency credentials"
	req, err := http.NewRequestWithContext(fctx, http.MethodGet, s.endpoint+metadataSecurityKeyPath, http.NoBody)
	if err != nil {
		return issued{}, fmt.Errorf("auth: %s: building the request for %s: %w", SourceMetadata, step, err)
	}
	if session != "" {
		req.Header.Set(headerMetadataToken, session)
	}
	resp, data, err := s.tc.do(ctx, s.hc, req, step)
	if err != nil {
		return issued{}, err
	}
	where := printableURL(req.URL)
	if resp.StatusCode != http.StatusOK {
		advice := ""
		if strings.Contains(string(data), metadataNoAgency) || resp.StatusCode == http.StatusNotFound {
			advice = "attach a cloud service agency to this instance (ECS console: the instance's Management Information, Agency), or configure another credential source"
		}
		return issued{}, s.tc.answerError(step, where, resp.StatusCode, data, advice)
	}
	return s.tc.parseIssued(step, where, data, "credential")
}

// String prints the signer with no credential.
func (s *MetadataSigner) String() string {
	return "auth.MetadataSigner{Endpoint:" + s.endpoint + ", Credentials:" + Redacted + "}"
}

// GoString prints the redacted form for %#v.
func (s *MetadataSigner) GoString() string { return s.String() }

// Format makes every fmt verb print the redacted form, for the signer and
// for a MetadataSigner value (a copy of one) alike.
func (s MetadataSigner) Format(f fmt.State, verb rune) { formatRedacted(f, s.String()) }

// LogValue keeps the credentials out of slog records.
func (s *MetadataSigner) LogValue() slog.Value {
	return slog.GroupValue(slog.String("kind", "metadata"), slog.String("endpoint", s.endpoint), slog.String("credentials", Redacted))
}
