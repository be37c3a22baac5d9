package modelarts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/modelarts-go/modelarts/auth"
	"github.com/modelarts-go/modelarts/internal/netutil"
	"github.com/modelarts-go/modelarts/internal/textutil"
)

// Project ID discovery: a client built without a project ID asks IAM for
// the project of its region (GET {iam}/v3/projects?name=<region>, signed
// with the client's signer) once, at its first call, under that call's
// context, and uses the one project IAM names from then on.

// projectPlaceholder stands for the project ID in a discovering client's
// paths until the first call learns it.
const projectPlaceholder = "{project_id}"

const maxProjectsBody = 1 << 20

// WithProjectDiscovery makes a client built without a project ID (NewClient
// with projectID "") learn it from IAM at its first call: the one project
// named region (default: the region the endpoint names, as in
// modelarts.cn-north-4.myhuaweicloud.com), asked of iamEndpoint (default:
// https://iam.{region}.myhuaweicloud.com). Without this option a client
// whose endpoint names its region discovers its project all the same.
func WithProjectDiscovery(region, iamEndpoint string) Option {
	return optionFunc(func(s *settings) {
		if region != "" && !regionRE.MatchString(region) {
			s.errs = append(s.errs, invalid("region", "WithProjectDiscovery: %q is not a region name such as cn-north-4", textutil.Clip(region, 64)))
			return
		}
		s.discoverRegion, s.discoverIAM = region, iamEndpoint
	})
}

// endpointRegionRE finds the region in a ModelArts endpoint's host.
var endpointRegionRE = regexp.MustCompile(`^modelarts\.([a-z0-9]+(?:-[a-z0-9]+)*)\.myhuaweicloud\.(?:com|cn)$`)

// projectDiscovery learns a client's project ID once.
type projectDiscovery struct {
	region string
	iam    string        // IAM base URL, no trailing slash
	sem    chan struct{} // one discovery in flight
	id     atomic.Pointer[string]
}

// newProjectDiscovery checks what discovery needs: a region and an IAM
// endpoint that may carry credentials (https, or http to loopback).
func newProjectDiscovery(host string, s *settings) (*projectDiscovery, error) {
	region := s.discoverRegion
	if region == "" {
		if m := endpointRegionRE.FindStringSubmatch(host); m != nil {
			region = m[1]
		}
	}
	if region == "" {
		return nil, invalid("project_id", "the project ID is empty and the endpoint names no region to find it by; pass the project ID (console: My Credentials > API Credentials), set %s, or add WithProjectDiscovery(region, \"\")", auth.EnvProjectID)
	}
	iam := s.discoverIAM
	if iam == "" {
		iam = auth.IAMEndpointForRegion(region)
	}
	u, err := url.Parse(strings.TrimRight(iam, "/"))
	if err != nil || !u.IsAbs() || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, invalid("iam_endpoint", "WithProjectDiscovery: the IAM endpoint is not an absolute URL without user info, query or fragment; pass e.g. https://iam.cn-north-4.myhuaweicloud.com")
	}
	if u.Scheme != "https" && !(u.Scheme == "http" && netutil.IsLoopbackHost(u.Hostname())) {
		return nil, invalid("iam_endpoint", "WithProjectDiscovery: the IAM endpoint %s is not https; credentials would travel in clear text", u.Scheme+"://"+u.Host)
	}
	return &projectDiscovery{region: region, iam: u.String(), sem: make(chan struct{}, 1)}, nil
}

// ProjectDiscoveryError is a project ID that could not be learnt from IAM:
// IAM failed or refused (StatusCode, Err), or named no project or several
// for the region (Found). It says what to set instead.
type ProjectDiscoveryError struct {
	Region     string
	URL        string // the listing asked
	StatusCode int    // IAM's status; 0 when no answer came back or when it answered 200
	Found      int    // projects named for the region, when IAM answered
	Message    string // IAM's message, shortened and redacted
	Err        error  // the network or signing failure, or why IAM's answer is unusable
	noAnswer   bool   // Err is a failure to get an answer (worth asking again)
}

// Error says what IAM answered and what to set instead.
func (e *ProjectDiscoveryError) Error() string {
	var b strings.Builder
	b.WriteString("modelarts: discovering the project of region " + e.Region + " from " + e.URL + ": ")
	switch {
	case e.Err != nil:
		b.WriteString(e.Err.Error())
	case e.StatusCode != 0:
		b.WriteString("IAM answered HTTP " + strconv.Itoa(e.StatusCode))
		if e.Message != "" {
			b.WriteString(": " + e.Message)
		}
	case e.Found == 0:
		b.WriteString("IAM names no project " + e.Region)
	default:
		b.WriteString("IAM names " + strconv.Itoa(e.Found) + " projects for " + e.Region + " (sub-projects?), and the client cannot choose")
	}
	b.WriteString("; set " + auth.EnvProjectID + " (or pass the project ID to NewClient)")
	return b.String()
}

