package modelartstest

import (
	"crypto/sha256"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/modelarts-go/modelarts"
)

// Routes of this file.
const (
	// RouteListImageGroups is ListImageGroup.
	RouteListImageGroups Route = "GET /v1/{project_id}/images/group"
	// RouteUpdateImageGroup is UpdateImageGroup.
	RouteUpdateImageGroup Route = "PUT /v1/{project_id}/images/group/{id}"
	// RouteDeleteImageGroup is DeleteImageGroup.
	RouteDeleteImageGroup Route = "DELETE /v1/{project_id}/images/group/{id}"
)

var (
	_ = declare(RouteListImageGroups, (*Server).listImageGroups)
	_ = declare(RouteUpdateImageGroup, (*Server).updateImageGroup)
	_ = declare(RouteDeleteImageGroup, (*Server).deleteImageGroup)
)

// An image group is the set of versions (tags) of one image name in one
// SWR organization. The fake derives groups from the images it holds, so
// they always reflect them: version_count is the number of images, the
// times span theirs. What only a group has (read_me, tags) is kept in a
// groupMeta. A group's ID is derived from its organization and name, so it
// is the same on every server and stays the same while the group lives.
type groupMeta struct {
	readMe   string
	tags     []modelarts.Tag
	updateAt modelarts.Timestamp // of the last UpdateImageGroup
}

func groupKey(namespace, name string) string { return namespace + "/" + name }

// groupID is a UUID-shaped ID derived from the group's organization and
// name.
func groupID(namespace, name string) string {
	sum := sha256.Sum256([]byte("modelartstest-group:" + groupKey(namespace, name)))
	sum[6] = sum[6]&0x0f | 0x50
	sum[8] = sum[8]&0x3f | 0x80
	return formatUUID(sum[:16])
}

func (s *Server) groupMetaLocked(namespace, name string) *groupMeta {
	k := groupKey(namespace, name)
	g, ok := s.groups[k]
	if !ok {
		g = &groupMeta{}
		s.groups[k] = g
	}
	return g
}

// group is one group as the fake derives it.
type group struct {
	id, name, namespace string
	typ                 modelarts.ImageType
	workspaceID         string
	swrInstanceID       string
	images              []*image // oldest first
	meta                *groupMeta
}

// groupsLocked derives the groups from the images, in the order their
// first images were made.
func (s *Server) groupsLocked() []*group {
	var out []*group
	byKey := map[string]*group{}
	for _, id := range s.order {
		img := s.images[id]
		k := groupKey(img.Namespace, img.Name)
		g, ok := byKey[k]
		if !ok {
			g = &group{
				id: groupID(img.Namespace, img.Name), name: img.Name, namespace: img.Namespace,
				typ: img.Type, workspaceID: img.WorkspaceID, swrInstanceID: img.SWRInstanceID,
				meta: s.groupMetaLocked(img.Namespace, img.Name),
			}
			byKey[k] = g
			out = append(out, g)
		}
		g.images = append(g.images, img)
	}
	return out
}

func (s *Server) groupByIDLocked(id string) *group {
	for _, g := range s.groupsLocked() {
		if g.id == id {
			return g
		}
	}
	return nil
}

// render is the documented JSON of a group (ImageGroup): its description
// is its newest image's, its times span its images (and its own updates).
// The pages' field list of a group was seen cut short; the fake adds the
// group's tags, so that a test can observe what UpdateImageGroup set.
func (g *group) render() map[string]any {
	created, updated := g.images[0].CreatedAt, g.meta.updateAt
	for _, img := range g.images {
		if img.CreatedAt.Before(created.Time) {
			created = img.CreatedAt
		}
		if img.UpdatedAt.After(updated.Time) {
			updated = img.UpdatedAt
		}
	}
	newest := g.images[len(g.images)-1]
	return map[string]any{
		"id": g.id, "name": g.name, "namespace": g.namespace, "version_count": len(g.images),
		"description": newest.Description, "read_me": g.meta.readMe, "icon_name": iconName(g.name),
		"tags":            orEmpty(slices.Clone(g.meta.tags)),
		"swr_instance_id": nullIfEmpty(g.swrInstanceID), "swr_instance_name": nullIfEmpty(swrInstanceName(g.swrInstanceID)),
		"create_at": millis(created), "update_at": millis(updated),
	}
}

// iconName: the service shows an engine icon; the fake names it after the
// first word of the image name.
func iconName(name string) string {
	n, _, _ := strings.Cut(name, "-")
	return n + ".png"
}

func swrInstanceName(id string) string {
	if id == "" {
		return ""
	}
	return "swr-ee-" + shortID(id)
}

