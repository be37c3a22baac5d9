package interop

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/config"
	v1 "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/modelarts/v1"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/modelarts/v1/model"

	"github.com/modelarts-go/modelarts"
	"github.com/modelarts-go/modelarts/auth"
)

// GetImage signed with AK/SK, ours against the official SDK's ShowImage,
// on the same loopback server answering the documented body (the root
// module's fixture) to every request. Run both in one go:
//
//	go test -run '^$' -bench 'ImageAKSK' -benchmem ./...
//
// The ratio of their allocs/op is the figure docs/performance.md gives.

const benchProject = "a4a5d4098fb4474fa22cd05f897d6b99"

func benchServer(b *testing.B) *httptest.Server {
	body, err := os.ReadFile("../testdata/get_image_response.json")
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	b.Cleanup(srv.Close)
	return srv
}

func BenchmarkGetImageAKSKOurs(b *testing.B) {
	srv := benchServer(b)
	signer, err := auth.NewAKSKSigner("HPUAXR7YWRSNL8JQ1XKE", "bench-secret-key-0123456789")
	if err != nil {
		b.Fatal(err)
	}
	c, err := modelarts.NewClient(srv.URL, benchProject, signer, modelarts.WithHTTPClient(srv.Client()))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.GetImage(ctx, "278e88d1-5b71-4766-8502-b3ba72e824d9"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGetImageAKSKOfficialShowImage(b *testing.B) {
	srv := benchServer(b)
	creds, err := basic.NewCredentialsBuilder().WithAk("HPUAXR7YWRSNL8JQ1XKE").WithSk("bench-secret-key-0123456789").
		WithProjectId(benchProject).SafeBuild()
	if err != nil {
		b.Fatal(err)
	}
	hc, err := v1.ModelArtsClientBuilder().WithEndpoints([]string{srv.URL}).WithCredential(creds).
		WithHttpConfig(config.DefaultHttpConfig().WithHttpRoundTripper(srv.Client().Transport)).SafeBuild()
	if err != nil {
		b.Fatal(err)
	}
	c := v1.NewModelArtsClient(hc)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.ShowImage(&model.ShowImageRequest{Id: "278e88d1-5b71-4766-8502-b3ba72e824d9"}); err != nil {
			b.Fatal(err)
		}
	}
}
