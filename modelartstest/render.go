package modelartstest

import (
	"strings"

	"github.com/modelarts-go/modelarts"
)

// renderImage is the documented JSON of an image with every field of the
// API pages set (null where the service sends null). single is true for
// answers about one image (get, register, save, delete, sync), which carry
// support_res_categories; listing items do not. arch goes in lowercase, as
// the service's examples send it.
func renderImage(img *modelarts.Image, single bool) map[string]any {
	m := map[string]any{
		"id": img.ID, "name": img.Name, "namespace": img.Namespace, "tag": img.Tag,
		"swr_path": img.SWRPath, "description": img.Description,
		"arch": strings.ToLower(string(img.Arch)), "status": img.Status, "status_message": img.StatusMessage,
		"origin": img.Origin, "type": img.Type, "visibility": img.Visibility,
		"service_type": img.ServiceType, "dev_services": orEmpty(img.DevServices),
		"resource_categories": orEmpty(img.ResourceCategories), "workspace_id": img.WorkspaceID,
		"size": img.Size, "tags": orEmpty(img.Tags),
		"flavor_type": nullIfEmpty(string(img.FlavorType)), "swr_instance_id": nullIfEmpty(img.SWRInstanceID),
		"show_name": nullIfEmpty(img.ShowName), "show_tag": nullIfEmpty(img.ShowTag),
		"create_at": millis(img.CreatedAt), "update_at": millis(img.UpdatedAt),
	}
	if single {
		cats := img.SupportResCategories
		if len(cats) == 0 {
			cats = img.ResourceCategories
		}
		m["support_res_categories"] = orEmpty(cats)
	}
	return m
}

// nullIfEmpty is v, or JSON null for "": the service sends null for a
// field that does not apply (swr_instance_id without SWR Enterprise,
// show_name of a user's image).
func nullIfEmpty(v string) any {
	if v == "" {
		return nil
	}
	return v
}

// orEmpty is vs, or an empty (not null) list.
func orEmpty[T any](vs []T) []T {
	if vs == nil {
		return []T{}
	}
	return vs
}

// millis is t in UTC milliseconds since the epoch, 0 for an unset time (an
// image stored by PutImage without times).
func millis(t modelarts.Timestamp) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}
