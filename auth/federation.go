package auth

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/modelarts-go/modelarts/internal/errs"
	"github.com/modelarts-go/modelarts/internal/netutil"
)

// Environment variables of OIDC federation, shared with the official SDK.
const (
	EnvIdpID       = "HUAWEICLOUD_SDK_IDP_ID"        // official SDK name
	EnvIDTokenFile = "HUAWEICLOUD_SDK_ID_TOKEN_FILE" // official SDK name
)

// DefaultIAMEndpoint is the global IAM endpoint, used for federation when
// neither an IAM endpoint nor a region is known (as the official SDK does).
const DefaultIAMEndpoint = "https://iam.myhuaweicloud.com"

const (
	idTokenPath        = "/v3.0/OS-AUTH/id-token/tokens"
	securityTokensPath = "/v3.0/OS-CREDENTIAL/securitytokens"
	headerIdpID        = "X-Idp-Id"
	// federationDuration is how long the temporary keys asked for live (6 h,
	// as the official SDK asks).
	federationDuration = 6 * 60 * 60
	federationTimeout  = 30 * time.Second
)

// FederationConfig says where and how an OIDC identity is exchanged for
// temporary credentials.
type FederationConfig struct {
	// IAMEndpoint is IAM's base URL, e.g. https://iam.cn-north-4.myhuaweicloud.com
	// (https; plain http only to a loopback host). Empty means DefaultIAMEndpoint.
	IAMEndpoint string
	// IdentityProviderID is the identity provider registered in IAM
	// (HUAWEICLOUD_SDK_IDP_ID).
	IdentityProviderID string
	// IDTokenFile holds the OIDC id-token (HUAWEICLOUD_SDK_ID_TOKEN_FILE), a
	// Kubernetes service-account token or a CI system's id-token. It is read
	// on every exchange: it is rotated.
	IDTokenFile string
	// ProjectID, when set, scopes the exchanged token to the project.
	ProjectID string
}

// FederationOption configures NewFederationSigner. Build one with
// WithFederationHTTPClient.
type FederationOption interface{ applyFederation(*federationOptions) }

type federationOptions struct {
	hc     *http.Client
	optErr error
}

type federationOptionFunc func(*federationOptions)

func (f federationOptionFunc) applyFederation(c *federationOptions) { f(c) }

// WithFederationHTTPClient sets the HTTP client that asks IAM. The signer
// uses a copy that never follows a redirect (the id-token would go to
// another URL) and keeps no cookies; each exchange is bounded to 30 s.
func WithFederationHTTPClient(hc *http.Client) FederationOption {
	return federationOptionFunc(func(c *federationOptions) {
		if hc == nil {
			c.optErr = errs.Invalidf("auth: NewFederationSigner: WithFederationHTTPClient was given a nil *http.Client")
			return
		}
		c.hc = hc
	})
}

// FederationSigner signs requests with temporary credentials obtained by
// OIDC federation: it exchanges the id-token (read from its file on every
// exchange) for an unscoped IAM token, and that token for a temporary AK/SK
// pair with a security token, which it holds and refreshes as
// MetadataSigner does. Build it with NewFederationSigner.
type FederationSigner struct {
	tc        tempCreds
	iam       string // IAM base URL, no trailing slash
	idpID     string
	tokenFile string
	projectID string
	hc        *http.Client
}

// NewFederationSigner returns a signer for an OIDC identity federated
// through IAM. Nothing is read or asked until the first signature.
func NewFederationSigner(cfg FederationConfig, opts ...FederationOption) (*FederationSigner, error) {
	var o federationOptions
	for _, opt := range opts {
		if opt == nil {
			return nil, errs.Invalidf("auth: NewFederationSigner: a FederationOption is nil")
		}
		opt.applyFederation(&o)
	}
	if o.optErr != nil {
		return nil, o.optErr
	}
	var missing []string
	if strings.TrimSpace(cfg.IdentityProviderID) == "" {
		missing = append(missing, "IdentityProviderID (see "+EnvIdpID+")")
	}
	if strings.TrimSpace(cfg.IDTokenFile) == "" {
		missing = append(missing, "IDTokenFile (see "+EnvIDTokenFile+")")
	}
	if len(missing) > 0 {
		return nil, errs.Invalidf("auth: NewFederationSigner: FederationConfig is missing %s", strings.Join(missing, " and "))
	}
	ep := cfg.IAMEndpoint
	if ep == "" {
		ep = DefaultIAMEndpoint
	}
	u, err := checkCredURL("NewFederationSigner", "IAMEndpoint", ep)
	if err != nil {
		return nil, err
	}
	if u.Scheme == "http" && !netutil.IsLoopbackHost(u.Hostname()) {
		return nil, errs.Invalidf("auth: NewFederationSigner: IAMEndpoint %s uses plain http; the id-token would travel in clear text: use https", u.Scheme+"://"+u.Host)
	}
	s := &FederationSigner{
		tc:  newTempCreds(SourceFederation),
		iam: strings.TrimRight(u.String(), "/"), idpID: cfg.IdentityProviderID, tokenFile: cfg.IDTokenFile,
		projectID: cfg.ProjectID, hc: noRedirectClient(o.hc),
	}
	if o.hc == nil {
		s.hc.Timeout = federationTimeout
	}
	s.tc.fetch = s.fetch
	return s, nil
}

var errFederationNotNew = errs.Invalidf("auth: the FederationSigner was not built by NewFederationSigner; use auth.NewFederationSigner(cfg)")

// Validate reports a signer not built by NewFederationSigner.
func (s *FederationSigner) Validate() error {
	if s == nil || !s.tc.valid() || s.hc == nil {
		return errFederationNotNew
	}
	return nil
}

