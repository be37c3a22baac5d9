package modelarts

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// What a create did, when its answer does not say.
//
// This API has no idempotency key. When a create's answer is lost after the
// request may have reached the service (a reset, a timeout, a 5xx), when a
// create sent again is refused as a duplicate (ModelArts.6737) or as busy
// (ModelArts.6357), or when the service says 2xx without the image, the
// client looks for the image this call made before it retries or returns.
// An image is returned as this call's only with evidence:
//
//   - it matches the request exactly (namespace, name and tag; or swr_path);
//   - it was created after this call began, by the service's clock: the
//     offset between the caller's clock and the service's is taken from the
//     Date header of the lookup's own answer, so a skewed caller clock
//     neither hides this call's image nor lets an older one through (an
//     answer without a Date header proves nothing about "before", and then
//     any match makes the outcome unknown);
//   - it is the only such image; and, for a notebook save, the notebook
//     shows the save running (SNAPSHOTTING), or the service said the create
//     succeeded.
//
// The listing is eventually consistent, so the lookup is polled with
// backoff for a settle window (WithReconcileWindow) before the client
// concludes that nothing was made; only then, and only when no evidence of
// a save was seen, does it send the create again. Two candidates, or one
// that the evidence does not tie to this call, end in a *CreateOutcomeError
// naming them: the SDK never guesses.

// DefaultReconcileWindow is how long, by default, a create whose outcome is
// uncertain keeps looking for its image before concluding.
const DefaultReconcileWindow = 5 * time.Second

// First and largest wait between two lookups of the settle window.
const (
	reconcileFirstWait = 200 * time.Millisecond // capped by what is left of the window
	reconcileMaxWait   = 2 * time.Second
)

// reconcileMode is what the SDK knows when it starts looking.
type reconcileMode int

const (
	// The answer was lost: the create may or may not have happened.
	reconcileAfterLostAnswer reconcileMode = iota
	// The service answered 2xx without the image: it happened.
	reconcileAfterSuccess
	// A create sent again after a lost answer was refused as a duplicate
	// or as busy: something happened, perhaps this call's first create.
	reconcileAfterRefusedResend
)

// createProbe tells reconcile how to find what one create made.
type createProbe struct {
	started time.Time // the caller's clock when the call began
	// match reports whether img is what this request would have made.
	match func(img *Image) bool
	// opts filters the listing down to the images match may accept.
	opts ListImagesOptions
	// notebookID is the saved notebook; "" for a registration.
	notebookID string
	// ownTag: the SDK chose the tag for this call alone, so an image
	// carrying it can only be this call's.
	ownTag bool
}

// lookup is one look at the service.
type lookup struct {
	candidates []*Image // matching images made after the call began
	// recentOlder are matching images made just before the call by the
	// Date header: perhaps this call's, if the header runs ahead.
	recentOlder []*Image
	timeKnown   bool // the service's clock was read
	busy        bool // the notebook shows a save running
}

// creation is one create call: the request the engine sends, how to find
// what it made, and what the lookups established.
type creation struct {
	c           *Client
	cl          *call
	probe       *createProbe
	found       *Image // the image a lookup proved this call's
	checkedNone bool   // a lookup after the last uncertain attempt found nothing made
}

// create runs a create through the engine, with the create rule (settle)
// as the call's own rule for outcomes the answer does not give, and
// returns this call's image: as answered, or as a lookup proved it.
func (c *Client) create(ctx context.Context, cl *call, p *createProbe) (*Image, error) {
	img, err := c.createOnce(ctx, cl, p)
	if img != nil && len(c.observers) > 0 {
		if o := callObsFrom(ctx); o != nil {
			o.imageID = img.ID
		}
	}
	return img, err
}

func (c *Client) createOnce(ctx context.Context, cl *call, p *createProbe) (*Image, error) {
	cr := &creation{c: c, cl: cl, probe: p}
	cl.settle = cr.settle
	img := new(Image)
	err := c.do(ctx, cl, img)
	var de *DecodeError
	switch {
	case cr.found != nil:
		return cr.found, nil
	case errors.As(err, &de) && de.StatusCode >= 200 && de.StatusCode <= 299:
		// The service said it created the image but its answer does not
		// carry it (201 with no body, say): find it.
		return cr.afterSuccess(ctx)
	case err != nil:
		return nil, cr.finalError(err)
	}
	if img.ID != "" {
		return img, nil
	}
	return cr.afterSuccess(ctx)
}

