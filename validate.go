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
	minSWRPathLen     = 16
	maxSWRPathLen     = 2048
	maxReadMeLen      = 3000 // RegisterImage; UpdateImageGroup allows 30000
	maxRequestTags    = 20
	maxEnumLen        = 64 // no documented enum value comes near it
)

var (
	// Lowercase letters, digits, '-', '_', '.', starting and ending with a
	// letter or digit.
	imageNameRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$`)
	// Starts with a lowercase letter, then letters, digits, '-', '_', '.'.
	namespaceRE = regexp.MustCompile(`^[a-z][a-zA-Z0-9._-]*$`)
	// Letters, digits, '-', '_', '.' (older page) and ',' (newer page).
	tagRE = regexp.MustCompile(`^[A-Za-z0-9._,-]+$`)
	// "0" or 32 characters of [0-9a-z].
	workspaceIDRE = regexp.MustCompile(`^[0-9a-z]{32}$`)
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

// endpoint is a checked endpoint: scheme and host, and a path prefix.
type endpoint struct {
	base string // scheme://host[:port]
	path string // "" or "/prefix", no trailing slash
}

// parseEndpoint checks an endpoint. A path prefix is kept (a gateway may
// mount the API under one), but one that repeats the API's own path
// ("/v1", "/v1/{project_id}") is refused: the client adds that itself, and
// requests to /v1/v1/... would come back "not found".
func parseEndpoint(raw, projectID string) (endpoint, error) {
	if raw == "" {
		return endpoint{}, invalid("endpoint", "the endpoint is empty; pass e.g. https://modelarts.cn-north-4.myhuaweicloud.com")
	}
	u, err := url.Parse(raw)
	if err != nil {
		// Not quoted: a value that does not parse may hold user info.
		return endpoint{}, invalid("endpoint", "it is not a URL (%d characters); pass e.g. https://modelarts.cn-north-4.myhuaweicloud.com", len(raw))
	}
	if u.User != nil {
		return endpoint{}, invalid("endpoint", "%q carries user info (user:password@); remove it: credentials go in the signer", redactedURL(u))
	}
	if err := checkEndpointURL(raw, u); err != nil {
		return endpoint{}, err
	}
	path := strings.TrimRight(u.EscapedPath(), "/")
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for i, seg := range segs {
		if seg == "v1" && (i == len(segs)-1 || (i == len(segs)-2 && segs[i+1] == projectID)) {
			drop := "/" + strings.Join(segs[i:], "/")
			return endpoint{}, invalid("endpoint", "%q ends with the API path %q, which the client adds itself; drop it: pass %q",
				redactedURL(u), drop, u.Scheme+"://"+u.Host+strings.TrimSuffix(path, drop))
		}
	}
	return endpoint{base: u.Scheme + "://" + u.Host, path: path}, nil
}

// checkEndpointURL refuses an endpoint that is not an absolute https URL
// (plain http only to a loopback host) or that carries a query or a
// fragment.
func checkEndpointURL(raw string, u *url.URL) error {
	if !u.IsAbs() || u.Host == "" {
		return invalid("endpoint", "%q is not an absolute URL; pass the scheme and host, e.g. %q", textutil.Clip(raw, 128), "https://"+strings.TrimPrefix(textutil.Clip(raw, 128), "//"))
	}
	switch {
	case u.Scheme == "http" && !netutil.IsLoopbackHost(u.Hostname()):
		return invalid("endpoint", "%q uses plain http to a remote host; credentials would travel in clear text: use https", redactedURL(u))
	case u.Scheme != "https" && u.Scheme != "http":
		return invalid("endpoint", "%q has scheme %q; use https", redactedURL(u), u.Scheme)
	case u.RawQuery != "" || u.Fragment != "":
		return invalid("endpoint", "%q must not carry a query or a fragment", redactedURL(u))
	}
	return nil
}

// redactedURL prints u without user info, shortened.
func redactedURL(u *url.URL) string {
	c := *u
	c.User = nil
	return textutil.Clip(c.String(), 128)
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
		return invalid(field, "%q may contain only letters, digits, '-', '_' and '.'", textutil.Clip(id, 64))
	}
	return nil
}

func checkLen(field, v string, max int) error {
	if n := utf8.RuneCountInString(v); n > max {
		return tooLong(field, v, n, max)
	}
	return nil
}

// checkOpenEnum checks an enum value of a request. Enums stay open: a
// value the SDK does not know is sent as given (the service may have added
// it), so only what could never be a value is refused.
func checkOpenEnum[E ~string](field string, v E) error {
	if len(v) > maxEnumLen {
		return invalid(field, "%d bytes, at most %d allowed", len(v), maxEnumLen)
	}
	return checkPrintable(field, string(v))
}

func checkOpenEnums[E ~string](field string, vs []E) error {
	for _, v := range vs {
		if v == "" {
			return invalid(field, "contains an empty value")
		}
		if err := checkOpenEnum(field, v); err != nil {
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

// checkWorkspaceID checks a workspace ID: "0" (the default workspace) or
// 32 characters of [0-9a-z], as documented.
func checkWorkspaceID(id string) error {
	if id == "" || id == "0" {
		return nil
	}
	if !workspaceIDRE.MatchString(id) {
		return invalid("workspace_id", "%q must be \"0\" or 32 characters of 0-9 and a-z", textutil.Clip(id, 64))
	}
	return nil
}

// tooLong is the error of a value longer than max characters (n, as the
// rule counts them): the value is quoted, clipped, as every refused value
// is.
func tooLong(field, v string, n, max int) error {
	return invalid(field, "%q is %d characters, at most %d allowed", textutil.Clip(v, 64), n, max)
}
