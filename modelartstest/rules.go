package modelartstest

import (
	"fmt"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/modelarts-go/modelarts"
)

// The request rules of the service, written from the API pages
// (the ModelArts API reference: RegisterImage, CreateImage in its 2025 edition,
// ListImage, ListImageGroup, UpdateImageGroup, StartNotebook,
// ListNotebooks), on purpose not from the SDK's own checks: a wrong rule in
// the SDK must fail against the fake, not pass on both sides. Each check
// returns "" when v is valid, else what is wrong.

// Documented limits.
const (
	maxImageName       = 128   // CreateImage, 2025 edition (the older page said 512)
	maxImageNameFilter = 512   // ListImage / ListImageGroup name filter
	maxNamespace       = 64    // SWR organization
	maxTag             = 64    // image tag (version)
	maxDescription     = 512   // image description
	minSWRPath         = 16    // RegisterImage swr_path
	maxSWRPath         = 2048  // RegisterImage swr_path
	maxRegisterReadMe  = 3000  // RegisterImage read_me
	maxGroupReadMe     = 30000 // UpdateImageGroup read_me
	maxGroupTags       = 20    // RegisterImage tags, UpdateImageGroup tags
	maxTagKey          = 128   // TMS tag key
	maxTagValue        = 255   // TMS tag value
	maxSortKey         = 128   // sort_key of ListImage and ListNotebooks
	maxSWRInstanceID   = 128   // DeleteImageGroup page: "length ≤ 128, 0-9 a-z"
	maxNotebookName    = 128   // ListNotebooks name filter
	minStartDuration   = 3600000
	maxStartDuration   = 259200000
)

func isLower(c rune) bool  { return c >= 'a' && c <= 'z' }
func isDigit(c rune) bool  { return c >= '0' && c <= '9' }
func isLetter(c rune) bool { return isLower(c) || c >= 'A' && c <= 'Z' }

// only reports whether every character of v is allowed.
func only(v string, allowed func(rune) bool) bool {
	for _, c := range v {
		if !allowed(c) {
			return false
		}
	}
	return true
}

func length(v string) int { return utf8.RuneCountInString(v) }

// checkImageName: lowercase letters, digits, '-', '_', '.', starting and
// ending with a letter or a digit (CreateImage).
func checkImageName(v string) string {
	switch {
	case v == "":
		return "name is required"
	case length(v) > maxImageName:
		return fmt.Sprintf("name is longer than %d characters", maxImageName)
	case !only(v, func(c rune) bool { return isLower(c) || isDigit(c) || strings.ContainsRune("-_.", c) }):
		return "name may contain only lowercase letters, digits, '-', '_' and '.'"
	case !isLower(rune(v[0])) && !isDigit(rune(v[0])), !isLower(rune(v[len(v)-1])) && !isDigit(rune(v[len(v)-1])):
		return "name must start and end with a lowercase letter or a digit"
	}
	return ""
}

// checkNameFilter: the name filter of the listings (ListImage,
// ListImageGroup), a whole or partial name.
func checkNameFilter(v string) string {
	switch {
	case length(v) > maxImageNameFilter:
		return fmt.Sprintf("name is longer than %d characters", maxImageNameFilter)
	case !only(v, func(c rune) bool { return isLower(c) || isDigit(c) || strings.ContainsRune("-_.", c) }):
		return "name may contain only lowercase letters, digits, '-', '_' and '.'"
	}
	return ""
}

// checkNamespace: an SWR organization, a lowercase letter then letters,
// digits, '-', '_', '.'.
func checkNamespace(v string) string {
	switch {
	case v == "":
		return "namespace is required"
	case length(v) > maxNamespace:
		return fmt.Sprintf("namespace is longer than %d characters", maxNamespace)
	case !isLower(rune(v[0])):
		return "namespace must start with a lowercase letter"
	case !only(v, func(c rune) bool { return isLetter(c) || isDigit(c) || strings.ContainsRune("-_.", c) }):
		return "namespace may contain only letters, digits, '-', '_' and '.'"
	}
	return ""
}

// checkTag: letters, digits, '-', '_', '.' (older page) and ',' (2025 page);
// the fake accepts what either edition allows.
func checkTag(v string) string {
	switch {
	case length(v) > maxTag:
		return fmt.Sprintf("tag is longer than %d characters", maxTag)
	case !only(v, func(c rune) bool { return isLetter(c) || isDigit(c) || strings.ContainsRune("-_.,", c) }):
		return "tag may contain only letters, digits, '-', '_', '.' and ','"
	}
	return ""
}

func checkDescription(v string) string {
	if length(v) > maxDescription {
		return fmt.Sprintf("description is longer than %d characters", maxDescription)
	}
	return ""
}

// checkWorkspaceID: "0" (no workspace) or 32 lowercase letters and digits.
func checkWorkspaceID(v string) string {
	if v == "" || v == "0" || len(v) == 32 && only(v, func(c rune) bool { return isLower(c) || isDigit(c) }) {
		return ""
	}
	return `workspace_id must be "0" or 32 lowercase letters and digits`
}

// checkSWRPath: 16 to 2048 characters, registry/organization/name[:tag].
func checkSWRPath(v string) string {
	if n := length(v); n < minSWRPath || n > maxSWRPath {
		return fmt.Sprintf("swr_path must be %d to %d characters, got %d", minSWRPath, maxSWRPath, n)
	}
	parts := strings.Split(v, "/")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" || strings.HasPrefix(parts[2], ":") {
		return "swr_path must be registry/organization/name:tag"
	}
	return ""
}