// settle is the create rule the engine asks (see call.settle): after a
// lost answer, look for the image before anything is sent again; after a
// resend refused as a duplicate (ModelArts.6737) or as busy (.6357), look
// again, since the first create may well have happened.
func (cr *creation) settle(ctx context.Context, failure error, lost bool) (bool, error) {
	settled, err := cr.decide(ctx, failure, lost)
	if settled {
		cr.checkedNone = false // the call ends with what the lookup established
	}
	return settled, err
}

func (cr *creation) decide(ctx context.Context, failure error, lost bool) (bool, error) {
	if lost {
		img, nothing, err := cr.reconcile(ctx, reconcileAfterLostAnswer, failure)
		switch {
		case err != nil:
			return true, err
		case img != nil:
			cr.found = img
			return true, nil
		case !nothing:
			return true, failure
		}
		cr.checkedNone = true
		return false, nil // nothing was made: sending again is safe
	}
	var ae *APIError
	if !errors.As(failure, &ae) || (ae.Code != CodeDuplicateTag && ae.Code != CodeOperationInProgress) {
		return false, nil
	}
	img, _, err := cr.reconcile(ctx, reconcileAfterRefusedResend, failure)
	if err != nil {
		return true, err
	}
	cr.found = img
	return true, nil
}

// afterSuccess finds the image of a create the service answered 2xx
// without it.
func (cr *creation) afterSuccess(ctx context.Context) (*Image, error) {
	img, _, err := cr.reconcile(ctx, reconcileAfterSuccess, nil)
	if err != nil {
		return nil, err
	}
	return img, nil
}

// finalError says, when the last uncertain attempt was looked up and the
// failure after it was an answer (not the context), that nothing was
// created.
func (cr *creation) finalError(err error) error {
	if !cr.checkedNone || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	const note = "the SDK checked after the failure: no image was created, so creating it again is safe"
	var re *RequestError
	if errors.As(err, &re) && re.Note == "" {
		re.Note = note
		return re
	}
	return &RequestError{Method: cr.cl.method, Path: cr.cl.path, Err: err, Note: note}
}

// reconcile looks for the image the create made. It returns the image
// found, or nothing=true when it established that nothing was made (only
// in reconcileAfterLostAnswer mode), or an error: the lookup failed or the
// outcome is unknown.
func (cr *creation) reconcile(ctx context.Context, mode reconcileMode, cause error) (img *Image, nothing bool, err error) {
	c := cr.c
	// The window is the sum of the waits between lookups (not wall-clock
	// time), so it means the same under a slow service and in tests.
	var waited time.Duration
	wait := reconcileFirstWait
	for n := 1; ; n++ {
		step := reconcileReport{ctx: ctx, mode: mode, n: n, waited: waited}
		l, err := cr.look(ctx)
		step.l = l
		if err != nil {
			reason := fmt.Sprintf("looking the image up failed too (%v)", err)
			cr.report(step, ReconcileUnknown, reason, err)
			return nil, false, cr.unknown(mode, reason, nil, cause)
		}
		over := waited >= c.settle
		if img, reason, decided := cr.judge(l, mode, over); decided {
			if reason != "" {
				cr.report(step, ReconcileUnknown, reason, nil)
				return nil, false, cr.unknown(mode, reason, ids(l.candidates), cause)
			}
			cr.report(step, ReconcileFound, "", nil)
			return img, false, nil
		}
		if over {
			img, nothing, err := cr.nothingListed(l, mode, cause)
			var coe *CreateOutcomeError
			switch {
			case errors.As(err, &coe):
				cr.report(step, ReconcileUnknown, coe.Reason, nil)
			case nothing:
				cr.report(step, ReconcileNothing, "", nil)
			}
			return img, nothing, err
		}
		cr.report(step, ReconcileLookAgain, "", nil)
		d := min(wait, c.settle-waited)
		if err := c.sleep(ctx, d); err != nil {
			reason := fmt.Sprintf("the lookup was cut short (%v)", err)
			step.waited += d
			cr.report(step, ReconcileUnknown, reason, err)
			return nil, false, cr.unknown(mode, reason, nil, cause)
		}
		waited += d
		wait = min(wait*2, reconcileMaxWait)
	}
}

// reconcileReport is what the observers are told of a lookup.
type reconcileReport struct {
	ctx    context.Context
	mode   reconcileMode
	n      int
	l      lookup
	waited time.Duration
}

// reconcileModeNames name the modes for the observers.
var reconcileModeNames = [...]string{
	reconcileAfterLostAnswer:    "lost_answer",
	reconcileAfterSuccess:       "success_without_image",
	reconcileAfterRefusedResend: "refused_resend",
}

