package fhir

import "reflect"

// Clone returns a deep copy of v (a resource or a data type, usually a
// pointer to one): no pointer, slice or interface value of the copy
// shares memory with v, so either can be changed or reused without the
// other seeing it. Strings are shared: they cannot change.
func Clone[T any](v T) T {
	var out T
	deepCopy(reflect.ValueOf(&out).Elem(), reflect.ValueOf(&v).Elem())
	return out
}

// deepCopy sets dst, a settable zero value of src's type, to a deep copy
// of src.
func deepCopy(dst, src reflect.Value) {
	switch src.Kind() {
	case reflect.Pointer:
		if !src.IsNil() {
			p := reflect.New(src.Type().Elem())
			deepCopy(p.Elem(), src.Elem())
			dst.Set(p)
		}
	case reflect.Slice:
		if !src.IsNil() {
			s := reflect.MakeSlice(src.Type(), src.Len(), src.Len())
			if src.Type().Elem().Kind() == reflect.Uint8 || src.Type().Elem().Kind() == reflect.String {
				reflect.Copy(s, src)
			} else {
				for i := range src.Len() {
					deepCopy(s.Index(i), src.Index(i))
				}
			}
			dst.Set(s)
		}
	case reflect.Struct:
		for i := range src.NumField() {
			deepCopy(dst.Field(i), src.Field(i))
		}
	case reflect.Interface:
		if !src.IsNil() {
			e := reflect.New(src.Elem().Type()).Elem()
			deepCopy(e, src.Elem())
			dst.Set(e)
		}
	case reflect.Map:
		if !src.IsNil() {
			m := reflect.MakeMapWithSize(src.Type(), src.Len())
			for it := src.MapRange(); it.Next(); {
				e := reflect.New(src.Type().Elem()).Elem()
				deepCopy(e, it.Value())
				m.SetMapIndex(it.Key(), e)
			}
			dst.Set(m)
		}
	default:
		dst.Set(src)
	}
}
