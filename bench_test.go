package modelarts

// Benchmarks of the SDK against a floor: the same work written by hand with
// net/http and encoding/json against the same httptest server and body.
// bench/compare.sh runs them and prints each SDK/baseline ratio.

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelarts-go/modelarts/auth"
	"github.com/modelarts-go/modelarts/internal/sdksign"
)

const (
	benchProject = "a4a5d4098fb4474fa22cd05f897d6b99"
	benchImageID = "278e88d1-5b71-4766-8502-b3ba72e824d9"
	benchAK      = "HPUAXR7YWRSNL8JQ1XKE"
	benchSK      = "e6Pn2QvTfLmbYc8JrKd0ZsWx9HgUaN4o1yVt7EiF"
)

// plainImage is what a hand-written client would decode into.
type plainImage struct {
	ID                   string   `json:"id"`
	Name                 string   `json:"name"`
	Namespace            string   `json:"namespace"`
	Tag                  string   `json:"tag"`
	SWRPath              string   `json:"swr_path"`
	Description          string   `json:"description"`
	Arch                 string   `json:"arch"`
	Status               string   `json:"status"`
	StatusMessage        string   `json:"status_message"`
	Origin               string   `json:"origin"`
	Type                 string   `json:"type"`
	Visibility           string   `json:"visibility"`
	ServiceType          string   `json:"service_type"`
	FlavorType           string   `json:"flavor_type"`
	DevServices          []string `json:"dev_services"`
	ResourceCategories   []string `json:"resource_categories"`
	SupportResCategories []string `json:"support_res_categories"`
	WorkspaceID          string   `json:"workspace_id"`
	Size                 int64    `json:"size"`
	CreateAt             int64    `json:"create_at"`
	UpdateAt             int64    `json:"update_at"`
}

type plainPage struct {
	Data  []*plainImage `json:"data"`
	Total int           `json:"total"`
}

func getImageBody(b *testing.B) []byte {
	body, err := os.ReadFile("testdata/get_image_response.json")
	if err != nil {
		b.Fatal(err)
	}
	return body
}

func listBody(b *testing.B, n, total int) []byte {
	return listBodyAt(b, n, total, 0)
}

// listBodyAt is the page of n images from offset on, of total in all.
func listBodyAt(b *testing.B, n, total, offset int) []byte {
	var img map[string]any
	if err := json.Unmarshal(getImageBody(b), &img); err != nil {
		b.Fatal(err)
	}
	items := make([]map[string]any, n)
	for i := range items {
		c := map[string]any{}
		for k, v := range img {
			c[k] = v
		}
		c["id"] = fmt.Sprintf("%08d-5b71-4766-8502-b3ba72e824d9", offset+i)
		items[i] = c
	}
	out, _ := json.Marshal(map[string]any{"current": 1, "data": items, "pages": 1, "size": n, "total": total})
	return out
}

// benchServer answers every request with body and counts connections
// opened and closed.
type benchServer struct {
	*httptest.Server
	conns, closed atomic.Int64
}

func newBenchServer(b *testing.B, body []byte) *benchServer {
	return newBenchServerStatus(b, http.StatusOK, body)
}

// newBenchServerStatus answers every request with status and body.
func newBenchServerStatus(b *testing.B, status int, body []byte) *benchServer {
	s := &benchServer{}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Request-Id", "bench")
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}))
	s.Config.ConnState = s.count
	s.Start()
	b.Cleanup(s.Close)
	return s
}

// baselineClient is what a careful hand-written client uses: its own
// transport and a bound on each request, as the SDK's per-attempt timeout.
func baselineClient() *http.Client {
	return &http.Client{Transport: benchTransport(), Timeout: DefaultTimeout}
}

func (s *benchServer) count(_ net.Conn, st http.ConnState) {
	switch st {
	case http.StateNew:
		s.conns.Add(1)
	case http.StateClosed, http.StateHijacked:
		s.closed.Add(1)
	}
}

