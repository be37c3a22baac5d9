package modelartstest

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestAWrapperMayReadTheServersClock(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	var seen time.Time
	srv.Wrap(RouteGetImage, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			seen = srv.Now()
			next.ServeHTTP(w, r)
		})
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := srv.Client().GetImage(ctx, builtinPyTorchID)
	require.NoError(t, err)
	require.False(t, seen.IsZero())
}
