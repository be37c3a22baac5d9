package modelarts

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelarts-go/modelarts/auth"
)

// iamProjects is IAM's GET /v3/projects?name=<region>, as CREDENTIALS.md
// describes it: it answers the projects named for the region.
func iamProjects(t *testing.T, answer func(w http.ResponseWriter, r *http.Request)) (*httptest.Server, *atomic.Int32) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if r.URL.Path != "/v3/projects" || r.Header.Get(auth.HeaderAuthToken) != testToken {
			w.WriteHeader(401)
			return
		}
		answer(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

func projectsAnswer(ids ...string) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		var items []string
		for _, id := range ids {
			items = append(items, fmt.Sprintf(`{"id":%q,"name":%q}`, id, r.URL.Query().Get("name")))
		}
		fmt.Fprintf(w, `{"projects":[%s]}`, join(items))
	}
}

func join(items []string) string {
	out := ""
	for i, s := range items {
		if i > 0 {
			out += ","
		}
		out += s
	}
	return out
}

// discoveringClient is a client without a project ID whose ModelArts calls
// go to httpmock and whose IAM calls go to iam.
func discoveringClient(t *testing.T, iam string) (*Client, *httpmock.MockTransport) {
	t.Helper()
	mt := httpmock.NewMockTransport()
	mt.RegisterNoResponder(httpmock.InitialTransport.RoundTrip) // IAM: the loopback server
	c, err := NewClient(testEndpoint, "", auth.NewTokenSigner(testToken), WithHTTPClient(&http.Client{Transport: mt}),
		WithProjectDiscovery("", iam), WithRetry(RetryPolicy{ZeroWait: true}))
	require.NoError(t, err)
	c.sleep = (&sleepRecorder{}).sleep
	return c, mt
}

func TestProjectIsDiscoveredOnceAtTheFirstCallFromTheEndpointsRegion(t *testing.T) {
	iam, calls := iamProjects(t, projectsAnswer(testProject))
	c, mt := discoveringClient(t, iam.URL)
	assert.Equal(t, "", c.ProjectID(), "nothing is asked before the first call")
	assert.EqualValues(t, 0, calls.Load())
	var (
		mu      sync.Mutex
		headers []string
	)
	mt.RegisterResponder("GET", imageURL, func(r *http.Request) (*http.Response, error) {
		mu.Lock()
		headers = append(headers, r.Header.Get(auth.HeaderProjectID))
		mu.Unlock()
		return jsonResponder(200, `{"id":"img-1"}`)(r)
	})
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); _, err := c.GetImage(context.Background(), "img-1"); assert.NoError(t, err) }()
	}
	wg.Wait()
	assert.EqualValues(t, 1, calls.Load(), "IAM asked once")
	assert.Equal(t, testProject, c.ProjectID())
	assert.Len(t, headers, 50)
	for _, h := range headers {
		assert.Equal(t, testProject, h)
	}
}

func TestProjectDiscoveryWithNoneOrSeveralProjectsIsAnErrorNamingTheRegionAndWhatToSet(t *testing.T) {
	for name, ids := range map[string][]string{"none": nil, "several": {"p1", "p2"}} {
		t.Run(name, func(t *testing.T) {
			iam, _ := iamProjects(t, projectsAnswer(ids...))
			c, _ := discoveringClient(t, iam.URL)
			_, err := c.GetImage(context.Background(), "img-1")
			var pe *ProjectDiscoveryError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, len(ids), pe.Found)
			assert.Contains(t, err.Error(), "region cn-north-4")
			assert.Contains(t, err.Error(), "set "+auth.EnvProjectID)
		})
	}
}

func TestProjectDiscoveryRetriesAnIAMOutageAndThenSaysSo(t *testing.T) {
	var failing atomic.Int32
	failing.Store(2)
	iam, calls := iamProjects(t, func(w http.ResponseWriter, r *http.Request) {
		if failing.Add(-1) >= 0 {
			w.WriteHeader(503)
			return
		}
		projectsAnswer(testProject)(w, r)
	})
	c, mt := discoveringClient(t, iam.URL)
	mt.RegisterResponder("GET", imageURL, jsonResponder(200, `{"id":"img-1"}`))
	_, err := c.GetImage(context.Background(), "img-1")
	require.NoError(t, err)
	assert.EqualValues(t, 3, calls.Load())

	failing.Store(100)
	c2, _ := discoveringClient(t, iam.URL)
	_, err = c2.GetImage(context.Background(), "img-1")
	var pe *ProjectDiscoveryError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, 503, pe.StatusCode)
}

func TestProjectDiscoveryUnderACancelledContextAsksNothing(t *testing.T) {
	iam, calls := iamProjects(t, projectsAnswer(testProject))
	c, _ := discoveringClient(t, iam.URL)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.GetImage(ctx, "img-1")
	assert.ErrorIs(t, err, context.Canceled)
	assert.EqualValues(t, 0, calls.Load())
}

func TestNewClientFromEnvDiscoversTheProjectWhenOnlyTheRegionIsKnown(t *testing.T) {
	clearEnv(t)
	t.Setenv(auth.EnvRegion, "cn-north-4")
	t.Setenv(auth.EnvAuthToken, testToken)
	c, err := NewClientFromEnv()
	require.NoError(t, err)
	assert.Equal(t, "", c.ProjectID())
	assert.Equal(t, "https://iam.cn-north-4.myhuaweicloud.com", c.discovery.iam)
}

// Discovery asks IAM as often as the client's retry policy allows: with
// single attempts, once.
func TestProjectDiscoveryFollowsTheClientsRetryPolicy(t *testing.T) {
	iam, calls := iamProjects(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(503) })
	mt := httpmock.NewMockTransport()
	mt.RegisterNoResponder(httpmock.InitialTransport.RoundTrip)
	c, err := NewClient(testEndpoint, "", auth.NewTokenSigner(testToken), WithHTTPClient(&http.Client{Transport: mt}),
		WithProjectDiscovery("", iam.URL), WithRetry(RetryPolicy{MaxAttempts: 1}))
	require.NoError(t, err)
	_, err = c.GetImage(context.Background(), "img-1")
	var pe *ProjectDiscoveryError
	require.ErrorAs(t, err, &pe)
	assert.EqualValues(t, 1, calls.Load())
}

// An answer IAM gave that cannot be used would be the same again: it is
// not asked twice.
func TestProjectDiscoveryDoesNotAskAgainAfterAnUnusableAnswer(t *testing.T) {
	for name, answer := range map[string]func(w http.ResponseWriter, r *http.Request){
		"an ID unfit for a path": projectsAnswer("abc/def"),
		"not a listing":          func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "<html>") },
	} {
		t.Run(name, func(t *testing.T) {
			iam, calls := iamProjects(t, answer)
			c, _ := discoveringClient(t, iam.URL)
			_, err := c.GetImage(context.Background(), "img-1")
			var pe *ProjectDiscoveryError
			require.ErrorAs(t, err, &pe)
			assert.EqualValues(t, 1, calls.Load())
		})
	}
}
