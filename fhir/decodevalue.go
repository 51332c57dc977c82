package fhir

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
)

// object reads a JSON object into the struct v, whose reader has peeked
// '{'. Members v's type does not model go to its Members field (dropped if
// it has none).
func (r *reader) object(v reflect.Value) error {
	if err := r.enter(); err != nil {
		return err
	}
	defer r.leave()
	si := infoFor(v.Type())
	var unknown *Members
	if si.unknown != nil {
		unknown = v.FieldByIndex(si.unknown).Addr().Interface().(*Members)
	}
	r.pos++
	if r.peek() == '}' {
		r.pos++
		return nil
	}
	for {
		key, err := r.stringBytes()
		if err != nil {
			return err
		}
		if err := r.expect(':'); err != nil {
			return err
		}
		if err := r.member(v, si, key, unknown); err != nil {
			return err
		}
		if more, err := r.next('}'); err != nil || !more {
			return err
		}
	}
}

// member reads the value of the member called key into v's field.
func (r *reader) member(v reflect.Value, si *structInfo, key []byte, unknown *Members) error {
	f, known := si.fields[string(key)]
	switch {
	case known && f.resource:
		if null, err := r.null(); null || err != nil {
			return err
		}
		res, err := r.resource()
		if err != nil {
			return fmt.Errorf("fhir: %s.%s: %w", v.Type().Name(), key, err)
		}
		v.FieldByIndex(f.index).Set(reflect.ValueOf(res))
		return nil
	case known:
		if err := r.value(v.FieldByIndex(f.index)); err != nil {
			return fmt.Errorf("fhir: %s.%s: %w", v.Type().Name(), key, err)
		}
		return nil
	case si.resource && string(key) == "resourceType":
		if r.peek() != '"' {
			return fmt.Errorf("fhir: resourceType: %w", r.wrongType("a string"))
		}
		typ, err := r.str()
		if err != nil {
			return err
		}
		if want := v.Addr().Interface().(Resource).ResourceType(); typ != want {
			return fmt.Errorf("fhir: resourceType %q where %q was expected", typ, want)
		}
		return nil
	}
	raw, err := r.raw()
	if err != nil || unknown == nil {
		return err
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return err
	}
	*unknown = append(*unknown, Member{Name: string(key), Value: buf.Bytes()})
	return nil
}

// resource reads an object that carries its resourceType: one of this
// package's types, or a *RawResource for others.
func (r *reader) resource() (Resource, error) {
	typ, err := r.resourceTypeAhead()
	if err != nil {
		return nil, err
	}
	mk, ok := registry[typ]
	if !ok {
		raw, err := r.raw()
		if err != nil {
			return nil, err
		}
		var buf bytes.Buffer
		if err := json.Compact(&buf, raw); err != nil {
			return nil, fmt.Errorf("fhir: %s: %w", typ, err)
		}
		return &RawResource{Type: typ, JSON: buf.Bytes()}, nil
	}
	res := mk()
	v := reflect.ValueOf(res).Elem()
	if err := r.object(v); err != nil {
		return nil, err
	}
	return res, nil
}

// resourceTypeAhead returns the "resourceType" of the object that starts
// at the reader's position, which it leaves where it was. Servers put it
// first, so this usually reads one member.
func (r *reader) resourceTypeAhead() (string, error) {
	if r.peek() != '{' {
		return "", r.wrongType("a resource (an object)")
	}
	start := r.pos
	defer func() { r.pos = start }()
	r.pos++
	if r.peek() == '}' {
		return "", errNoType
	}
	for {
		key, err := r.stringBytes()
		if err != nil {
			return "", err
		}
		if err := r.expect(':'); err != nil {
			return "", err
		}
		if string(key) == "resourceType" {
			if r.peek() != '"' {
				return "", fmt.Errorf("fhir: resourceType: %w", r.wrongType("a string"))
			}
			typ, err := r.str()
			if err == nil && typ == "" {
				err = errNoType
			}
			return typ, err
		}
		if err := r.skip(); err != nil {
			return "", err
		}
		if more, err := r.next('}'); err != nil {
			return "", err
		} else if !more {
			return "", errNoType
		}
	}
}

