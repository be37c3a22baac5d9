package modelarts

import (
	"net/url"
	"sort"
	"strings"
)

// encodeQuery encodes q sorted by key, as url.Values.Encode does, but with
// a space as %20, never '+': the official SDK sends %20, and a signature
// must not depend on whether a gateway reads '+' as a space.
func encodeQuery(q url.Values) string {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var sb strings.Builder
	for _, k := range keys {
		ek := escapeQuery(k)
		for _, v := range q[k] {
			if sb.Len() > 0 {
				sb.WriteByte('&')
			}
			sb.WriteString(ek)
			sb.WriteByte('=')
			sb.WriteString(escapeQuery(v))
		}
	}
	return sb.String()
}

// escapeQuery is url.QueryEscape with %20 for a space (QueryEscape writes
// a literal '+' as %2B, so every '+' it returns is a space).
func escapeQuery(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}
