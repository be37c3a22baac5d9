package modelarts

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/go-resty/resty/v2"
	"golang.org/x/time/rate"

	"github.com/modelarts-go/modelarts/auth"
	"github.com/modelarts-go/modelarts/internal/textutil"
)

// Body size limits: a server streaming garbage cannot exhaust memory.
const (
	MaxResponseBytes = 10 << 20 // success bodies
	MaxErrorBytes    = 1 << 20  // error bodies
)

// Client calls the ModelArts API for one project. It is safe for concurrent
// use; create one and share it.
type Client struct {
	base         string              // scheme://host, no trailing slash
	endpoint     string              // as configured, path prefix included
	projectID    string              // projectPlaceholder while discovery has not run
	discovery    *projectDiscovery   // nil when the project ID was given
	prefix       string              // the endpoint's path prefix + "/v1/{project_id}"
	signer       func() auth.Signer  // a func, so fmt's raw printing never reaches a signer's fields (see Format)
	redactor     func(string) string // nil: the signer knows no secret to redact
	rc           *resty.Client
	userAgent    string
	timeout      time.Duration
	retry        RetryPolicy
	budget       *retryBudget
	limiter      *rate.Limiter
	observers    []Observer // WithObserver, WithLogger
	serverHost   string     // the endpoint's host and port, for the observers
	serverPort   int
	callDefaults []WaitOption
	plain        *callConfig   // callDefaults resolved, shared by calls without options (nil: they do not resolve)
	settle       time.Duration // how long a lost create's lookup waits for the listing

	// Replaced by tests; time.Now, sleepCtx and defaultJitter otherwise.
	now    func() time.Time
	sleep  func(context.Context, time.Duration) error
	jitter func() float64
}

// NewClient returns a client for the ModelArts endpoint (e.g.
// "https://modelarts.cn-north-4.myhuaweicloud.com") and project, signing
// requests with signer. Plain http is refused unless the host is loopback,
// so no credential travels in clear text by accident. An endpoint may carry
// a path prefix (a gateway that mounts the API under a path), but not the
// API's own "/v1" or "/v1/{project_id}".
func NewClient(endpoint, projectID string, signer auth.Signer, opts ...Option) (*Client, error) {
	ep, err := parseEndpoint(endpoint, projectID)
	if err != nil {
		return nil, err
	}
	if projectID != "" {
		if err := validateProjectID(projectID); err != nil {
			return nil, err
		}
	}
	if err := checkSigner(signer); err != nil {
		return nil, err
	}
	s, err := applyOptions(opts)
	if err != nil {
		return nil, err
	}
	var discovery *projectDiscovery
	if projectID == "" {
		d, err := newProjectDiscovery(strings.TrimPrefix(strings.TrimPrefix(ep.base, "https://"), "http://"), s)
		if err != nil {
			return nil, err
		}
		discovery, projectID = d, projectPlaceholder
	}
	return newClient(ep, projectID, discovery, signer, s), nil
}

// applyOptions gathers the options over the defaults. Every option's
// mistake is reported at once (errors.Join), so a caller fixes them in one
// go rather than one per run.
func applyOptions(opts []Option) (*settings, error) {
	s := &settings{timeout: DefaultTimeout, retry: DefaultRetryPolicy(), settle: DefaultReconcileWindow}
	for _, o := range opts {
		if o == nil {
			return nil, invalid("options", "an Option is nil")
		}
		o.apply(s)
	}
	if len(s.errs) > 0 {
		return nil, errors.Join(s.errs...)
	}
	return s, nil
}

