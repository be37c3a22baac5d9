package modelartstest

import (
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/modelarts-go/modelarts"
)

// Routes of this file.
const (
	// RouteListImages is ListImage: the image listing.
	RouteListImages Route = "GET /v1/{project_id}/images"
)

var (
	_ = declare(RouteListImages, (*Server).listImages)
)

// Listing limits: the pages give a default of 200 and no maximum; the fake
// takes up to maxListLimit and answers ModelArts.0104 beyond, so that a
// client that sends more learns it from a 400 here too.
const (
	defaultListLimit = 200
	maxListLimit     = 1000
)

// pageParams reads limit and offset.
func pageParams(w http.ResponseWriter, q map[string][]string, def, max int) (limit, offset int, ok bool) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	limit = def
	if v := get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > max {
			badParam(w, "limit must be 1 to "+strconv.Itoa(max))
			return 0, 0, false
		}
		limit = n
	}
	if v := get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			badParam(w, "offset must be a non-negative integer")
			return 0, 0, false
		}
		offset = n
	}
	return limit, offset, true
}

// nameMatcher reads name and name_fuzzy_match: the name matches as a
// substring unless name_fuzzy_match=false is sent (the documented default
// is true).
func nameMatcher(w http.ResponseWriter, q map[string][]string) (func(string) bool, bool) {
	name := first(q, "name")
	if msg := checkNameFilter(name); msg != "" {
		badParam(w, msg)
		return nil, false
	}
	fuzzy := true
	switch v := strings.ToLower(first(q, "name_fuzzy_match")); v {
	case "", "true":
	case "false":
		fuzzy = false
	default:
		badParam(w, "name_fuzzy_match must be true or false")
		return nil, false
	}
	return func(n string) bool {
		switch {
		case name == "":
			return true
		case fuzzy:
			return strings.Contains(n, name)
		default:
			return n == name
		}
	}, true
}