// Unwrap returns the network or signing failure.
func (e *ProjectDiscoveryError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrUnauthorized) and ErrForbidden hold for IAM's
// 401 and 403.
func (e *ProjectDiscoveryError) Is(target error) bool {
	return (target == ErrUnauthorized && e.StatusCode == 401) || (target == ErrForbidden && e.StatusCode == 403)
}

// temporary reports a failure worth asking again: no answer, 429 or 5xx,
// or a signer failing transiently. An answer IAM gave that the client
// cannot use (not a listing, an unusable ID) is not: it would be the same
// again.
func (e *ProjectDiscoveryError) temporary() bool {
	switch {
	case errors.As(e.Err, new(*signError)):
		return auth.IsTemporary(e.Err)
	case e.Err != nil:
		return e.noAnswer
	}
	return e.StatusCode == 429 || e.StatusCode >= 500
}

// projectID returns the client's project ID, discovering it first if it
// is not known yet. Only one caller asks IAM; the others wait for it, or
// for their own context to end.
func (c *Client) projectIDFor(ctx context.Context) (string, error) {
	d := c.discovery
	if p := d.id.Load(); p != nil {
		return *p, nil
	}
	select {
	case d.sem <- struct{}{}:
	case <-ctx.Done():
		return "", &RequestError{Method: http.MethodGet, Path: "/v3/projects", Err: ctx.Err()}
	}
	defer func() { <-d.sem }()
	if p := d.id.Load(); p != nil {
		return *p, nil
	}
	var err error
	// Asked as often as the client's retry policy allows, with its backoff.
	for n := 1; n <= c.retry.MaxAttempts; n++ {
		var id string
		id, err = c.askProject(ctx, d)
		if err == nil {
			d.id.Store(&id)
			return id, nil
		}
		var pe *ProjectDiscoveryError
		if !errors.As(err, &pe) || !pe.temporary() || n == c.retry.MaxAttempts {
			break
		}
		if serr := c.sleep(ctx, c.retry.backoff(n, c.jitter)); serr != nil {
			return "", &RequestError{Method: http.MethodGet, Path: "/v3/projects", Err: serr, Last: err}
		}
	}
	return "", err
}

// askProject makes one listing request.
func (c *Client) askProject(ctx context.Context, d *projectDiscovery) (string, error) {
	where := d.iam + "/v3/projects"
	fail := &ProjectDiscoveryError{Region: d.region, URL: where + "?name=" + d.region}
	actx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodGet, where+"?name="+url.QueryEscape(d.region), http.NoBody)
	if err != nil {
		fail.Err = err
		return "", fail
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	if err := c.signer().Sign(req); err != nil {
		fail.Err = &signError{err: err}
		return "", fail
	}
	resp, err := c.rc.GetClient().Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return "", &RequestError{Method: http.MethodGet, Path: "/v3/projects", Err: ctx.Err()}
		}
		fail.Err, fail.noAnswer = errors.New(c.redact(unwrapURLError(err).Error())), true
		return "", fail
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxProjectsBody))
	if err != nil {
		fail.Err, fail.noAnswer = errors.New(c.redact(err.Error())), true
		return "", fail
	}
	if resp.StatusCode != http.StatusOK {
		fail.StatusCode = resp.StatusCode
		fail.Message = textutil.Shorten(c.redact(string(data)), 300)
		return "", fail
	}
	return onlyProject(data, d.region, fail)
}

// onlyProject reads IAM's project listing for region and returns its one
// project. Zero or several is fail with Found set, since guessing among
// several would pick a project the caller may not mean; an ID unfit for
// the API's paths is fail too.
func onlyProject(data []byte, region string, fail *ProjectDiscoveryError) (string, error) {
	var out struct {
		Projects []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"projects"`
	}
	if err := json.Unmarshal(data, &out); err != nil {
		fail.Err = fmt.Errorf("the answer is not IAM's project listing")
		return "", fail
	}
	var ids []string
	for _, p := range out.Projects {
		if p.Name == region || p.Name == "" {
			ids = append(ids, p.ID)
		}
	}
	if len(ids) != 1 {
		fail.Found = len(ids)
		return "", fail
	}
	if err := validateProjectID(ids[0]); err != nil {
		fail.Err = fmt.Errorf("IAM named a project ID that cannot be used: %w", err)
		return "", fail
	}
	return ids[0], nil
}

// redact applies the signer's redaction to a text.
func (c *Client) redact(s string) string {
	if c.redactor != nil {
		return c.redactor(s)
	}
	return s
}