// report records the connections the server saw during the run: "conns"
// opened, and "closed" before the server shut down (churn; 0 when
// keep-alive works).
func (s *benchServer) report(b *testing.B) {
	b.ReportMetric(float64(s.conns.Load()), "conns")
	b.ReportMetric(float64(s.closed.Load()), "closed")
}

// parallelGoroutines is the number of goroutines of the parallel runs.
const parallelGoroutines = 64

// benchTransport is the baselines' transport: what a careful hand-written
// client sets up, as many idle connections per host as the SDK's default
// keeps. The SDK side uses no transport of the benchmark's: it measures
// the default client users get.
func benchTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = defaultMaxIdleConnsPerHost
	t.MaxIdleConnsPerHost = defaultMaxIdleConnsPerHost
	return t
}

// sdkClient is an SDK client as users make it: the default HTTP client.
func sdkClient(b *testing.B, url string, signer auth.Signer) *Client {
	c, err := NewClient(url, benchProject, signer)
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// baselineGet is the hand-written floor: build, sign, send, check, decode.
func baselineGet(hc *http.Client, url string, sign func(*http.Request), out any) error {
	req, err := http.NewRequestWithContext(context.Background(), "GET", url, nil)
	if err != nil {
		return err
	}
	sign(req)
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

func tokenSign(r *http.Request) { r.Header.Set("X-Auth-Token", "bench-token") }

// handSign is AK/SK signing as a user would write it from the signing specification.
func handSign(r *http.Request, body []byte) {
	date := time.Now().UTC().Format("20060102T150405Z")
	r.Header.Set("X-Sdk-Date", date)
	r.Header.Set("X-Project-Id", benchProject)
	segs := strings.Split(r.URL.Path, "/")
	for i, s := range segs {
		segs[i] = sdksign.Escape(s)
	}
	uri := strings.Join(segs, "/")
	if !strings.HasSuffix(uri, "/") {
		uri += "/"
	}
	q := r.URL.Query()
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var pairs []string
	for _, k := range keys {
		vs := q[k]
		sort.Strings(vs)
		for _, v := range vs {
			pairs = append(pairs, sdksign.Escape(k)+"="+sdksign.Escape(v))
		}
	}
	sum := sha256.Sum256(body)
	cr := strings.Join([]string{r.Method, uri, strings.Join(pairs, "&"),
		"host:" + r.URL.Host + "\nx-project-id:" + benchProject + "\nx-sdk-date:" + date + "\n",
		"host;x-project-id;x-sdk-date", hex.EncodeToString(sum[:])}, "\n")
	crSum := sha256.Sum256([]byte(cr))
	mac := hmac.New(sha256.New, []byte(benchSK))
	mac.Write([]byte("SDK-HMAC-SHA256\n" + date + "\n" + hex.EncodeToString(crSum[:])))
	r.Header.Set("Authorization", "SDK-HMAC-SHA256 Access="+benchAK+", SignedHeaders=host;x-project-id;x-sdk-date, Signature="+hex.EncodeToString(mac.Sum(nil)))
}

func BenchmarkGetImage(b *testing.B) {
	srv := newBenchServer(b, getImageBody(b))
	c := sdkClient(b, srv.URL, auth.NewTokenSigner("bench-token"))
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.GetImage(ctx, benchImageID); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGetImageBaseline(b *testing.B) {
	srv := newBenchServer(b, getImageBody(b))
	hc := baselineClient()
	url := srv.URL + "/v1/" + benchProject + "/images/" + benchImageID
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var img plainImage
		if err := baselineGet(hc, url, tokenSign, &img); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGetImageAKSK(b *testing.B) {
	srv := newBenchServer(b, getImageBody(b))
	signer, _ := auth.NewAKSKSigner(benchAK, benchSK)
	c := sdkClient(b, srv.URL, signer)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.GetImage(ctx, benchImageID); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGetImageAKSKBaseline(b *testing.B) {
	srv := newBenchServer(b, getImageBody(b))
	hc := baselineClient()
	url := srv.URL + "/v1/" + benchProject + "/images/" + benchImageID
	sign := func(r *http.Request) { handSign(r, nil) }
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var img plainImage
		if err := baselineGet(hc, url, sign, &img); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRegisterImage(b *testing.B) {
	srv := newBenchServer(b, getImageBody(b))
	c := sdkClient(b, srv.URL, auth.NewTokenSigner("bench-token"))
	req := &RegisterImageRequest{SWRPath: "swr.xxx.com/op_svc_modelarts_container2/pytorch_1_8:train-pytorch_1.8.0-cuda_10.2-py_3.7",
		Arch: ArchX86_64, ResourceCategories: []ResourceCategory{ResourceCategoryCPU}, Description: "bench"}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.RegisterImage(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRegisterImageBaseline(b *testing.B) {
	srv := newBenchServer(b, getImageBody(b))
	hc := baselineClient()
	url := srv.URL + "/v1/" + benchProject + "/images"
	type registerReq struct {
		SWRPath     string   `json:"swr_path"`
		Arch        string   `json:"arch,omitempty"`
		Description string   `json:"description,omitempty"`
		Categories  []string `json:"resource_category,omitempty"`
	}
	in := registerReq{SWRPath: "swr.xxx.com/op_svc_modelarts_container2/pytorch_1_8:train-pytorch_1.8.0-cuda_10.2-py_3.7",
		Arch: "X86_64", Categories: []string{"CPU"}, Description: "bench"}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		body, _ := json.Marshal(&in)
		req, _ := http.NewRequestWithContext(context.Background(), "POST", url, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json;charset=UTF-8")
		tokenSign(req)
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		var img plainImage
		err = json.NewDecoder(resp.Body).Decode(&img)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 {
			b.Fatal(err, resp.StatusCode)
		}
	}
}

func BenchmarkListImages(b *testing.B) {
	body := listBody(b, 200, 200)
	srv := newBenchServer(b, body)
	c := sdkClient(b, srv.URL, auth.NewTokenSigner("bench-token"))
	ctx := context.Background()
	opts := &ListImagesOptions{Type: ImageTypeDedicated}
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		n := 0
		for _, err := range c.ListImages(ctx, opts) {
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != 200 {
			b.Fatal(n)
		}
	}
}

func BenchmarkListImagesBaseline(b *testing.B) {
	body := listBody(b, 200, 200)
	srv := newBenchServer(b, body)
	hc := baselineClient()
	url := srv.URL + "/v1/" + benchProject + "/images?type=DEDICATED"
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var page plainPage
		if err := baselineGet(hc, url, tokenSign, &page); err != nil || len(page.Data) != 200 {
			b.Fatal(err)
		}
	}
}

// BenchmarkListImages10k iterates 10,000 images over 50 pages and reports
// the bytes allocated per JSON byte received (budget: under 2).
func BenchmarkListImages10k(b *testing.B) {
	const pages, per = 50, 200
	// One body per page, by offset: the same page twice is a server that
	// ignores the offset, which the SDK refuses.
	bodies := make(map[string][]byte, pages)
	for p := 0; p < pages; p++ {
		key := ""
		if p > 0 {
			key = strconv.Itoa(p * per)
		}
		bodies[key] = listBodyAt(b, per, pages*per, p*per)
	}
	body := bodies[""]
	srv := &benchServer{}
	srv.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(bodies[r.URL.Query().Get("offset")])
	}))
	srv.Config.ConnState = srv.count
	srv.Start()
	b.Cleanup(srv.Close)
	c := sdkClient(b, srv.URL, auth.NewTokenSigner("bench-token"))
	ctx := context.Background()
	b.ReportAllocs()
	b.SetBytes(int64(len(body) * pages))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		n := 0
		for _, err := range c.ListImages(ctx, &ListImagesOptions{Limit: per}) {
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != pages*per {
			b.Fatal(n)
		}
	}
	b.ReportMetric(float64(len(body)*pages), "json-B/op")
}

// runParallel runs call from parallelGoroutines goroutines and reports the
// connections srv saw.
func runParallel(b *testing.B, srv *benchServer, call func() error) {
	b.ReportAllocs()
	b.SetParallelism(parallelGoroutines / runtime.GOMAXPROCS(0))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := call(); err != nil {
				b.Fatal(err)
			}
		}
	})
	srv.report(b)
}

func BenchmarkGetImageParallel(b *testing.B) {
	srv := newBenchServer(b, getImageBody(b))
	c := sdkClient(b, srv.URL, auth.NewTokenSigner("bench-token"))
	runParallel(b, srv, func() error {
		_, err := c.GetImage(context.Background(), benchImageID)
		return err
	})
}

func BenchmarkGetImageParallelBaseline(b *testing.B) {
	srv := newBenchServer(b, getImageBody(b))
	hc := baselineClient()
	url := srv.URL + "/v1/" + benchProject + "/images/" + benchImageID
	runParallel(b, srv, func() error {
		var img plainImage
		return baselineGet(hc, url, tokenSign, &img)
	})
}

// BenchmarkGetImageParallelErrors answers 400 ModelArts.6404: error bodies
// must be read to the end so keep-alive still holds (connections stay at
// most the goroutine count, none closed).
func BenchmarkGetImageParallelErrors(b *testing.B) {
	srv := newBenchServerStatus(b, 400, []byte(`{"error_code":"ModelArts.6404","error_msg":"image not found"}`))
	c := sdkClient(b, srv.URL, auth.NewTokenSigner("bench-token"))
	runParallel(b, srv, func() error {
		if _, err := c.GetImage(context.Background(), benchImageID); !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("want a not-found error, got %v", err)
		}
		return nil
	})
}

