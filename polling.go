package modelarts

import (
	"context"
	"errors"
	"time"

	"github.com/modelarts-go/modelarts/auth"
)

// What a wait waits for, as WaitError.Resource names it.
const (
	resourceImage        = "image"
	resourceNotebook     = "notebook"
	resourceSaveImageJob = "save-image job"
)

// waitSpec is one wait of the shared poll loop: what to read, how to tell
// its status, and when it is done.
type waitSpec[T any] struct {
	resource string // named in errors: "image", "notebook", "save-image job"
	id       string
	poll     func(context.Context) (T, error)
	status   func(T) string
	done     func(T) (bool, error)
	progress func(T) // nil: none
}

// pollUntil is the one wait loop of the SDK (image, notebook and
// save-image-job waits): an immediate first poll, then waits growing from
// w.min to w.max with jitter, the last one shortened so a final poll fits
// before ctx's deadline. It returns the last value read (the zero T if
// none), and, when the wait ends otherwise than done, a *WaitError saying
// what ended it: done's error (a failure status), the context's, or a
// poll's permanent failure.
func pollUntil[T any](ctx context.Context, c *Client, w waitSettings, s *waitSpec[T]) (T, error) {
	p := &poller[T]{c: c, w: w, s: s, start: c.now(), we: &WaitError{Resource: s.resource, ID: s.id}}
	var wait time.Duration // before the poll; for the observers
	for final := false; ; {
		v, err := s.poll(ctx)
		p.we.Polls++
		if err == nil {
			p.last = v
			done, cerr := p.observe(v)
			p.report(ctx, wait, p.we.Status, cerr, done || cerr != nil)
			if cerr != nil {
				return v, p.end(cerr) // a failure status (*ImageFailedError…) or the cond's error
			}
			if done {
				return v, nil
			}
		} else {
			ended := p.failed(ctx, err)
			p.report(ctx, wait, "", err, ended != nil)
			if ended != nil {
				return p.last, ended
			}
		}
		if final { // the poll squeezed in before the deadline
			return p.last, p.end(context.DeadlineExceeded)
		}
		delay, last, err := p.nextDelay(ctx)
		if err != nil {
			return p.last, err
		}
		final, wait = last, delay
		if err := c.sleep(ctx, delay); err != nil {
			return p.last, p.end(err)
		}
	}
}

// poller is one wait's state between polls.
type poller[T any] struct {
	c     *Client
	w     waitSettings
	s     *waitSpec[T]
	start time.Time
	we    *WaitError // filled as the wait goes
	last  T          // the last value read
}

// observe takes in a value read: its status, the caller's progress
// callback, and whether the wait is over.
func (p *poller[T]) observe(v T) (bool, error) {
	p.we.Status = p.s.status(v)
	if p.s.progress != nil {
		p.s.progress(v)
	}
	return p.s.done(v)
}

// report gives the client's observers a poll: the status read, or its
// failure; done says the wait ends with it.
func (p *poller[T]) report(ctx context.Context, wait time.Duration, status string, err error, done bool) {
	if len(p.c.observers) == 0 {
		return
	}
	p.c.observePoll(ctx, &PollInfo{Resource: p.s.resource, ID: p.c.bounded(nil, p.s.id, 256), Poll: p.we.Polls,
		Status: status, Err: err, Done: done, Wait: wait, Elapsed: p.c.now().Sub(p.start)})
}

// failed takes in a failed poll: nil to go on polling, or the *WaitError
// that ends the wait.
func (p *poller[T]) failed(ctx context.Context, err error) error {
	switch {
	case ctx.Err() != nil:
		// The deadline may have cut this poll short while it waited out a
		// failure (a 503 with Retry-After): that failure is what kept the
		// wait from its status, so it is kept.
		switch f := failureBehind(err); {
		case errors.Is(f, ErrNotFound):
			p.we.NotFound++ // the eventual consistency of the grace, not a failure
		case f != nil:
			p.we.noteTransient(f)
		}
		return p.end(ctx.Err())
	case errors.Is(err, ErrNotFound):
		// Eventual consistency: a resource just made may not be found at
		// once. Not a transient failure; after the grace it is the answer.
		if p.c.now().Sub(p.start) < p.w.grace {
			p.we.NotFound++
			return nil
		}
		return p.end(err)
	case isTransient(err):
		p.we.noteTransient(err)
		return nil
	}
	return p.end(err)
}

// nextDelay is the wait before the next poll, shortened when it would
// outlast ctx's deadline so that one final poll still fits (last).
func (p *poller[T]) nextDelay(ctx context.Context) (d time.Duration, last bool, err error) {
	d = pollDelay(p.w.min, p.w.max, p.we.Polls, p.c.jitter)
	deadline, ok := ctx.Deadline()
	if !ok {
		return d, false, nil
	}
	remaining := deadline.Sub(p.c.now())
	if remaining <= 0 {
		return 0, false, p.end(context.DeadlineExceeded)
	}
	if d >= remaining {
		return remaining - min(remaining/5, time.Second), true, nil
	}
	return d, false, nil
}

// end is the *WaitError of a wait ended by err.
func (p *poller[T]) end(err error) error {
	p.we.Err = err
	return p.we
}

// pollDelay is the wait after poll n: min for the first, then doubling to
// max, each drawn from the upper half of its window for jitter.
func pollDelay(min, max time.Duration, n int, rnd func() float64) time.Duration {
	if n <= 1 {
		return min
	}
	ceil := expDelay(min, max, n)
	half := ceil / 2
	d := half + time.Duration(rnd()*float64(ceil-half))
	if d < min {
		d = min
	}
	return d
}

// failureBehind is the server's answer or the transport failure that a
// poll ended by its context was retrying, or nil when the context ended it
// before anything failed.
func failureBehind(err error) error {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae
	}
	var re *RequestError
	if errors.As(err, &re) && !errors.Is(re, context.DeadlineExceeded) && !errors.Is(re, context.Canceled) {
		return re
	}
	return nil
}

// isTransient reports failures a later poll may not see again.
func isTransient(err error) bool {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.transient()
	}
	var re *RequestError
	var de *DecodeError
	return errors.As(err, &re) || errors.As(err, &de) || auth.IsTemporary(err) // an IAM hiccup
}
