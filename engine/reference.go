package engine

import (
	"fmt"
	"io"
	"reflect"
	"strings"
)

// WriteReference writes the configuration reference, drawn from the
// `doc` tags of the types the files decode into, so it never drifts from
// what the loader accepts.
func WriteReference(w io.Writer) {
	fmt.Fprintln(w, "# config.yaml")
	writeFields(w, reflect.TypeOf(Config{}), "")
	fmt.Fprintln(w, "\n# channels/*.yaml")
	writeFields(w, reflect.TypeOf(Channel{}), "")
}

func writeFields(w io.Writer, t reflect.Type, prefix string) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if !f.IsExported() || name == "-" || name == "" {
			continue
		}
		key := prefix + name
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		kind := typeName(ft)
		fmt.Fprintf(w, "%-40s %-10s %s\n", key, kind, f.Tag.Get("doc"))
		switch {
		case ft.Kind() == reflect.Struct && !isScalar(ft):
			writeFields(w, ft, key+".")
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
			writeFields(w, ft.Elem(), key+"[].")
		case ft.Kind() == reflect.Map && ft.Elem().Kind() == reflect.Pointer && ft.Elem().Elem().Kind() == reflect.Struct:
			writeFields(w, ft.Elem().Elem(), key+".<name>.")
		}
	}
}

func typeName(t reflect.Type) string {
	switch {
	case t == reflect.TypeOf(Duration(0)):
		return "duration"
	case t == reflect.TypeOf(ByteSize(0)):
		return "size"
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Struct:
		return "list"
	case t.Kind() == reflect.Slice:
		return "[]" + t.Elem().Kind().String()
	case t.Kind() == reflect.Map:
		return "map"
	case t.Kind() == reflect.Struct:
		return "object"
	}
	return t.Kind().String()
}

func isScalar(t reflect.Type) bool {
	return reflect.PointerTo(t).Implements(unmarshalerType)
}