// errNoType: an object without a resourceType where a resource belongs.
var errNoType = errors.New("fhir: resource without resourceType")

// value reads one JSON value into v, as encoding/json would: null sets a
// pointer, slice, map or interface to nil and leaves anything else as it
// is. v may hold a value already (a member that appears twice, or the
// element of a slice being reused): what is read replaces it.
func (r *reader) value(v reflect.Value) error {
	if null, err := r.null(); null || err != nil {
		switch v.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
			if err == nil {
				v.SetZero()
			}
		}
		return err
	}
	t := v.Type()
	switch {
	case t == numberType:
		return r.jsonNumber(v)
	case t == resourceType:
		res, err := r.resource()
		if err == nil {
			v.Set(reflect.ValueOf(res))
		}
		return err
	}
	switch t.Kind() {
	case reflect.String:
		if r.peek() != '"' {
			return r.wrongType("a string")
		}
		s, err := r.str()
		v.SetString(s)
		return err
	case reflect.Bool:
		return r.boolean(v)
	case reflect.Int, reflect.Int64, reflect.Int32:
		return r.integer(v)
	case reflect.Pointer:
		v.Set(reflect.New(t.Elem()))
		return r.value(v.Elem())
	case reflect.Slice:
		if t.Elem().Kind() != reflect.Uint8 { // []byte is base64: encoding/json's
			return r.array(v)
		}
	case reflect.Struct:
		if r.peek() != '{' {
			return r.wrongType("an object")
		}
		// Replace, not merge: each UnmarshalJSON of this package resets
		// its struct, and callers got that from encoding/json before.
		v.SetZero()
		return r.object(v)
	}
	raw, err := r.raw()
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v.Addr().Interface())
}

// array reads a JSON array into the slice v.
func (r *reader) array(v reflect.Value) error {
	if r.peek() != '[' {
		return r.wrongType("an array")
	}
	if err := r.enter(); err != nil {
		return err
	}
	defer r.leave()
	r.pos++
	if r.peek() == ']' {
		r.pos++
		v.Set(reflect.MakeSlice(v.Type(), 0, 0))
		return nil
	}
	for n := 0; ; n++ {
		if n == v.Cap() {
			grown := reflect.MakeSlice(v.Type(), n, max(4, 2*n))
			reflect.Copy(grown, v)
			v.Set(grown)
		}
		v.SetLen(n + 1)
		if err := r.value(v.Index(n)); err != nil {
			return err
		}
		if more, err := r.next(']'); err != nil || !more {
			return err
		}
	}
}

// jsonNumber reads a number, or a string holding one, as its text.
func (r *reader) jsonNumber(v reflect.Value) error {
	if r.peek() == '"' {
		s, err := r.str()
		if err == nil && !ValidNumber(s) {
			err = fmt.Errorf("invalid number %q", s)
		}
		v.SetString(s)
		return err
	}
	if c := r.peek(); c != '-' && (c < '0' || c > '9') {
		return r.wrongType("a number")
	}
	b, err := r.number()
	v.SetString(string(b))
	return err
}

func (r *reader) boolean(v reflect.Value) error {
	switch r.peek() {
	case 't':
		v.SetBool(true)
		return r.literal("true")
	case 'f':
		return r.literal("false")
	}
	return r.wrongType("true or false")
}

func (r *reader) integer(v reflect.Value) error {
	c := r.peek()
	if c != '-' && (c < '0' || c > '9') {
		return r.wrongType("a number")
	}
	b, err := r.number()
	if err != nil {
		return err
	}
	n, err := strconv.ParseInt(string(b), 10, v.Type().Bits())
	if err != nil {
		return fmt.Errorf("%s is not an integer of %d bits", b, v.Type().Bits())
	}
	v.SetInt(n)
	return nil
}
