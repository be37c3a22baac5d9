package redact

import (
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

// The tests in this file pin the edges of escape decoding: a secret whose
// encoded form begins the text, ends it or is all of it, an escape cut short
// by the end of the text, hex digits in either case, and lengths one short
// of a whole escape or a whole secret.

// boundarySecrets start and end with characters every encoder escapes, so
// the first and the last byte of the encoded form are part of an escape.
var boundarySecrets = []string{
	`<Pa55 w0rd>`,          // HTML, JSON \u003c..\u003e, percent
	`"quoted token"`,       // simple escape \" first and last
	"\tctl-secret\n",       // \t, \n; &#9; and &#10; are the shortest references
	`'single+quote/'`,      // \' \/ in JavaScript, %2B %2F, &#39;
	` spaced secret `,      // "+" first and last under QueryEscape
	`&amp-secret&`,         // &amp; first and last
	`\back-slash\`,         // \\ first and last
	"ünï-secret-é",         // \u00fc first, \u00e9 last, \xFC / \xE9 in JavaScript
	"😀-secret-😀",           // surrogate pairs first and last
	"\U0010FFFF-max-rune-", // the largest code point, &#1114111;
	`%41%-literal-%`,       // a percent sign first and last
}

// boundaryEncoders write a secret the ways a server may echo it; every one
// of them is a form the package comment promises to find.
var boundaryEncoders = map[string]func(string) string{
	"raw":                             func(s string) string { return s },
	"encoding/json":                   jsonString,
	"json ensure_ascii with \\/":      asciiJSON,
	"every char \\uXXXX upper":        allUnicodeEscapes,
	"every char \\uxxxx lower":        func(s string) string { return unicodeEscapes(s, "%04x") },
	"every char \\uXxXx mixed case":   func(s string) string { return mixedCase(unicodeEscapes(s, "%04x")) },
	"JavaScript \\xHH then \\u":       jsEscapes,
	"every byte \\xhh lower":          func(s string) string { return byteEscapes(s, `\x%02x`) },
	"every byte \\xHH upper":          func(s string) string { return byteEscapes(s, `\x%02X`) },
	"every byte \\xhH mixed case":     func(s string) string { return mixedCase(byteEscapes(s, `\x%02x`)) },
	"C-style simple escapes":          simpleEscapes,
	"QueryEscape":                     url.QueryEscape,
	"QueryEscape lower hex":           func(s string) string { return lowerHex(url.QueryEscape(s)) },
	"PathEscape":                      url.PathEscape,
	"every byte %HH upper":            func(s string) string { return byteEscapes(s, `%%%02X`) },
	"every byte %hh lower":            func(s string) string { return byteEscapes(s, `%%%02x`) },
	"every byte %hH mixed case":       func(s string) string { return mixedCase(byteEscapes(s, `%%%02x`)) },
	"html.EscapeString":               html.EscapeString,
	"html named upper case":           func(s string) string { return upperNamedRefs.Replace(html.EscapeString(s)) },
	"html numeric dec/hex":            htmlNumeric,
	"every char &#NN; decimal":        func(s string) string { return runeRefs(s, "&#%d;") },
	"every char &#xhh; lower":         func(s string) string { return runeRefs(s, "&#x%x;") },
	"every char &#XHH; upper X":       func(s string) string { return runeRefs(s, "&#X%X;") },
	"every char &#x; 8 hex digits":    func(s string) string { return runeRefs(s, "&#x%08X;") },
	"HTML over JSON":                  func(s string) string { return html.EscapeString(asciiJSON(s)) },
	"URL over JSON":                   func(s string) string { return url.QueryEscape(asciiJSON(s)) },
	"JSON over URL":                   func(s string) string { return asciiJSON(url.QueryEscape(s)) },
	"URL over HTML":                   func(s string) string { return url.PathEscape(html.EscapeString(s)) },
	"JSON in a JSON string":           func(s string) string { return jsonString(jsonString(s)) },
	"HTML escaped twice":              func(s string) string { return html.EscapeString(html.EscapeString(s)) },
	"QueryEscape twice":               func(s string) string { return url.QueryEscape(url.QueryEscape(s)) },
	"every char \\u then QueryEscape": func(s string) string { return url.QueryEscape(allUnicodeEscapes(s)) },
}

var upperNamedRefs = strings.NewReplacer("&lt;", "&LT;", "&gt;", "&GT;", "&amp;", "&AMP;", "&#39;", "&APOS;", "&#34;", "&QUOT;")

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}

func unicodeEscapes(s, format string) string {
	var b strings.Builder
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, `\u`+format, u)
	}
	return b.String()
}

func byteEscapes(s, format string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		fmt.Fprintf(&b, format, s[i])
	}
	return b.String()
}

func runeRefs(s, format string) string {
	var b strings.Builder
	for _, r := range s {
		fmt.Fprintf(&b, format, r)
	}
	return b.String()
}

// mixedCase alternates the case of the letters a-f that follow an escape's
// introducer, so one escape holds both cases (\u00aB, %cF).
func mixedCase(s string) string {
	out := []byte(s)
	upper := false
	for i, c := range out {
		if 'a' <= c && c <= 'f' && i > 0 && out[i-1] != '\\' {
			if upper {
				out[i] = c - 'a' + 'A'
			}
			upper = !upper
		}
	}
	return string(out)
}

// jsEscapes writes what a JavaScript string-literal encoder writes: \xHH for
// a code point below U+0100 that is not printable ASCII, \uXXXX above it.
func jsEscapes(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\\' || r == '"' || r == '\'':
			b.WriteString(`\` + string(r))
		case r < 0x20 || 0x7e < r && r < 0x100:
			fmt.Fprintf(&b, `\x%02X`, r)
		case r >= 0x100:
			for _, u := range utf16.Encode([]rune{r}) {
				fmt.Fprintf(&b, `\u%04X`, u)
			}
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// simpleEscapes writes every character that has a one-letter escape with
// it, and \' and \/ too.
func simpleEscapes(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, `'`, `\'`, `/`, `\/`,
		"\b", `\b`, "\f", `\f`, "\n", `\n`, "\r", `\r`, "\t", `\t`)
	return r.Replace(s)
}

