package modelarts

import (
	"net/http"
	"testing"
	"time"
)

// The service stamps create_at to the millisecond. An image made in the
// same millisecond the call began, listed by an answer whose Date header
// was just cut to a whole second, is this call's, not an older one. (CI
// once saw this: a registration answered 201 without a body was reported
// outcome-unknown although its image was listed.)
func TestByTimeTakesAnImageStampedInTheCallsFirstMillisecondAsMadeAfterIt(t *testing.T) {
	base := time.Date(2026, 11, 29, 22, 0, 0, 0, time.UTC)
	p := &createProbe{started: base.Add(999*time.Millisecond + 300*time.Microsecond)}
	img := &Image{ID: "img-1", CreatedAt: TimestampOf(base.Add(999*time.Millisecond + 500*time.Microsecond))}
	date := base.Add(time.Second).Format(http.TimeFormat)
	received := base.Add(time.Second + 100*time.Microsecond)

	candidates, older, known := p.byTime([]*Image{img}, date, received)
	if !known || len(candidates) != 1 || len(older) != 0 {
		t.Fatalf("candidates %d, older %d, known %v; want the image as a candidate", len(candidates), len(older), known)
	}
}

// An image stamped a millisecond before the call began is older than it.
func TestByTimeTakesAnImageStampedAMillisecondBeforeTheCallAsOlder(t *testing.T) {
	base := time.Date(2026, 11, 29, 22, 0, 0, 0, time.UTC)
	p := &createProbe{started: base.Add(999*time.Millisecond + 300*time.Microsecond)}
	img := &Image{ID: "img-0", CreatedAt: TimestampOf(base.Add(998 * time.Millisecond))}
	date := base.Add(time.Second).Format(http.TimeFormat)
	received := base.Add(time.Second + 100*time.Microsecond)

	candidates, older, known := p.byTime([]*Image{img}, date, received)
	if !known || len(candidates) != 0 || len(older) != 1 {
		t.Fatalf("candidates %d, older %d, known %v; want the image as older", len(candidates), len(older), known)
	}
}