// newClient assembles a client from checked parts: projectID is
// projectPlaceholder when discovery will find it.
func newClient(ep endpoint, projectID string, discovery *projectDiscovery, signer auth.Signer, s *settings) *Client {
	c := &Client{
		base:         ep.base,
		endpoint:     ep.base + ep.path,
		projectID:    projectID,
		discovery:    discovery,
		prefix:       ep.path + "/v1/" + projectID,
		signer:       func() auth.Signer { return signer },
		redactor:     redactorOf(signer),
		userAgent:    userAgentBase,
		timeout:      s.timeout,
		retry:        s.retry,
		budget:       newRetryBudget(),
		limiter:      s.limiter,
		observers:    observersOf(s),
		callDefaults: s.defaults,
		settle:       s.settle,
		now:          time.Now,
		sleep:        sleepCtx,
		jitter:       defaultJitter,
	}
	if s.userAgent != "" {
		c.userAgent += " " + s.userAgent
	}
	c.serverHost, c.serverPort = c.serverAddr()
	c.rc = c.newRestyClient(s.httpClient)
	c.plain, _ = begin(c, context.Background(), []CallOption(nil)) // defaults that do not resolve fail each call, as begin reports
	return c
}

// newRestyClient is the HTTP plumbing of c, over the caller's http.Client
// if one was given: resty only sends, while the SDK signs, retries and
// decodes itself.
func (c *Client) newRestyClient(hc *http.Client) *resty.Client {
	rc := resty.NewWithClient(newHTTPClient(hc)).
		SetLogger(discardLogger{}).
		SetDoNotParseResponse(true).
		// The SDK's own retries stay in charge: resty's backoff cannot
		// reconcile a create whose answer was lost.
		SetRetryCount(0).
		SetPreRequestHook(c.signHook).
		// Headers every request carries are set once, not per request.
		SetHeader("User-Agent", c.userAgent).
		SetHeader("Accept", "application/json")
	if c.discovery == nil {
		// A discovered project is not known yet: each request then
		// carries its own (Client.request).
		rc.SetHeader(auth.HeaderProjectID, c.projectID)
	}
	return rc
}

// checkSigner refuses a signer that can never work (nil, or one that says
// so through its Validate method, like a token signer without a token).
func checkSigner(signer auth.Signer) error {
	if signer == nil {
		return invalid("signer", "a signer is required: auth.NewTokenSigner, auth.NewAKSKSigner or auth.NewIAMTokenSigner")
	}
	if v, ok := signer.(interface{ Validate() error }); ok {
		if err := v.Validate(); err != nil {
			return &ValidationError{Field: "signer", Reason: err.Error(), Err: err}
		}
	}
	return nil
}

// newHTTPClient returns the client the requests go through. A caller's
// client is copied, never modified. Without one, the SDK uses a clone of
// http.DefaultTransport tuned for concurrent use: the default keeps only 2
// idle connections per host, so 64 goroutines would open and close
// connections all the time. That clone is shared by every such client. (If
// http.DefaultTransport was replaced, e.g. by httpmock.Activate, it is used
// as it is.)
func newHTTPClient(given *http.Client) *http.Client {
	var hc *http.Client
	if given != nil {
		copied := *given
		hc = &copied
		if hc.Transport == nil {
			hc.Transport = http.DefaultTransport
		}
	} else {
		hc = &http.Client{Transport: defaultTransport()}
	}
	hc.Jar = nil
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return hc
}

// Idle connections the default transport keeps per host: enough for the
// concurrency a shared client sees in a busy service.
const defaultMaxIdleConnsPerHost = 100

// tuned is the transport every client built without WithHTTPClient shares:
// one pool of connections for the process, as with http.DefaultTransport,
// so clients made and dropped (per tenant, per test) leave no pool behind.
var tuned struct {
	sync.Mutex
	base *http.Transport // the http.DefaultTransport it was cloned from
	t    *http.Transport
}

func defaultTransport() http.RoundTripper {
	base, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		return http.DefaultTransport
	}
	tuned.Lock()
	defer tuned.Unlock()
	if tuned.base != base { // first use, or http.DefaultTransport was replaced
		t := base.Clone()
		t.MaxIdleConns = max(t.MaxIdleConns, defaultMaxIdleConnsPerHost)
		t.MaxIdleConnsPerHost = defaultMaxIdleConnsPerHost
		tuned.base, tuned.t = base, t
	}
	return tuned.t
}

