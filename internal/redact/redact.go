// Package redact removes known secrets from text that came from a server
// (error bodies, messages, headers) before the SDK stores or logs it.
//
// A server may echo a secret as it was sent or in any encoding the wire
// uses, so a Set finds each secret in every one of these forms and replaces
// the whole encoded run with Placeholder:
//
//   - raw bytes;
//   - backslash escapes as JSON and JavaScript encoders write them: \uXXXX
//     for any character (either hex case, surrogate pairs for characters
//     outside the BMP), \" \\ \/ \' \b \f \n \r \t and \xHH, read both
//     as a byte (Python bytes, Go's %q) and as the code point U+00HH
//     (JavaScript, a Python str); Go's encoding/json \u003c \u003e \u0026
//     forms are among these;
//   - percent-encoding (url.QueryEscape and url.PathEscape, either hex case;
//     "+" read both as a space and as itself);
//   - HTML character references: &lt; &gt; &amp; &quot; &apos; and numeric
//     &#NN; / &#xHH; forms;
//   - any two of these, one over the other, the same kind twice included: a
//     URL-encoded or HTML-escaped JSON body, a JSON body quoted in a JSON
//     string, HTML escaped twice;
//   - a response header's name: Go re-cases it (net/textproto's canonical
//     form), so a Set made by New or With also holds each secret as it
//     appears in such a name.
//
// Escaped and plain characters may be mixed freely within one form (an
// encoder that escapes only some characters is covered).
//
// Secrets shorter than MinLen bytes are ignored: real credentials (IAM
// passwords, AK/SK pairs, tokens) are far longer, and replacing every
// occurrence of a one- to three-byte string would shred ordinary text while
// its pattern of placeholders gave the secret away anyway.
package redact

import (
	"bytes"
	"fmt"
	"io"
	"net/textproto"
	"slices"
	"strings"
	"unsafe"
)

// Placeholder replaces every occurrence of a secret.
const Placeholder = "[REDACTED]"

// MinLen is the shortest secret a Set redacts, in bytes.
const MinLen = 4

// Set is an immutable set of secrets. A nil *Set redacts nothing. It is safe
// for concurrent use; With returns a new Set and leaves the old one as it was.
type Set struct {
	secrets []string // distinct, at least MinLen bytes each: the given ones, then their header-name forms
	given   int      // how many of secrets were given
}

// New returns a Set of the given secrets; those shorter than MinLen bytes
// are left out (see the package comment for why).
func New(secrets ...string) *Set {
	return (*Set)(nil).With(secrets...)
}

// With returns a new Set holding the secrets of s and the given ones.
func (s *Set) With(secrets ...string) *Set {
	var given []string
	if s != nil {
		given = slices.Clone(s.secrets[:s.given])
	}
	for _, v := range secrets {
		if len(v) >= MinLen && !slices.Contains(given, v) {
			given = append(given, v)
		}
	}
	out := &Set{secrets: given, given: len(given)}
	for _, v := range given {
		for _, f := range headerNameForms(v) {
			if !slices.Contains(out.secrets, f) {
				out.secrets = append(out.secrets, f)
			}
		}
	}
	return out
}

// headerNameForms are sec as it appears in a response header's name once
// Go has re-cased it: every letter lower case but those after a '-', and
// the first upper case (the name begins with sec, or sec follows a '-')
// or lower case (sec follows another character). A secret with a byte no
// header name may hold is left as it is, as Go leaves such a name.
func headerNameForms(sec string) []string {
	return []string{textproto.CanonicalMIMEHeaderKey(sec), textproto.CanonicalMIMEHeaderKey("x" + sec)[1:]}
}

// Len reports how many secrets the Set redacts.
func (s *Set) Len() int {
	if s == nil {
		return 0
	}
	return s.given
}

// Redact returns text with every form of every secret replaced by
// Placeholder. When no secret occurs it returns text itself and allocates
// nothing: whatever a text of up to FastLen bytes holds, and for a longer
// one unless it holds one of the bytes that start an escape (\ % + &).
func (s *Set) Redact(text string) string {
	if s.Len() == 0 || text == "" || !s.mayHold(text) {
		return text
	}
	var spans []span
	for _, sec := range s.secrets {
		spans = appendRawMatches(spans, text, sec)
	}
	for _, k := range kinds {
		if !has(k, text) {
			continue
		}
		d := decode(k, newDecoded(len(text)), text)
		for _, sec := range s.secrets {
			spans = d.appendMatches(spans, sec)
		}
		// Two layers: a page that HTML-escapes an echoed JSON body, a
		// URL-encoded JSON value, a JSON body quoted in a JSON string, HTML
		// escaped twice.
		for _, k2 := range kinds {
			if d2, ok := d.then(k2); ok {
				for _, sec := range s.secrets {
					spans = d2.appendMatches(spans, sec)
				}
			}
		}
	}
	if len(spans) == 0 {
		return text
	}
	return replace(text, spans)
}

