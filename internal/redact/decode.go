package redact

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// decoded is text with one kind of escape undone. Each decoded byte keeps
// the original byte range it came from, so a secret found in the decoded
// bytes is replaced in the original text, escapes and all.
//
// It is passed and returned by value, never by pointer: Set.mayHold decodes
// into arrays on its stack, and a store through a pointer would move them to
// the heap.
type decoded struct {
	b          []byte
	start, end []int // original range of b[i]: [start[i], end[i]); kept when ranges
	ranges     bool
}

func newDecoded(n int) decoded {
	return decoded{b: make([]byte, 0, n), start: make([]int, 0, n), end: make([]int, 0, n), ranges: true}
}

// add appends the bytes p, all decoded from the original range [from, to).
func (d decoded) add(from, to int, p ...byte) decoded {
	d.b = append(d.b, p...)
	if d.ranges {
		for range p {
			d.start = append(d.start, from)
			d.end = append(d.end, to)
		}
	}
	return d
}

func (d decoded) addRune(from, to int, r rune) decoded {
	var buf [utf8.UTFMax]byte
	n := utf8.EncodeRune(buf[:], r)
	return d.add(from, to, buf[:n]...)
}

// then undoes the k kind of escape on top of d, keeping the ranges of the
// original text.
func (d decoded) then(k kind) (decoded, bool) {
	text := string(d.b)
	if !has(k, text) {
		return decoded{}, false
	}
	d2 := decode(k, newDecoded(len(text)), text)
	for i := range d2.b {
		d2.start[i] = d.start[d2.start[i]]
		d2.end[i] = d.end[d2.end[i]-1]
	}
	return d2, true
}

// kind is one kind of escape that decode undoes.
type kind int

const (
	backslashByte      kind = iota // \xHH read as a byte
	backslashCodePoint             // \xHH read as U+00HH
	percentQuery                   // "+" read as a space
	percentPath                    // "+" read as itself
	htmlRef
)

// kinds are all of them, in the order Redact tries them.
var kinds = [...]kind{backslashByte, backslashCodePoint, percentQuery, percentPath, htmlRef}

// has reports whether text holds the k kind of escape; when it does not,
// the pass is skipped.
func has(k kind, text string) bool {
	switch k {
	case backslashByte:
		return strings.IndexByte(text, '\\') >= 0
	case backslashCodePoint:
		return strings.Contains(text, `\x`)
	case percentQuery:
		// Without a "+" it decodes as percentPath does.
		return strings.IndexByte(text, '+') >= 0
	case percentPath:
		return strings.IndexByte(text, '%') >= 0
	}
	return strings.IndexByte(text, '&') >= 0
}

// decode undoes the k kind of escape in text, appending to d. It is a
// switch rather than a slice of funcs because a call through a func value
// makes its arguments escape, and with them the stack arrays of
// Set.mayHold.
func decode(k kind, d decoded, text string) decoded {
	switch k {
	case backslashByte:
		return unbackslash(d, text, false)
	case backslashCodePoint:
		return unbackslash(d, text, true)
	case percentQuery:
		return unpercent(d, text, true)
	case percentPath:
		return unpercent(d, text, false)
	}
	return unhtml(d, text)
}

// unbackslash undoes JSON and JavaScript string escapes. An escape it does
// not know is kept as it is.
//
// \xHH means the byte HH where Python writes bytes and Go's %q an invalid
// byte, but the code point U+00HH in JavaScript and a Python str: \xE9 is
// "é", the two bytes C3 A9. One pass reads it as a byte; with xIsCodePoint,
// a second reads it as a code point.
func unbackslash(d decoded, text string, xIsCodePoint bool) decoded {
	for i := 0; i < len(text); {
		if text[i] != '\\' || i+1 == len(text) {
			d = d.add(i, i+1, text[i])
			i++
			continue
		}
		if c, ok := simpleEscape(text[i+1]); ok {
			d = d.add(i, i+2, c)
			i += 2
			continue
		}
		switch text[i+1] {
		case 'u':
			if r, n := unicodeEscape(text[i:]); n > 0 {
				d = d.addRune(i, i+n, r)
				i += n
				continue
			}
		case 'x':
			if i+4 <= len(text) {
				if v, ok := hexValue(text[i+2 : i+4]); ok {
					if xIsCodePoint {
						d = d.addRune(i, i+4, rune(v))
					} else {
						d = d.add(i, i+4, byte(v))
					}
					i += 4
					continue
				}
			}
		}
		d = d.add(i, i+1, '\\')
		i++
	}
	return d
}

