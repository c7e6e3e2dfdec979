package component

import (
	"fmt"
	"strings"

	"github.com/tapetest/tapetest/labels"
)

// Kind is a kind of pluggable component.
type Kind string

// The kinds of component.
const (
	Detector  Kind = "detector"
	Injector  Kind = "injector"
	Format    Kind = "format"
	VenueRule Kind = "venue rule"
)

// Spec describes a component: what the listings, docs, schema and validation
// show and check.
type Spec struct {
	Kind    Kind    `json:"kind"`
	Name    string  `json:"name"`
	Summary string  `json:"summary"`
	Params  []Param `json:"params"`
}

// Param returns the parameter called name.
func (s *Spec) Param(name string) (Param, bool) {
	for _, p := range s.Params {
		if p.Name == name {
			return p, true
		}
	}
	return Param{}, false
}

// ParamNames lists the parameters' names in the order the spec declares them.
func (s *Spec) ParamNames() []string {
	out := make([]string, len(s.Params))
	for i, p := range s.Params {
		out[i] = p.Name
	}
	return out
}

// PerIntensity reports whether the spec's parameters take their defaults by
// intensity (an injector's do).
func (s *Spec) PerIntensity() bool {
	return len(s.Params) > 0 && s.Params[0].ByIntensity != nil
}

// Check validates the spec itself: a name, unique parameter names of a known
// type, each with a meaning, and defaults of the parameter's type — one
// default, or (for every parameter alike) one per injection intensity.
func (s *Spec) Check() error {
	if s.Name == "" || strings.ContainsAny(s.Name, " \t\n{}@:,|") {
		return &Error{Kind: s.Kind, Component: s.Name, Msg: "a name without spaces or any of {}@:,| is required"}
	}
	if s.Summary == "" {
		return &Error{Kind: s.Kind, Component: s.Name, Msg: "a summary is required"}
	}
	seen := map[string]bool{}
	per := s.PerIntensity()
	for _, p := range s.Params {
		bad := func(format string, args ...any) error {
			return &Error{Kind: s.Kind, Component: s.Name, Param: p.Name, Msg: fmt.Sprintf(format, args...)}
		}
		if p.Name == "" || seen[p.Name] {
			return bad("parameter names must be unique and non-empty")
		}
		seen[p.Name] = true
		if !p.Type.known() {
			return bad("unknown type %q (want duration, int, float, string or bool)", p.Type)
		}
		if p.Meaning == "" {
			return bad("a meaning is required")
		}
		if (p.ByIntensity != nil) != per {
			return bad("either every parameter has defaults by intensity or none has")
		}
		if !per {
			if err := p.Type.check(p.Default); err != nil {
				return bad("default %v: %v", p.Default, err)
			}
			continue
		}
		if p.Default != nil {
			return bad("a parameter with defaults by intensity has no single default")
		}
		for _, in := range labels.Intensities {
			v, ok := p.ByIntensity[in]
			if !ok {
				return bad("no default for intensity %s", in)
			}
			if err := p.Type.check(v); err != nil {
				return bad("default %v at intensity %s: %v", v, in, err)
			}
		}
		if len(p.ByIntensity) != len(labels.Intensities) {
			return bad("defaults for an intensity that does not exist")
		}
	}
	return nil
}

// Error is a problem with a component or one of its parameters.
type Error struct {
	Kind      Kind
	Component string
	Param     string // "" when the component as a whole is at fault
	Msg       string
}

func (e *Error) Error() string {
	if e.Param == "" {
		return fmt.Sprintf("%s %s: %s", e.Kind, e.Component, e.Msg)
	}
	return fmt.Sprintf("%s %s: parameter %s: %s", e.Kind, e.Component, e.Param, e.Msg)
}