func TestRedactFindsASecretThatStartsEndsOrIsTheWholeText(t *testing.T) {
	set := New(boundarySecrets...)
	for name, enc := range boundaryEncoders {
		for _, sec := range boundarySecrets {
			e := enc(sec)
			for _, tc := range []struct{ where, text, want string }{
				{"is the whole text", e, Placeholder},
				{"starts the text", e + ` was refused`, Placeholder + ` was refused`},
				{"ends the text", `token: ` + e, `token: ` + Placeholder},
				{"ends a JSON body", `{"msg":"` + e + `"}`, `{"msg":"` + Placeholder + `"}`},
				{"twice, back to back", e + " " + e, Placeholder + " " + Placeholder},
			} {
				assert.Equal(t, tc.want, set.Redact(tc.text), "%s of %q %s: %q", name, sec, tc.where, tc.text)
			}
		}
	}
}

func TestRedactOnlyTheWholeSecretOneByteShortIsKept(t *testing.T) {
	// The secret less its first or its last character is not the secret:
	// nothing is replaced, however it is encoded.
	for name, enc := range boundaryEncoders {
		for _, sec := range boundarySecrets {
			set := New(sec)
			_, first := utf8.DecodeRuneInString(sec)
			_, last := utf8.DecodeLastRuneInString(sec)
			for _, short := range []string{sec[first:], sec[:len(sec)-last]} {
				text := enc(short)
				assert.Equal(t, text, set.Redact(text), "%s of %q", name, short)
			}
		}
	}
}

