package rpc

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

// A request struct declares its properties with `json` tags; `rpc:"required"`
// marks the ones that must be present and non-null. Requests are flat, so the
// decoder works property by property: that is what lets every type error name
// the property and the JSON type it expected, and lets unknown
// properties be ignored without a second pass.

type fieldInfo struct {
	index    []int
	name     string
	required bool
	enum     []string // allowed values of a string property (an Enum type)
}

var fieldCache sync.Map // reflect.Type → []fieldInfo

func fieldsOf(t reflect.Type) []fieldInfo {
	if v, ok := fieldCache.Load(t); ok {
		return v.([]fieldInfo)
	}
	out := collectFields(t, nil)
	fieldCache.Store(t, out)
	return out
}

// collectFields lists a struct's properties; embedded structs without a json
// name contribute their own properties, as encoding/json treats them.
func collectFields(t reflect.Type, prefix []int) []fieldInfo {
	var out []fieldInfo
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		index := append(append([]int{}, prefix...), i)
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			out = append(out, collectFields(f.Type, index)...)
			continue
		}
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fi := fieldInfo{index: index, name: name, required: hasTagOption(f.Tag.Get("rpc"), "required"), enum: EnumValues(f.Type)}
		out = append(out, fi)
	}
	return out
}

func hasTagOption(tag, opt string) bool {
	for _, p := range strings.Split(tag, ",") {
		if p == opt {
			return true
		}
	}
	return false
}

// Decode fills dst (a pointer to a struct) from a JSON object body. An empty
// body means {}. Errors are *Error values ready to send.
func Decode(body []byte, dst any) error {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		body = []byte("{}")
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) || bytes.Equal(body, []byte("null")) {
			return ErrInvalidRequest("The request body must be a JSON object")
		}
		return ErrInvalidRequest("The request body is not valid JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	if raw == nil { // body was "null"
		return ErrInvalidRequest("The request body must be a JSON object")
	}
	v := reflect.ValueOf(dst).Elem()
	for _, f := range fieldsOf(v.Type()) {
		msg, present := raw[f.name]
		isNull := present && bytes.Equal(bytes.TrimSpace(msg), []byte("null"))
		if !present || isNull {
			if f.required {
				return ErrInvalidRequest("%s: is required", f.name)
			}
			continue
		}
		fv := v.FieldByIndex(f.index)
		if err := json.Unmarshal(msg, fv.Addr().Interface()); err != nil {
			return ErrInvalidRequest("%s: expected %s", f.name, JSONTypeName(fv.Type()))
		}
		if err := checkText(f, msg, fv); err != nil {
			return err
		}
	}
	return nil
}

// checkText holds every decoded string to what the databases can store (no
// NUL, valid UTF-8: encoding/json would silently replace bad bytes) and to
// the property's enum, if it has one.
func checkText(f fieldInfo, raw json.RawMessage, fv reflect.Value) error {
	texts := stringsOf(fv)
	if texts == nil {
		return nil
	}
	if !utf8.Valid(raw) {
		return ErrInvalidRequest("%s: must be valid UTF-8", f.name)
	}
	for _, t := range texts {
		if strings.ContainsRune(t, 0) {
			return ErrInvalidRequest("%s: must not contain NUL characters", f.name)
		}
		if f.enum != nil && (t != "" || f.required) && !slices.Contains(f.enum, t) {
			return ErrInvalidRequest("%s: must be one of %s", f.name, strings.Join(f.enum, ", "))
		}
	}
	return nil
}

// stringsOf is the text of a string property (of string kind, named or not),
// a pointer to one or a list of them; nil for anything else.
func stringsOf(v reflect.Value) []string {
	switch {
	case v.Kind() == reflect.String:
		return []string{v.String()}
	case v.Kind() == reflect.Pointer && v.Type().Elem().Kind() == reflect.String:
		if v.IsNil() {
			return []string{}
		}
		return []string{v.Elem().String()}
	case v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.String:
		out := make([]string, v.Len())
		for i := range out {
			out[i] = v.Index(i).String()
		}
		return out
	}
	return nil
}

// TypeNamer lets a Go type say how it is described to API users.
type TypeNamer interface{ APITypeName() string }

// JSONTypeName is the name of the JSON type a Go type decodes from.
func JSONTypeName(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Implements(reflect.TypeFor[TypeNamer]()) {
		return reflect.Zero(t).Interface().(TypeNamer).APITypeName()
	}
	if reflect.PointerTo(t).Implements(reflect.TypeFor[TypeNamer]()) {
		return reflect.New(t).Interface().(TypeNamer).APITypeName()
	}
	switch t.Kind() {
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.String:
		return "string"
	case reflect.Slice, reflect.Array:
		return "array of " + JSONTypeName(t.Elem())
	default:
		return "object"
	}
}

// APITypeName describes Timestamp in error messages.
func (Timestamp) APITypeName() string { return "timestamp string (YYYY-MM-DDTHH:MM:SSZ)" }

// Enum is a string type whose values are a fixed list, declared once where
// the values are defined. A request or response property of such a type (or
// a list of them) accepts only those values, and the OpenAPI document and
// the SDK list them.
type Enum interface{ Values() []string }

var enumType = reflect.TypeFor[Enum]()

// EnumValues is the list of values of t, or of t's elements for a slice or
// pointer (nil: not an enum).
func EnumValues(t reflect.Type) []string {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	if t.Kind() != reflect.String || !t.Implements(enumType) {
		return nil
	}
	return reflect.Zero(t).Interface().(Enum).Values()
}
