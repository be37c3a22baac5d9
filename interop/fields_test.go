package interop

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
)

// The fields modelartstest claims to set, by the API's JSON names. When
// the fake learns a field, add it here: the suite then requires the fake to
// send it non-empty and the official SDK's model to decode it. Whatever
// else the fake sends is checked too (see checkDecoded), listed or not;
// swr_instance_id and tags are among those (null and empty unless SWR
// Enterprise or tags are used, as the service sends them).
var (
	// imageFields are set on every image.
	imageFields = []string{
		"id", "name", "namespace", "tag", "swr_path", "description", "arch", "status", "type",
		"service_type", "dev_services", "resource_categories", "workspace_id", "create_at", "update_at",
	}
	// builtInFields are set on the built-in (BUILD_IN) images.
	builtInFields = slices.Concat(imageFields, []string{"origin", "visibility", "size", "show_name", "show_tag"})
	// ownFields are set on registered and saved (DEDICATED) images.
	ownFields = slices.Concat(imageFields, []string{"origin", "visibility"})
	// registeredFields are set on a registered image (a single-image
	// answer: support_res_categories is absent from listing items).
	registeredFields = slices.Concat(ownFields, []string{"size", "support_res_categories"})
	// savingFields are set on an image being saved from a notebook (INIT).
	savingFields = slices.Concat(ownFields, []string{"support_res_categories"})
	// savedFields are set on a saved image once ACTIVE.
	savedFields = slices.Concat(ownFields, []string{"size", "support_res_categories"})
	// listFields are set on a page of the image listing.
	listFields = []string{"current", "data", "pages", "size", "total"}
)

// checkDecoded asserts that the official SDK decoded the fake's answer raw
// into typed without losing anything: every field in claimed is in raw and
// not empty (the fake sets it), and every non-empty field of raw comes back
// with the same value when typed is encoded again (the official model has
// the field and decoded it). It returns raw, decoded, for further checks.
func checkDecoded(t reporter, raw []byte, typed any, claimed []string) map[string]any {
	t.Helper()
	return checkListDecoded(t, raw, typed, claimed, nil)
}

// checkListDecoded is checkDecoded for a page of the listing: each image
// in its "data" must carry the fields in items.
func checkListDecoded(t reporter, raw []byte, typed any, claimed, items []string) map[string]any {
	t.Helper()
	var sent map[string]any
	if err := json.Unmarshal(raw, &sent); err != nil {
		t.Errorf("the fake's answer is not a JSON object: %v: %s", err, raw)
		return nil
	}
	b, err := json.Marshal(typed)
	if err != nil {
		t.Errorf("cannot encode %T again: %v", typed, err)
		return sent
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Errorf("%T does not encode to a JSON object: %v", typed, err)
		return sent
	}
	compareFields(t, fmt.Sprintf("%T", typed), sent, got, claimed, items)
	return sent
}

// reporter is the part of *testing.T the checks use, so that a test can
// show that they fail.
type reporter interface {
	Helper()
	Errorf(format string, args ...any)
}

// compareFields is checkDecoded on decoded JSON objects; where names the
// object in messages.
func compareFields(t reporter, where string, sent, got map[string]any, claimed, items []string) {
	t.Helper()
	for _, k := range claimed {
		if isEmpty(sent[k]) {
			t.Errorf("%s: the fake no longer sets %q (it is in the claimed list)", where, k)
		}
	}
	for k, v := range sent {
		if isEmpty(v) {
			continue
		}
		g, ok := got[k]
		switch {
		case !ok:
			t.Errorf("%s: field %q = %v sent by the fake did not arrive in the official model", where, k, v)
		case k == "data":
			compareList(t, where, v, g, items)
		default:
			if fmt.Sprint(g) != fmt.Sprint(v) {
				t.Errorf("%s: field %q: the fake sent %v, the official model decoded %v", where, k, v, g)
			}
		}
	}
}

// compareList checks each image of a listing's "data", which must carry
// the fields in items.
func compareList(t reporter, where string, sent, got any, items []string) {
	t.Helper()
	s, ok1 := sent.([]any)
	g, ok2 := got.([]any)
	if !ok1 || !ok2 || len(s) != len(g) {
		t.Errorf("%s: data: the fake sent %d images, the official model decoded %v", where, len(s), got)
		return
	}
	for i := range s {
		si, _ := s[i].(map[string]any)
		gi, _ := g[i].(map[string]any)
		compareFields(t, fmt.Sprintf("%s.data[%d]", where, i), si, gi, items, nil)
	}
}

// isEmpty reports whether a decoded JSON value carries nothing.
func isEmpty(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case string:
		return v == ""
	case []any:
		return len(v) == 0
	case map[string]any:
		return len(v) == 0
	}
	return false
}

func TestCheckDecodedCatchesLosses(t *testing.T) {
	type model struct {
		ID   *string `json:"id,omitempty"`
		Size *int64  `json:"size,omitempty"`
	}
	id, size := "x", int64(7)
	cases := []struct {
		name    string
		raw     string
		typed   model
		claimed []string
		fails   bool
	}{
		{"all decoded", `{"id":"x","size":7,"empty":"","none":null}`, model{&id, &size}, []string{"id", "size"}, false},
		{"claimed but not sent", `{"id":"x"}`, model{ID: &id}, []string{"id", "size"}, true},
		{"sent but not in the model", `{"id":"x","extra":"y"}`, model{ID: &id}, nil, true},
		{"sent but not decoded", `{"id":"x","size":7}`, model{ID: &id}, nil, true},
		{"decoded to another value", `{"id":"y"}`, model{ID: &id}, nil, true},
	}
	type list struct {
		Data *[]model `json:"data,omitempty"`
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var probe probe
			checkDecoded(&probe, []byte(c.raw), c.typed, c.claimed)
			if (len(probe.errors) > 0) != c.fails {
				t.Errorf("errors %q, want failure: %v", probe.errors, c.fails)
			}
		})
	}
	listCases := []struct {
		name  string
		raw   string
		typed list
		fails bool
	}{
		{"list decoded", `{"data":[{"id":"x","size":7}]}`, list{&[]model{{&id, &size}}}, false},
		{"image lost", `{"data":[{"id":"x","size":7}]}`, list{&[]model{}}, true},
		{"image field lost", `{"data":[{"id":"x","size":7}]}`, list{&[]model{{ID: &id}}}, true},
		{"claimed image field not sent", `{"data":[{"id":"x"}]}`, list{&[]model{{ID: &id}}}, true},
	}
	for _, c := range listCases {
		t.Run(c.name, func(t *testing.T) {
			var probe probe
			checkListDecoded(&probe, []byte(c.raw), c.typed, nil, []string{"id", "size"})
			if (len(probe.errors) > 0) != c.fails {
				t.Errorf("errors %q, want failure: %v", probe.errors, c.fails)
			}
		})
	}
}

// probe records what a check reports.
type probe struct{ errors []string }

func (p *probe) Helper() {}

func (p *probe) Errorf(format string, args ...any) {
	p.errors = append(p.errors, fmt.Sprintf(format, args...))
}
