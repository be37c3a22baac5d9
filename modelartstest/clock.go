package modelartstest

import (
	"sync"
	"time"
)

// Clock is the fake's source of time: the service's timestamps
// (create_at, update_at), its Date header, the validity of IAM tokens and
// of signatures, and listing lags measured in time all read it. The
// default is the wall clock; give a *ManualClock with WithClock so that a
// test moves time itself and never sleeps.
type Clock interface {
	Now() time.Time
}

type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now() }

// ManualClock is a Clock that moves only when the test moves it. It is
// safe for concurrent use.
type ManualClock struct {
	mu  sync.Mutex
	now time.Time
}

// NewManualClock returns a clock standing at start.
func NewManualClock(start time.Time) *ManualClock { return &ManualClock{now: start} }

// Now returns the clock's time.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock d forward (backward if d is negative) and
// returns the new time.
func (c *ManualClock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.now
}

// Set puts the clock at t.
func (c *ManualClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// WithClock makes the server read time from c (default: the wall clock).
// A nil c is ignored.
func WithClock(c Clock) ServerOption {
	return serverOption(func(s *Server) {
		if c != nil {
			s.clock = c
		}
	})
}

// Now returns the service's time: the server's Clock moved by any
// ClockOffset. It is the time the service stamps on what it makes and
// sends in its Date header; use it to place images you add with PutImage
// relative to the service's "now".
func (s *Server) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now()
}

// now is Now with s.mu held.
func (s *Server) now() time.Time { return s.clock.Now().Add(s.bhv.clockOffset) }

// gatewayNow is the API Gateway's time, with s.mu held: the Date of the
// answers it makes itself (injected faults, refused signatures) and the
// time it checks signatures against.
func (s *Server) gatewayNow() time.Time { return s.clock.Now().Add(s.bhv.gatewayOffset) }