// report gives the client's observers a step of the reconciliation. The
// candidates' IDs come from a decoded answer, scrubbed already.
func (cr *creation) report(r reconcileReport, v ReconcileVerdict, reason string, err error) {
	if len(cr.c.observers) == 0 {
		return
	}
	cr.c.observeReconcile(r.ctx, &ReconcileStep{Mode: reconcileModeNames[r.mode], Lookup: r.n,
		Candidates: ids(r.l.candidates), TimeKnown: r.l.timeKnown, Busy: r.l.busy, Waited: r.waited,
		Verdict: v, Reason: reason, Err: err})
}

// judge decides on one lookup: this call's image, or why the outcome is
// unknown (reason), or nothing decided yet. over says the window is spent.
func (cr *creation) judge(l lookup, mode reconcileMode, over bool) (img *Image, reason string, decided bool) {
	p := cr.probe
	switch n := len(l.candidates); {
	case n == 0:
		return nil, "", false
	case n == 1 && p.ownTag:
		return l.candidates[0], "", true
	case n > 1:
		return nil, "several images match the request and were made after it was sent", true
	case !l.timeKnown:
		return nil, "an image matches the request, but the service sent no usable Date header (none, or one older than what it lists) to tell whether the image is older than the call", true
	case mode == reconcileAfterSuccess || p.notebookID == "" || l.busy:
		return l.candidates[0], "", true
	case over:
		return nil, "an image matching the request was made after it was sent, but the notebook shows no save of this call running, so it may be another caller's", true
	}
	return nil, "", false
}

// nothingListed concludes a window in which no image of this call was
// listed: nothing was made, unless the evidence says something was.
func (cr *creation) nothingListed(last lookup, mode reconcileMode, cause error) (*Image, bool, error) {
	switch {
	case mode == reconcileAfterSuccess:
		return nil, false, cr.unknown(mode, fmt.Sprintf("the service reported success but sent no image, and none was listed within %s", cr.c.settle), nil, cause)
	case last.busy:
		return nil, false, cr.unknown(mode, fmt.Sprintf("the notebook shows a save running, but its image was not listed within %s", cr.c.settle), nil, cause)
	case len(last.recentOlder) > 0:
		return nil, false, cr.unknown(mode, "an image matching the request is listed as made shortly before the call by the service's Date header, which may run ahead of the clock that stamped the image: it may be this call's", ids(last.recentOlder), cause)
	case mode == reconcileAfterRefusedResend:
		return nil, false, cr.unknown(mode, "sent again, the create was refused as a duplicate or busy, yet no image of this call is listed", nil, cause)
	}
	return nil, true, nil
}

// look reads, for a save, the notebook, and then the listing (every page).
// The notebook comes first: a save that ends between the two reads is then
// still seen running, and its image listed.
func (cr *creation) look(ctx context.Context) (lookup, error) {
	c, cl, p := cr.c, cr.cl, cr.probe
	var l lookup
	var (
		resp    Response
		matches []*Image
	)
	lcfg := &callConfig{retry: cl.cfg.retry, attemptTimeout: cl.cfg.attemptTimeout, response: &resp}
	if p.notebookID != "" {
		nb, err := c.getNotebook(ctx, lcfg, p.notebookID)
		if err != nil {
			return l, fmt.Errorf("reading notebook %s: %w", p.notebookID, err)
		}
		l.busy = nb.Status == NotebookStatusSnapshotting
	}
	for img, err := range c.listImages(ctx, lcfg, &p.opts) {
		if err != nil {
			return l, err
		}
		if p.match(img) {
			matches = append(matches, img)
		}
	}
	l.candidates, l.recentOlder, l.timeKnown = p.byTime(matches, resp.Header.Get("Date"), c.now())
	return l, nil
}

// recentWindow is how long before the call, by the lookup's Date header,
// an exact match that has not failed is still taken as possibly this
// call's: a Date running ahead of the clock that stamps the images would
// make this call's image look older than the call. Such a match keeps the
// create from being sent again.
const recentWindow = 2 * time.Hour

