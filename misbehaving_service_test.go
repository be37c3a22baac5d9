package modelarts_test

// The misbehaving service of the create tests (creates_reconcile_test.go) is
// modelartstest's fake with its misbehaviour turned on: hostileServer only
// keeps the tests' vocabulary (fields set before the first request) and
// maps it onto the fake's options. Like the private server it replaced,
// it keeps saves running (the notebook stays SNAPSHOTTING) and, unless
// told otherwise, lets an swr_path be registered again.

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/modelarts-go/modelarts"
	"github.com/modelarts-go/modelarts/modelartstest"
)

const (
	hProject  = modelartstest.DefaultProjectID
	hNotebook = "6a5e1c2b-0b4d-4c5e-9f77-1e2d3c4b5a60"
	hOtherNB  = "7b6f2d3c-1c5e-4d6f-a088-2f3e4d5c6b71"
	hRegistry = "swr.cn-north-4.myhuaweicloud.com"
	// lagPastWindow is a listing lag (in listing reads) no reconcile
	// window of these tests outlasts.
	lagPastWindow = 1000
)

// createFault is what happens to one create request (POST create-image or
// POST images), in the order they arrive.
type createFault int

const (
	createOK          createFault = iota // handled, 200 with the image
	createGateway502                     // a gateway answers 502; the service never saw it
	createDropAfter                      // handled, then the connection is closed unanswered
	createHangAfter                      // handled, then no answer until the client gives up
	createEmpty201                       // handled, 201 Created with no body (2025 page)
	createNotImage201                    // handled, 201 with a JSON body that is not an image
)

// fault is the fake's Fault for f, nil for createOK.
func (f createFault) fault() modelartstest.Fault {
	switch f {
	case createGateway502:
		return modelartstest.RawAnswer{Status: 502, ContentType: "text/html",
			Body: "<html><body><h1>502 Bad Gateway</h1>nginx</body></html>"}
	case createDropAfter:
		return modelartstest.AfterHandling{Then: modelartstest.Drop{}}
	case createHangAfter:
		return modelartstest.AfterHandling{Then: modelartstest.Hang{}}
	case createEmpty201:
		return modelartstest.AfterHandling{Then: modelartstest.RawAnswer{Status: 201}}
	case createNotImage201:
		return modelartstest.AfterHandling{Then: modelartstest.RawAnswer{Status: 201, ContentType: "application/json", Body: `{"result":"success"}`}}
	}
	return nil
}

// hostileServer is the fake and the tests' configuration of it. Set the
// fields before the first request.
type hostileServer struct {
	srv *modelartstest.Server

	clockSkew      time.Duration // service clock = real clock + skew
	gatewaySkew    time.Duration // the gateway's answers carry a Date this far from the real clock
	pageSize       int           // largest page the server returns, whatever limit says (0: honour limit)
	omitTotal      bool          // leave "total" (and pages) out of listing answers
	ignoreOffset   bool          // always answer from the first record
	ignoreSort     bool          // list oldest first whatever sort_key/sort_dir say
	listLagReads   int           // a new image shows in listings only after this many listings
	lockNotebook   bool          // a create on a notebook being saved gets 400 ModelArts.6357
	showSnapshot   bool          // a notebook shows SNAPSHOTTING once a save was handled
	registerRefuse bool          // registering a swr_path already registered gets 6737
	ignoreFilters  bool          // list every DEDICATED image whatever name/namespace say
	fakeTotal      int           // report this total instead of the real one (0: the real one)
	listStatus     int           // answer every listing with this error status (0: list)
	faults         []createFault // per create request, in order; createOK after the list
	// onInFlight runs while the first create request is being received,
	// before the service (or the gateway) acts on it: someone else's save
	// goes here.
	onInFlight func(s *hostileServer)
	// onHandled runs right after the service stored the first create's
	// image.
	onHandled func(s *hostileServer)

	mu      sync.Mutex
	foreign map[string]bool // images not made for the client's requests
	builtin map[string]bool // the fake's built-in images
	applied bool
	others  int // images the other caller saved
}

func newHostileServer(t *testing.T) *hostileServer {
	t.Helper()
	s := &hostileServer{
		// Saves never end: the notebook shows its save for the whole test.
		srv:          modelartstest.NewServer(modelartstest.WithPollsPerStep(1 << 30)),
		showSnapshot: true,
		lockNotebook: true,
		foreign:      map[string]bool{},
		builtin:      map[string]bool{},
	}
	t.Cleanup(s.srv.Close)
	for _, img := range s.srv.Images() {
		s.foreign[img.ID], s.builtin[img.ID] = true, true
	}
	s.srv.AddNotebook(hNotebook, modelarts.NotebookStatusRunning)
	s.srv.AddNotebook(hOtherNB, modelarts.NotebookStatusRunning)
	return s
}

