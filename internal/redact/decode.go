package redact

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// decoded is text with one kind of escape undone. Each decoded byte keeps
// the original byte range it came from, so a secret found in the decoded
// bytes is replaced in the original text, escapes and all.
type decoded struct {
	b          []byte
	start, end []int // original range of b[i]: [start[i], end[i])
}

func newDecoded(n int) *decoded {
	return &decoded{b: make([]byte, 0, n), start: make([]int, 0, n), end: make([]int, 0, n)}
}

// add appends the bytes p, all decoded from the original range [from, to).
func (d *decoded) add(from, to int, p ...byte) {
	for _, c := range p {
		d.b = append(d.b, c)
		d.start = append(d.start, from)
		d.end = append(d.end, to)
	}
}

func (d *decoded) addRune(from, to int, r rune) {
	var buf [utf8.UTFMax]byte
	n := utf8.EncodeRune(buf[:], r)
	d.add(from, to, buf[:n]...)
}

// then undoes a second kind of escape on top of d, keeping the ranges of
// the original text.
func (d *decoded) then(dec func(string) (*decoded, bool)) (*decoded, bool) {
	d2, ok := dec(string(d.b))
	if !ok {
		return nil, false
	}
	for i := range d2.b {
		d2.start[i] = d.start[d2.start[i]]
		d2.end[i] = d.end[d2.end[i]-1]
	}
	return d2, true
}

// decoders each undo one kind of escape; ok is false when text holds none
// of it, so the pass is skipped.
var decoders = []func(text string) (d *decoded, ok bool){
	func(text string) (*decoded, bool) { return unbackslash(text, false) },
	func(text string) (*decoded, bool) { return unbackslash(text, true) },
	func(text string) (*decoded, bool) { return unpercent(text, true) },
	func(text string) (*decoded, bool) { return unpercent(text, false) },
	unhtml,
}

// unbackslash undoes JSON and JavaScript string escapes. An escape it does
// not know is kept as it is.
//
// \xHH means the byte HH where Python writes bytes and Go's %q an invalid
// byte, but the code point U+00HH in JavaScript and a Python str: \xE9 is
// "é", the two bytes C3 A9. One pass reads it as a byte; with xIsCodePoint,
// a second reads it as a code point, and runs only when there is a \x.
func unbackslash(text string, xIsCodePoint bool) (*decoded, bool) {
	if strings.IndexByte(text, '\\') < 0 || xIsCodePoint && !strings.Contains(text, `\x`) {
		return nil, false
	}
	d := newDecoded(len(text))
	for i := 0; i < len(text); {
		if text[i] != '\\' || i+1 == len(text) {
			d.add(i, i+1, text[i])
			i++
			continue
		}
		if c, ok := simpleEscape(text[i+1]); ok {
			d.add(i, i+2, c)
			i += 2
			continue
		}
		switch text[i+1] {
		case 'u':
			if r, n := unicodeEscape(text[i:]); n > 0 {
				d.addRune(i, i+n, r)
				i += n
				continue
			}
		case 'x':
			if i+4 <= len(text) {
				if v, ok := hexValue(text[i+2 : i+4]); ok {
					if xIsCodePoint {
						d.addRune(i, i+4, rune(v))
					} else {
						d.add(i, i+4, byte(v))
					}
					i += 4
					continue
				}
			}
		}
		d.add(i, i+1, '\\')
		i++
	}
	return d, true
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
func unpercent(text string, plusIsSpace bool) (*decoded, bool) {
	if strings.IndexByte(text, '%') < 0 && (!plusIsSpace || strings.IndexByte(text, '+') < 0) {
		return nil, false
	}
	d := newDecoded(len(text))
	for i := 0; i < len(text); {
		if text[i] == '%' && i+3 <= len(text) {
			if v, ok := hexValue(text[i+1 : i+3]); ok {
				d.add(i, i+3, byte(v))
				i += 3
				continue
			}
		}
		if text[i] == '+' && plusIsSpace {
			d.add(i, i+1, ' ')
			i++
			continue
		}
		d.add(i, i+1, text[i])
		i++
	}
	return d, true
}

var htmlNamed = map[string]byte{"lt": '<', "gt": '>', "amp": '&', "quot": '"', "apos": '\''}

// unhtml undoes the HTML character references an HTML page quoting a value
// uses: the five named ones and numeric ones.
func unhtml(text string) (*decoded, bool) {
	if strings.IndexByte(text, '&') < 0 {
		return nil, false
	}
	d := newDecoded(len(text))
	for i := 0; i < len(text); {
		if text[i] == '&' {
			if end := strings.IndexByte(text[i:min(len(text), i+12)], ';'); end > 1 {
				ref := text[i+1 : i+end]
				if c, ok := htmlNamed[strings.ToLower(ref)]; ok {
					d.add(i, i+end+1, c)
					i += end + 1
					continue
				}
				if r, ok := numericRef(ref); ok {
					d.addRune(i, i+end+1, r)
					i += end + 1
					continue
				}
			}
		}
		d.add(i, i+1, text[i])
		i++
	}
	return d, true
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