// checkSWRInstanceID: up to 128 lowercase letters and digits (the API
// page); '-' is accepted too, since the official SDK describes the ID as a
// UUID.
func checkSWRInstanceID(v string) string {
	if length(v) > maxSWRInstanceID || !only(v, func(c rune) bool { return isLower(c) || isDigit(c) || c == '-' }) {
		return fmt.Sprintf("swr_instance_id must be at most %d lowercase letters and digits", maxSWRInstanceID)
	}
	return ""
}

// checkSWRInstanceDomain: the registry host of an SWR Enterprise instance;
// the pages give no format, so the fake asks for a host name with an
// optional port, which is what it becomes the start of swr_path with.
func checkSWRInstanceDomain(v string) string {
	if length(v) > 255 || !only(v, func(c rune) bool { return isLetter(c) || isDigit(c) || strings.ContainsRune("-.:", c) }) {
		return "swr_instance_domain must be a host name, optionally with :port"
	}
	return ""
}

func checkReadMe(v string, max int) string {
	if length(v) > max {
		return fmt.Sprintf("read_me is longer than %d characters", max)
	}
	return ""
}

// checkTags: at most 20 TMS tags, key up to 128 characters (not empty),
// value up to 255.
func checkTags(tags []modelarts.Tag) string {
	if len(tags) > maxGroupTags {
		return fmt.Sprintf("at most %d tags, got %d", maxGroupTags, len(tags))
	}
	for _, t := range tags {
		switch {
		case t.Key == "" || length(t.Key) > maxTagKey:
			return fmt.Sprintf("a tag key must be 1 to %d characters", maxTagKey)
		case length(t.Value) > maxTagValue:
			return fmt.Sprintf("a tag value must be at most %d characters", maxTagValue)
		}
	}
	return ""
}

// parseRegisterTags reads RegisterImage's tags, a list of strings whose
// encoding of a key and a value the pages leave open: the fake reads
// "key=value" (or a bare "key" with an empty value).
func parseRegisterTags(v []string) ([]modelarts.Tag, string) {
	tags := make([]modelarts.Tag, 0, len(v))
	for _, t := range v {
		k, val, _ := strings.Cut(t, "=")
		tags = append(tags, modelarts.Tag{Key: k, Value: val})
	}
	return tags, checkTags(tags)
}

// checkSortKey: comma-separated field names, up to 128 letters, digits,
// '-', '_', ','; the fields the fake sorts on are in allowed, any other is
// ModelArts.6303 like the service's "field does not support sorting".
func checkSortKey(v string, allowed ...string) (keys []string, code, msg string) {
	if length(v) > maxSortKey || !only(v, func(c rune) bool { return isLetter(c) || isDigit(c) || strings.ContainsRune("-_,", c) }) {
		return nil, "ModelArts.0104", fmt.Sprintf("sort_key must be at most %d letters, digits, '-', '_' and ','", maxSortKey)
	}
	for _, k := range strings.Split(v, ",") {
		if !oneOf(k, allowed...) || k == "" {
			return nil, "ModelArts.6303", fmt.Sprintf("The field %q does not support sorting", k)
		}
		keys = append(keys, k)
	}
	return keys, "", ""
}

// checkNotebookName: the ListNotebooks name filter, up to 128 letters,
// digits, '-', '_'.
func checkNotebookName(v string) string {
	if length(v) > maxNotebookName || !only(v, func(c rune) bool { return isLetter(c) || isDigit(c) || strings.ContainsRune("-_", c) }) {
		return fmt.Sprintf("name must be at most %d letters, digits, '-' and '_'", maxNotebookName)
	}
	return ""
}

// checkPoolID: 4 to 64 lowercase letters, digits and '-', starting with a
// letter and ending with a letter or a digit.
func checkPoolID(v string) string {
	n := len(v)
	if n < 4 || n > 64 || !only(v, func(c rune) bool { return isLower(c) || isDigit(c) || c == '-' }) ||
		!isLower(rune(v[0])) || v[n-1] == '-' {
		return "pool_id must be 4 to 64 lowercase letters, digits and '-', starting with a letter and ending with a letter or a digit"
	}
	return ""
}

// checkOwner: a user ID, 32 lowercase letters and digits.
func checkOwner(v string) string {
	if len(v) != 32 || !only(v, func(c rune) bool { return isLower(c) || isDigit(c) }) {
		return "owner must be 32 lowercase letters and digits"
	}
	return ""
}

// splitTagFilter reads the ListNotebooks tags filter: items separated by
// ',' or '|', not starting with either, not ending with ',', never two
// separators in a row; letters of any language, digits, spaces and
// "_.:/=+-@".
func splitTagFilter(v string) ([]string, string) {
	const bad = "tags must be items separated by ',' or '|' of letters, digits, spaces and _.:/=+-@"
	items := strings.Split(strings.ReplaceAll(v, "|", ","), ",")
	for _, it := range items {
		if it == "" { // an empty value, or a separator at an end or next to another
			return nil, bad
		}
	}
	if !only(v, func(c rune) bool {
		return c == ',' || c == '|' || unicode.IsLetter(c) || unicode.IsDigit(c) || c == ' ' || strings.ContainsRune("_.:/=+-@", c)
	}) {
		return nil, bad
	}
	return items, ""
}

// oneOf reports whether v is one of allowed, in any case; "" is allowed
// (the field was not sent).
func oneOf(v string, allowed ...string) bool {
	if v == "" {
		return true
	}
	for _, a := range allowed {
		if strings.EqualFold(v, a) {
			return true
		}
	}
	return false
}

func badParam(w http.ResponseWriter, msg string) {
	writeError(w, http.StatusBadRequest, "ModelArts.0104", "Invalid parameter: "+msg)
}
