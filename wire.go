package modelarts

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The one wire-decoding layer. Every answer is decoded in one pass
// straight into its Go type; only when that pass meets a value of another
// JSON type than the field's (a count sent as "0", a capacity as "5", a
// tag as 0.1, a number as 5.0 where an integer is due) is the answer
// decoded again, generically: the JSON is read into a tree, each value the
// Go type expects as a number, string or bool is coerced to it where it
// can be, and the tree is decoded into the type. So every model and every
// listing tolerates the same things, and a field added to a model is
// tolerated without a twin type to keep in step. Null stands for "not set"
// (encoding/json's rule); null items of a listing are dropped by the page
// (Page.settle); enums read themselves (decodeEnum).

// Every enum is a string type whose UnmarshalJSON is decodeEnum, so
// decoding an Image or a Notebook, by the client or by the caller's own
// encoding/json, never fails on an enum sent as text: a value the SDK
// knows is matched case-insensitively and normalised to its constant
// (servers send "x86_64" for X86_64) without allocating, a value it does
// not know is kept as sent, so a newer server never breaks an older
// client.

// decodeJSON decodes body into out (a pointer), tolerating values sent
// with another JSON type than the field's.
func decodeJSON(body []byte, out any) error {
	err := json.Unmarshal(body, out)
	if err == nil {
		return nil // the common case, without errors.As's allocation
	}
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return err
	}
	fixed, err := json.Marshal(coerce(tree, reflect.TypeOf(out)))
	if err != nil {
		return err
	}
	reflect.ValueOf(out).Elem().SetZero()
	err = json.Unmarshal(fixed, out)
	if errors.As(err, &te) {
		return &wireTypeError{field: te.Field, value: valueAt(fixed, te), want: te.Type.String()}
	}
	return err
}

// wireTypeError is a value no coercion could fit to its field; it quotes
// the value as sent.
type wireTypeError struct{ field, value, want string }

func (e *wireTypeError) Error() string {
	return fmt.Sprintf("the value %s of %s cannot be read as %s", e.value, e.field, e.want)
}

// valueAt is the JSON value in b that te refuses. A type that reads its
// own forms (decodeEnum, Timestamp) refuses with the value in te.Value and
// no offset; encoding/json's offset is just past the opening bracket of an
// object or an array, and just past the end of any other value.
func valueAt(b []byte, te *json.UnmarshalTypeError) string {
	if te.Offset == 0 && te.Value != "" {
		return te.Value
	}
	if end := min(int(te.Offset), len(b)); end > 0 && (b[end-1] == '{' || b[end-1] == '[') {
		var raw json.RawMessage
		if json.NewDecoder(bytes.NewReader(b[end-1:])).Decode(&raw) == nil {
			return string(raw)
		}
	}
	return valueBefore(b, te.Offset)
}

// valueBefore is the JSON value that ends at offset in b. It is not
// shortened here: a value cut before scrubbing could keep part of a secret
// that scrubbing no longer recognises; DecodeError shortens after.
func valueBefore(b []byte, offset int64) string {
	end := min(int(offset), len(b))
	start := end
	for depth, inString := 0, false; start > 0; start-- {
		c := b[start-1]
		switch {
		case c == '"' && (start < 2 || b[start-2] != '\\'):
			inString = !inString
		case inString:
		case c == '}' || c == ']':
			depth++
		case c == '{' || c == '[':
			if depth == 0 {
				return string(b[start:end])
			}
			depth--
		case (c == ':' || c == ',') && depth == 0:
			return string(b[start:end])
		}
	}
	return string(b[start:end])
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// coerce returns v, a value of a JSON tree, made fit to decode into t
// where it can be; what cannot be made fit is left for the decoder to
// refuse.
func coerce(v any, t reflect.Type) any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if v == nil || reflect.PointerTo(t).Implements(unmarshalerType) {
		return v // a type that reads its own forms (Timestamp)
	}
	switch t.Kind() {
	case reflect.Struct:
		if m, ok := v.(map[string]any); ok {
			coerceFields(m, t)
		}
	case reflect.Slice, reflect.Array:
		if a, ok := v.([]any); ok {
			for i := range a {
				a[i] = coerce(a[i], t.Elem())
			}
		}
	case reflect.Map:
		if m, ok := v.(map[string]any); ok {
			for k := range m {
				m[k] = coerce(m[k], t.Elem())
			}
		}
	default:
		return coerceScalar(v, t.Kind())
	}
	return v
}

