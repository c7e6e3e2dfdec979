package detectors

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tapetest/tapetest/replay"
)

// ParamType is a detector parameter's type.
type ParamType string

// Parameter types.
const (
	Duration ParamType = "duration"
	Int      ParamType = "int"
	Float    ParamType = "float"
	String   ParamType = "string"
)

// ParamSpec documents and types one parameter.
type ParamSpec struct {
	Name    string    `json:"name"`
	Type    ParamType `json:"type"`
	Default any       `json:"default"` // time.Duration, int64 or float64
	Unit    string    `json:"unit,omitempty"`
	Meaning string    `json:"meaning"`
}

// Params are resolved parameter values: time.Duration, int64 or float64.
type Params map[string]any

// Duration returns a duration parameter.
func (p Params) Duration(n string) time.Duration { return p[n].(time.Duration) }

// Int returns an int parameter.
func (p Params) Int(n string) int64 { return p[n].(int64) }

// Float returns a float parameter.
func (p Params) Float(n string) float64 { return p[n].(float64) }

// String returns a string parameter.
func (p Params) String(n string) string { return p[n].(string) }

// Definition is a registered detector.
type Definition struct {
	Name     string                         `json:"name"`
	Typology replay.Typology                `json:"typology"`
	Doc      string                         `json:"doc"`
	Params   []ParamSpec                    `json:"params"`
	New      func(Params) (Detector, error) `json:"-"`
}

var registry = map[string]Definition{}

// Register adds a detector definition; built-ins register from their own files.
func Register(d Definition) {
	if _, dup := registry[d.Name]; dup {
		panic("detectors: duplicate registration of " + d.Name)
	}
	registry[d.Name] = d
}

// Lookup returns a registered detector.
func Lookup(name string) (Definition, bool) { d, ok := registry[name]; return d, ok }

// All returns every registered detector, sorted by name.
func All() []Definition {
	out := make([]Definition, 0, len(registry))
	for _, d := range registry {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Config is a detector entry of a spec: a name and parameters, where a list
// of values is a grid axis.
type Config struct {
	Name   string         `yaml:"name" json:"name"`
	Params map[string]any `yaml:"params" json:"params,omitempty"`
	// Symbols scopes the entry's instances to these instruments: alerts on
	// others are not kept (and are counted). Empty: every instrument.
	Symbols []string `yaml:"symbols" json:"symbols,omitempty"`
}

// Instance is one detector instance of an expanded grid.
type Instance struct {
	ID       string          `json:"id"` // name, plus the parameters the entry sets: wash_pairs{window=60s}
	Name     string          `json:"name"`
	Typology replay.Typology `json:"typology"`
	Params   Params          `json:"-"`
	Symbols  []string        `json:"symbols,omitempty"` // scope: only alerts on these instruments count (empty: all)
	def      Definition
}

// New builds the instance's detector.
func (in Instance) New() (Detector, error) { return in.def.New(in.Params) }

// ConfigError names the detector and parameter at fault.
type ConfigError struct {
	Detector, Param, Msg string
}

func (e *ConfigError) Error() string {
	if e.Param == "" {
		return fmt.Sprintf("detector %s: %s", e.Detector, e.Msg)
	}
	return fmt.Sprintf("detector %s: parameter %s: %s", e.Detector, e.Param, e.Msg)
}

func parseValue(det string, ps ParamSpec, v any) (any, error) {
	s := fmt.Sprint(v)
	bad := func(why string) error { return &ConfigError{det, ps.Name, fmt.Sprintf("%v: %s", v, why)} }
	switch ps.Type {
	case Duration:
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			return nil, bad("want a positive duration such as 60s")
		}
		return d, nil
	case Int:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, bad("want an integer")
		}
		return n, nil
	case Float:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, bad("want a number")
		}
		return f, nil
	case String:
		if s == "" {
			return nil, bad("want a non-empty string")
		}
		return s, nil
	}
	return nil, bad("unknown parameter type " + string(ps.Type))
}

func format(v any) string {
	if d, ok := v.(time.Duration); ok {
		return d.String()
	}
	return fmt.Sprint(v)
}

// Expand turns detector entries into instances: every list-valued parameter
// is a grid axis and the instances are the cross product. Instance ids show
// every parameter the entry sets, in name order (wash_pairs{window=60s}); the
// others take their defaults. Ids are unique and stable.
func Expand(cfgs []Config) ([]Instance, error) {
	var out []Instance
	seen := map[string]bool{}
	for _, c := range cfgs {
		def, ok := registry[c.Name]
		if !ok {
			names := make([]string, 0, len(registry))
			for n := range registry {
				names = append(names, n)
			}
			sort.Strings(names)
			return nil, &ConfigError{c.Name, "", "unknown detector (registered: " + strings.Join(names, ", ") + ")"}
		}
		specs := map[string]ParamSpec{}
		for _, ps := range def.Params {
			specs[ps.Name] = ps
		}
		keys := make([]string, 0, len(c.Params))
		for k := range c.Params {
			if _, ok := specs[k]; !ok {
				return nil, &ConfigError{c.Name, k, "unknown parameter"}
			}
			keys = append(keys, k)
		}
		sort.Strings(keys)
		axes := make([][]any, len(keys))
		for i, k := range keys {
			vals, isList := c.Params[k].([]any)
			if !isList {
				vals = []any{c.Params[k]}
			}
			if len(vals) == 0 {
				return nil, &ConfigError{c.Name, k, "empty list"}
			}
			for _, v := range vals {
				pv, err := parseValue(c.Name, specs[k], v)
				if err != nil {
					return nil, err
				}
				axes[i] = append(axes[i], pv)
			}
		}
		var rec func(i int, p Params, id []string)
		var err error
		rec = func(i int, p Params, id []string) {
			if err != nil {
				return
			}
			if i == len(keys) {
				full := Params{}
				for _, ps := range def.Params {
					full[ps.Name] = ps.Default
				}
				for k, v := range p {
					full[k] = v
				}
				name := c.Name
				if len(id) > 0 {
					name += "{" + strings.Join(id, ",") + "}"
				}
				if len(c.Symbols) > 0 {
					name += "@" + strings.Join(c.Symbols, "+")
				}
				if seen[name] {
					err = &ConfigError{c.Name, "", "instance " + name + " is listed twice"}
					return
				}
				seen[name] = true
				typ := def.Typology
				if t, ok := full["typology"].(string); ok && typ == "" {
					typ = replay.Typology(t) // external detectors claim the typology they are given
				}
				out = append(out, Instance{ID: name, Name: c.Name, Typology: typ, Params: full, Symbols: c.Symbols, def: def})
				return
			}
			for _, v := range axes[i] {
				q := Params{}
				for k, x := range p {
					q[k] = x
				}
				q[keys[i]] = v
				rec(i+1, q, append(append([]string(nil), id...), keys[i]+"="+format(v)))
			}
		}
		rec(0, Params{}, nil)
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
