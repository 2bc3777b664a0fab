package sdkgen

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/veridoc/veridoc/internal/api/rpc"
)

// The language-neutral model the TypeScript and Python SDKs are written
// from: every method, and every object type it sends or answers.

// Kind is what a value is on the wire.
type Kind int

// The kinds of values.
const (
	KString Kind = iota
	KInt
	KFloat
	KBool
	KTimestamp // a string, YYYY-MM-DDTHH:MM:SSZ
	KObject    // a named object type
	KList
	KMap // string keys
	KAny
	KPage // a list method's page: {data: [Elem], has_more, next_cursor}
)

// Type is a value's type; Nullable for a Go pointer (null on the wire).
type Type struct {
	Kind     Kind
	Name     string // KObject
	Elem     *Type  // KList, KMap, KPage
	Nullable bool
	Enum     []string // the allowed values of a string
}

// Field is an object's property.
type Field struct {
	JSON     string
	Type     Type
	Required bool // in a request: the server refuses a call without it
	Omitted  bool // omitempty: an answer leaves it out when empty
}

// Object is a named object type, embedded types flattened.
type Object struct {
	Name   string
	Fields []Field
}

// Method is one API method.
type Method struct {
	Name, Class, Verb, Summary string
	Request, Response          Type
	SideEffects, Session       bool
	Item                       *Type // the item of a paged list method
}

// Model is the whole API.
type Model struct {
	Methods []Method
	Objects []Object // sorted by name
}

// Build reads the registry into a Model.
func Build(reg *rpc.Registry) (*Model, error) {
	b := &modelBuilder{objects: map[string]*Object{}, seen: map[string]reflect.Type{}}
	m := &Model{}
	for _, rm := range reg.Methods() {
		class, verb, _ := strings.Cut(rm.Name, ".")
		req, err := b.typeOf(rm.Request)
		if err != nil {
			return nil, err
		}
		res, err := b.typeOf(rm.Response)
		if err != nil {
			return nil, err
		}
		me := Method{Name: rm.Name, Class: class, Verb: verb, Summary: rm.Summary, Request: req, Response: res,
			SideEffects: rm.SideEffects, Session: rm.Scope == rpc.ScopeSession}
		if _, ok := pagedItem(rm); ok {
			me.Item = res.Elem
		}
		m.Methods = append(m.Methods, me)
	}
	for _, o := range b.objects {
		m.Objects = append(m.Objects, *o)
	}
	sort.Slice(m.Objects, func(i, j int) bool { return m.Objects[i].Name < m.Objects[j].Name })
	return m, nil
}

type modelBuilder struct {
	objects map[string]*Object
	seen    map[string]reflect.Type
}

func (b *modelBuilder) typeOf(t reflect.Type) (Type, error) {
	nullable := false
	for t.Kind() == reflect.Pointer {
		t, nullable = t.Elem(), true
	}
	out := Type{Nullable: nullable, Enum: rpc.EnumValues(t)}
	switch {
	case t == timestampType:
		out.Kind = KTimestamp
	case strings.HasPrefix(t.Name(), "ListResponse["):
		elem, err := b.typeOf(t.Field(0).Type.Elem())
		if err != nil {
			return out, err
		}
		out.Kind, out.Elem = KPage, &elem
	case t.Kind() == reflect.Struct:
		out.Kind, out.Name = KObject, t.Name()
		if err := b.object(t); err != nil {
			return out, err
		}
	case t.Kind() == reflect.Slice, t.Kind() == reflect.Map:
		elem, err := b.typeOf(t.Elem())
		if err != nil {
			return out, err
		}
		out.Kind, out.Elem = KList, &elem
		if t.Kind() == reflect.Map {
			out.Kind = KMap
		}
	case t.Kind() == reflect.String:
		out.Kind = KString
	case t.Kind() == reflect.Bool:
		out.Kind = KBool
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Uint64:
		out.Kind = KInt
	case t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64:
		out.Kind = KFloat
	case t.Kind() == reflect.Interface:
		out.Kind = KAny
	default:
		return out, fmt.Errorf("sdkgen: cannot describe %s", t)
	}
	return out, nil
}

// object declares a named struct once; two types of one name are a bug.
func (b *modelBuilder) object(t reflect.Type) error {
	if prev, ok := b.seen[t.Name()]; ok {
		if prev != t {
			return fmt.Errorf("sdkgen: two types named %s (%s and %s)", t.Name(), prev.PkgPath(), t.PkgPath())
		}
		return nil
	}
	b.seen[t.Name()] = t
	o := &Object{Name: t.Name()}
	b.objects[t.Name()] = o
	fields, err := b.fields(t)
	o.Fields = fields
	return err
}

// fields lists a struct's properties, embedded structs' in place.
func (b *modelBuilder) fields(t reflect.Type) ([]Field, error) {
	var out []Field
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		if f.Anonymous && f.Type.Kind() == reflect.Struct && f.Tag.Get("json") == "" {
			inner, err := b.fields(f.Type)
			if err != nil {
				return nil, err
			}
			out = append(out, inner...)
			continue
		}
		tag := strings.Split(f.Tag.Get("json"), ",")
		name := tag[0]
		if name == "-" || name == "" {
			continue
		}
		ft, err := b.typeOf(f.Type)
		if err != nil {
			return nil, err
		}
		out = append(out, Field{JSON: name, Type: ft, Required: strings.Contains(f.Tag.Get("rpc"), "required"),
			Omitted: slices.Contains(tag[1:], "omitempty")})
	}
	return out, nil
}
