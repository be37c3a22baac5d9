// Package redact removes known secrets from text that came from elsewhere.
package redact

import (
	"encoding/json"
	"net/url"
	"strings"
)

// Placeholder replaces every secret.
const Placeholder = "[REDACTED]"

// MinSecretLen is the shortest secret redacted: replacing a 1- to 3-byte
// "secret" would shred ordinary text and hide nothing worth hiding.
const MinSecretLen = 4

// Forms returns the encodings of secret a server may echo it in: raw,
// JSON-escaped (encoding/json's form, with <, > and & as \u00XX, and the
// form without HTML escaping), and URL-encoded (query and path forms).
func Forms(secret string) []string {
	if len(secret) < MinSecretLen {
		return nil
	}
	forms := []string{secret}
	add := func(f string) {
		for _, have := range forms {
			if have == f {
				return
			}
		}
		forms = append(forms, f)
	}
	if b, err := json.Marshal(secret); err == nil {
		add(string(b[1 : len(b)-1]))
	}
	var sb strings.Builder
	enc := json.NewEncoder(&sb)
	enc.SetEscapeHTML(false)
	if enc.Encode(secret) == nil {
		e := strings.TrimSpace(sb.String())
		add(e[1 : len(e)-1])
	}
	add(url.QueryEscape(secret))
	add(url.PathEscape(secret))
	return forms
}

// String replaces every form of secret in s with Placeholder.
func String(s, secret string) string {
	if len(secret) < MinSecretLen || s == "" {
		return s
	}
	for _, f := range Forms(secret) {
		s = strings.ReplaceAll(s, f, Placeholder)
	}
	return s
}
