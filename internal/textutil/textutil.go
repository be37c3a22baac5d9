// Package textutil holds the one text helper the SDK's packages share.
package textutil

import (
	"strings"
	"unicode/utf8"
)

// Shorten folds runs of white space (an HTML page then reads on one line)
// and trims s to at most about n bytes without splitting a UTF-8 sequence,
// marking the cut with "…". Server bodies quoted in errors go through it.
func Shorten(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// Clip shortens s to at most n bytes (on a character boundary, marked with
// "…") and changes nothing else: a value quoted in an error as given, its
// white space and control characters left for %q to show.
func Clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