func first(q map[string][]string, k string) string {
	if v := q[k]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// listImages serves ListImage (filters: see imageFilter), sorted by
// sort_key (create_at, update_at, name) and sort_dir, paged by limit and
// offset, as the server's misbehaviour says.
func (s *Server) listImages(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, offset, ok := pageParams(w, q, defaultListLimit, maxListLimit)
	if !ok {
		return
	}
	f, ok := parseImageFilter(w, q)
	if !ok {
		return
	}
	keys, code, msg := checkSortKey(or(q.Get("sort_key"), "create_at"), "create_at", "update_at", "name")
	if code != "" {
		writeError(w, http.StatusBadRequest, code, msg)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f.ignoreNames = s.bhv.ignoreNameFilters
	var match []modelarts.Image
	for _, id := range s.order {
		if stored := s.images[id]; !s.hiddenLocked(stored) && f.match(&stored.Image) {
			s.advanceLocked(stored) // a listing reads the image: its save moves on, as with time
			match = append(match, cloneImage(stored.Image))
		}
	}
	s.listedLocked()
	if !s.bhv.ignoreSort {
		sortImages(match, keys, strings.ToUpper(or(q.Get("sort_dir"), "DESC")) == "DESC")
	}
	items := make([]any, 0, len(match)+len(s.bhv.nullSlots))
	for i := range match {
		items = append(items, renderImage(&match[i], false))
	}
	items = withNulls(items, s.bhv.nullSlots)
	writeJSON(w, http.StatusOK, s.pageLocked(items, offset, limit))
}

// imageFilter is what an image listing asks for. Omitted filters: type
// means BUILD_IN (the documented default), workspace_id means "0"
// (documented), service_type means no filter (the "UNKNOWN" default
// stated by the SDK alone would hide every typed image; unverified, so the
// fake keeps them).
type imageFilter struct {
	q                url.Values
	nameOK           func(string) bool
	typ, ns, svc, ws string
	ignoreNames      bool // IgnoredNameFilters
}

// parseImageFilter reads and checks the filters, answering 400 itself
// when one is wrong.
func parseImageFilter(w http.ResponseWriter, q url.Values) (imageFilter, bool) {
	nameOK, ok := nameMatcher(w, q)
	if !ok {
		return imageFilter{}, false
	}
	f := imageFilter{q: q, nameOK: nameOK, typ: strings.ToUpper(or(q.Get("type"), "BUILD_IN")), ns: q.Get("namespace"),
		svc: q.Get("service_type"), ws: or(q.Get("workspace_id"), "0")}
	for _, msg := range []string{
		when(!oneOf(f.typ, imageTypeValues...), "type must be BUILD_IN or DEDICATED"),
		when(f.ns != "", checkNamespace(f.ns)),
		when(!oneOf(f.svc, serviceTypeValues...), "service_type must be one of "+strings.Join(serviceTypeValues, ", ")),
		checkWorkspaceID(f.ws),
		when(!oneOf(q.Get("sort_dir"), "ASC", "DESC"), "sort_dir must be ASC or DESC"),
	} {
		if msg != "" {
			badParam(w, msg)
			return f, false
		}
	}
	return f, true
}

// match reports whether img passes every filter.
func (f imageFilter) match(img *modelarts.Image) bool {
	has := func(k, v string) bool { return !f.q.Has(k) || f.q.Get(k) == v }
	names := f.ignoreNames || f.nameOK(img.Name) && (f.ns == "" || img.Namespace == f.ns)
	return string(img.Type) == f.typ && names && img.WorkspaceID == f.ws &&
		(f.svc == "" || strings.EqualFold(string(img.ServiceType), f.svc)) &&
		has("show_name", img.ShowName) && has("show_tag", img.ShowTag) && has("swr_instance_id", img.SWRInstanceID)
}

// listedLocked counts one answer of the image listing against the lag
// of every image still hidden by ListingLagReads.
func (s *Server) listedLocked() {
	for _, img := range s.images {
		if img.hiddenReads > 0 {
			img.hiddenReads--
		}
	}
}

// withNulls inserts a JSON null at each position of slots (sorted) that
// falls within the listing or right after it.
func withNulls(items []any, slots []int) []any {
	for _, p := range slots {
		if p > len(items) {
			break
		}
		items = slices.Insert(items, p, any(nil))
	}
	return items
}

// pageLocked cuts one page out of a listing's items (all of them,
// filtered and sorted) as the service's misbehaviour says, and wraps it
// in the documented envelope: data plus current, pages, size and total.
func (s *Server) pageLocked(items []any, offset, limit int) map[string]any {
	b := &s.bhv
	if b.pageCap > 0 {
		limit = min(limit, b.pageCap)
	}
	if b.ignoreOffset {
		offset = 0
	}
	data := slices.Clone(items[min(offset, len(items)):min(offset+limit, len(items))])
	switch b.order {
	case orderRotating:
		if n := len(data); n > 0 {
			k := b.reads % n
			data = append(data[k:], data[:k]...)
		}
		b.reads++
	case orderAlternating:
		if b.reads%2 == 1 {
			slices.Reverse(data)
		}
		b.reads++
	}
	out := map[string]any{"current": offset/limit + 1, "data": data, "size": limit}
	total := len(items)
	if b.fixedTotal > 0 {
		total = b.fixedTotal
	}
	if !b.noTotal {
		out["total"], out["pages"] = total, (total+limit-1)/limit
	}
	return out
}

// sortImages orders by the keys in turn, then by ID so that pages never
// overlap.
func sortImages(imgs []modelarts.Image, keys []string, desc bool) {
	sort.SliceStable(imgs, func(i, j int) bool {
		a, b := &imgs[i], &imgs[j]
		for _, k := range keys {
			var c int
			switch k {
			case "name":
				c = strings.Compare(a.Name, b.Name)
			case "update_at":
				c = a.UpdatedAt.Compare(b.UpdatedAt.Time)
			default:
				c = a.CreatedAt.Compare(b.CreatedAt.Time)
			}
			if c != 0 {
				return c < 0 != desc
			}
		}
		return a.ID < b.ID != desc
	})
}
