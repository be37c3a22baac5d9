package modelartstest

import (
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/modelarts-go/modelarts"
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

// listImages serves ListImage. Omitted filters: type means BUILD_IN (the
// documented default), workspace_id means "0" (documented), service_type
// means no filter (the "UNKNOWN" default stated by the SDK alone would
// hide every typed image; unverified, so the fake keeps them).
func (s *Server) listImages(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, offset, ok := pageParams(w, q, defaultListLimit, maxListLimit)
	if !ok {
		return
	}
	nameOK, ok := nameMatcher(w, q)
	if !ok {
		return
	}
	typ, ns, svc, ws := strings.ToUpper(or(q.Get("type"), "BUILD_IN")), q.Get("namespace"), q.Get("service_type"), or(q.Get("workspace_id"), "0")
	sortDir := strings.ToUpper(or(q.Get("sort_dir"), "DESC"))
	var msg string
	switch {
	case !oneOf(typ, imageTypeValues...):
		msg = "type must be BUILD_IN or DEDICATED"
	case ns != "" && checkNamespace(ns) != "":
		msg = checkNamespace(ns)
	case !oneOf(svc, serviceTypeValues...):
		msg = "service_type must be one of " + strings.Join(serviceTypeValues, ", ")
	case checkWorkspaceID(ws) != "":
		msg = checkWorkspaceID(ws)
	case sortDir != "ASC" && sortDir != "DESC":
		msg = "sort_dir must be ASC or DESC"
	}
	if msg != "" {
		badParam(w, msg)
		return
	}
	keys, code, msg := checkSortKey(or(q.Get("sort_key"), "create_at"), "create_at", "update_at", "name")
	if code != "" {
		writeError(w, http.StatusBadRequest, code, msg)
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	ignoreNames := s.bhv.ignoreNameFilters
	var match []modelarts.Image
	for _, id := range s.order {
		stored := s.images[id]
		img := stored.Image
		switch {
		case string(img.Type) != typ, s.hiddenLocked(stored),
			!ignoreNames && !nameOK(img.Name),
			!ignoreNames && ns != "" && img.Namespace != ns,
			svc != "" && !strings.EqualFold(string(img.ServiceType), svc),
			img.WorkspaceID != ws,
			q.Has("show_name") && img.ShowName != q.Get("show_name"),
			q.Has("show_tag") && img.ShowTag != q.Get("show_tag"),
			q.Has("swr_instance_id") && img.SWRInstanceID != q.Get("swr_instance_id"):
			continue
		}
		s.advanceLocked(stored) // a listing reads the image: its save moves on, as with time
		match = append(match, cloneImage(stored.Image))
	}
	s.listedLocked()
	if !s.bhv.ignoreSort {
		sortImages(match, keys, sortDir == "DESC")
	}
	items := make([]any, 0, len(match)+len(s.bhv.nullSlots))
	for i := range match {
		items = append(items, renderImage(&match[i], false))
	}
	items = withNulls(items, s.bhv.nullSlots)
	writeJSON(w, http.StatusOK, s.pageLocked(items, offset, limit))
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
