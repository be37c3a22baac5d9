package auth

import (
	"fmt"
	"io"

	"github.com/modelarts-go/modelarts/internal/redact"
)

// formatRedacted writes s for any verb, so %v, %+v, %#v and %s all print the
// redacted String form and never reach the struct fields.
func formatRedacted(f fmt.State, s string) {
	_, _ = io.WriteString(f, s)
}

// Where secrets live. fmt prints a value reached through an unexported
// field without calling any of its methods, and when it meets a pointer
// there with a verb other than %v (%s, %q, %d, %x, %w...) it prints that
// pointer again with %v as if it were the operand: a pointer to a struct
// is then expanded, its fields printed raw. A secret in a plain field, or in
// a plain field one pointer away, would show. So the signers keep every
// secret, and every set of secrets, in a func value: fmt prints a func as
// an address, whatever the verb and however deep it sits.

// secret holds a credential where fmt and other reflection-based printers
// cannot reach it.
type secret func() string

func newSecret(v string) secret { return func() string { return v } }

// reveal returns the credential, or "" for a nil secret.
func (s secret) reveal() string {
	if s == nil {
		return ""
	}
	return s()
}

// secretSet holds a redact.Set, whose secrets sit in a slice, out of the
// printers' reach in the same way.
type secretSet func() *redact.Set

func newSecretSet(secrets ...string) secretSet {
	set := redact.New(secrets...)
	return func() *redact.Set { return set }
}

// redact returns text with every secret of the set replaced; a nil
// secretSet redacts nothing.
func (s secretSet) redact(text string) string {
	if s == nil {
		return text
	}
	return s().Redact(text)
}