func TestRedactTruncatedEscapeAtTheEnd(t *testing.T) {
	// An escape cut short by the end of the text decodes to nothing: it
	// stays as it is, and a secret just before it is still found.
	const sec = "Pa55<w0rd>"
	set := New(sec)
	for _, cut := range []string{
		`\`, `\u`, `\u0`, `\u00`, `\u003`, `\x`, `\x4`, `\ud83d`, `\ud83d\`, `\ud83d\u`, `\ud83d\ude0`,
		`%`, `%4`, `%F`, `&`, `&l`, `&lt`, `&#`, `&#6`, `&#x`, `&#x3`, `&#x3C`, `&#;`, `&;`,
	} {
		for name, enc := range map[string]func(string) string{
			"raw": func(s string) string { return s }, "encoding/json": jsonString, "every char \\u": allUnicodeEscapes,
			"QueryEscape": url.QueryEscape, "every byte \\x": func(s string) string { return byteEscapes(s, `\x%02x`) },
			"html numeric": htmlNumeric, "html.EscapeString": html.EscapeString,
		} {
			e := enc(sec)
			assert.Equal(t, Placeholder+cut, set.Redact(e+cut), "%s then %q", name, cut)
			assert.Equal(t, cut+" "+Placeholder, set.Redact(cut+" "+e), "%q then %s", cut, name)
			assert.Equal(t, cut, set.Redact(cut), "%q alone", cut)
		}
	}
}

func TestRedactTruncatedLastEscapeOfTheSecretIsNotTheSecret(t *testing.T) {
	// An escape one byte short at the end of the text does not spell the
	// last character, so the secret is not there and nothing changes.
	set := New("Pa55-w0rd<", "Pa55-w0rd😀")
	for _, text := range []string{
		`Pa55-w0rd\u003`, `Pa55-w0rd\u03c`, `Pa55-w0rd\x3`, `Pa55-w0rd%3`, `Pa55-w0rd&lt`, `Pa55-w0rd&#60`, `Pa55-w0rd&#x3c`,
		`Pa55-w0rd\ud83d\ude0`, `Pa55-w0rd\ud83d`, `Pa55-w0rd\ud83d\u`,
	} {
		assert.Equal(t, text, set.Redact(text))
	}
	// Whole, they do.
	for _, text := range []string{`Pa55-w0rd\u003c`, `Pa55-w0rd\u003C`, `Pa55-w0rd\x3c`, `Pa55-w0rd\x3C`, `Pa55-w0rd%3c`, `Pa55-w0rd%3C`, `Pa55-w0rd&lt;`, `Pa55-w0rd&#60;`, `Pa55-w0rd&#x3c;`, `Pa55-w0rd\ud83d\ude00`, `Pa55-w0rd\uD83D\uDE00`} {
		assert.Equal(t, Placeholder, set.Redact(text), text)
	}
}

func TestRedactEscapeWithANonHexDigitIsNotDecoded(t *testing.T) {
	set := New("Pa55-w0rd<")
	for _, text := range []string{
		`Pa55-w0rd\u003g`, `Pa55-w0rd\u0 3c`, `Pa55-w0rd\x3g`, `Pa55-w0rd\xg3`, `Pa55-w0rd%3g`, `Pa55-w0rd%g3`, `Pa55-w0rd&#x3g;`, `Pa55-w0rd&#6a;`,
		`Pa55-w0rd\u003/`, `Pa55-w0rd\u003:`, `Pa55-w0rd\u003@`, `Pa55-w0rd\u003G`, `Pa55-w0rd\u003` + "`",
		`Pa55-w0rd&#x0000003C0;`, `Pa55-w0rd&#0000000060;`, `Pa55-w0rd&#x;`, `Pa55-w0rd&#x110000;`, `Pa55-w0rd&#1114112;`,
	} {
		assert.Equal(t, text, set.Redact(text))
	}
}