func BenchmarkSignAKSK(b *testing.B) {
	s, _ := auth.NewAKSKSigner(benchAK, benchSK)
	body := []byte(`{"name":"pytorch1_4","namespace":"atelier-auto","tag":"20221223"}`)
	req, _ := http.NewRequest("POST", "https://cn-north-4.myhuaweicloud.com/v1/"+benchProject+"/notebooks/nb-1/create-image", bytes.NewReader(body))
	req.Header.Set("X-Project-Id", benchProject)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := s.Sign(req); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSignAKSKBaseline(b *testing.B) {
	body := []byte(`{"name":"pytorch1_4","namespace":"atelier-auto","tag":"20221223"}`)
	req, _ := http.NewRequest("POST", "https://cn-north-4.myhuaweicloud.com/v1/"+benchProject+"/notebooks/nb-1/create-image", bytes.NewReader(body))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		handSign(req, body)
	}
}

// BenchmarkDecodeImage decodes the way the client does: one pass, enums
// matched to their constants as they are read.
func BenchmarkDecodeImage(b *testing.B) {
	body := getImageBody(b)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for i := 0; i < b.N; i++ {
		img := new(Image)
		if err := json.Unmarshal(body, img); err != nil {
			b.Fatal(err)
		}
		if img.ID == "" {
			b.Fatal("no id")
		}
	}
}

