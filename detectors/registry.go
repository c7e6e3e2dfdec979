package detectors

import (
	"maps"
	"slices"
	"strings"

	"github.com/tapetest/tapetest/component"
	"github.com/tapetest/tapetest/replay"
)

// Params are a detector's resolved parameters, read back as typed values
// (Duration, Int, Float, String); see component.Values.
type Params = *component.Values

// Definition is a detector as it registers: its component spec (name,
// summary, typed parameters), the typology it claims and its constructor.
type Definition struct {
	component.Spec
	Typology replay.Typology                `json:"typology"` // "" for a detector told its typology by a parameter (external)
	New      func(Params) (Detector, error) `json:"-"`
	// Executes says that the detector runs a program its parameters name
	// (external): re-running a results directory someone sent must not start
	// it unless the user says so.
	Executes bool `json:"executes,omitempty"`
	// Needs is what the detector reads from the market data, beyond prices
	// and trades: a background that lacks it (public feeds carry no
	// accounts) cannot show the detector's false alerts, and the run says
	// so instead of reporting a rate of zero.
	Needs []Need `json:"needs,omitempty"`
	// PerInstrument says that the detector reads each instrument on its
	// own: its alerts on one instrument are the same whichever other
	// instruments share the replay. A run may then be dealt out by
	// instrument (package scaleout); a detector that does not say so keeps
	// the run whole. Every built-in but external says so, and
	// TestDetectorsReadEachMarketOnItsOwn holds them to it.
	PerInstrument bool `json:"per_instrument,omitempty"`
}

// PerInstrument reports whether the detector called name reads each
// instrument on its own (false for an unknown name).
func PerInstrument(name string) bool {
	d, err := lookup(name)
	return err == nil && d.PerInstrument
}

// Need is something a detector reads from the market data.
type Need string

// What detectors may need.
const (
	NeedAccounts Need = "accounts"  // the accounts behind orders and trades
	NeedOrderIDs Need = "order_ids" // order-by-order data: adds, cancels and modifies by order id (L3)
)

// Executes reports whether the detector called name runs a program its
// parameters name (false for an unknown name).
func Executes(name string) bool {
	d, err := lookup(name)
	return err == nil && d.Executes
}

var registry = component.NewRegistry[Definition](component.Detector)

// Register adds a detector from any package: its spec is checked (every
// default against its parameter's type) and a name already taken is refused.
func Register(d Definition) error {
	if d.New == nil {
		return &component.Error{Kind: component.Detector, Component: d.Name, Msg: "no constructor (New)"}
	}
	return registry.Register(d.Spec, d)
}

// mustRegister registers a built-in at init: a built-in that does not
// register is a bug the first test finds.
func mustRegister(d Definition) {
	d.PerInstrument = !d.Executes // every built-in reads each market on its own but a program, which may read any
	if err := Register(d); err != nil {
		panic(err)
	}
}

// All returns every registered detector, sorted by name.
func All() []Definition {
	var out []Definition
	for _, n := range registry.Names() {
		if d, err := lookup(n); err == nil {
			out = append(out, d)
		}
	}
	return out
}

func lookup(name string) (Definition, error) {
	spec, d, err := registry.Lookup(name)
	if err != nil {
		return d, err
	}
	d.Spec = *spec
	return d, nil
}

// build constructs the detector from p, reporting a parameter the
// constructor read by a name or type its spec does not declare.
func (d Definition) build(p Params) (Detector, error) {
	det, err := d.New(p)
	if err == nil {
		err = p.Err()
	}
	if err != nil {
		return nil, err
	}
	return det, nil
}

