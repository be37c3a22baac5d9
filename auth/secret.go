package auth

import (
	"fmt"
	"io"
)

// formatRedacted writes s for any verb, so %v, %+v, %#v and %s all print the
// redacted String form and never reach the struct fields.
func formatRedacted(f fmt.State, s string) {
	_, _ = io.WriteString(f, s)
}

// secret holds a credential where fmt and other reflection-based printers
// cannot reach it: they print a func value as an address, whatever the verb
// and however deep it sits in the value printed.
type secret func() string

func newSecret(v string) secret { return func() string { return v } }