func simpleEscape(c byte) (byte, bool) {
	switch c {
	case '"', '\\', '/', '\'':
		return c, true
	case 'b':
		return '\b', true
	case 'f':
		return '\f', true
	case 'n':
		return '\n', true
	case 'r':
		return '\r', true
	case 't':
		return '\t', true
	}
	return 0, false
}

// unicodeEscape reads \uXXXX at the start of s, joining a surrogate pair
// written as two escapes; it returns the rune and the bytes read, or n == 0.
func unicodeEscape(s string) (r rune, n int) {
	if len(s) < 6 {
		return 0, 0
	}
	v, ok := hexValue(s[2:6])
	if !ok {
		return 0, 0
	}
	r = rune(v)
	if utf16.IsSurrogate(r) && len(s) >= 12 && s[6] == '\\' && s[7] == 'u' {
		if lo, ok := hexValue(s[8:12]); ok {
			if pair := utf16.DecodeRune(r, rune(lo)); pair != utf8.RuneError {
				return pair, 12
			}
		}
	}
	if utf16.IsSurrogate(r) {
		r = utf8.RuneError // what encoders make of a lone surrogate
	}
	return r, 6
}

// unpercent undoes percent-encoding; plusIsSpace reads "+" as a space, as
// url.QueryEscape writes it, else as itself, as url.PathEscape keeps it.
func unpercent(d decoded, text string, plusIsSpace bool) decoded {
	for i := 0; i < len(text); {
		if text[i] == '%' && i+3 <= len(text) {
			if v, ok := hexValue(text[i+1 : i+3]); ok {
				d = d.add(i, i+3, byte(v))
				i += 3
				continue
			}
		}
		if text[i] == '+' && plusIsSpace {
			d = d.add(i, i+1, ' ')
			i++
			continue
		}
		d = d.add(i, i+1, text[i])
		i++
	}
	return d
}

var htmlNamed = [...]struct {
	name string
	c    byte
}{{"lt", '<'}, {"gt", '>'}, {"amp", '&'}, {"quot", '"'}, {"apos", '\''}}

// namedRef reads one of the five named references, in any case, without
// the allocation of strings.ToLower.
func namedRef(ref string) (byte, bool) {
	for _, n := range htmlNamed {
		if strings.EqualFold(ref, n.name) {
			return n.c, true
		}
	}
	return 0, false
}

// unhtml undoes the HTML character references an HTML page quoting a value
// uses: the five named ones and numeric ones.
func unhtml(d decoded, text string) decoded {
	for i := 0; i < len(text); {
		if text[i] == '&' {
			if end := strings.IndexByte(text[i:min(len(text), i+12)], ';'); end > 1 {
				ref := text[i+1 : i+end]
				if c, ok := namedRef(ref); ok {
					d = d.add(i, i+end+1, c)
					i += end + 1
					continue
				}
				if r, ok := numericRef(ref); ok {
					d = d.addRune(i, i+end+1, r)
					i += end + 1
					continue
				}
			}
		}
		d = d.add(i, i+1, text[i])
		i++
	}
	return d
}

// numericRef reads "#NN" or "#xHH" (the text between & and ;).
func numericRef(ref string) (rune, bool) {
	if len(ref) < 2 || ref[0] != '#' {
		return 0, false
	}
	var v int
	if ref[1] == 'x' || ref[1] == 'X' {
		h, ok := hexValue(ref[2:])
		if !ok || len(ref) == 2 {
			return 0, false
		}
		v = h
	} else {
		for _, c := range ref[1:] {
			if c < '0' || c > '9' {
				return 0, false
			}
			v = v*10 + int(c-'0')
		}
	}
	if v > utf8.MaxRune {
		return 0, false
	}
	return rune(v), true
}

// hexValue parses up to 8 hex digits in either case.
func hexValue(s string) (int, bool) {
	if s == "" || len(s) > 8 {
		return 0, false
	}
	v := 0
	for i := 0; i < len(s); i++ {
		h, ok := hexDigit(s[i])
		if !ok {
			return 0, false
		}
		v = v<<4 | h
	}
	return v, true
}

// hexDigit is the value of one hex digit in either case.
//
// Its tests, and those of unpercent, are if statements rather than switch
// cases so that mutation testing sees them: a case expression lies outside
// every block of Go's coverage profile, and gremlins skips what it cannot
// see covered.
func hexDigit(c byte) (int, bool) {
	if '0' <= c && c <= '9' {
		return int(c - '0'), true
	}
	if 'a' <= c && c <= 'f' {
		return int(c-'a') + 10, true
	}
	if 'A' <= c && c <= 'F' {
		return int(c-'A') + 10, true
	}
	return 0, false
}
