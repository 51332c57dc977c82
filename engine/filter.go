package engine

import (
	"fmt"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/vm"

	"github.com/switchboard-hl7/switchboard/hl7"
)

// Filter is a compiled channel filter: an expr-lang expression over the
// message that must yield a bool. It sees these names:
//
//	type, trigger, structure   MSH-9 parts, e.g. "ADT", "A01", "ADT_A01"
//	control_id, version        MSH-10, MSH-12
//	channel, tenant            the channel's name and tenant
//	field("PV1-2")             the unescaped text at an HL7 path ("" if absent)
//	has("PID-29")              whether the value is present (not empty)
type Filter struct {
	src  string
	prog *vm.Program
}

// compileFilter compiles src, checking that every literal path given to
// field() or has() is a valid HL7 path.
func compileFilter(src string) (*Filter, error) {
	pc := &pathChecker{}
	prog, err := expr.Compile(src, expr.Env(filterEnv(nil, "", "")), expr.AsBool(), expr.Patch(pc))
	if err != nil {
		return nil, err
	}
	if pc.err != nil {
		return nil, pc.err
	}
	return &Filter{src: src, prog: prog}, nil
}

// Match runs the filter against a message.
func (f *Filter) Match(m *hl7.Message, channel, tenant string) (bool, error) {
	out, err := expr.Run(f.prog, filterEnv(m, channel, tenant))
	if err != nil {
		return false, fmt.Errorf("filter %q: %w", f.src, err)
	}
	b, _ := out.(bool)
	return b, nil
}

func filterEnv(m *hl7.Message, channel, tenant string) map[string]any {
	if m == nil {
		m = &hl7.Message{}
	}
	typ, trigger, structure := m.Type()
	return map[string]any{
		"type": typ, "trigger": trigger, "structure": structure,
		"control_id": m.ControlID(), "version": m.Version(),
		"channel": channel, "tenant": tenant,
		"field": func(path string) string { return m.Get(path) },
		"has": func(path string) bool {
			v, err := m.Lookup(path)
			return err == nil && !v.IsEmpty()
		},
	}
}

// pathChecker validates string literals passed to field() and has().
type pathChecker struct{ err error }

func (c *pathChecker) Visit(n *ast.Node) {
	call, ok := (*n).(*ast.CallNode)
	if !ok || c.err != nil || len(call.Arguments) != 1 {
		return
	}
	id, ok := call.Callee.(*ast.IdentifierNode)
	if !ok || (id.Value != "field" && id.Value != "has") {
		return
	}
	if s, ok := call.Arguments[0].(*ast.StringNode); ok {
		if _, err := hl7.ParsePath(s.Value); err != nil {
			c.err = fmt.Errorf("%s(%q): %w", id.Value, s.Value, err)
		}
	}
}