// coerceScalar makes v fit a number, a string or a bool, where it can.
func coerceScalar(v any, k reflect.Kind) any {
	switch {
	case k >= reflect.Int && k <= reflect.Uint64:
		return coerceInteger(v)
	case k == reflect.Float32 || k == reflect.Float64:
		return coerceFloat(v)
	case k == reflect.String:
		return coerceString(v)
	case k == reflect.Bool:
		if s, ok := v.(string); ok {
			if b, err := strconv.ParseBool(strings.TrimSpace(s)); err == nil {
				return b
			}
		}
	}
	return v
}

// coerceFields coerces the members of m that t's fields decode, matched
// as encoding/json matches them (the json name, case-insensitively;
// embedded structs' fields as t's own).
func coerceFields(m map[string]any, t reflect.Type) {
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case name == "-" || !f.IsExported() && !f.Anonymous:
			continue
		case f.Anonymous && name == "" && indirect(f.Type).Kind() == reflect.Struct:
			coerceFields(m, indirect(f.Type))
			continue
		case name == "":
			name = f.Name
		}
		for k, v := range m {
			if strings.EqualFold(k, name) {
				m[k] = coerce(v, f.Type)
			}
		}
	}
}

func indirect(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// coerceInteger makes a number sent as a string, or as a float, an
// integer (toward zero); an empty string is "not set".
func coerceInteger(v any) any {
	s, ok := numberText(v)
	if !ok {
		return v
	}
	if s == "" {
		return nil
	}
	if _, err := strconv.ParseInt(s, 10, 64); err == nil {
		return json.Number(s)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f >= 1<<63 || f < -(1<<63) {
		return v
	}
	return json.Number(strconv.FormatInt(int64(f), 10))
}

// coerceFloat makes a number sent as a string a number.
func coerceFloat(v any) any {
	s, ok := numberText(v)
	if !ok {
		return v
	}
	if s == "" {
		return nil
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return json.Number(s)
	}
	return v
}

// numberText is the text of a JSON number, or of a string holding one.
func numberText(v any) (string, bool) {
	switch x := v.(type) {
	case json.Number:
		return string(x), true
	case string:
		return strings.TrimSpace(x), true
	}
	return "", false
}

// coerceString makes a number or a bool sent where text is due its text,
// as written (a tag 0.1 stays "0.1").
func coerceString(v any) any {
	switch x := v.(type) {
	case json.Number:
		return string(x)
	case bool:
		return strconv.FormatBool(x)
	}
	return v
}

// normalize returns the known constant matching s case-insensitively, or s
// unchanged (as a new string when s is bytes). A known value costs no
// allocation, so decoding the enums of a long listing costs none.
func normalize[E ~string, S string | []byte](s S, known []E) E {
	for _, k := range known {
		if string(k) == string(s) {
			return k
		}
	}
	for _, k := range known {
		if len(k) == len(s) && strings.EqualFold(string(k), string(s)) {
			return k
		}
	}
	return E(s)
}

// decodeEnum is the UnmarshalJSON of every enum type: a string is matched
// to the known constants by normalize, a number or a bool sent instead is
// read as its text (as the coercing pass reads one sent for a string
// field), null leaves dst as it was. An object or an array is refused with
// the *json.UnmarshalTypeError whose Value quotes it (decodeJSON reports
// it).
func decodeEnum[E ~string](b []byte, dst *E, known []E) error {
	switch {
	case len(b) >= 2 && b[0] == '"' && plainASCII(b[1:len(b)-1]):
		*dst = normalize(b[1:len(b)-1], known)
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*dst = normalize(s, known)
	case string(b) == "null":
	case len(b) > 0 && (b[0] == '{' || b[0] == '['):
		return &json.UnmarshalTypeError{Value: string(b), Type: reflect.TypeFor[E]()}
	default:
		*dst = normalize(b, known)
	}
	return nil
}

// plainASCII reports text that a JSON string holds as it is: printable
// ASCII without escapes. Anything else is left to encoding/json, which
// undoes escapes and turns invalid UTF-8 into U+FFFD as for any string
// field (so a decoded value encodes and decodes back to itself).
func plainASCII(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c >= 0x7f || c == '\\' || c == '"' {
			return false
		}
	}
	return true
}

// cloneNormalized returns a normalised copy of vs, leaving the caller's
// slice alone.
func cloneNormalized[E ~string](vs []E, known []E) []E {
	out := slices.Clone(vs)
	normalizeInPlace(out, known)
	return out
}

// normalizeInPlace normalises each element of vs.
func normalizeInPlace[E ~string](vs []E, known []E) {
	for i, v := range vs {
		vs[i] = normalize(string(v), known)
	}
}

// Timestamp is a time the service sends as UTC milliseconds since the
// epoch. It embeds time.Time, so its methods (Before, Format, UnixMilli…)
// apply directly. The zero Timestamp is encoded as 0 and 0 decodes to it.
type Timestamp struct {
	time.Time
}

// TimestampOf returns t as a Timestamp, truncated to the millisecond the
// wire carries.
func TimestampOf(t time.Time) Timestamp {
	if t.IsZero() {
		return Timestamp{}
	}
	return Timestamp{t.Truncate(time.Millisecond).UTC()}
}

// MarshalJSON encodes the time as UTC milliseconds since the epoch.
func (t Timestamp) MarshalJSON() ([]byte, error) {
	return strconv.AppendInt(nil, int64(millisOf(t.Time)), 10), nil
}

// UnmarshalJSON accepts milliseconds as an integer, a float, a numeric
// string or null.
func (t *Timestamp) UnmarshalJSON(b []byte) error {
	var m epochMillis
	if err := m.UnmarshalJSON(b); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			te.Type = reflect.TypeFor[Timestamp]()
		}
		return err
	}
	t.Time = m.time()
	return nil
}

