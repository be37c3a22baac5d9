package modelarts

import (
	"context"
	"testing"

	"github.com/modelarts-go/modelarts/auth"
)

// What the observation hooks cost, in the same run: BenchmarkGetImage has
// no observer (and allocates what it did before the hooks existed; see
// TestObservationsAllocateNothingWithoutAnObserver); this pair sets an
// observer whose every hook is set and does nothing but add a header,
// against the same call without one. bench/compare.sh prints the ratio.

func BenchmarkGetImageObserved(b *testing.B) {
	srv := newBenchServer(b, getImageBody(b))
	c := sdkClient(b, srv.URL, auth.NewTokenSigner("bench-token"))
	c.observers = []Observer{{
		Call: func(ctx context.Context, _ *CallStart) (context.Context, func(*CallEnd)) {
			return nil, func(*CallEnd) {}
		},
		Attempt: func(ctx context.Context, a *AttemptStart) (context.Context, func(*AttemptEnd)) {
			a.SetHeader("Traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
			return nil, func(*AttemptEnd) {}
		},
		Retry:     func(context.Context, *RetryInfo) {},
		Poll:      func(context.Context, *PollInfo) {},
		Reconcile: func(context.Context, *ReconcileStep) {},
	}}
	benchGetImage(b, c)
}

// BenchmarkGetImageObservedBaseline is BenchmarkGetImage: no observer.
func BenchmarkGetImageObservedBaseline(b *testing.B) {
	srv := newBenchServer(b, getImageBody(b))
	benchGetImage(b, sdkClient(b, srv.URL, auth.NewTokenSigner("bench-token")))
}

func benchGetImage(b *testing.B, c *Client) {
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.GetImage(ctx, benchImageID); err != nil {
			b.Fatal(err)
		}
	}
}
