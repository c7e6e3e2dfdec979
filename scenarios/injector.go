package scenarios

import (
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"

	"github.com/tapetest/tapetest/component"
	"github.com/tapetest/tapetest/labels"
	"github.com/tapetest/tapetest/replay"
)

// InjectionParams is what an injector factory gets to plan one attack.
type InjectionParams struct {
	ID         string
	Typology   replay.Typology
	Symbol     uint32
	SymbolName string
	Instrument InstrumentSpec
	Start      int64
	Intensity  labels.Intensity
	Params     map[string]any // overrides of the intensity's defaults
	Rand       *rand.Rand     // the injection's own seeded source
}

// InjectorFactory plans one attack.
type InjectorFactory func(p InjectionParams) (Injection, error)

// injectors is the registry of attack injectors, by typology. Each built-in
// registers itself from its own file with its spec: what the attack does and
// each parameter's type, meaning and default at every intensity.
var injectors = component.NewRegistry[InjectorFactory](component.Injector)

// RegisterInjector adds an attack injector from any package: spec.Name is
// the typology it injects (a scenario's injection entries name it), every
// parameter has a default at each intensity (component.PerIntensity), and
// the factory plans one attack, reading its parameters with Knobs.
func RegisterInjector(spec component.Spec, f InjectorFactory) error {
	if f == nil {
		return &component.Error{Kind: component.Injector, Component: spec.Name, Msg: "no factory"}
	}
	if len(spec.Params) > 0 && !spec.PerIntensity() {
		return &component.Error{Kind: component.Injector, Component: spec.Name, Msg: "parameters need defaults by intensity (component.PerIntensity)"}
	}
	return injectors.Register(spec, f)
}

// mustRegisterInjector registers a built-in at init.
func mustRegisterInjector(spec component.Spec, f InjectorFactory) {
	if err := RegisterInjector(spec, f); err != nil {
		panic(err)
	}
}

// Injectors are the specs of every registered injector, by typology.
func Injectors() []*component.Spec { return injectors.Specs() }

// Knobs resolves an attack's parameters: the intensity's defaults, then the
// spec's overrides in name order (a range draws from the injection's own
// stream, so the order is fixed), each checked against its parameter's type.
func Knobs(p InjectionParams) (*component.Values, error) {
	spec, _, err := injectors.Lookup(string(p.Typology))
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

func resolve(p InjectionParams) (knobs, error) {
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

func (k knobs) json() string { return paramsJSON(k.v.Map()) }

// attack is the common part of injections: identity, accounts, time span.
type attack struct {
	p        InjectionParams
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
