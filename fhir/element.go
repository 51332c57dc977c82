package fhir

import (
	"reflect"
	"slices"
)

// CopyElement sets the element of dst named name (its JSON name, e.g.
// "telecom" or "deceasedBoolean") to src's when dst's is empty, and
// reports whether it did. dst and src must be the same resource type. A
// copied list is clipped, so appending to it never writes into src.
func CopyElement(dst, src Resource, name string) bool {
	d, s, ok := elementPair(dst, src, name)
	if !ok || !d.IsZero() || s.IsZero() {
		return false
	}
	if s.Kind() == reflect.Slice {
		s = s.Slice3(0, s.Len(), s.Len())
	}
	d.Set(s)
	return true
}

// ClearElement empties the element of dst named name.
func ClearElement(dst Resource, name string) {
	v := reflect.ValueOf(dst)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return
	}
	if f, ok := jsonField(v.Elem().Type(), name); ok {
		fv := v.Elem().FieldByIndex(f.Index)
		fv.Set(reflect.Zero(fv.Type()))
	}
}

func elementPair(dst, src Resource, name string) (d, s reflect.Value, ok bool) {
	dv, sv := reflect.ValueOf(dst), reflect.ValueOf(src)
	if dv.Type() != sv.Type() || dv.Kind() != reflect.Pointer || dv.IsNil() || sv.IsNil() {
		return d, s, false
	}
	f, found := jsonField(dv.Elem().Type(), name)
	if !found {
		return d, s, false
	}
	return dv.Elem().FieldByIndex(f.Index), sv.Elem().FieldByIndex(f.Index), true
}

// CopyExtensions appends to dst's extension list named name ("extension"
// or "modifierExtension") src's extensions with url, when dst has none
// with that url, and reports whether it did. dst and src must be the same
// resource type.
func CopyExtensions(dst, src Resource, name, url string) bool {
	d, s, ok := elementPair(dst, src, name)
	if !ok {
		return false
	}
	dl, okD := d.Addr().Interface().(*[]Extension)
	sl, okS := s.Interface().([]Extension)
	if !okD || !okS {
		return false
	}
	has := func(e Extension) bool { return e.URL == url }
	if slices.ContainsFunc(*dl, has) || !slices.ContainsFunc(sl, has) {
		return false
	}
	out := slices.Clip(*dl)
	for _, e := range sl {
		if has(e) {
			out = append(out, e)
		}
	}
	*dl = out
	return true
}