// BenchmarkDecodeImageScrubbed is BenchmarkDecodeImage with the scrubbing
// boundary every decoded answer passes: each string of the image checked
// for the signer's secrets (an AK/SK pair with a security token) and the
// credential headers the attempt carried. Its ratio to DecodeImage is the
// cost of scrubbing returned fields.
func BenchmarkDecodeImageScrubbed(b *testing.B) {
	body := getImageBody(b)
	signer, err := auth.NewAKSKSigner("HPUAXR7YWRSNL8JQ1XKE", "e6Pn2QvTfLmbYc8JrKd0ZsWx9HgUaN4o1yVt7EiF", auth.WithSecurityToken("gQpjbi1ub3J0aC00RjlTMU5RUkwxWFJUVExaN0JHWAVMAXRmm"))
	if err != nil {
		b.Fatal(err)
	}
	c := sdkClient(b, "https://modelarts.example.com", signer)
	req, _ := http.NewRequest("GET", "https://modelarts.example.com/v1/p/images/x", nil)
	if err := signer.Sign(req); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for i := 0; i < b.N; i++ {
		at := &attempt{reqHeader: req.Header}
		img := new(Image)
		if err := json.Unmarshal(body, img); err != nil {
			b.Fatal(err)
		}
		c.scrubValue(at, img)
		if img.ID == "" {
			b.Fatal("no id")
		}
	}
}