// epochMillis is a timestamp in UTC milliseconds since the epoch; 0 means
// unset.
type epochMillis int64

func millisOf(t time.Time) epochMillis {
	if t.IsZero() {
		return 0
	}
	return epochMillis(t.UnixMilli())
}

func (m epochMillis) time() time.Time {
	if m == 0 {
		return time.Time{}
	}
	return time.UnixMilli(int64(m)).UTC()
}

// UnmarshalJSON accepts an integer, a float, a numeric string or null,
// within the years 1 to 9999: a time outside them is no time the service
// keeps, and past them time.Time's UnixMilli overflows.
func (m *epochMillis) UnmarshalJSON(b []byte) error {
	var n flexInt
	if err := n.UnmarshalJSON(b); err != nil {
		return err
	}
	if n < minEpochMillis || n > maxEpochMillis {
		return &json.UnmarshalTypeError{Value: string(bytes.TrimSpace(b)), Type: reflect.TypeFor[int64]()}
	}
	*m = epochMillis(n)
	return nil
}

// The milliseconds of 0001-01-01 and of 9999-12-31 23:59:59.999, UTC.
const (
	minEpochMillis = -62135596800000
	maxEpochMillis = 253402300799999
)

// flexInt is an integer the server may send as a number, a float, a
// numeric string or null.
type flexInt int64

// UnmarshalJSON accepts an integer, a float, a numeric string or null.
func (n *flexInt) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	raw := b
	if len(b) == 0 || string(b) == "null" {
		return nil
	}
	if b[0] == '"' {
		// The string's own value, escapes undone: quoted once in an error,
		// it is what the server meant, and what scrubbing recognises.
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		if s == "" {
			return nil
		}
		b = []byte(s)
	}
	if v, ok := parseDecimal(b); ok {
		*n = flexInt(v)
		return nil
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f >= 1<<63 || f < -(1<<63) {
		// A type error, so that encoding/json names the field it is in.
		return &json.UnmarshalTypeError{Value: string(raw), Type: reflect.TypeFor[int64]()}
	}
	*n = flexInt(f)
	return nil
}

// parseDecimal parses an optionally signed run of at most 18 digits without
// allocating (the common case); anything else is left to ParseFloat.
func parseDecimal(b []byte) (int64, bool) {
	neg := false
	if len(b) > 0 && b[0] == '-' {
		neg, b = true, b[1:]
	}
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var v int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	if neg {
		v = -v
	}
	return v, true
}
