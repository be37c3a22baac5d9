package errs

import (
	"errors"
	"io"
	"testing"
)

func TestInvalidfMatchesErrInvalidRequestAndKeepsWhatItWraps(t *testing.T) {
	err := Invalidf("auth: the %s is empty: %w", "key", io.EOF)
	if !errors.Is(err, ErrInvalidRequest) {
		t.Fatal("does not match ErrInvalidRequest")
	}
	if !errors.Is(err, io.EOF) {
		t.Fatal("the wrapped error is lost")
	}
	if got, want := err.Error(), "auth: the key is empty: EOF"; got != want {
		t.Fatalf("Error() = %q, want %q", got, want)
	}
}