// ProjectID returns the project the client works in; "" for a client
// that discovers its project and has not made its first call yet.
func (c *Client) ProjectID() string {
	if c.discovery == nil {
		return c.projectID
	}
	if p := c.discovery.id.Load(); p != nil {
		return *p
	}
	return ""
}

// Endpoint returns the endpoint the client calls, with its path prefix if
// it has one.
func (c *Client) Endpoint() string { return c.endpoint }

// String prints the client's endpoint, project and signer, the signer in
// its redacted form: a signer of package auth as its String shows it (no
// secret, the access key by its first four characters), any other signer
// by its type alone, since the client cannot know what it would print.
func (c Client) String() string {
	return "modelarts.Client{Endpoint:" + c.endpoint + ", ProjectID:" + c.ProjectID() + ", Signer:" + signerString(c.signerOrNil()) + "}"
}

// GoString prints the String form for %#v.
func (c Client) GoString() string { return c.String() }

// Format makes every fmt verb print the String form, for a *Client and a
// Client value alike.
//
// fmt calls no method of a value it reaches through an unexported field,
// and %w or %p given a value they do not take (a Client, say) print it with
// no method called at all. The client's fields are then printed raw, so the
// client holds its signer in a func value, which fmt prints as an address:
// whatever the signer, none of its fields is printed through a Client.
func (c Client) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, c.String()) }

// LogValue prints the client to slog as String does, in attributes.
func (c Client) LogValue() slog.Value {
	return slog.GroupValue(slog.String("endpoint", c.endpoint), slog.String("project_id", c.ProjectID()),
		slog.String("signer", signerString(c.signerOrNil())))
}

// signerOrNil returns the client's signer; nil for a zero Client.
func (c *Client) signerOrNil() auth.Signer {
	if c.signer == nil {
		return nil
	}
	return c.signer()
}

// signerString is the printable form of a signer.
func signerString(s auth.Signer) string {
	switch s := s.(type) {
	case *auth.TokenSigner:
		return s.String()
	case *auth.AKSKSigner:
		return s.String()
	case *auth.IAMTokenSigner:
		return s.String()
	case nil:
		return "<nil>"
	}
	return fmt.Sprintf("%T", s)
}

// Environment variables NewClientFromEnv reads besides those of
// auth.SignerFromEnv.
const (
	EnvEndpoint = "MODELARTS_ENDPOINT"
)

// EndpointForRegion returns the ModelArts endpoint of a Huawei Cloud region:
// https://modelarts.{region}.myhuaweicloud.com, and .cn for ap-southeast-1.
func EndpointForRegion(region string) string {
	if region == "ap-southeast-1" {
		return "https://modelarts." + region + ".myhuaweicloud.cn"
	}
	return "https://modelarts." + region + ".myhuaweicloud.com"
}