func BenchmarkDecodeImageBaseline(b *testing.B) {
	body := getImageBody(b)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for i := 0; i < b.N; i++ {
		var img plainImage
		if err := json.Unmarshal(body, &img); err != nil {
			b.Fatal(err)
		}
	}
}

// Benchmarks of the image-group, notebook and sync calls, each against the
// same work written by hand.

func benchFixture(b *testing.B, name string) []byte {
	body, err := os.ReadFile("testdata/" + name)
	if err != nil {
		b.Fatal(err)
	}
	return body
}

// baselineSend is the hand-written floor of a call with a body (nil for
// none): build, sign, send, check, decode.
func baselineSend(hc *http.Client, method, url string, body []byte, out any) error {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, url, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json;charset=UTF-8")
	}
	tokenSign(req)
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// plainNotebook is what a hand-written client would decode a notebook into.
type plainNotebook struct {
	ID          string     `json:"id"`
	Name        string     `json:"name"`
	Description string     `json:"description"`
	Status      string     `json:"status"`
	FailReason  string     `json:"fail_reason"`
	Flavor      string     `json:"flavor"`
	Image       plainImage `json:"image"`
	URL         string     `json:"url"`
	WorkspaceID string     `json:"workspace_id"`
	Feature     string     `json:"feature"`
	Lease       struct {
		Enable   bool   `json:"enable"`
		Type     string `json:"type"`
		Duration int64  `json:"duration"`
		CreateAt int64  `json:"create_at"`
		UpdateAt int64  `json:"update_at"`
	} `json:"lease"`
	Tags []struct {
		Key   string `json:"key"`
		Value string `json:"value"`
	} `json:"tags"`
}

type plainGroup struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Namespace    string `json:"namespace"`
	Description  string `json:"description"`
	ReadMe       string `json:"read_me"`
	IconName     string `json:"icon_name"`
	VersionCount int    `json:"version_count"`
	SWRInstance  string `json:"swr_instance_id"`
	SWRName      string `json:"swr_instance_name"`
	CreateAt     int64  `json:"create_at"`
	UpdateAt     int64  `json:"update_at"`
}

func notebookListBody(b *testing.B, n int) []byte {
	nb := string(benchFixture(b, "notebook_response.json"))
	id := regexp.MustCompile(`"id"\s*:\s*"[^"]*"`).FindString(nb)
	items := make([]string, n)
	for i := range items {
		// Each its own ID: a listing yields an ID once.
		items[i] = strings.Replace(nb, id, fmt.Sprintf(`"id":"nb-%04d"`, i), 1)
	}
	return []byte(fmt.Sprintf(`{"current":1,"data":[%s],"pages":1,"size":%d,"total":%d}`, strings.Join(items, ","), n, n))
}