// sync turns the fields into the fake's misbehaviour, and the faults and
// hooks into injected faults and another caller's actions, once: when the
// test makes its client.
func (s *hostileServer) sync() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.applied {
		return
	}
	s.applied = true
	ms := []modelartstest.Misbehaviour{
		modelartstest.ClockOffset(s.clockSkew), modelartstest.GatewayClockOffset(s.gatewaySkew),
		modelartstest.ListingLagReads(s.listLagReads), modelartstest.PageSizeCap(s.pageSize),
		modelartstest.FixedListingTotal(s.fakeTotal),
	}
	for _, m := range []struct {
		on bool
		m  modelartstest.Misbehaviour
	}{
		{s.omitTotal, modelartstest.NoListingTotal()}, {s.ignoreOffset, modelartstest.IgnoredOffset()},
		{s.ignoreSort, modelartstest.IgnoredSort()}, {!s.lockNotebook, modelartstest.UnlockedNotebookSaves()},
		{!s.showSnapshot, modelartstest.NoSnapshotting()}, {!s.registerRefuse, modelartstest.RepeatRegistrations()},
		{s.ignoreFilters, modelartstest.IgnoredNameFilters()},
	} {
		if m.on {
			ms = append(ms, m.m)
		}
	}
	s.srv.Misbehave(ms...)
	for _, route := range []modelartstest.Route{modelartstest.RouteCreateImage, modelartstest.RouteRegisterImage} {
		for _, f := range s.faults {
			if f == createOK {
				// The fake has no "no fault" Fault: an OK create
				// before a faulty one is not used by these tests.
				panic("hostileServer: createOK before a fault")
			}
			s.srv.InjectFault(route, f.fault())
		}
		if s.onInFlight != nil {
			s.srv.Misbehave(modelartstest.AnotherCaller(route, modelartstest.WhenArrived, func(*modelartstest.Server) { s.onInFlight(s) }))
		}
		if s.onHandled != nil {
			s.srv.Misbehave(modelartstest.AnotherCaller(route, modelartstest.WhenHandled, func(*modelartstest.Server) { s.onHandled(s) }))
		}
	}
	if s.listStatus != 0 {
		s.srv.InjectFaultTimes(modelartstest.RouteListImages, modelartstest.Always,
			modelartstest.ErrorAnswer{Status: s.listStatus, Code: "ModelArts.0001", Message: "internal error"})
	}
}

// addImage stores an image made by someone (not through a client request).
// age is how long before the service's now it was made.
func (s *hostileServer) addImage(ns, name, tag, status, owner string, age time.Duration) modelarts.Image {
	return s.put(modelarts.Image{Name: name, Namespace: ns, Tag: tag, SWRPath: fmt.Sprintf("%s/%s/%s:%s", hRegistry, ns, name, tag),
		Status: modelarts.ImageStatus(status), Origin: modelarts.OriginImageSave}, age)
}

func (s *hostileServer) addRegistered(swrPath, status string, age time.Duration) modelarts.Image {
	ns, name, tag := splitSWR(swrPath)
	return s.put(modelarts.Image{Name: name, Namespace: ns, Tag: tag, SWRPath: swrPath,
		Status: modelarts.ImageStatus(status), Origin: modelarts.OriginCustomize}, age)
}

func (s *hostileServer) put(img modelarts.Image, age time.Duration) modelarts.Image {
	s.mu.Lock()
	now := s.srv.Now()
	if !s.applied {
		now = now.Add(s.clockSkew) // the service's clock, before sync sets it
	}
	s.mu.Unlock()
	at := modelarts.TimestampOf(now.Add(-age))
	img.Type, img.Visibility, img.Arch = modelarts.ImageTypeDedicated, modelarts.VisibilityPrivate, modelarts.ArchX86_64
	img.ServiceType, img.WorkspaceID, img.CreatedAt, img.UpdatedAt = modelarts.ServiceTypeUnknown, "0", at, at
	img.ID = s.srv.PutImage(img)
	s.markForeign(img.ID)
	return img
}

// otherSaves is another caller saving its own notebook (hOtherNB) under
// name and tag in the tests' namespace, as the service does it.
func (s *hostileServer) otherSaves(name, tag string) modelarts.Image {
	img, err := s.srv.SaveNotebook(hOtherNB, modelartstest.SaveRequest{Name: name, Namespace: hNS, Tag: tag})
	if err != nil {
		panic(err)
	}
	s.markForeign(img.ID)
	s.mu.Lock()
	s.others++
	s.mu.Unlock()
	return img
}

func (s *hostileServer) markForeign(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.foreign[id] = true
}

func splitSWR(p string) (ns, name, tag string) {
	parts := strings.Split(p, "/")
	if len(parts) >= 3 {
		ns = parts[len(parts)-2]
	}
	name, tag, _ = strings.Cut(parts[len(parts)-1], ":")
	return ns, name, tag
}

func (s *hostileServer) counts() (creates, registers, lists int) {
	return s.srv.RequestCount(modelartstest.RouteCreateImage), s.srv.RequestCount(modelartstest.RouteRegisterImage),
		s.srv.RequestCount(modelartstest.RouteListImages)
}

// madeIDs are the images the service made for the client's requests.
func (s *hostileServer) madeIDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, img := range s.srv.Images() {
		if !s.foreign[img.ID] {
			out = append(out, img.ID)
		}
	}
	return out
}

// ownedBy counts the images saved from notebook: the client saves only
// hNotebook, the other caller only hOtherNB.
func (s *hostileServer) ownedBy(notebook string) int {
	if notebook == hNotebook {
		return len(s.madeIDs())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.others
}

func (s *hostileServer) count(pred func(modelarts.Image) bool) int {
	n := 0
	for _, img := range s.srv.Images() {
		if pred(img) {
			n++
		}
	}
	return n
}

// client is a client of the fake with fast retries and the given
// reconcile window.
func (s *hostileServer) client(t *testing.T, window time.Duration, opts ...modelarts.Option) *modelarts.Client {
	t.Helper()
	s.sync()
	all := append([]modelarts.Option{
		modelarts.WithRetry(modelarts.RetryPolicy{ZeroWait: true}),
		modelarts.WithReconcileWindow(window),
		modelarts.WithAttemptTimeout(2 * time.Second),
	}, opts...)
	c := s.srv.Client(all...)
	require.NotNil(t, c)
	return c
}

// describe is the outcome in one line, for the test log and the report.
func describe(img *modelarts.Image, err error) string {
	if err != nil {
		return fmt.Sprintf("error %T: %v", err, err)
	}
	return "image " + img.ID
}