// NewClientFromEnv builds a client from the environment and the default
// credential chain:
//
//   - endpoint: MODELARTS_ENDPOINT, else from HUAWEICLOUD_SDK_REGION
//   - project: HUAWEICLOUD_SDK_PROJECT_ID, else the project_id of the
//     credentials file when the chain took its credentials from it, else
//     the one project IAM names for the region (HUAWEICLOUD_SDK_REGION or
//     the endpoint's), asked at the first call (see WithProjectDiscovery)
//   - signer: auth.DefaultSigner's chain (through auth.DefaultSource): the
//     environment (OIDC federation, AK/SK, token, IAM user), the
//     credentials file, CCE pod identity, then the ECS metadata service,
//     which is asked at the first call, not here
//
// When something is missing, one *auth.MissingEnvError names every missing
// variable (and, when no credential source is configured either, lists the
// sources of the chain as Alternatives). A credential source configured
// but broken is its own error.
func NewClientFromEnv(opts ...Option) (*Client, error) {
	endpoint, from, err := endpointFromEnv()
	if err != nil {
		return nil, err
	}
	src, signerMissing, err := sourceFromEnv()
	if err != nil {
		return nil, err
	}
	project, projectFrom := projectFromEnv(src)
	var missing []string
	if endpoint == "" {
		missing = append(missing, EnvEndpoint+" or "+auth.EnvRegion)
	}
	if region := regionFromEnv(endpoint); project == "" && region != "" {
		// Asked of IAM at the first call (project.go).
		iam := ""
		if src != nil {
			iam = src.IAMEndpoint
		}
		opts = append([]Option{WithProjectDiscovery(region, iam)}, opts...)
	} else if project == "" {
		missing = append(missing, auth.EnvProjectID)
	}
	missing = append(missing, signerMissing...)
	if len(missing) > 0 {
		me := &auth.MissingEnvError{Missing: missing}
		if src != nil && src.Name == auth.SourceMetadata {
			me.Alternatives = auth.ChainSteps() // nothing is configured at all
		}
		return nil, me
	}
	c, err := NewClient(endpoint, project, src.Signer, opts...)
	return c, withEnvOrigin(err, from, projectFrom)
}

// endpointFromEnv returns the endpoint the environment names and where it
// came from, for errors: MODELARTS_ENDPOINT, else the region's, a region
// being refused early since it is pasted into a host name. "" when neither
// is set.
func endpointFromEnv() (endpoint, from string, err error) {
	if endpoint := os.Getenv(EnvEndpoint); endpoint != "" {
		return endpoint, EnvEndpoint, nil
	}
	region := os.Getenv(auth.EnvRegion)
	if region == "" {
		return "", EnvEndpoint, nil
	}
	if !regionRE.MatchString(region) {
		return "", "", invalid("region", "%s is %q: a region is lowercase letters, digits and '-', e.g. cn-north-4; fix the variable", auth.EnvRegion, textutil.Clip(region, 64))
	}
	return EndpointForRegion(region), "made from " + auth.EnvRegion, nil
}

// sourceFromEnv runs the default credential chain. A chain that only lacks
// variables is not an error here: its missing variables are returned to be
// reported with the client's own, in one error.
func sourceFromEnv() (*auth.Source, []string, error) {
	src, err := auth.DefaultSource()
	if err != nil {
		var me *auth.MissingEnvError
		if !errors.As(err, &me) {
			return nil, nil, err
		}
		return src, me.Missing, nil
	}
	return src, nil, nil
}

// projectFromEnv returns the project and where it came from, for errors:
// HUAWEICLOUD_SDK_PROJECT_ID, else the one the credential source names;
// "" when neither names one.
func projectFromEnv(src *auth.Source) (project, from string) {
	project, from = os.Getenv(auth.EnvProjectID), auth.EnvProjectID
	if project == "" && src != nil && src.ProjectID != "" {
		project, from = src.ProjectID, src.Name
	}
	return project, from
}

// regionFromEnv is the region whose project discovery would ask IAM for:
// HUAWEICLOUD_SDK_REGION, else the one in the endpoint's host name.
func regionFromEnv(endpoint string) string {
	if region := os.Getenv(auth.EnvRegion); region != "" {
		return region
	}
	if m := endpointRegionRE.FindStringSubmatch(strings.TrimPrefix(endpoint, "https://")); m != nil {
		return m[1]
	}
	return ""
}

// withEnvOrigin adds to NewClient's error about the endpoint or project
// the variable it came from, since the caller of NewClientFromEnv passed
// neither value and must learn what to fix.
func withEnvOrigin(err error, endpointFrom, projectFrom string) error {
	var ve *ValidationError
	if errors.As(err, &ve) {
		switch ve.Field {
		case "endpoint":
			ve.Reason += " (" + endpointFrom + ")"
		case "project_id":
			ve.Reason += " (read from " + projectFrom + ")"
		}
	}
	return err
}

// regionRE is the shape of a region name, e.g. cn-north-4.
var regionRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
