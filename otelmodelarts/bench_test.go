package otelmodelarts_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/modelarts-go/modelarts"
	"github.com/modelarts-go/modelarts/auth"
	"github.com/modelarts-go/modelarts/otelmodelarts"
)

// What the OpenTelemetry adapter costs, in the same run: GetImage traced
// (every span sampled and recorded, metrics collected by a manual reader)
// against GetImage without it. Run with bench/compare.sh (MODULE=otelmodelarts).

const (
	benchProject = "a4a5d4098fb4474fa22cd05f897d6b99"
	benchImageID = "278e88d1-5b71-4766-8502-b3ba72e824d9"
	benchImage   = `{"id":"278e88d1-5b71-4766-8502-b3ba72e824d9","name":"pytorch-env","namespace":"team","tag":"v1",` +
		`"swr_path":"swr.cn-north-4.myhuaweicloud.com/team/pytorch-env:v1","status":"ACTIVE","type":"DEDICATED",` +
		`"arch":"x86_64","visibility":"PRIVATE","create_at":1700000000000,"update_at":1700000000000,"size":123456789}`
)

func benchServer(b *testing.B) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Request-Id", "req-1")
		_, _ = w.Write([]byte(benchImage))
	}))
	b.Cleanup(srv.Close)
	return srv
}

func benchGetImage(b *testing.B, opts ...modelarts.Option) {
	srv := benchServer(b)
	c, err := modelarts.NewClient(srv.URL, benchProject, auth.NewTokenSigner("bench-token"), opts...)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.GetImage(ctx, benchImageID); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGetImageOTel(b *testing.B) {
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(discard{}))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	benchGetImage(b, otelmodelarts.New(otelmodelarts.WithTracerProvider(tp), otelmodelarts.WithMeterProvider(mp)))
}

// BenchmarkGetImageOTelBaseline is the same call without the adapter.
func BenchmarkGetImageOTelBaseline(b *testing.B) {
	benchGetImage(b)
}

// discard is a span processor that drops every span once it ended, so the
// benchmark measures making the spans, not keeping them.
type discard struct{}

func (discard) OnStart(context.Context, sdktrace.ReadWriteSpan) {}
func (discard) OnEnd(sdktrace.ReadOnlySpan)                     {}
func (discard) Shutdown(context.Context) error                  { return nil }
func (discard) ForceFlush(context.Context) error                { return nil }
