package modelartstest

import (
	"fmt"
	"slices"
	"time"
)

// Misbehaviour is a way the service departs from the happy path that the
// API pages allow or that a real deployment shows: give it to NewServer
// with WithMisbehaviour, or turn it on mid-test with Server.Misbehave. Its
// zero value does nothing.
type Misbehaviour interface{ applyBehaviour(*behaviour) }

// misbehaviour makes a Misbehaviour of a function.
type misbehaviour func(*behaviour)

func (f misbehaviour) applyBehaviour(b *behaviour) { f(b) }

// behaviour is the misbehaviour the server shows now.
type behaviour struct {
	lagReads            int           // a new image is left out of this many listing answers
	lagFor              time.Duration // a new image is left out of listings for this long
	clockOffset         time.Duration // the service's clock minus the Clock
	gatewayOffset       time.Duration // the gateway's clock minus the Clock
	pageCap             int           // largest page of a listing, whatever limit asks (0: none)
	noTotal             bool          // listings carry no total (nor pages)
	fixedTotal          int           // listings report this total (0: the true one)
	ignoreOffset        bool          // listings answer from the first record
	ignoreSort          bool          // image listings are oldest first, whatever the sort
	ignoreNameFilters   bool          // image listings ignore name and namespace
	noSnapshotting      bool          // a notebook being saved shows RUNNING
	unlockedSaves       bool          // a notebook being saved can be saved again
	repeatRegistrations bool          // an swr_path can be registered again
	order               orderKind     // rotating or alternating listings
	reads               int           // listing answers given in a rotating or alternating order
	nullSlots           []int         // positions of the image listing that are null
	others              []*otherCall  // another caller's actions still due
}

type orderKind int

const (
	orderStable orderKind = iota
	orderRotating
	orderAlternating
)

// WithMisbehaviour makes the server misbehave as ms say from the start.
func WithMisbehaviour(ms ...Misbehaviour) ServerOption {
	return serverOption(func(s *Server) {
		for _, m := range ms {
			if m != nil {
				m.applyBehaviour(&s.bhv)
			}
		}
	})
}

// Misbehave makes the server misbehave as ms say from now on, on top of
// what it already does; requests in flight may see either behaviour.
func (s *Server) Misbehave(ms ...Misbehaviour) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range ms {
		if m != nil {
			m.applyBehaviour(&s.bhv)
		}
	}
}

// BehaveWell ends every misbehaviour: the server behaves as the API pages
// say from now on (images already lagging stay hidden for their lag).
func (s *Server) BehaveWell() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bhv = behaviour{}
}

// ListingLagReads leaves an image the service makes (a registration, a
// save) out of the next n answers of the image listing, whatever their
// page or filter, while GET of the image already finds it.
//
// It models the service's listing being served from an index or a replica
// updated after the write: a create answered a moment ago is not listed
// yet. Counting reads keeps tests deterministic; n = 0 ends the lag for
// images made from now on.
func ListingLagReads(n int) Misbehaviour {
	if n < 0 {
		panic(fmt.Sprintf("modelartstest: ListingLagReads(%d): the count must not be negative", n))
	}
	return misbehaviour(func(b *behaviour) { b.lagReads = n })
}

// ListingLagFor leaves an image the service makes out of the image
// listing for d on the server's Clock (with a ManualClock, until the test
// advances it that far). It models the same index lag as ListingLagReads,
// measured in time.
func ListingLagFor(d time.Duration) Misbehaviour {
	return misbehaviour(func(b *behaviour) { b.lagFor = d })
}

// ClockOffset sets the service's clock d off the server's Clock (negative:
// behind): its Date header, the create_at and update_at of what it makes,
// and token times move by d. It models a service host whose clock is not
// synchronised with the caller's, which nothing in the API forbids; code
// comparing its own clock with the service's timestamps must cope.
func ClockOffset(d time.Duration) Misbehaviour {
	return misbehaviour(func(b *behaviour) { b.clockOffset = d })
}

// GatewayClockOffset sets the API Gateway's clock d off the server's
// Clock: the Date of the answers the gateway makes itself (injected
// faults, refused signatures, unknown paths) and the time it checks
// signatures against. It models the gateway being another machine than
// the service: its Date says nothing about the service's clock.
func GatewayClockOffset(d time.Duration) Misbehaviour {
	return misbehaviour(func(b *behaviour) { b.gatewayOffset = d })
}

// PageSizeCap answers listings with at most n records whatever limit
// asks, with size and current computed from n. It models a service that
// caps its pages below the documented or requested size; a client must
// page by what it got, not by what it asked. n = 0 ends the cap.
func PageSizeCap(n int) Misbehaviour {
	if n < 0 {
		panic(fmt.Sprintf("modelartstest: PageSizeCap(%d): the cap must not be negative", n))
	}
	return misbehaviour(func(b *behaviour) { b.pageCap = n })
}

// NoListingTotal leaves total and pages out of listing answers. The
// fields are documented, but answers of other APIs of the service (and of
// older versions) lack them; a client must then page until a short page.
func NoListingTotal() Misbehaviour {
	return misbehaviour(func(b *behaviour) { b.noTotal = true })
}

// FixedListingTotal reports n as the total of every listing (and pages
// from it), whatever the listing holds. It models a total that is an
// estimate or stale, as counts of large tables are: a client must stop on
// an empty page rather than trust the total.
func FixedListingTotal(n int) Misbehaviour {
	return misbehaviour(func(b *behaviour) { b.fixedTotal = n })
}

// IgnoredOffset answers every listing from its first record, whatever
// offset says. It models a service (or a proxy rewriting queries) that
// does not implement offset; a client must notice that it is reading the
// same page again rather than loop.
func IgnoredOffset() Misbehaviour {
	return misbehaviour(func(b *behaviour) { b.ignoreOffset = true })
}

