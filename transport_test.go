package modelarts

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelarts-go/modelarts/auth"
)

// The default client must keep enough idle connections for concurrent
// use: with http.DefaultTransport's 2 per host, 64 goroutines × 20 GETs
// open hundreds of connections.
func TestDefaultTransportKeepsAConnectionPerConcurrentCallIdle(t *testing.T) {
	// What holds in every interleaving: the settings, and a sequential
	// client that reuses its one connection. How many connections a
	// concurrent burst opens depends on scheduling; it is logged, for the
	// README's figure, and not asserted.
	tr, ok := newHTTPClient(nil).Transport.(*http.Transport)
	require.True(t, ok)
	assert.Equal(t, 100, tr.MaxIdleConnsPerHost, "http.DefaultTransport keeps 2")
	assert.GreaterOrEqual(t, tr.MaxIdleConns, tr.MaxIdleConnsPerHost)

	load := func(goroutines, calls int, opts ...Option) int {
		var opened atomic.Int32
		srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"id":"img-1"}`)
		}))
		srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
			if s == http.StateNew {
				opened.Add(1)
			}
		}
		srv.Start()
		defer srv.Close()
		c, err := NewClient(srv.URL, testProject, auth.NewTokenSigner(testToken), opts...)
		require.NoError(t, err)
		defer c.rc.GetClient().CloseIdleConnections()
		var wg sync.WaitGroup
		for g := 0; g < goroutines; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < calls; i++ {
					_, err := c.GetImage(context.Background(), "img-1")
					assert.NoError(t, err)
				}
			}()
		}
		wg.Wait()
		return int(opened.Load())
	}
	assert.Equal(t, 1, load(1, 20), "one caller, one connection, reused")
	tuned := load(64, 20)
	untunedTransport := http.DefaultTransport.(*http.Transport).Clone()
	untuned := load(64, 20, WithHTTPClient(&http.Client{Transport: untunedTransport}))
	untunedTransport.CloseIdleConnections()
	t.Logf("64 goroutines × 20 GETs opened %d connections with the default client, %d with http.DefaultTransport's settings", tuned, untuned)
}

// Clients built without WithHTTPClient share one pool: a program that
// makes a client per tenant or per test leaves no pool behind.
func TestDefaultClientsShareOneTransport(t *testing.T) {
	a, err := NewClient(testEndpoint, testProject, auth.NewTokenSigner(testToken))
	require.NoError(t, err)
	b, err := NewClient(testEndpoint, testProject, auth.NewTokenSigner(testToken))
	require.NoError(t, err)
	assert.Same(t, a.rc.GetClient().Transport, b.rc.GetClient().Transport)
}

func TestCallersHTTPClientIsUsedAsGiven(t *testing.T) {
	tr := &http.Transport{MaxIdleConnsPerHost: 1}
	hc := &http.Client{Transport: tr, Timeout: 7 * time.Second}
	c, err := NewClient(testEndpoint, testProject, auth.NewTokenSigner(testToken), WithHTTPClient(hc))
	require.NoError(t, err)
	assert.Same(t, tr, c.rc.GetClient().Transport, "a user's transport is not tuned or replaced")
	assert.Nil(t, hc.CheckRedirect, "the caller's client is not modified")
	assert.Equal(t, 1, tr.MaxIdleConnsPerHost)
}

// Keeping one image of a page must not keep the page: each image is its
// own allocation, so the others can be collected.
func TestAKeptImageDoesNotKeepItsPageAlive(t *testing.T) {
	items := make([]string, 100)
	for i := range items {
		items[i] = fmt.Sprintf(`{"id":"img-%d","name":"n","description":"%s"}`, i, strings.Repeat("d", 100))
	}
	body := `{"data":[` + strings.Join(items, ",") + `],"total":100}`
	c, mt, _ := newMockClient(t)
	mt.RegisterResponder("GET", testEndpoint+projectPath+"/images", jsonResponder(200, body))
	page, err := c.ListImagesPage(context.Background(), nil)
	require.NoError(t, err)
	kept := page.Items[0]
	collected := make(chan struct{})
	// SetFinalizer needs the start of an allocation: it panics for an
	// image inside a shared array.
	runtime.SetFinalizer(page.Items[1], func(*Image) { close(collected) })
	page = nil
	for i := 0; i < 20; i++ {
		runtime.GC()
		select {
		case <-collected:
			assert.Equal(t, "img-0", kept.ID)
			return
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Fatal("an image dropped by the caller was not collected while another of its page is kept")
}
