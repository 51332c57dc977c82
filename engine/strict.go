package engine

import (
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// lineIndex maps a key path ("source.mllp.listen", "destinations[0]") to
// the line it was written on, so validation can point at it.
type lineIndex map[string]int

// line returns the line of path or of its nearest written parent.
func (ix lineIndex) line(path string) int {
	for path != "" {
		if n, ok := ix[path]; ok {
			return n
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			break
		}
		path = path[:i]
	}
	return ix[""]
}

var yamlLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): `)

// decodeStrict decodes YAML into out: ${VAR} expanded in values, unknown
// keys refused with a suggestion, type errors with their line.
func decodeStrict(file string, data []byte, out any) (lineIndex, ConfigErrors) {
	errs := &errorList{file: file}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		errs.add(yamlErrLine(err.Error()), "%s", yamlMsg(err.Error()))
		return nil, errs.errs
	}
	if len(doc.Content) == 0 {
		return lineIndex{}, nil // an empty file: all defaults
	}
	root := doc.Content[0]
	expandNodes(root, errs)
	ix := lineIndex{"": root.Line}
	checkKeys(root, reflect.TypeOf(out).Elem(), "", ix, errs)
	if len(errs.errs) > 0 {
		return ix, errs.errs
	}
	if err := root.Decode(out); err != nil {
		if te, ok := err.(*yaml.TypeError); ok {
			for _, e := range te.Errors {
				errs.add(yamlErrLine(e), "%s", yamlMsg(e))
			}
		} else {
			errs.add(yamlErrLine(err.Error()), "%s", yamlMsg(err.Error()))
		}
	}
	return ix, errs.errs
}

func yamlErrLine(msg string) int {
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return 0
}

func yamlMsg(msg string) string {
	msg = yamlLine.ReplaceAllString(msg, "")
	msg = strings.TrimPrefix(msg, "yaml: ")
	return strings.Replace(msg, "cannot unmarshal !!", "cannot use a YAML ", 1)
}

// expandNodes expands ${VAR} in every scalar value (never in keys). A
// plain scalar is re-typed after expansion so "${PORT:-80}" can fill an int.
func expandNodes(n *yaml.Node, errs *errorList) {
	switch n.Kind {
	case yaml.ScalarNode:
		v, err := expandEnv(n.Value, osLookup)
		if err != nil {
			errs.add(n.Line, "%v", err)
			return
		}
		if v != n.Value {
			n.Value = v
			if n.Style == 0 {
				n.Tag = ""
			}
		}
	case yaml.MappingNode:
		for i := 1; i < len(n.Content); i += 2 {
			expandNodes(n.Content[i], errs)
		}
	default:
		for _, c := range n.Content {
			expandNodes(c, errs)
		}
	}
}

var unmarshalerType = reflect.TypeOf((*yaml.Unmarshaler)(nil)).Elem()

// checkKeys walks n against type t, recording lines and refusing keys the
// type does not have.
func checkKeys(n *yaml.Node, t reflect.Type, path string, ix lineIndex, errs *errorList) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return // the decoder reports the type mismatch with its line
		}
		fields := yamlFields(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := join(path, k.Value)
			f, ok := fields[k.Value]
			if !ok {
				unknownKey(k, path, fields, errs)
				continue
			}
			ix[p] = k.Line
			checkKeys(v, f.Type, p, ix, errs)
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return
		}
		for i, c := range n.Content {
			p := path + "[" + strconv.Itoa(i) + "]"
			ix[p] = c.Line
			checkKeys(c, t.Elem(), p, ix, errs)
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			p := join(path, n.Content[i].Value)
			ix[p] = n.Content[i].Line
			checkKeys(n.Content[i+1], t.Elem(), p, ix, errs)
		}
	}
}

func unknownKey(k *yaml.Node, path string, fields map[string]reflect.StructField, errs *errorList) {
	names := make([]string, 0, len(fields))
	for name := range fields {
		names = append(names, name)
	}
	sort.Strings(names)
	where := "here"
	if path != "" {
		where = "in " + path
	}
	if s := closest(k.Value, names); s != "" {
		errs.add(k.Line, "unknown key %q %s: did you mean %q?", k.Value, where, s)
		return
	}
	errs.add(k.Line, "unknown key %q %s: valid keys are %s", k.Value, where, strings.Join(names, ", "))
}

// yamlFields returns the YAML-visible fields of a struct by key.
func yamlFields(t reflect.Type) map[string]reflect.StructField {
	out := map[string]reflect.StructField{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out[name] = f
	}
	return out
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
