package backtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/invopop/jsonschema"
	"github.com/tapetest/tapetest/component"
	"github.com/tapetest/tapetest/detectors"
	"github.com/tapetest/tapetest/replay/formats"
	"github.com/tapetest/tapetest/scenarios"
	"github.com/tapetest/tapetest/scenarios/injectors"
	"github.com/tapetest/tapetest/scoring"
)

// Spec is a spec file: the scenario to replay and the run's configuration.
type Spec struct {
	Scenario *scenarios.Spec
	Config   Config
}

// Config is what a run does with the replay: the detector entries to run and
// how their alerts are scored. In a spec file its keys (detectors, scoring)
// stand beside the scenario's.
type Config struct {
	// Detectors are the detector entries; a list-valued parameter is a grid.
	// Empty: every built-in at its defaults.
	Detectors []detectors.Config `yaml:"detectors" json:"detectors"`
	Scoring   ScoringConfig      `yaml:"scoring" json:"scoring"`
}

// ScoringConfig holds the scoring options of a run.
type ScoringConfig struct {
	Tolerance    scenarios.Duration `yaml:"tolerance" json:"tolerance" jsonschema:"description=how long after an attack ends an alert still counts"`
	Lead         scenarios.Duration `yaml:"lead" json:"lead,omitempty" jsonschema:"description=how long before an attack's labelled start an alert still counts (labels given to the minute; organisers who buy before announcing); such detections have a negative time to detect"`
	BudgetPerDay float64            `yaml:"budget_per_day" json:"budget_per_day" jsonschema:"description=analyst capacity: background alerts per day"`
	AnyTypology  bool               `yaml:"any_typology" json:"any_typology"`
	// Range configures range-based precision and recall (Tatbul et al. 2018).
	Range RangeConfig `yaml:"range" json:"range,omitempty"`
	// Split separates choosing a threshold from measuring it
	// (scoring.ParseSplit): "time F", "episode F" or "instrument F" choose
	// every select: rule on the first F of the run, its episodes or its
	// instruments and measure on the rest; "folds K by episode" (or
	// instrument, time) cross-validates; "none" measures in-sample, and
	// says so. Empty: scoring.DefaultSplit (five folds, by episode or by
	// time).
	Split string `yaml:"split" json:"split,omitempty" jsonschema:"description=time F / episode F / instrument F: select: rules choose on the first F (0 < F < 1) and the metrics are measured on the rest; folds K [by episode|instrument|time|auto]: cross-validated over K folds that never split an episode; none: in-sample. Default: folds 5 by auto (by episode with 10 episodes or more; else by time)"`
}

// RangeConfig configures range-based precision and recall.
type RangeConfig struct {
	Alpha float64 `yaml:"alpha" json:"alpha,omitempty" jsonschema:"description=existence weight of range-based recall (0..1; default 0)"`
	Bias  string  `yaml:"bias" json:"bias,omitempty" jsonschema:"enum=front,enum=flat,enum=back,enum=middle,description=positional bias of range-based scores (default front: early detection counts more)"`
}

// Options are the scoring options this configuration gives for a replay
// that covered days days (the universe's) and instrumentDays instrument-days.
func (c ScoringConfig) Options(days, instrumentDays float64) scoring.Options {
	bias := scoring.Bias(c.Range.Bias)
	if bias == "" {
		bias = scoring.Front
	}
	split, _ := scoring.ParseSplit(c.Split) // checked with the spec
	if strings.TrimSpace(c.Split) == "" {
		split = scoring.DefaultSplit
	}
	return scoring.Options{Tolerance: int64(c.Tolerance), Lead: int64(c.Lead), AnyTypology: c.AnyTypology, Days: days, InstrumentDays: instrumentDays,
		BudgetPerDay: c.BudgetPerDay, RangeAlpha: c.Range.Alpha, RangeBias: bias, Split: split}
}

// validate checks the configuration's values.
func (c Config) validate(sc *scenarios.Spec) error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	s := c.Scoring
	if s.Tolerance < 0 {
		bad("scoring: tolerance %v: must not be negative", time.Duration(s.Tolerance))
	}
	if s.Lead < 0 {
		bad("scoring: lead %v: must not be negative", time.Duration(s.Lead))
	}
	if _, err := scoring.ParseSplit(s.Split); err != nil {
		bad("%v", err)
	}
	for _, d := range c.Detectors {
		if _, err := scoring.ParseSelection(d.Threshold, d.Select); err != nil {
			bad("detectors: %s: %v", d.Name, err)
		}
	}
	if math.IsNaN(s.BudgetPerDay) || math.IsInf(s.BudgetPerDay, 0) || s.BudgetPerDay < 0 {
		bad("scoring: budget_per_day %v: want a finite number of alerts per day, 0 or more", s.BudgetPerDay)
	}
	if !(s.Range.Alpha >= 0 && s.Range.Alpha <= 1) {
		bad("scoring: range: alpha %v: want a weight from 0 to 1", s.Range.Alpha)
	}
	if _, err := scoring.ParseBias(s.Range.Bias); err != nil {
		bad("scoring: range: %v", err)
	}
	syms := map[string]bool{}
	for _, in := range sc.Instruments {
		syms[in.Symbol] = true
	}
	for i, d := range c.Detectors {
		for _, sym := range d.Symbols {
			// A historical background's instruments are known once its files
			// are read: Run checks those.
			if !syms[sym] && !sc.Historical() {
				bad("detectors[%d] %s: symbols: unknown instrument %q", i, d.Name, sym)
			}
		}
	}
	return errors.Join(errs...)
}

