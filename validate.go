package modelarts

import (
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/modelarts-go/modelarts/internal/netutil"
	"github.com/modelarts-go/modelarts/internal/textutil"
)

// Documented limits.
const (
	maxDescriptionLen = 512
	maxImageNameLen   = 128 // newest page; older pages allowed 512
	maxNamespaceLen   = 64
	maxTagLen         = 64
	maxIDLen          = 128
	maxSWRPathLen     = 1024
)

var (
	// Lowercase letters, digits, '-', '_', '.', starting and ending with a
	// letter or digit.
	imageNameRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$`)
	// Starts with a lowercase letter, then letters, digits, '-', '_', '.'.
	namespaceRE = regexp.MustCompile(`^[a-z][a-zA-Z0-9._-]*$`)
	// Letters, digits, '-', '_', '.' (older page) and ',' (newer page).
	tagRE = regexp.MustCompile(`^[A-Za-z0-9._,-]+$`)
)

// isIDChars reports whether id holds only letters, digits, '-', '_' and
// '.': nothing that could change the request path. (A loop, not a regexp:
// it runs on every call.)
func isIDChars(id string) bool {
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return len(id) > 0
}

// parseEndpoint checks an endpoint and returns it without a trailing slash.
func parseEndpoint(endpoint string) (string, error) {
	if endpoint == "" {
		return "", invalid("endpoint", "the endpoint is empty; pass e.g. https://modelarts.cn-north-4.myhuaweicloud.com")
	}
	u, err := url.Parse(endpoint)
	if err != nil || !u.IsAbs() || u.Host == "" {
		return "", invalid("endpoint", "%q is not an absolute http(s) URL", endpoint)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !netutil.IsLoopbackHost(u.Hostname()) {
			return "", invalid("endpoint", "%q uses plain http to a remote host; credentials would travel in clear text: use https", endpoint)
		}
	default:
		return "", invalid("endpoint", "%q has scheme %q; use https", endpoint, u.Scheme)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", invalid("endpoint", "%q must not carry user info, a query or a fragment", u.Redacted())
	}
	return strings.TrimRight(u.Scheme+"://"+u.Host+u.EscapedPath(), "/"), nil
}

func validateProjectID(id string) error {
	if id == "" {
		return invalid("project_id", "the project ID is empty; find it under My Credentials > API Credentials in the console")
	}
	return validateID("project_id", id)
}

// validateID checks an image or notebook ID so it cannot change the path.
func validateID(field, id string) error {
	if id == "" {
		return invalid(field, "the ID is empty")
	}
	if len(id) > maxIDLen {
		return invalid(field, "the ID is longer than %d characters", maxIDLen)
	}
	if !isIDChars(id) || strings.Trim(id, ".") == "" {
		return invalid(field, "%q may contain only letters, digits, '-', '_' and '.'", textutil.Shorten(id, 64))
	}
	return nil
}

func checkLen(field, v string, max int) error {
	if n := utf8.RuneCountInString(v); n > max {
		return invalid(field, "%d characters, at most %d allowed", n, max)
	}
	return nil
}

func checkEnum[E ~string](field string, v E, known []E) error {
	if v != "" && !isKnown(v, known) {
		return invalid(field, "%q is not one of %v", string(v), known)
	}
	return nil
}

func checkEnums[E ~string](field string, vs []E, known []E) error {
	for _, v := range vs {
		if v == "" {
			return invalid(field, "contains an empty value")
		}
		if err := checkEnum(field, v, known); err != nil {
			return err
		}
	}
	return nil
}

func checkPrintable(field, v string) error {
	for _, r := range v {
		if r < 0x20 || r == 0x7f {
			return invalid(field, "contains a control character")
		}
	}
	return nil
}

// validate checks a RegisterImageRequest against the documented rules.
func (r *RegisterImageRequest) validate() error {
	if r == nil {
		return invalid("request", "the RegisterImageRequest is nil")
	}
	if r.SWRPath == "" {
		return invalid("swr_path", "required: the SWR address of the image, e.g. swr.cn-north-4.myhuaweicloud.com/org/name:tag")
	}
	if len(r.SWRPath) > maxSWRPathLen || strings.ContainsAny(r.SWRPath, " \t\r\n") {
		return invalid("swr_path", "%q must be an SWR address without spaces, at most %d characters", textutil.Shorten(r.SWRPath, 64), maxSWRPathLen)
	}
	for _, err := range []error{
		checkPrintable("swr_path", r.SWRPath),
		checkEnum("arch", r.Arch, archValues),
		checkLen("description", r.Description, maxDescriptionLen),
		checkEnum("origin", r.Origin, originValues),
		checkEnums("resource_category", r.ResourceCategories, resourceCategoryValues),
		checkEnum("service_type", r.ServiceType, serviceTypeValues),
		checkEnums("services", r.Services, devServiceValues),
		checkEnum("visibility", r.Visibility, visibilityValues),
		checkPrintable("workspace_id", r.WorkspaceID),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}

// validate checks a CreateImageRequest against the union of the documented
// editions: nothing either allows is rejected, except that name and
// namespace are required as the newest page says.
func (r *CreateImageRequest) validate() error {
	if r == nil {
		return invalid("request", "the CreateImageRequest is nil")
	}
	switch {
	case r.Name == "":
		return invalid("name", "required")
	case len(r.Name) > maxImageNameLen:
		return invalid("name", "%d characters, at most %d allowed", len(r.Name), maxImageNameLen)
	case !imageNameRE.MatchString(r.Name):
		return invalid("name", "%q may contain only lowercase letters, digits, '-', '_' and '.', and must start and end with a letter or digit", textutil.Shorten(r.Name, 64))
	case r.Namespace == "":
		return invalid("namespace", "required: the SWR organization to save the image in")
	case len(r.Namespace) > maxNamespaceLen:
		return invalid("namespace", "%d characters, at most %d allowed", len(r.Namespace), maxNamespaceLen)
	case !namespaceRE.MatchString(r.Namespace):
		return invalid("namespace", "%q must start with a lowercase letter and contain only letters, digits, '-', '_' and '.'", textutil.Shorten(r.Namespace, 64))
	case len(r.Tag) > maxTagLen:
		return invalid("tag", "%d characters, at most %d allowed", len(r.Tag), maxTagLen)
	case r.Tag != "" && !tagRE.MatchString(r.Tag):
		return invalid("tag", "%q may contain only letters, digits, '-', '_', '.' and ','", textutil.Shorten(r.Tag, 64))
	}
	if err := checkLen("description", r.Description, maxDescriptionLen); err != nil {
		return err
	}
	return checkPrintable("workspace_id", r.WorkspaceID)
}
