package modelarts

import (
	"context"
	"errors"
	"fmt"
	"github.com/modelarts-go/modelarts/auth"
	"time"
)

// Poll interval defaults. Saving a notebook as an image takes minutes, a
// registration seconds: the first poll is immediate, the next after 5 s
// catches the quick cases, and doubling to a 30 s cap (each wait drawn from
// the upper half of its window) notices the end within half a minute.
const (
	DefaultPollMin       = 5 * time.Second
	DefaultPollMax       = 30 * time.Second
	DefaultNotFoundGrace = 30 * time.Second
)

// waitSettings is what the wait options set.
type waitSettings struct {
	min, max         time.Duration
	progress         func(*Image)
	notebookProgress func(*Notebook)
	saveJobProgress  func(*SaveImageJob)
	grace            time.Duration
}

func defaultWaitSettings() waitSettings {
	return waitSettings{min: DefaultPollMin, max: DefaultPollMax, grace: DefaultNotFoundGrace}
}

func (w *waitSettings) check() error {
	if w.min <= 0 || w.max < w.min {
		return invalid("poll interval", "need 0 < min <= max, got %s and %s", w.min, w.max)
	}
	if w.grace < 0 {
		return invalid("not-found grace", "cannot be negative, got %s", w.grace)
	}
	return nil
}

// WithPollInterval sets the wait after the first poll (min; the first poll
// itself is immediate) and the cap the waits grow to, with jitter (max).
func WithPollInterval(min, max time.Duration) WaitOption {
	return callOptionFunc(func(c *callConfig) {
		c.wait.min, c.wait.max = min, max
		c.used |= optWait
	})
}

// WithProgress calls fn after every successful poll of an image wait with
// the image as read, e.g. to print its status.
func WithProgress(fn func(*Image)) WaitOption {
	return callOptionFunc(func(c *callConfig) {
		c.wait.progress = fn
		c.used |= optWait
	})
}

// WithNotebookProgress calls fn after every successful poll of a notebook
// wait (WaitForNotebook, and the notebook part of SaveNotebookAsImage).
func WithNotebookProgress(fn func(*Notebook)) WaitOption {
	return callOptionFunc(func(c *callConfig) {
		c.wait.notebookProgress = fn
		c.used |= optWait
	})
}

// WithSaveImageJobProgress calls fn after every successful poll of
// WaitForSaveImageJob with the job as read.
func WithSaveImageJobProgress(fn func(*SaveImageJob)) WaitOption {
	return callOptionFunc(func(c *callConfig) {
		c.wait.saveJobProgress = fn
		c.used |= optWait
	})
}

// WithNotFoundGrace sets how long after the wait starts a "not found" is
// taken for the service's eventual consistency (a just-created image not
// yet readable) rather than an answer (default 30 s).
func WithNotFoundGrace(d time.Duration) WaitOption {
	return callOptionFunc(func(c *callConfig) {
		c.wait.grace = d
		c.used |= optWait
	})
}

// WaitForActive polls the image until it is ACTIVE and returns it. An image
// that ends CREATE_FAILED, ERROR or DELETED gives the image and an
// *ImageFailedError carrying the server's status_message. Bound the wait
// with ctx: on its deadline or cancellation a *WaitError wrapping ctx.Err()
// names the last status seen.
func (c *Client) WaitForActive(ctx context.Context, imageID string, opts ...WaitOption) (*Image, error) {
	return c.WaitForImage(ctx, imageID, untilActive, opts...)
}

// untilActive is WaitForActive's condition.
func untilActive(img *Image) (bool, error) {
	switch {
	case img.Status == ImageStatusActive:
		return true, nil
	case img.Status.IsFailure():
		return true, &ImageFailedError{ImageID: img.ID, Status: img.Status, StatusMessage: img.StatusMessage}
	}
	return false, nil
}

// WaitForImage polls the image until cond reports done, and returns the
// last image read with cond's error. Polls back off exponentially with
// jitter between the poll interval's bounds, one request at a time; the last
// wait is shortened so one final poll happens before ctx's deadline.
//
// Transient failures (network errors, 5xx, 429, after the client's own
// retries) do not end the wait; they are counted and reported if it times
// out. Permanent ones (401, 403, 4xx) end it at once. A not-found within
// the grace period is taken as eventual consistency; after it, the error
// matches ErrNotFound.
func (c *Client) WaitForImage(ctx context.Context, imageID string, cond func(*Image) (done bool, err error), opts ...WaitOption) (*Image, error) {
	if err := validateID("image id", imageID); err != nil {
		return nil, err
	}
	if cond == nil {
		return nil, invalid("cond", "the wait condition is nil")
	}
	ctx, cfg, cancel, err := c.begin(ctx, opts, optWait)
	if err != nil {
		return nil, err
	}
	defer cancel()
	return c.waitImage(ctx, cfg, imageID, cond)
}

