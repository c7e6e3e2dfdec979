package scenarios

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"

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
	Intensity  string
	Params     map[string]any // overrides of the intensity's defaults
	Rand       *rand.Rand     // the injection's own seeded source
}

// InjectorFactory plans one attack.
type InjectorFactory func(p InjectionParams) (Injection, error)

// injectors is the registry: typology → factory. Each injector registers
// itself from its own file.
var injectors = map[string]InjectorFactory{}

func registerInjector(t replay.Typology, f InjectorFactory) { injectors[string(t)] = f }

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

func resolve(p InjectionParams, defaults map[string]map[string]float64) (knobs, error) {
	base, ok := defaults[p.Intensity]
	if !ok {
		return knobs{}, fmt.Errorf("%s: unknown intensity %q", p.Typology, p.Intensity)
	}
	k := knobs{vals: map[string]float64{}}
	for n, v := range base {
		k.vals[n] = v
	}
	for n, v := range p.Params {
		if _, ok := base[n]; !ok {
			return k, fmt.Errorf("%s: unknown parameter %q", p.Typology, n)
		}
		f, err := strconv.ParseFloat(fmt.Sprint(v), 64)
		if err != nil {
			return k, fmt.Errorf("%s: parameter %s: %v is not a number", p.Typology, n, v)
		}
		k.vals[n] = f
	}
	return k, nil
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

func (a *attack) Label() Label {
	start, end := a.first, a.last
	if start == 0 {
		start, end = a.p.Start, a.p.Start
	}
	acc := append([]uint64(nil), a.accounts...)
	sort.Slice(acc, func(i, j int) bool { return acc[i] < acc[j] })
	return Label{ID: a.p.ID, Typology: a.p.Typology, Symbol: a.p.SymbolName, Start: start, End: end, Accounts: acc, Intensity: a.p.Intensity, Params: a.k.json()}
}