// byTime sorts the exact matches by the service's clock, read from the
// Date header of the lookup's answer, received at the caller's time
// received: the candidates were made after the call began; recentOlder
// were made less than recentWindow before it and have not failed. known
// says the clock could be read. An image carrying the tag the SDK chose for
// this call is this call's whatever the clocks say.
func (p *createProbe) byTime(matches []*Image, dateHeader string, received time.Time) (candidates, recentOlder []*Image, known bool) {
	if p.ownTag {
		return matches, nil, true
	}
	date, err := http.ParseTime(dateHeader)
	if err != nil || !dateFits(date, matches) {
		return matches, nil, false
	}
	// The service's clock when the call began: the caller's start moved by
	// the offset between the two clocks. The Date header is truncated to
	// the second, so this errs early: an image of this call is not taken
	// for an older one unless the header runs ahead (see recentWindow),
	// and an exact match made up to a second (and the round trips) before
	// the call is taken for this call's: the limit doc.go states. Erring
	// late instead would leave most lost answers unknown.
	// create_at is truncated to the millisecond, so the start is too: an
	// image made in the call's first millisecond is not older than it.
	serviceStart := p.started.Add(date.Sub(received)).Truncate(time.Millisecond)
	for _, img := range matches {
		switch {
		case !img.CreatedAt.Before(serviceStart):
			candidates = append(candidates, img)
		case serviceStart.Sub(img.CreatedAt.Time) < recentWindow && !img.Status.IsFailure():
			recentOlder = append(recentOlder, img)
		}
	}
	return candidates, recentOlder, true
}

// dateSlack is how far an image listed may seem made after the answer that
// lists it: the Date header is truncated to the second, and the service's
// hosts keep their clocks within a second or so of one another.
const dateSlack = 2 * time.Second

// dateFits reports whether a Date header can be the service's clock when it
// answered: nothing it lists was made after it. A Date older than what it
// lists is stale (a cache's, an epoch default) and proves nothing about
// "before".
func dateFits(date time.Time, listed []*Image) bool {
	for _, img := range listed {
		if img.CreatedAt.After(date.Add(dateSlack)) {
			return false
		}
	}
	return true
}

// unknown is the error of a create whose outcome the SDK cannot establish.
func (cr *creation) unknown(mode reconcileMode, reason string, candidates []string, cause error) error {
	if mode == reconcileAfterSuccess {
		reason = fmt.Sprintf("the service answered success; %s", reason)
	}
	return &CreateOutcomeError{Method: cr.cl.method, Path: cr.cl.path, Reason: reason, Candidates: candidates, Err: cause}
}

func ids(imgs []*Image) []string {
	out := make([]string, len(imgs))
	for i, img := range imgs {
		out[i] = img.ID
	}
	return out
}

// saveProbe finds the image a create-image request would have made: own
// images of that exact name in that namespace, with that tag if one was
// given.
func (c *Client) saveProbe(notebookID string, req *CreateImageRequest, ownTag bool) *createProbe {
	return &createProbe{
		started:    c.now(),
		notebookID: notebookID,
		ownTag:     ownTag,
		opts: ListImagesOptions{Type: ImageTypeDedicated, Name: req.Name,

			Namespace: req.Namespace, WorkspaceID: req.WorkspaceID},
		match: func(img *Image) bool {
			return img.Name == req.Name && img.Namespace == req.Namespace && img.Tag == req.Tag
		},
	}
}

// registerProbe finds an image registered from the same SWR path.
func (c *Client) registerProbe(req *RegisterImageRequest) *createProbe {
	p := &createProbe{
		started: c.now(),
		opts:    ListImagesOptions{Type: ImageTypeDedicated, WorkspaceID: req.WorkspaceID},
		match:   func(img *Image) bool { return img.SWRPath == req.SWRPath },
	}
	if ns, name, ok := splitSWRPath(req.SWRPath); ok {
		p.opts.Name, p.opts.Namespace = name, ns
	}
	return p
}

// splitSWRPath takes "host/org/name:tag" (or "host/org/name") apart into
// the organization and the image name the listing can filter on.
func splitSWRPath(p string) (namespace, name string, ok bool) {
	parts := strings.Split(p, "/")
	if len(parts) != 3 || parts[1] == "" || parts[2] == "" {
		return "", "", false
	}
	name, _, _ = strings.Cut(parts[2], ":")
	name, _, _ = strings.Cut(name, "@")
	return parts[1], name, name != ""
}

// saveTag is the tag of a save whose request named none: the caller's UTC
// time to the second and 48 random bits, letters, digits and '-' only, so
// that it is valid under both editions of the API page and no other call
// chooses it.
func saveTag(now time.Time) (string, error) {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil { // possible before Go 1.24 only
		return "", fmt.Errorf("modelarts: choosing a tag for the save (set CreateImageRequest.Tag to avoid it): %w", err)
	}
	return now.UTC().Format("20060102150405") + "-" + hex.EncodeToString(b[:]), nil
}