// specFile is the whole file: the scenario's keys and the run's.
type specFile struct {
	scenarios.Spec `yaml:",inline"`
	Config         `yaml:",inline"`
}

// Parse decodes and validates a spec file, strictly: an unknown key or a
// wrong type is a *scenarios.SpecError naming name:line:column.
func Parse(name string, data []byte) (*Spec, error) {
	var f specFile
	if err := scenarios.DecodeStrict(name, data, &f); err != nil {
		return nil, err
	}
	sc := f.Spec
	if err := sc.Finish(name); err != nil {
		return nil, err
	}
	if err := f.Config.validate(&sc); err != nil {
		return nil, &scenarios.SpecError{File: name, Msg: err.Error()}
	}
	return &Spec{Scenario: &sc, Config: f.Config}, nil
}

// Load reads and parses a spec file; it returns the file's bytes too (the
// manifest records their digest).
func Load(path string) (*Spec, []byte, error) { return scenarios.LoadFile(path, Parse) }

// Default is the embedded default suite.
func Default() (*Spec, error) { return Parse("default.yaml", scenarios.DefaultSpecText()) }

// Schema returns the JSON Schema of spec files, generated from the same Go
// types the strict YAML decoder uses, so that editors can check specs.
func Schema() ([]byte, error) {
	r := &jsonschema.Reflector{DoNotReference: true, RequiredFromJSONSchemaTags: true}
	s := r.Reflect(&specFile{})
	s.ID = "https://tapetest.dev/schemas/spec.json"
	s.Title = "tapetest scenario spec"
	s.AdditionalProperties = jsonschema.FalseSchema
	// Names a spec may give are the registered components' (the built-ins,
	// and whatever the program registered before asking).
	for _, e := range []struct {
		path  []string
		names []string
	}{
		{[]string{"detectors", "[]", "name"}, specNames(detectorSpecs())},
		{[]string{"injections", "[]", "typology"}, specNames(injectors.Specs())},
		{[]string{"background", "format"}, specNames(formats.Specs())},
		{[]string{"instruments", "[]", "rules", "[]", "name"}, specNames(scenarios.VenueRules())},
	} {
		if at := schemaAt(s, e.path...); at != nil {
			at.Enum = nil
			for _, n := range e.names {
				at.Enum = append(at.Enum, n)
			}
		}
	}
	// Each entry's params follow its component's spec.
	for _, e := range []struct {
		path          []string
		key, paramKey string
		specs         []*component.Spec
		grids         bool
	}{
		{[]string{"detectors", "[]"}, "name", "params", detectorSpecs(), true},
		{[]string{"injections", "[]"}, "typology", "params", injectors.Specs(), false},
		{[]string{"instruments", "[]", "rules", "[]"}, "name", "params", scenarios.VenueRules(), false},
	} {
		if at := schemaAt(s, e.path...); at != nil {
			for _, c := range e.specs {
				at.AllOf = append(at.AllOf, component.Conditional(e.key, c.Name, e.paramKey, c.ParamsSchema(e.grids)))
			}
		}
	}
	return json.MarshalIndent(s, "", "  ")
}

func detectorSpecs() []*component.Spec {
	var out []*component.Spec
	for _, d := range detectors.All() {
		out = append(out, &d.Spec)
	}
	return out
}

// schemaAt walks object properties by name, and "[]" into array items.
func schemaAt(s *jsonschema.Schema, path ...string) *jsonschema.Schema {
	for _, p := range path {
		if s == nil {
			return nil
		}
		if p == "[]" {
			s = s.Items
			continue
		}
		if s.Properties == nil {
			return nil
		}
		s, _ = s.Properties.Get(p)
	}
	return s
}

// specNames are the components' names, in the registry's order.
func specNames(specs []*component.Spec) []string {
	out := make([]string, len(specs))
	for i, s := range specs {
		out[i] = s.Name
	}
	return out
}

// WithSeed is the spec with its scenario's seed replaced (run --seeds);
// the spec itself is left as it is.
func WithSeed(s *Spec, seed uint64) *Spec {
	sc := *s.Scenario
	sc.Seed = seed
	return &Spec{Scenario: &sc, Config: s.Config}
}
