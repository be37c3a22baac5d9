package modelarts

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
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
// (Page.dropNulls); enum case is normalised by each model's normalize.

// decodeJSON decodes body into out (a pointer), tolerating values sent
// with another JSON type than the field's.
func decodeJSON(body []byte, out any) error {
	err := json.Unmarshal(body, out)
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
		return &wireTypeError{field: te.Field, value: valueBefore(fixed, te.Offset), want: te.Type.String()}
	}
	return err
}

// wireTypeError is a value no coercion could fit to its field; it quotes
// the value as sent.
type wireTypeError struct{ field, value, want string }

func (e *wireTypeError) Error() string {
	return fmt.Sprintf("the value %s of %s cannot be read as %s", e.value, e.field, e.want)
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
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return coerceInteger(v)
	case reflect.Float32, reflect.Float64:
		return coerceFloat(v)
	case reflect.String:
		return coerceString(v)
	case reflect.Bool:
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
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f > math.MaxInt64 || f < math.MinInt64 {
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