// IgnoredSort lists images oldest first, whatever sort_key and sort_dir
// say. The pages document the sort but not that every deployment honours
// it; a client looking for a new image must not expect it on page one.
func IgnoredSort() Misbehaviour {
	return misbehaviour(func(b *behaviour) { b.ignoreSort = true })
}

// IgnoredNameFilters makes the image listing ignore name and namespace
// (other filters still apply). It models a service matching names its
// own way (the pages leave fuzzy matching loosely defined); a client must
// check the names of what it gets.
func IgnoredNameFilters() Misbehaviour {
	return misbehaviour(func(b *behaviour) { b.ignoreNameFilters = true })
}

// NoSnapshotting keeps a notebook being saved as an image RUNNING instead
// of SNAPSHOTTING. It models a service whose notebook status is updated
// after the save starts (or not at all for a short save): the notebook's
// status is no proof that a save happened.
func NoSnapshotting() Misbehaviour {
	return misbehaviour(func(b *behaviour) { b.noSnapshotting = true })
}

// UnlockedNotebookSaves lets a notebook being saved be saved again,
// instead of refusing the second save ModelArts.6357. It models a service
// whose lock on the notebook is taken after the save is accepted; nothing
// but the caller then stops a second image.
func UnlockedNotebookSaves() Misbehaviour {
	return misbehaviour(func(b *behaviour) { b.unlockedSaves = true })
}

// RepeatRegistrations lets an swr_path already registered be registered
// again, making a second image, instead of refusing it ModelArts.6737.
// The pages do not say that a path registers once; a caller must not take
// an older registration of the path for its own.
func RepeatRegistrations() Misbehaviour {
	return misbehaviour(func(b *behaviour) { b.repeatRegistrations = true })
}

// RotatingListingOrder ignores offset and answers each read of a listing
// (images, image groups, notebooks) with the same first page (limit
// records, from the first), its order rotated one further per read (the
// reads of all listings count), and no total. It models a listing
// with no stable order and no working offset: a client that pages by
// offset sees the same records again in another order and must notice.
func RotatingListingOrder() Misbehaviour {
	return misbehaviour(func(b *behaviour) { b.order, b.ignoreOffset, b.noTotal = orderRotating, true, true })
}

// AlternatingListingOrder is RotatingListingOrder with two orders only:
// reads alternate between the page in order and reversed.
func AlternatingListingOrder() Misbehaviour {
	return misbehaviour(func(b *behaviour) { b.order, b.ignoreOffset, b.noTotal = orderAlternating, true, true })
}

// NullListingItems puts a JSON null at each of the given positions
// (0-based, over the whole listing, after filters and sort) of the image
// listing. A null takes its position: it counts toward the page's length,
// toward the offset of the next page and toward total; no image is lost.
// It models a service rendering a record it failed to read as null,
// which JSON arrays allow; a client must skip it, not crash.
func NullListingItems(positions ...int) Misbehaviour {
	for _, p := range positions {
		if p < 0 {
			panic(fmt.Sprintf("modelartstest: NullListingItems(%d): positions must not be negative", p))
		}
	}
	ps := slices.Clone(positions)
	slices.Sort(ps)
	ps = slices.Compact(ps)
	return misbehaviour(func(b *behaviour) { b.nullSlots = ps })
}

// Moment is when, in the handling of a request, another caller acts.
type Moment int

const (
	// WhenArrived: the request has arrived, the service has not acted
	// on it (nor a fault answered it).
	WhenArrived Moment = iota + 1
	// WhenHandled: the service has handled the request and not yet
	// answered (an injected fault may still lose the answer).
	WhenHandled
)

type otherCall struct {
	route Route
	at    Moment
	do    func(*Server)
}

// AnotherCaller makes another user of the project act while the next
// request to route is in flight, at the given moment: do runs once, with
// no lock held, and may use the Server's methods (PutImage, SaveNotebook,
// AddNotebook, ...) to make what that caller makes. Calls queue, one per
// request to route, in order.
//
// It models the project being shared: between a caller's request and its
// answer, someone else may save a notebook as an image of the same name,
// so that "the newest image of that name" is not proof of anything.
func AnotherCaller(route Route, at Moment, do func(*Server)) Misbehaviour {
	if at != WhenArrived && at != WhenHandled {
		panic("modelartstest: AnotherCaller: at must be WhenArrived or WhenHandled")
	}
	if do == nil {
		panic("modelartstest: AnotherCaller: do is nil")
	}
	return misbehaviour(func(b *behaviour) { b.others = append(b.others, &otherCall{route, at, do}) })
}

// anotherCallerActs runs the first action due on route at the moment.
func (s *Server) anotherCallerActs(route Route, at Moment) {
	s.mu.Lock()
	var due *otherCall
	for i, o := range s.bhv.others {
		if o.route == route && o.at == at {
			due = o
			s.bhv.others = slices.Delete(s.bhv.others, i, i+1)
			break
		}
	}
	s.mu.Unlock()
	if due != nil {
		due.do(s)
	}
}

// lagLocked sets the listing lag of an image the service just made.
func (s *Server) lagLocked(img *image) {
	img.hiddenReads = s.bhv.lagReads
	if s.bhv.lagFor > 0 {
		img.hiddenUntil = s.clock.Now().Add(s.bhv.lagFor)
	}
}

// hiddenLocked reports whether a listing leaves img out now.
func (s *Server) hiddenLocked(img *image) bool {
	return img.hiddenReads > 0 || s.clock.Now().Before(img.hiddenUntil)
}
