package injectors

import (
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/tapetest/tapetest/component"
	"github.com/tapetest/tapetest/labels"
	"github.com/tapetest/tapetest/replay"
	"github.com/tapetest/tapetest/scenarios/venue"
)

// Params is what a factory gets to plan one attack.
type Params struct {
	ID         string
	Typology   replay.Typology
	Symbol     uint32 // the instrument's index on the venue
	SymbolName string
	Instrument Instrument
	Start      int64 // when the attack starts acting, ns
	Intensity  labels.Intensity
	Params     map[string]any // the entry's overrides of the intensity's defaults (values or [low, high] ranges)
	Rand       *rand.Rand     // the attack's own seeded stream
}

// Instrument is the attacked instrument as the scenario describes it.
type Instrument struct {
	Kind string // spot or perp
	Tick int64  // price tick, fixed-point units
	Lot  int64  // quantity lot, fixed-point units
	Size int64  // the typical order size, fixed-point units
	// MarkBandBps is a perpetual swap's band around the index the mark is
	// held in (0 for spot).
	MarkBandBps float64
}

// Factory plans one attack.
type Factory func(p Params) (venue.Injection, error)

// Leader is an injection whose labelled attack begins a known time after it
// starts acting (a pump's quiet accumulation before the announcement): the
// generator keeps attacks of one typology apart by when they become visible.
type Leader interface {
	Lead() int64
}

// registry holds the attack injectors, by typology. Each built-in registers
// itself from its own file with its spec: what the attack does and each
// parameter's type, meaning and default at every intensity.
var registry = component.NewRegistry[Factory](component.Injector)

// Register adds an attack injector from any package: spec.Name is the
// typology it injects (a scenario's injection entries name it), every
// parameter has a default at each intensity (component.PerIntensity), and
// the factory plans one attack, reading its parameters with Knobs.
func Register(spec component.Spec, f Factory) error {
	if f == nil {
		return &component.Error{Kind: component.Injector, Component: spec.Name, Msg: "no factory"}
	}
	if len(spec.Params) > 0 && !spec.PerIntensity() {
		return &component.Error{Kind: component.Injector, Component: spec.Name, Msg: "parameters need defaults by intensity (component.PerIntensity)"}
	}
	return registry.Register(spec, f)
}

// mustRegister registers a built-in at init.
func mustRegister(spec component.Spec, f Factory) {
	if err := Register(spec, f); err != nil {
		panic(err)
	}
}

// Specs are the specs of every registered injector, by typology.
func Specs() []*component.Spec { return registry.Specs() }

// Lookup returns the factory of the injector for typology name; an unknown
// one is a *component.Error listing the registered ones.
func Lookup(name string) (Factory, error) {
	_, f, err := registry.Lookup(name)
	return f, err
}

// Has reports whether an injector for typology name is registered; Names
// lists them.
func Has(name string) bool { return registry.Has(name) }

// Names lists the typologies with an injector, sorted.
func Names() []string { return registry.Names() }

// Knobs resolves an attack's parameters: the intensity's defaults, then the
// spec's overrides in name order (a range draws from the injection's own
// stream, so the order is fixed), each checked against its parameter's type.
func Knobs(p Params) (*component.Values, error) {
	spec, _, err := registry.Lookup(string(p.Typology))
	if err != nil {
		return nil, err
	}
	v, err := spec.Resolve(nil, p.Intensity)
	if err != nil {
		return nil, err
	}
	for _, n := range slices.Sorted(maps.Keys(p.Params)) {
		if _, ok := spec.Param(n); !ok {
			return nil, v.Set(n, nil) // names the valid parameters
		}
		f, err := paramValue(p.Params[n], p.Rand)
		if err != nil {
			return nil, &component.Error{Kind: component.Injector, Component: spec.Name, Param: n, Msg: err.Error()}
		}
		if err := v.Set(n, f); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// knobs are an attack's resolved parameters as the built-in injectors read
// them: every one as a number.
type knobs struct {
	v *component.Values
}

func resolve(p Params) (knobs, error) {
	v, err := Knobs(p)
	return knobs{v: v}, err
}

// paramValue is a parameter's value for one attack: a number as it is, or a
// range [lo, hi] drawn for each attack from its own stream — an integer in
// lo..hi when both ends are integers, else uniform in [lo, hi).
func paramValue(v any, r *rand.Rand) (float64, error) {
	num := func(x any) (float64, error) {
		f, err := strconv.ParseFloat(fmt.Sprint(x), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return 0, fmt.Errorf("%v is not a number", x)
		}
		return f, nil
	}
	lr, ok := v.([]any)
	if !ok {
		return num(v)
	}
	if len(lr) != 2 {
		return 0, fmt.Errorf("a range is [low, high]: got %d values", len(lr))
	}
	lo, err := num(lr[0])
	if err != nil {
		return 0, err
	}
	hi, err := num(lr[1])
	if err != nil {
		return 0, err
	}
	if lo > hi {
		return 0, fmt.Errorf("range [%v, %v]: low above high", lo, hi)
	}
	if lo == math.Trunc(lo) && hi == math.Trunc(hi) {
		return lo + float64(r.Int64N(int64(hi-lo)+1)), nil
	}
	return lo + (hi-lo)*r.Float64(), nil
}

func (k knobs) f(n string) float64 { return k.v.Float(n) }
func (k knobs) i(n string) int     { return int(k.v.Float(n)) }

func (k knobs) json() string { return ParamsJSON(k.v.Map()) }

// attack is the common part of injections: identity, accounts, time span.
type attack struct {
	p        Params
	k        knobs
	accounts []uint64
	first    int64
	last     int64
}

func (a *attack) Start() int64 { return a.p.Start }

func (a *attack) mark(now int64) {
	if a.first == 0 {
		a.first = now
	}
	a.last = now
}

func (a *attack) Label() labels.Label {
	start, end := a.first, a.last
	if start == 0 {
		start, end = a.p.Start, a.p.Start
	}
	acc := append([]uint64(nil), a.accounts...)
	sort.Slice(acc, func(i, j int) bool { return acc[i] < acc[j] })
	return labels.Label{ID: a.p.ID, Typology: a.p.Typology, Symbol: a.p.SymbolName, Start: start, End: end, Accounts: acc, Intensity: a.p.Intensity, Params: a.k.json()}
}

// ParamsJSON writes parameters as a label records them: a JSON object of
// their values as text, keys sorted.
func ParamsJSON(m map[string]any) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%q:%q", k, fmt.Sprint(m[k]))
	}
	b.WriteByte('}')
	return b.String()
}