// Sign signs req with the federated credentials, exchanging the id-token
// first when none are held or they are about to expire.
func (s *FederationSigner) Sign(req *http.Request) error {
	if err := s.Validate(); err != nil {
		return err
	}
	return s.tc.sign(req)
}

// InvalidateToken drops the held credentials when rejected is their
// security token, so the next signature exchanges the id-token again.
func (s *FederationSigner) InvalidateToken(rejected string) {
	if s != nil {
		s.tc.invalidate(rejected)
	}
}

// RedactSecrets replaces every id-token read, every IAM token and every
// key and security token obtained (the most recent 64), in any encoding,
// with Redacted.
func (s *FederationSigner) RedactSecrets(text string) string {
	if s == nil {
		return text
	}
	return s.tc.redact(text)
}

func (s *FederationSigner) fetch(ctx context.Context) (issued, error) {
	idToken, err := s.tc.readTokenFile("the id-token", s.tokenFile, "named by "+EnvIDTokenFile+" (or IDTokenFile)")
	if err != nil {
		return issued{}, err
	}
	fctx, cancel := context.WithTimeout(ctx, federationTimeout)
	defer cancel()
	unscoped, err := s.exchangeIDToken(ctx, fctx, idToken)
	if err != nil {
		return issued{}, err
	}
	return s.securityToken(ctx, fctx, unscoped)
}

func (s *FederationSigner) post(ctx, fctx context.Context, path, step string, body any) (*http.Request, *http.Response, []byte, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("auth: %s: encoding the request for %s: %w", SourceFederation, step, err)
	}
	req, err := http.NewRequestWithContext(fctx, http.MethodPost, s.iam+path, bytes.NewReader(b))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("auth: %s: building the request for %s: %w", SourceFederation, step, err)
	}
	req.Header.Set("Content-Type", "application/json;charset=UTF-8")
	if path == idTokenPath {
		req.Header.Set(headerIdpID, s.idpID)
	}
	resp, data, err := s.tc.do(ctx, s.hc, req, step)
	return req, resp, data, err
}

// exchangeIDToken trades the id-token for an IAM token.
func (s *FederationSigner) exchangeIDToken(ctx, fctx context.Context, idToken string) (string, error) {
	const step = "the id-token exchange"
	var body struct {
		Auth struct {
			IDToken struct {
				ID string `json:"id"`
			} `json:"id_token"`
			Scope *struct {
				Project struct {
					ID string `json:"id"`
				} `json:"project"`
			} `json:"scope,omitempty"`
		} `json:"auth"`
	}
	body.Auth.IDToken.ID = idToken
	if s.projectID != "" {
		body.Auth.Scope = &struct {
			Project struct {
				ID string `json:"id"`
			} `json:"project"`
		}{}
		body.Auth.Scope.Project.ID = s.projectID
	}
	req, resp, data, err := s.post(ctx, fctx, idTokenPath, step, &body)
	if err != nil {
		return "", err
	}
	tok := resp.Header.Get(HeaderSubjectToken)
	s.tc.remember(tok)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		advice := ""
		if resp.StatusCode == 401 || resp.StatusCode == 403 || resp.StatusCode == 400 {
			advice = "check the identity provider ID (" + EnvIdpID + "), its OIDC configuration in IAM, and that the id-token is current"
		}
		return "", s.tc.answerError(step, printableURL(req.URL), resp.StatusCode, data, advice)
	}
	if tok == "" {
		return "", &CredentialError{Source: SourceFederation, Step: step, URL: printableURL(req.URL), StatusCode: resp.StatusCode,
			Message: "the answer carried no X-Subject-Token header", Advice: "check that IAMEndpoint is IAM's"}
	}
	return tok, nil
}

// securityToken trades the IAM token for temporary keys.
func (s *FederationSigner) securityToken(ctx, fctx context.Context, token string) (issued, error) {
	const step = "the temporary keys"
	var body struct {
		Auth struct {
			Identity struct {
				Methods []string `json:"methods"`
				Token   struct {
					ID              string `json:"id"`
					DurationSeconds int    `json:"duration_seconds"`
				} `json:"token"`
			} `json:"identity"`
		} `json:"auth"`
	}
	body.Auth.Identity.Methods = []string{"token"}
	body.Auth.Identity.Token.ID = token
	body.Auth.Identity.Token.DurationSeconds = federationDuration
	req, resp, data, err := s.post(ctx, fctx, securityTokensPath, step, &body)
	if err != nil {
		return issued{}, err
	}
	where := printableURL(req.URL)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return issued{}, s.tc.answerError(step, where, resp.StatusCode, data, "")
	}
	return s.tc.parseIssued(step, where, data, "credential")
}

// String prints the signer with no credential or token.
func (s *FederationSigner) String() string {
	return "auth.FederationSigner{IAMEndpoint:" + s.iam + ", IdentityProviderID:" + s.idpID +
		", IDTokenFile:" + s.tokenFile + ", ProjectID:" + s.projectID + ", Credentials:" + Redacted + "}"
}

// GoString prints the redacted form for %#v.
func (s *FederationSigner) GoString() string { return s.String() }

// Format makes every fmt verb print the redacted form.
func (s FederationSigner) Format(f fmt.State, verb rune) { formatRedacted(f, s.String()) }

// LogValue keeps the credentials and tokens out of slog records.
func (s *FederationSigner) LogValue() slog.Value {
	return slog.GroupValue(slog.String("kind", "federation"), slog.String("iam_endpoint", s.iam),
		slog.String("idp_id", s.idpID), slog.String("id_token_file", s.tokenFile), slog.String("credentials", Redacted))
}