// Config is a detector entry of a spec: a name and parameters, where a list
// of values is a grid axis.
type Config struct {
	Name   string         `yaml:"name" json:"name"`
	Params map[string]any `yaml:"params" json:"params,omitempty"`
	// Symbols scopes the entry's instances to these instruments: alerts on
	// others are not kept (and are counted). Empty: every instrument.
	Symbols []string `yaml:"symbols" json:"symbols,omitempty"`
	// Threshold is the score threshold the entry ships at; Select a rule
	// that picks one (best_f1, capacity N, min_recall R, min_precision P),
	// out of sample when the scoring splits the run (docs/scoring.md).
	Threshold *float64 `yaml:"threshold" json:"threshold,omitempty" jsonschema:"description=the score threshold that ships (or select: a rule)"`
	Select    string   `yaml:"select" json:"select,omitempty" jsonschema:"description=a rule that picks the threshold: best_f1\\, capacity N (alerts/day)\\, min_recall R or min_precision P"`
}

// Instance is one detector instance of an expanded grid.
type Instance struct {
	ID       string          `json:"id"` // name, plus the parameters the entry sets: wash_pairs{window=60s}
	Name     string          `json:"name"`
	Typology replay.Typology `json:"typology"`
	Params   Params          `json:"-"`
	Symbols  []string        `json:"symbols,omitempty"` // scope: only alerts on these instruments count (empty: all)
	// Threshold and Select are the entry's operating point (Config).
	Threshold *float64 `json:"threshold,omitempty"`
	Select    string   `json:"select,omitempty"`
	def       Definition
}

// Needs is what the instance's detector reads from the market data.
func (in Instance) Needs() []Need { return in.def.Needs }

// New builds the instance's detector.
func (in Instance) New() (Detector, error) { return in.def.build(in.Params) }

// paramError is the component error for detector det's parameter param.
func paramError(det, param, msg string) error {
	return &component.Error{Kind: component.Detector, Component: det, Param: param, Msg: msg}
}

// Expand turns detector entries into instances: every list-valued parameter
// is a grid axis and the instances are the cross product. Instance ids show
// every parameter the entry sets, in name order (wash_pairs{window=60s}); the
// others take their defaults. Ids are unique and stable.
func Expand(cfgs []Config) ([]Instance, error) {
	var out []Instance
	seen := map[string]bool{}
	for _, c := range cfgs {
		def, err := lookup(c.Name)
		if err != nil {
			return nil, err
		}
		keys := slices.Sorted(maps.Keys(c.Params))
		axes := make([][]any, len(keys))
		for i, k := range keys {
			ps, ok := def.Param(k)
			if !ok {
				return nil, def.Defaults("").Set(k, nil) // names the valid parameters
			}
			vals, isList := c.Params[k].([]any)
			if !isList {
				vals = []any{c.Params[k]}
			}
			if len(vals) == 0 {
				return nil, paramError(c.Name, k, "empty list")
			}
			for _, v := range vals {
				pv, err := ps.Parse(v)
				if err != nil {
					return nil, paramError(c.Name, k, err.Error())
				}
				axes[i] = append(axes[i], pv)
			}
		}
		// The cross product of the axes, the last fastest.
		idx := make([]int, len(keys))
		for {
			full := def.Defaults("")
			var id []string
			for i, k := range keys {
				v := axes[i][idx[i]]
				if err := full.Set(k, v); err != nil {
					return nil, err
				}
				id = append(id, k+"="+component.FormatValue(v))
			}
			name := c.Name
			if len(id) > 0 {
				name += "{" + strings.Join(id, ",") + "}"
			}
			if len(c.Symbols) > 0 {
				name += "@" + strings.Join(c.Symbols, "+")
			}
			if seen[name] {
				return nil, &component.Error{Kind: component.Detector, Component: c.Name, Msg: "instance " + name + " is listed twice"}
			}
			seen[name] = true
			typ := def.Typology
			if t, ok := full.Get("typology"); ok && typ == "" {
				typ = replay.Typology(t.(string)) // external detectors claim the typology they are given
			}
			out = append(out, Instance{ID: name, Name: c.Name, Typology: typ, Params: full, Symbols: c.Symbols, Threshold: c.Threshold, Select: c.Select, def: def})
			k := len(idx) - 1
			for k >= 0 {
				idx[k]++
				if idx[k] < len(axes[k]) {
					break
				}
				idx[k] = 0
				k--
			}
			if k < 0 {
				break
			}
		}
	}
	return out, nil
}
