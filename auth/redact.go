package auth

import (
	"errors"
	"fmt"
	"io"
)

// fmtState is fmt.State, named here so the Format methods read simply.
type fmtState = fmt.State

// formatRedacted writes s for any verb, so %v, %+v, %#v and %s all print the
// redacted String form and never reach the struct fields.
func formatRedacted(f fmt.State, s string) {
	_, _ = io.WriteString(f, s)
}

var errEmptyToken = errors.New("auth: the token is empty; pass a non-empty IAM token to NewTokenSigner")

// secret holds a credential where fmt and other reflection-based printers
// cannot reach it: they print a func value as an address, whatever the verb
// and however deep it sits in the value printed.
type secret func() string

func newSecret(v string) secret { return func() string { return v } }