// FastLen is the longest text whose search Redact begins without
// allocating, decoding it on the stack: a typical error body is shorter.
const FastLen = 1024

// mayHold reports whether some form of a secret occurs in text, the way
// Redact searches, without allocating; only when it does does Redact build
// the byte ranges it needs to replace a match. A text longer than FastLen
// may hold one if it holds a byte that starts an escape.
func (s *Set) mayHold(text string) bool {
	for _, sec := range s.secrets {
		if strings.Contains(text, sec) {
			return true
		}
	}
	if len(text) > FastLen {
		for _, k := range kinds {
			if has(k, text) {
				return true
			}
		}
		return false
	}
	// Decoding never lengthens a text, so neither array grows.
	var buf1, buf2 [FastLen]byte
	for _, k := range kinds {
		if !has(k, text) {
			continue
		}
		t := viewString(decode(k, decoded{b: buf1[:0]}, text).b)
		if s.anyIn(t) {
			return true
		}
		for _, k2 := range kinds {
			if has(k2, t) && s.anyIn(viewString(decode(k2, decoded{b: buf2[:0]}, t).b)) {
				return true
			}
		}
	}
	return false
}

func (s *Set) anyIn(text string) bool {
	for _, sec := range s.secrets {
		if strings.Contains(text, sec) {
			return true
		}
	}
	return false
}

// viewString is b as a string without a copy; b must not change while the
// string is in use.
func viewString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// String describes the Set without its secrets.
func (s *Set) String() string { return fmt.Sprintf("redact.Set{%d secrets}", s.Len()) }

// GoString describes the Set without its secrets for %#v.
func (s *Set) GoString() string { return s.String() }

// Format makes every fmt verb print the String form, never a secret.
func (s *Set) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, s.String()) }

// span is a half-open byte range [start, end) of the original text.
type span struct{ start, end int }

func appendRawMatches(spans []span, text, sec string) []span {
	for from := 0; ; {
		i := strings.Index(text[from:], sec)
		if i < 0 {
			return spans
		}
		start := from + i
		spans = append(spans, span{start, start + len(sec)})
		from = start + 1 // overlapping occurrences are merged later
	}
}

// appendMatches adds the original ranges whose decoded bytes spell sec.
func (d decoded) appendMatches(spans []span, sec string) []span {
	if len(sec) > len(d.b) {
		return spans
	}
	needle := []byte(sec)
	for from := 0; ; {
		i := bytes.Index(d.b[from:], needle)
		if i < 0 {
			return spans
		}
		a := from + i
		b := a + len(needle) - 1
		spans = append(spans, span{d.start[a], d.end[b]})
		from = a + 1
	}
}

// replace writes text with every (merged) span replaced by Placeholder.
func replace(text string, spans []span) string {
	slices.SortFunc(spans, func(x, y span) int { return x.start - y.start })
	var b strings.Builder
	b.Grow(len(text))
	at := 0
	for i := 0; i < len(spans); {
		cur := spans[i]
		for i++; i < len(spans) && spans[i].start < cur.end; i++ {
			cur.end = max(cur.end, spans[i].end)
		}
		b.WriteString(text[at:cur.start])
		b.WriteString(Placeholder)
		at = cur.end
	}
	b.WriteString(text[at:])
	return b.String()
}

// ContainsFold reports whether a secret of the set occurs in text, as sent,
// ignoring case: for text a server may have re-cased, such as a header name
// (Go canonicalises "MIIabc-Token" to "Miiabc-Token").
func (s *Set) ContainsFold(text string) bool {
	if s.Len() == 0 {
		return false
	}
	lower := strings.ToLower(text)
	for _, sec := range s.secrets {
		if strings.Contains(lower, strings.ToLower(sec)) {
			return true
		}
	}
	return false
}

// Of returns a Set of secrets as a value, without copying them: each must
// be at least MinLen bytes and they must be distinct (as New ensures by
// filtering). A caller that keeps the value on its stack redacts without
// allocating a Set.
func Of(secrets []string) Set { return Set{secrets: secrets, given: len(secrets)} }
