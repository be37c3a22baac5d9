// Package errs holds the sentinel that both the modelarts and auth
// packages match, so that a construction error of either answers
// errors.Is(err, modelarts.ErrInvalidRequest): auth cannot import
// modelarts.
package errs

import (
	"errors"
	"fmt"
)

// ErrInvalidRequest is modelarts.ErrInvalidRequest: input refused before
// anything was sent.
var ErrInvalidRequest = errors.New("invalid request")

// Invalidf is an error of bad input or configuration: it prints as
// formatted (%w wraps as usual) and matches ErrInvalidRequest.
func Invalidf(format string, args ...any) error {
	return &invalid{err: fmt.Errorf(format, args...)}
}

type invalid struct{ err error }

func (e *invalid) Error() string { return e.err.Error() }

// Unwrap returns the formatted error, so a %w in it stays reachable.
func (e *invalid) Unwrap() error { return e.err }

// Is makes errors.Is(err, ErrInvalidRequest) hold.
func (e *invalid) Is(target error) bool { return target == ErrInvalidRequest }