// waitImage is WaitForImage once the call has begun.
func (c *Client) waitImage(ctx context.Context, cfg *callConfig, imageID string, cond func(*Image) (bool, error)) (*Image, error) {
	return pollUntil(ctx, c, cfg.wait, &waitSpec[*Image]{
		resource: resourceImage,
		id:       imageID,
		poll:     func(ctx context.Context) (*Image, error) { return c.getImage(ctx, cfg, imageID) },
		status:   func(img *Image) string { return string(img.Status) },
		done:     cond,
		progress: cfg.wait.progress,
	})
}

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
// none) with done's error, or a *WaitError saying what ended the wait.
func pollUntil[T any](ctx context.Context, c *Client, w waitSettings, s *waitSpec[T]) (T, error) {
	p := &poller[T]{c: c, w: w, s: s, start: c.now(), we: &WaitError{Resource: s.resource, ID: s.id}}
	for final := false; ; {
		v, err := s.poll(ctx)
		p.we.Polls++
		if err == nil {
			p.last = v
			if done, cerr := p.observe(v); done || cerr != nil {
				return v, cerr
			}
		} else if err := p.failed(ctx, err); err != nil {
			return p.last, err
		}
		if final { // the poll squeezed in before the deadline
			return p.last, p.end(context.DeadlineExceeded)
		}
		delay, last, err := p.nextDelay(ctx)
		if err != nil {
			return p.last, err
		}
		final = last
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

// failed takes in a failed poll: nil to go on polling, or the *WaitError
// that ends the wait.
func (p *poller[T]) failed(ctx context.Context, err error) error {
	switch {
	case ctx.Err() != nil:
		// The deadline may have cut this poll short while it waited out a
		// failure (a 503 with Retry-After): that failure is what kept the
		// wait from its status, so it is kept.
		if f := failureBehind(err); f != nil {
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

// WaitError is a wait that ended before what it awaited (an image, a
// notebook or a save-image job) reached the awaited state: its context
// ended, or a poll failed for good (a 403, say, or a not-found once the
// grace is spent). Every ended wait is one. It wraps what ended it (Err)
// and the last transient failure, so errors.Is finds the context's error
// or ErrNotFound, and errors.As the 503 behind a timeout.
type WaitError struct {
	// Resource is what was awaited: "image", "notebook" or
	// "save-image job" ("" reads as "image").
	Resource string
	// ID names it: the image or notebook ID, or "job/task" for a
	// save-image job.
	ID string
	// Status is the last status read, "" if no poll succeeded.
	Status          string
	Polls           int
	NotFound        int   // polls that found nothing, within the not-found grace
	TransientErrors int   // polls that failed transiently
	LastTransient   error // the last of them
	// Err is what ended the wait: the context's error
	// (context.DeadlineExceeded or context.Canceled), or the failure of
	// a poll that polling again cannot cure.
	Err error
}

func (e *WaitError) noteTransient(err error) {
	e.TransientErrors++
	e.LastTransient = err
}

// Error names what was awaited, what ended the wait, the polls made and
// the last status seen, and the not-founds and transient failures if there
// were any.
func (e *WaitError) Error() string {
	resource, id, status := e.Resource, e.ID, e.Status
	if resource == "" {
		resource = resourceImage
	}
	if status == "" {
		status = "none read"
	}
	msg := fmt.Sprintf("modelarts: waiting for %s %s: %s after %d polls; last status %s", resource, id, unprefixed(e.Err), e.Polls, status)
	if e.NotFound > 0 {
		msg += fmt.Sprintf("; %d polls found nothing (within the not-found grace)", e.NotFound)
	}
	if e.TransientErrors > 0 {
		msg += fmt.Sprintf("; %d polls failed transiently, the last with: %s", e.TransientErrors, unprefixed(e.LastTransient))
	}
	return msg
}

// Unwrap returns the context error and the last transient failure.
func (e *WaitError) Unwrap() []error {
	if e.LastTransient != nil {
		return []error{e.Err, e.LastTransient}
	}
	return []error{e.Err}
}