// listImageGroups serves ListImageGroup: filters name (fuzzy unless
// name_fuzzy_match=false), namespace, type (omitted: all types, as
// documented for this API), workspace_id (omitted: "0"), swr_instance_id,
// and limit/offset like ListImage. is_swr_enterprise says whether any
// image of the account is in SWR Enterprise.
func (s *Server) listImageGroups(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, offset, ok := pageParams(w, q, defaultListLimit, maxListLimit)
	if !ok {
		return
	}
	nameOK, ok := nameMatcher(w, q)
	if !ok {
		return
	}
	f := groupFilter{typ: strings.ToUpper(q.Get("type")), ns: q.Get("namespace"), ws: or(q.Get("workspace_id"), "0"),
		swr: q.Get("swr_instance_id"), swrSet: q.Has("swr_instance_id"), name: nameOK}
	if msg := f.check(); msg != "" {
		badParam(w, msg)
		return
	}
	s.mu.Lock()
	groups := s.groupsLocked()
	enterprise := false
	for _, g := range groups {
		enterprise = enterprise || g.swrInstanceID != ""
	}
	// Newest group first, as the image listing's default order.
	sort.SliceStable(groups, func(i, j int) bool {
		return groups[i].images[0].CreatedAt.After(groups[j].images[0].CreatedAt.Time)
	})
	items := []any{}
	for _, g := range groups {
		if f.matches(g) {
			items = append(items, g.render())
		}
	}
	out := s.pageLocked(items, offset, limit)
	s.mu.Unlock()
	out["is_swr_enterprise"] = enterprise
	writeJSON(w, http.StatusOK, out)
}

// groupFilter is the query of a group listing.
type groupFilter struct {
	typ, ns, ws, swr string
	swrSet           bool
	name             func(string) bool
}

// check applies the page's rules to the query: the message of the first
// one broken, or "".
func (f *groupFilter) check() string {
	switch {
	case !oneOf(f.typ, imageTypeValues...):
		return "type must be BUILD_IN or DEDICATED"
	case f.ns != "" && checkNamespace(f.ns) != "":
		return checkNamespace(f.ns)
	case checkWorkspaceID(f.ws) != "":
		return checkWorkspaceID(f.ws)
	}
	return checkSWRInstanceID(f.swr)
}

func (f *groupFilter) matches(g *group) bool {
	switch {
	case f.typ != "" && string(g.typ) != f.typ, !f.name(g.name),
		f.ns != "" && g.namespace != f.ns, g.workspaceID != f.ws,
		f.swrSet && g.swrInstanceID != f.swr:
		return false
	}
	return true
}

func groupNotFound(w http.ResponseWriter, id string) {
	writeError(w, http.StatusBadRequest, "ModelArts.6404", "Image group "+id+" not found")
}

// updateImageGroup serves UpdateImageGroup: read_me (up to 30000
// characters) replaces the group's when sent, an empty one clears it; tags
// (at most 20) replace the group's set when sent. The pages leave
// replace-or-merge open; the fake replaces, as PUT does. It answers the
// group.
func (s *Server) updateImageGroup(w http.ResponseWriter, r *http.Request) {
	var req struct {
		ReadMe *string          `json:"read_me"`
		Tags   *[]modelarts.Tag `json:"tags"`
	}
	if !decodeBody(w, r, &req) {
		return
	}
	if req.ReadMe != nil {
		if msg := checkReadMe(*req.ReadMe, maxGroupReadMe); msg != "" {
			badParam(w, msg)
			return
		}
	}
	if req.Tags != nil {
		if msg := checkTags(*req.Tags); msg != "" {
			badParam(w, msg)
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.groupByIDLocked(r.PathValue("id"))
	if g == nil {
		groupNotFound(w, r.PathValue("id"))
		return
	}
	if req.ReadMe != nil {
		g.meta.readMe = *req.ReadMe
	}
	if req.Tags != nil {
		g.meta.tags = slices.Clone(*req.Tags)
	}
	g.meta.updateAt = modelarts.TimestampOf(s.now())
	writeJSON(w, http.StatusOK, g.render())
}

// deleteImageGroup serves DeleteImageGroup: every image of the group is
// deleted (with is_force in the body, the SWR content of private ones
// too), built-in groups excepted (403 ModelArts.6407). It answers the
// group as it was.
func (s *Server) deleteImageGroup(w http.ResponseWriter, r *http.Request) {
	force, ok := forceOf(w, r, false)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.groupByIDLocked(r.PathValue("id"))
	if g == nil {
		groupNotFound(w, r.PathValue("id"))
		return
	}
	if g.typ == modelarts.ImageTypeBuildIn {
		writeError(w, http.StatusForbidden, "ModelArts.6407", "Built-in images cannot be deleted")
		return
	}
	out := g.render()
	for _, img := range g.images {
		s.deleteLocked(img, force)
	}
	delete(s.groups, groupKey(g.namespace, g.name))
	writeJSON(w, http.StatusOK, out)
}

// readAll returns the request body, which authenticated has already read
// into memory.
func readAll(r *http.Request) ([]byte, error) { return io.ReadAll(r.Body) }
