package component

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/tapetest/tapetest/labels"
)

// Values are a component's resolved parameters: every declared parameter has
// a value of its type. Reading one back by a name the spec does not declare,
// or as another type, returns the zero value and records an *Error (a sticky
// error, as bufio.Scanner's): the registry checks Err after a component is
// built, so such a mistake is reported, naming the component and parameter,
// not a panic.
type Values struct {
	spec *Spec
	vals map[string]any
	err  error
}

// Defaults are the spec's parameters at their defaults; for an injector's,
// at intensity in (ignored otherwise).
func (s *Spec) Defaults(in labels.Intensity) *Values {
	v := &Values{spec: s, vals: make(map[string]any, len(s.Params))}
	for _, p := range s.Params {
		if p.ByIntensity != nil {
			v.vals[p.Name] = p.ByIntensity[in]
		} else {
			v.vals[p.Name] = p.Default
		}
	}
	return v
}

// Resolve is the spec's defaults (at intensity in, for an injector) with the
// given values in their place, each parsed to its parameter's type. An
// unknown name is an *Error listing the valid ones.
func (s *Spec) Resolve(given map[string]any, in labels.Intensity) (*Values, error) {
	if s.PerIntensity() && !slices.Contains(labels.Intensities, in) {
		return nil, &Error{Kind: s.Kind, Component: s.Name, Msg: fmt.Sprintf("unknown intensity %q (want %s)", in, intensityList())}
	}
	v := s.Defaults(in)
	for _, name := range slices.Sorted(maps.Keys(given)) {
		if err := v.Set(name, given[name]); err != nil {
			return nil, err
		}
	}
	return v, nil
}

func intensityList() string {
	var out []string
	for _, in := range labels.Intensities {
		out = append(out, string(in))
	}
	return strings.Join(out, ", ")
}

// Set parses raw to the type of the parameter called name and sets it.
func (v *Values) Set(name string, raw any) error {
	p, ok := v.spec.Param(name)
	if !ok {
		msg := "unknown parameter"
		if names := v.spec.ParamNames(); len(names) > 0 {
			sort.Strings(names)
			msg += " (valid: " + strings.Join(names, ", ") + ")"
		} else {
			msg += " (it takes none)"
		}
		return &Error{Kind: v.spec.Kind, Component: v.spec.Name, Param: name, Msg: msg}
	}
	x, err := p.Parse(raw)
	if err != nil {
		return &Error{Kind: v.spec.Kind, Component: v.spec.Name, Param: name, Msg: err.Error()}
	}
	v.vals[name] = x
	return nil
}

// Spec is the spec the values are of.
func (v *Values) Spec() *Spec { return v.spec }

// Get returns the value of the parameter called name (nil, false when the
// spec declares none).
func (v *Values) Get(name string) (any, bool) { x, ok := v.vals[name]; return x, ok }

// Map is a copy of the values by name.
func (v *Values) Map() map[string]any { return maps.Clone(v.vals) }

// Err is the first mistake made reading the values back (nil if none).
func (v *Values) Err() error { return v.err }

func (v *Values) read(name string, t Type) any {
	x, ok := v.vals[name]
	p, _ := v.spec.Param(name)
	switch {
	case !ok:
		v.fail(name, "read but not declared")
	case p.Type != t && !(p.Type == Int && t == Float):
		v.fail(name, fmt.Sprintf("read as %s, declared %s", t, p.Type))
	default:
		return x
	}
	return nil
}

func (v *Values) fail(name, msg string) {
	if v.err == nil {
		v.err = &Error{Kind: v.spec.Kind, Component: v.spec.Name, Param: name, Msg: msg}
	}
}

// Duration returns a duration parameter.
func (v *Values) Duration(name string) time.Duration {
	d, _ := v.read(name, Duration).(time.Duration)
	return d
}

// Int returns an int parameter.
func (v *Values) Int(name string) int64 {
	n, _ := v.read(name, Int).(int64)
	return n
}

// Float returns a float parameter, or an int parameter as a float.
func (v *Values) Float(name string) float64 {
	switch x := v.read(name, Float).(type) {
	case float64:
		return x
	case int64:
		return float64(x)
	}
	return 0
}

// String returns a string parameter.
func (v *Values) String(name string) string {
	s, _ := v.read(name, String).(string)
	return s
}

// Bool returns a bool parameter.
func (v *Values) Bool(name string) bool {
	b, _ := v.read(name, Bool).(bool)
	return b
}
