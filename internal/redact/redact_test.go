package redact

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"strings"
	"sync"
	"testing"
	"unicode/utf16"

	"github.com/stretchr/testify/assert"
)

// Secrets with every character class an encoder treats specially.
var hostileSecrets = []string{
	`Pa55<w0rd>&"x'`,
	`back\slash/slash+plus space%25`,
	"tab\tnew\nline\r\x01ctl",
	"ünïcødé-密码-😀-pass",
	"\u2028line-sep\u2029",
	"MIIZ-ordinary-token_AbC123==",
}

// encoders write a string the ways servers echo it.
var encoders = map[string]func(string) string{
	"raw": func(s string) string { return s },
	"encoding/json": func(s string) string {
		b, _ := json.Marshal(s)
		return string(b[1 : len(b)-1])
	},
	"json no HTML escaping": func(s string) string {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(s)
		b := bytes.TrimSpace(buf.Bytes())
		return string(b[1 : len(b)-1])
	},
	"json ensure_ascii with \\/": asciiJSON,
	"every char \\uXXXX upper":   allUnicodeEscapes,
	"QueryEscape":                url.QueryEscape,
	"PathEscape":                 url.PathEscape,
	"QueryEscape lower hex":      func(s string) string { return lowerHex(url.QueryEscape(s)) },
	"html.EscapeString":          html.EscapeString,
	"html numeric":               htmlNumeric,
}

// asciiJSON escapes the way Python's json.dumps and PHP's json_encode do:
// every non-ASCII character as \uXXXX (surrogate pairs beyond the BMP), and
// "/" as \/.
func asciiJSON(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '"' || r == '\\' || r == '/':
			b.WriteString(`\` + string(r))
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r > 0x7e:
			for _, u := range utf16.Encode([]rune{r}) {
				fmt.Fprintf(&b, `\u%04x`, u)
			}
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func allUnicodeEscapes(s string) string {
	var b strings.Builder
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, `\u%04X`, u)
	}
	return b.String()
}

func lowerHex(s string) string {
	out := []byte(s)
	for i := 0; i+2 < len(out); i++ {
		if out[i] == '%' {
			out[i+1], out[i+2] = bytes.ToLower(out[i+1 : i+2])[0], bytes.ToLower(out[i+2 : i+3])[0]
		}
	}
	return string(out)
}

func htmlNumeric(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i%2 == 0 {
			fmt.Fprintf(&b, "&#%d;", r)
		} else {
			fmt.Fprintf(&b, "&#x%X;", r)
		}
	}
	return b.String()
}

func TestRedactEveryEncoding(t *testing.T) {
	set := New(hostileSecrets...)
	for name, enc := range encoders {
		for _, sec := range hostileSecrets {
			encoded := enc(sec)
			text := `{"error_msg":"bad credentials ` + encoded + ` for user alice"}`
			got := set.Redact(text)
			assert.NotContains(t, got, encoded, "%s of %q", name, sec)
			assert.Equal(t, `{"error_msg":"bad credentials `+Placeholder+` for user alice"}`, got, "%s of %q", name, sec)
		}
	}
}

func TestRedactEveryOccurrenceAndMergesOverlaps(t *testing.T) {
	set := New("abab-secret", "secret-tail")
	assert.Equal(t, "x [REDACTED] y [REDACTED] z", set.Redact("x abab-secret y abab-secret z"))
	assert.Equal(t, "[REDACTED]!", set.Redact("abab-secret-tail!"), "overlapping secrets become one placeholder")
	assert.Equal(t, "[REDACTED] and [REDACTED]", set.Redact(`abab-secret and abab\u002Dsecret`), "raw and escaped in one text")
	overlap := New("aaaa")
	assert.Equal(t, "[REDACTED]b", overlap.Redact("aaaaab"), "overlapping occurrences of one secret")
}

func TestRedactKeepsTextWithoutSecrets(t *testing.T) {
	set := New("Pa55<w0rd>")
	for _, text := range []string{"", "plain text", `json \u003c \" \\ \ufffd \ud83d\ude00 \uZZZZ \x4 \`, "50% off + 100%zz %", "&lt;b&gt; &amp; &#60; &#x3c; &bogus; &#; &", "Pa55<w0rd", "a4a5d4098fb4474fa22cd05f897d6b99"} {
		assert.Equal(t, text, set.Redact(text))
	}
}

