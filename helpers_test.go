package modelarts

import (
	"context"
	"net/http"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/modelarts-go/modelarts/auth"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

const (
	testEndpoint = "https://modelarts.cn-north-4.myhuaweicloud.com"
	testProject  = "a4a5d4098fb4474fa22cd05f897d6b99"
	testToken    = "MIIT-secret-token-value-abcdef0123456789"
	projectPath  = "/v1/" + testProject
)

// sleepRecorder replaces the client's sleep: it records each wait and
// returns at once, so retry and wait tests never sleep.
type sleepRecorder struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (r *sleepRecorder) sleep(ctx context.Context, d time.Duration) error {
	r.mu.Lock()
	r.waits = append(r.waits, d)
	r.mu.Unlock()
	return ctx.Err()
}

func (r *sleepRecorder) all() []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]time.Duration(nil), r.waits...)
}

// newMockClient returns a client on an httpmock transport whose sleeps are
// recorded instead of slept.
func newMockClient(t *testing.T, opts ...Option) (*Client, *httpmock.MockTransport, *sleepRecorder) {
	t.Helper()
	mt := httpmock.NewMockTransport()
	all := append([]Option{WithHTTPClient(&http.Client{Transport: mt})}, opts...)
	c, err := NewClient(testEndpoint, testProject, auth.NewTokenSigner(testToken), all...)
	require.NoError(t, err)
	rec := &sleepRecorder{}
	c.sleep = rec.sleep
	return c, mt, rec
}

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	require.NoError(t, err)
	return b
}

func jsonResponder(status int, body string) httpmock.Responder {
	return func(*http.Request) (*http.Response, error) {
		resp := httpmock.NewStringResponse(status, body)
		resp.Header.Set("Content-Type", "application/json")
		resp.Header.Set("X-Request-Id", "req-123")
		resp.Header.Set("Date", time.Now().UTC().Format(http.TimeFormat)) // as every real server sends
		return resp, nil
	}
}

// sequence answers with each responder in turn, the last one repeatedly.
func sequence(rs ...httpmock.Responder) httpmock.Responder {
	var mu sync.Mutex
	i := 0
	return func(r *http.Request) (*http.Response, error) {
		mu.Lock()
		cur := rs[min(i, len(rs)-1)]
		i++
		mu.Unlock()
		return cur(r)
	}
}

// fakeClock is a clock whose sleeps advance it instantly.
type fakeClock struct {
	mu        sync.Mutex
	t         time.Time
	rec       sleepRecorder
	deadlines []*clockDeadline
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Now()} }

func (f *fakeClock) now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t
}

func (f *fakeClock) sleep(ctx context.Context, d time.Duration) error {
	_ = f.rec.sleep(ctx, d)
	f.mu.Lock()
	f.t = f.t.Add(d)
	now := f.t
	for _, dc := range f.deadlines {
		dc.expireBy(now)
	}
	f.mu.Unlock()
	return ctx.Err()
}

// withDeadline returns a context that expires when a sleep moves the fake
// clock to at: a deadline on the fake clock, so no test waits for it.
func (f *fakeClock) withDeadline(at time.Time) context.Context {
	dc := &clockDeadline{Context: context.Background(), at: at, done: make(chan struct{})}
	f.mu.Lock()
	f.deadlines = append(f.deadlines, dc)
	dc.expireBy(f.t)
	f.mu.Unlock()
	return dc
}

type clockDeadline struct {
	context.Context // for Value
	at              time.Time
	done            chan struct{}
	once            sync.Once
}

func (c *clockDeadline) expireBy(now time.Time) {
	if !now.Before(c.at) {
		c.once.Do(func() { close(c.done) })
	}
}
func (c *clockDeadline) Deadline() (time.Time, bool) { return c.at, true }
func (c *clockDeadline) Done() <-chan struct{}       { return c.done }
func (c *clockDeadline) Err() error {
	select {
	case <-c.done:
		return context.DeadlineExceeded
	default:
		return nil
	}
}

// install makes c use the fake clock.
func (f *fakeClock) install(c *Client) {
	c.now = f.now
	c.sleep = f.sleep
}

// newMockClientWithSigner is newMockClient with the given signer.
func newMockClientWithSigner(t *testing.T, signer auth.Signer, opts ...Option) (*Client, *httpmock.MockTransport, *sleepRecorder) {
	t.Helper()
	mt := httpmock.NewMockTransport()
	all := append([]Option{WithHTTPClient(&http.Client{Transport: mt})}, opts...)
	c, err := NewClient(testEndpoint, testProject, signer, all...)
	require.NoError(t, err)
	rec := &sleepRecorder{}
	c.sleep = rec.sleep
	return c, mt, rec
}

// decodeImage decodes one image as the client does (doImage's path, without
// the HTTP around it): the wire-decoding layer, enums normalised.
func decodeImage(body []byte) (*Image, error) {
	img := new(Image)
	if err := decodeJSON(body, img); err != nil {
		return nil, err
	}
	return img, nil
}