func BenchmarkSyncImage(b *testing.B) {
	srv := newBenchServer(b, getImageBody(b))
	c := sdkClient(b, srv.URL, auth.NewTokenSigner("bench-token"))
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.SyncImage(ctx, benchImageID); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSyncImageBaseline(b *testing.B) {
	srv := newBenchServer(b, getImageBody(b))
	hc := baselineClient()
	url := srv.URL + "/v1/" + benchProject + "/images/" + benchImageID + "/sync"
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var img plainImage
		if err := baselineSend(hc, "POST", url, nil, &img); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkListImageGroups(b *testing.B) {
	body := benchFixture(b, "image_groups_response.json")
	srv := newBenchServer(b, body)
	c := sdkClient(b, srv.URL, auth.NewTokenSigner("bench-token"))
	ctx := context.Background()
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		n := 0
		for _, err := range c.ListImageGroups(ctx, nil) {
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != 2 {
			b.Fatal(n)
		}
	}
}

func BenchmarkListImageGroupsBaseline(b *testing.B) {
	body := benchFixture(b, "image_groups_response.json")
	srv := newBenchServer(b, body)
	hc := baselineClient()
	url := srv.URL + "/v1/" + benchProject + "/images/group"
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var page struct {
			Data  []*plainGroup `json:"data"`
			Total int           `json:"total"`
		}
		if err := baselineSend(hc, "GET", url, nil, &page); err != nil || len(page.Data) != 2 {
			b.Fatal(err)
		}
	}
}

func BenchmarkUpdateImageGroup(b *testing.B) {
	srv := newBenchServer(b, []byte(`{"id":"g-1","name":"my-pytorch","read_me":"# usage","version_count":3}`))
	c := sdkClient(b, srv.URL, auth.NewTokenSigner("bench-token"))
	req := &UpdateImageGroupRequest{ReadMe: "# usage", Tags: []Tag{{Key: "team", Value: "ml"}}}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.UpdateImageGroup(ctx, "g-1", req); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUpdateImageGroupBaseline(b *testing.B) {
	srv := newBenchServer(b, []byte(`{"id":"g-1","name":"my-pytorch","read_me":"# usage","version_count":3}`))
	hc := baselineClient()
	url := srv.URL + "/v1/" + benchProject + "/images/group/g-1"
	type tag struct {
		Key   string `json:"key"`
		Value string `json:"value"`
	}
	in := struct {
		ReadMe string `json:"read_me"`
		Tags   []tag  `json:"tags"`
	}{"# usage", []tag{{"team", "ml"}}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		body, _ := json.Marshal(&in)
		var g plainGroup
		if err := baselineSend(hc, "PUT", url, body, &g); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkListNotebooks(b *testing.B) {
	body := notebookListBody(b, 50)
	srv := newBenchServer(b, body)
	c := sdkClient(b, srv.URL, auth.NewTokenSigner("bench-token"))
	ctx := context.Background()
	opts := &ListNotebooksOptions{Limit: 50}
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		n := 0
		for _, err := range c.ListNotebooks(ctx, opts) {
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != 50 {
			b.Fatal(n)
		}
	}
}

func BenchmarkListNotebooksBaseline(b *testing.B) {
	body := notebookListBody(b, 50)
	srv := newBenchServer(b, body)
	hc := baselineClient()
	url := srv.URL + "/v1/" + benchProject + "/notebooks?limit=50"
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var page struct {
			Data  []*plainNotebook `json:"data"`
			Total int              `json:"total"`
		}
		if err := baselineSend(hc, "GET", url, nil, &page); err != nil || len(page.Data) != 50 {
			b.Fatal(err)
		}
	}
}

func BenchmarkStartNotebook(b *testing.B) {
	srv := newBenchServer(b, benchFixture(b, "notebook_response.json"))
	c := sdkClient(b, srv.URL, auth.NewTokenSigner("bench-token"))
	ctx := context.Background()
	opts := &StartNotebookOptions{Duration: 2 * time.Hour}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.StartNotebook(ctx, "6fa459ea-ee8a-3ca4-894e-db77e160355e", opts); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkStartNotebookBaseline(b *testing.B) {
	srv := newBenchServer(b, benchFixture(b, "notebook_response.json"))
	hc := baselineClient()
	url := srv.URL + "/v1/" + benchProject + "/notebooks/6fa459ea-ee8a-3ca4-894e-db77e160355e/start?duration=7200000"
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var nb plainNotebook
		if err := baselineSend(hc, "POST", url, nil, &nb); err != nil {
			b.Fatal(err)
		}
	}
}