func TestShortSecretsAreNotRedacted(t *testing.T) {
	set := New("", "a", "ab", "abc", "abcd")
	assert.Equal(t, 1, set.Len())
	assert.Equal(t, "a b abc [REDACTED]", set.Redact("a b abc abcd"))
	assert.Equal(t, "text", (*Set)(nil).Redact("text"))
	assert.Equal(t, 0, (*Set)(nil).Len())
}

func TestWithLeavesTheOriginalAlone(t *testing.T) {
	a := New("first-secret")
	b := a.With("second-secret", "first-secret")
	assert.Equal(t, 1, a.Len())
	assert.Equal(t, 2, b.Len())
	assert.Equal(t, "second-secret", a.Redact("second-secret"))
	assert.Equal(t, "[REDACTED] [REDACTED]", b.Redact("first-secret second-secret"))
}

func TestRedactNoAllocationsOnPlainText(t *testing.T) {
	set := New(hostileSecrets...)
	text := strings.Repeat("The username or password is wrong. ", 20)
	allocs := testing.AllocsPerRun(100, func() { _ = set.Redact(text) })
	assert.Zero(t, allocs)
}

func TestSetNeverPrintsItsSecrets(t *testing.T) {
	set := New("printed-secret")
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		out := fmt.Sprintf(verb, set)
		assert.NotContains(t, out, "printed-secret", verb)
		assert.NotContains(t, out, fmt.Sprintf("%x", "printed-secret"), verb)
	}
	assert.Equal(t, "redact.Set{1 secrets}", set.String())
}

func TestRedactIsSafeForConcurrentUse(t *testing.T) {
	set := New(hostileSecrets...)
	text := "x " + url.QueryEscape(hostileSecrets[0]) + " y"
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 50; j++ {
				assert.Equal(t, "x [REDACTED] y", set.Redact(text))
				_ = set.With(fmt.Sprint("extra-", j))
			}
		}()
	}
	wg.Wait()
}

func BenchmarkRedactNoSecret(b *testing.B) {
	set := New(hostileSecrets...)
	text := strings.Repeat(`{"error_code":"IAM.0101","error_msg":"The username or password is wrong."} `, 50)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		_ = set.Redact(text)
	}
}

func BenchmarkRedactEscapedBody(b *testing.B) {
	set := New(hostileSecrets...)
	enc, _ := json.Marshal(map[string]string{"echo": hostileSecrets[0]})
	text := strings.Repeat(string(enc), 50)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		_ = set.Redact(text)
	}
}

func TestRedactTwoLayersOfEncoding(t *testing.T) {
	secret := `pw<p>&"+/= %44-pass`
	jsonEscaped := asciiJSON(secret)
	for name, text := range map[string]string{
		"HTML over JSON": "<pre>" + html.EscapeString(`{"password":"`+jsonEscaped+`"}`) + "</pre>",
		"URL over JSON":  "echo=" + url.QueryEscape(`{"password":"`+jsonEscaped+`"}`),
		"JSON over URL":  `{"q":"` + asciiJSON(url.QueryEscape(secret)) + `"}`,
	} {
		out := New(secret).Redact(text)
		assert.Contains(t, out, Placeholder, name)
		assert.NotContains(t, out, "44-pass", name)
	}
}

// Go re-cases a response header's name: a secret in one is found in the
// forms it takes there, at the start of the name or after other text.
func TestASecretInAReCasedHeaderNameIsRedacted(t *testing.T) {
	set := New("advSecretKey0123-abcDEF")
	for name, want := range map[string]string{
		"Advsecretkey0123-Abcdef":         "[REDACTED]",
		"X-Advsecretkey0123-Abcdef":       "X-[REDACTED]",
		"Preadvsecretkey0123-Abcdef-Post": "Pre[REDACTED]-Post",
		"Advsecretkey0123-Abcdeg":         "Advsecretkey0123-Abcdeg",
	} {
		assert.Equal(t, want, set.Redact(name), name)
	}
	assert.Equal(t, 1, set.Len(), "the forms are not secrets of their own")
	assert.Equal(t, "[REDACTED]", New("with/slash-Key").Redact("with/slash-Key"), "a name Go leaves as it is")
}
