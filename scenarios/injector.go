package scenarios

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"

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

// injectors is the registry: typology → factory. Each injector registers
// itself from its own file, with its documentation.
var (
	injectors    = map[string]InjectorFactory{}
	injectorDocs = map[string]InjectorDoc{}
)

// InjectorDoc documents an injector: what the attack does, and each of its
// parameters with its meaning and its default at every intensity.
type InjectorDoc struct {
	Typology replay.Typology `json:"typology"`
	Summary  string          `json:"summary"`
	// Params maps each parameter to its meaning.
	Params map[string]string `json:"params"`
	// Defaults maps each intensity to its parameter values.
	Defaults map[labels.Intensity]map[string]float64 `json:"defaults"`
}

func registerInjector(t replay.Typology, f InjectorFactory, defaults map[labels.Intensity]map[string]float64, doc InjectorDoc) {
	doc.Typology, doc.Defaults = t, defaults
	injectors[string(t)], injectorDocs[string(t)] = f, doc
}

// Injectors documents every registered injector, by typology.
func Injectors() []InjectorDoc {
	out := make([]InjectorDoc, 0, len(injectorDocs))
	for _, name := range injectorNames() {
		out = append(out, injectorDocs[name])
	}
	return out
}

func injectorNames() []string {
	out := make([]string, 0, len(injectors))
	for k := range injectors {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// knobs resolves an injector's parameters: the intensity's defaults, then the
// spec's overrides, refusing unknown names.
type knobs struct {
	vals map[string]float64
}

func resolve(p InjectionParams, defaults map[labels.Intensity]map[string]float64) (knobs, error) {
	base, ok := defaults[p.Intensity]
	if !ok {
		return knobs{}, fmt.Errorf("%s: unknown intensity %q", p.Typology, p.Intensity)
	}
	k := knobs{vals: map[string]float64{}}
	for n, v := range base {
		k.vals[n] = v
	}
	names := make([]string, 0, len(p.Params))
	for n := range p.Params {
		names = append(names, n)
	}
	sort.Strings(names) // ranges draw from the injection's stream in a fixed order
	for _, n := range names {
		if _, ok := base[n]; !ok {
			return k, fmt.Errorf("%s: unknown parameter %q", p.Typology, n)
		}
		f, err := paramValue(p.Params[n], p.Rand)
		if err != nil {
			return k, fmt.Errorf("%s: parameter %s: %w", p.Typology, n, err)
		}
		k.vals[n] = f
	}
	return k, nil
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

func (k knobs) f(n string) float64 { return k.vals[n] }
func (k knobs) i(n string) int     { return int(k.vals[n]) }

func (k knobs) json() string {
	m := map[string]any{}
	for n, v := range k.vals {
		m[n] = v
	}
	return paramsJSON(m)
}

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