func TestRedactEscapeEndingTheMatchIsReplacedWhole(t *testing.T) {
	// When the secret's last character comes from an escape, the whole
	// escape goes, not a byte more or less.
	for _, tc := range []struct{ name, secret, text, want string }{
		{"simple escape \\\" last", `ab"cd"`, `x ab\"cd\" y`, `x [REDACTED] y`},
		{"simple escape \\n last", "abcd\n", `x abcd\n y`, `x [REDACTED] y`},
		{"unknown escape keeps its backslash, last", `<a"b\`, `\u003ca\"b\ rest`, `[REDACTED] rest`},
		{"lone backslash ending the text, last", `<a"b\`, `\u003ca\"b\`, `[REDACTED]`},
		{"plus read as a space, last", "abcd ", "x=abcd+&y=1", "x=[REDACTED]&y=1"},
		{"plus read as a space, first", " abcd", "x=+abcd&y=1", "x=[REDACTED]&y=1"},
		{"plus before the escape-free text starts it", "a bcd", "+1 a+bcd", "+1 [REDACTED]"},
		{"named reference last", "abcd<", "x abcd&lt; y", "x [REDACTED] y"},
		{"named reference first", "<abcd", "&lt;abcd y", "[REDACTED] y"},
		{"numeric reference last", "abcd\t", "x abcd&#9; y", "x [REDACTED] y"},
		{"\\x last", "abcd<", `x abcd\x3c y`, `x [REDACTED] y`},
		{"\\x first", "<abcd", `\x3Cabcd y`, `[REDACTED] y`},
		{"\\u first", "<abcd", `\u003Cabcd y`, `[REDACTED] y`},
		{"percent first", "<abcd", `%3Cabcd y`, `[REDACTED] y`},
	} {
		assert.Equal(t, tc.want, New(tc.secret).Redact(tc.text), tc.name)
	}
}

func TestRedactSpansInAnyOrder(t *testing.T) {
	set := New("abcd-secret")
	// The escaped occurrence comes first in the text but is found after
	// the raw one.
	assert.Equal(t, "[REDACTED] and [REDACTED]", set.Redact(`\u0061bcd-secret and abcd-secret`))
	assert.Equal(t, "[REDACTED], [REDACTED] and [REDACTED]", set.Redact(`%61bcd-secret, &#97;bcd-secret and abcd-secret`))
}

func TestRedactAdjacentOccurrencesKeepAPlaceholderEach(t *testing.T) {
	set := New("abcd")
	assert.Equal(t, "[REDACTED][REDACTED]", set.Redact("abcdabcd"))
	assert.Equal(t, "[REDACTED][REDACTED]", set.Redact(`abcd\u0061bcd`))
	assert.Equal(t, "[REDACTED]d", set.Redact("abcdd"))
}

func TestRedactReadsBackslashXAsAByteAndAsACodePoint(t *testing.T) {
	set := New("pass-é")
	for name, text := range map[string]string{
		"JavaScript, a code point":    `pass-\xE9`,
		"JavaScript, lower hex":       `pass-\xe9 and more`,
		"Python bytes, UTF-8 bytes":   `b'pass-\xc3\xa9'`,
		"Python bytes, mixed case":    `b'pass-\xC3\xa9'`,
		"code point, then escaped -":  `pass\x2d\xe9`,
		"bytes, every one escaped":    `\x70\x61\x73\x73\x2d\xc3\xa9`,
		"code points, every one":      `\x70\x61\x73\x73\x2d\xe9`,
		"code point in a JSON string": `{"m":"pass-\\xe9"}`,
	} {
		assert.NotContains(t, set.Redact(text), "pass", name)
		assert.Contains(t, set.Redact(text), Placeholder, name)
	}
}

func TestRedactSameEncodingTwice(t *testing.T) {
	secret := `Pa55<w0rd>&"x'`
	inner, _ := json.Marshal(map[string]string{"password": secret})
	outer, _ := json.Marshal(map[string]string{"error_msg": "upstream said: " + string(inner)})
	for name, text := range map[string]string{
		"JSON body quoted in a JSON string": string(outer),
		"HTML escaped twice":                "<p>" + html.EscapeString(html.EscapeString(secret)) + "</p>",
		"PathEscape twice":                  "/v1/" + url.PathEscape(url.PathEscape(secret)),
	} {
		out := New(secret).Redact(text)
		assert.Contains(t, out, Placeholder, name)
		assert.NotContains(t, out, "w0rd", name)
	}
}
