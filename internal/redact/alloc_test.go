package redact

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cleanErrorBody is a typical ModelArts error body, about 200 bytes, with
// no secret in it.
const cleanErrorBody = `{"error_code":"ModelArts.6101","error_msg":"Image swr.cn-north-4.myhuaweicloud.com/team/pytorch-2.1:v3 is not found in region cn-north-4, check the name and the tag first.","request_id":"7c2f9e4ab1d84f0c"}`

func TestRedactAllocatesNothingWhenNoSecretIsFound(t *testing.T) {
	require.GreaterOrEqual(t, len(cleanErrorBody), 200)
	set := New("AKIDEXAMPLE-secret-key-0123456789", "MIIZ-iam-token_AbC123==")
	for name, text := range map[string]string{
		"clean 200-byte JSON error body":   cleanErrorBody,
		"body with JSON escapes":           `{"error_code":"ModelArts.6101","error_msg":"Image \"pytorch:v3\" is not found\n\u003cnone\u003e","request_id":"7c2f9e4a"}`,
		"body with + and %":                `{"error_msg":"created at 2024-05-01T10:00:00+08:00, 100% done, q=a%20b","request_id":"7c2f9e4ab1d84f0c"}`,
		"body with HTML references":        `<p>a &amp; b &LT;c&GT; &#39;d&#x27;</p>`,
		"FastLen bytes, escapes in it":     strings.Repeat(`a\"b%41&lt;+`, FastLen/12) + strings.Repeat("x", FastLen%12),
		"longer than FastLen, no escapes":  strings.Repeat("The username or password is wrong. ", 40),
		"two layers, no secret under them": `{"q":"` + strings.Repeat(`%5Cu0041&amp;lt;`, 20) + `"}`,
	} {
		require.Equal(t, text, set.Redact(text), name)
		allocs := testing.AllocsPerRun(200, func() { _ = set.Redact(text) })
		assert.Zero(t, allocs, "allocations per Redact of %s (%d bytes)", name, len(text))
	}
}

func TestRedactFindsWhatTheAllocationFreeCheckLetsThrough(t *testing.T) {
	// The check decides on the same forms as the search: a secret under
	// one or two layers, in a short text and in one just over FastLen.
	secret := `Pa55<w0rd>&"x'`
	for _, pad := range []int{0, FastLen} {
		for name, enc := range boundaryEncoders {
			text := strings.Repeat(" ", pad) + enc(secret)
			assert.Equal(t, strings.Repeat(" ", pad)+Placeholder, New(secret).Redact(text), "%s after %d spaces", name, pad)
		}
	}
}
