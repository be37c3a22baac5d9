package auth

import (
	"encoding/json"
	"fmt"
	"log/slog"
)

// Secret holds a password so that nothing prints it: it sits in a func
// value, which fmt prints as an address whatever the verb and however deep
// (an unexported field of your struct included), and its methods print
// Redacted for fmt, slog and encoding/json. Make one with NewSecret, or
// decode one from a JSON string; Reveal returns the password. The zero
// Secret is empty.
type Secret struct {
	get func() string
}

// NewSecret returns a Secret holding v.
func NewSecret(v string) Secret {
	if v == "" {
		return Secret{}
	}
	return Secret{get: func() string { return v }}
}

// Reveal returns the password held, "" for the zero Secret.
func (s Secret) Reveal() string {
	if s.get == nil {
		return ""
	}
	return s.get()
}

// IsZero reports whether the Secret is empty.
func (s Secret) IsZero() bool { return s.Reveal() == "" }

// String prints Redacted, or "" for an empty Secret.
func (s Secret) String() string {
	if s.IsZero() {
		return ""
	}
	return Redacted
}

// GoString is String, for %#v.
func (s Secret) GoString() string { return s.String() }

// Format makes every fmt verb print String.
func (s Secret) Format(f fmt.State, _ rune) { formatRedacted(f, s.String()) }

// LogValue keeps the password out of slog records.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalJSON writes Redacted (or ""), never the password: a Secret
// encoded is not decoded back to the password.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// UnmarshalJSON reads the password from a JSON string.
func (s *Secret) UnmarshalJSON(b []byte) error {
	var v string
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*s = NewSecret(v)
	return nil
}
