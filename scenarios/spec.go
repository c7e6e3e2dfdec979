package scenarios

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/tapetest/tapetest/internal/yamlbound"
	"github.com/tapetest/tapetest/labels"
	"github.com/tapetest/tapetest/scenarios/agents"
	"github.com/tapetest/tapetest/scenarios/injectors"
)

// Spec is a scenario: instruments, a synthetic or historical background
// market, injected attacks and external labels. It is decoded strictly from
// YAML: an unknown key or a wrong type is an error naming file:line:column. A
// spec file also carries the run's keys (detectors, scoring), which package
// backtest owns and checks; Parse accepts them unread.
type Spec struct {
	Name        string           `yaml:"name" json:"name" jsonschema:"description=scenario name"`
	Seed        uint64           `yaml:"seed" json:"seed" jsonschema:"description=seed of every random choice; same spec and seed give byte-identical output"`
	Start       time.Time        `yaml:"start" json:"start" jsonschema:"description=simulated start time in RFC 3339 (UTC); required unless a historical background sets it"`
	Duration    Duration         `yaml:"duration" json:"duration" jsonschema:"description=simulated length\\, e.g. 2h"`
	Instruments []InstrumentSpec `yaml:"instruments" json:"instruments"`
	Background  BackgroundSpec   `yaml:"background" json:"background"`
	Injections  []InjectionSpec  `yaml:"injections" json:"injections"`
	// Labels is an external label list (CSV, docs/labels.md) of historical
	// episodes in the background files, relative to the spec's folder.
	Labels string `yaml:"labels" json:"labels,omitempty" jsonschema:"description=external label list (CSV: id\\, typology\\, symbol\\, start[\\, end\\, accounts\\, intensity]) of episodes in the historical files"`
	// LabelLength is the length of an external label that gives no end (default 10m).
	LabelLength Duration `yaml:"label_length" json:"label_length,omitempty" jsonschema:"description=length of an external label without an end (default 10m)"`
	// InjectionGap is the least time between the starts of two attacks of one
	// typology on one instrument scheduled by count (default 10m; 0: none): a
	// later one moves forward, counted as injection_moved_for_gap.
	InjectionGap *Duration `yaml:"injection_gap" json:"injection_gap,omitempty" jsonschema:"description=least time between the starts of two count-scheduled attacks of one typology on one instrument (default 10m; 0: none); later ones move forward"`

	// Part, when set, restricts a historical run to some of its files (one
	// shard's share of a run dealt by instrument); never in a spec file.
	Part *Part `yaml:"-" json:"-"`
	// Active, when set, names the synthetic instruments whose actors act
	// — background agents, leveraged traders, injections, venue rules'
	// clocks; the others' books stand empty.
	// Every instrument draws from streams and accounts of its own, so an
	// active instrument's market is event for event the one the whole spec
	// generates (realism measures one instrument so); never in a spec file.
	Active []string `yaml:"-" json:"-"`
	// lane, when set, makes this spec one lane of a run generated in lanes:
	// it generates its Active instruments and numbers its orders apart from
	// the other lanes' (lanes.go).
	lane *laneOf

	dir   string            // folder of the spec file: relative paths start there
	local map[string]string // inputs named by URL → their local copies (SetLocal)
}

// InstrumentSpec describes one simulated instrument.
type InstrumentSpec struct {
	Symbol   string `yaml:"symbol" json:"symbol"`
	PriceExp int8   `yaml:"price_exp" json:"price_exp" jsonschema:"description=decimal places of prices"`
	QtyExp   int8   `yaml:"qty_exp" json:"qty_exp" jsonschema:"description=decimal places of quantities"`
	Tick     int64  `yaml:"tick" json:"tick" jsonschema:"description=price tick in fixed-point units"`
	Lot      int64  `yaml:"lot" json:"lot" jsonschema:"description=quantity lot in fixed-point units"`
	Price    int64  `yaml:"price" json:"price" jsonschema:"description=initial fair price in fixed-point units"`
	Size     int64  `yaml:"size" json:"size" jsonschema:"description=typical order size in fixed-point units"`
	STP      string `yaml:"stp" json:"stp" jsonschema:"enum=off,enum=expire_taker,enum=expire_maker,enum=expire_both,enum=decrement"`
	// Volatility is the fair value's volatility per square root of an hour (fraction, e.g. 0.01).
	Volatility float64 `yaml:"volatility" json:"volatility"`
	// JumpProb makes the fair value move in jumps: each second it moves with
	// this probability (by a step that keeps the volatility), else stays
	// (0: it moves every second). Heavy-tailed short returns, as in real books.
	JumpProb float64 `yaml:"jump_prob" json:"jump_prob,omitempty" jsonschema:"description=probability per second that the fair value moves (0: every second); lower gives heavier-tailed 1 s returns"`
	// VolOfVol is the standard deviation of the log-volatility, which follows
	// an AR(1) with a 5-minute memory (0: constant volatility): volatility clustering.
	VolOfVol float64 `yaml:"vol_of_vol" json:"vol_of_vol,omitempty" jsonschema:"description=standard deviation of log-volatility (AR(1)\\, 5-minute memory); 0 = constant volatility"`
	// ShocksPerHour is how often the fair value makes a shock move of about
	// fifteen ordinary steps (default 1; 0 for none).
	ShocksPerHour *float64 `yaml:"shocks_per_hour" json:"shocks_per_hour,omitempty" jsonschema:"description=shock moves of the fair value (about 15 ordinary steps) per hour (default 1; 0: none)"`
	// TradeImpact, when set, makes every trade move the fair value at once a
	// fraction of the way to its price, for good: order flow's permanent
	// impact, felt in the second it happens. Unset, the value is pulled a
	// third of the way towards the last trade price every second, which
	// keeps pulling towards a trade that news has since left behind.
	TradeImpact float64 `yaml:"trade_impact" json:"trade_impact,omitempty" jsonschema:"description=fraction of the way to each trade's price that the trade moves the fair value at once (0: pulled a third of the way towards the last trade every second)"`
	// NewsLag is the share of each fair-value move priced in only in the
	// second after it (default: 0.1 on a book quoted at one tick with
	// jump_prob set, else 0): a positive autocorrelation of 1 s returns.
	NewsLag float64 `yaml:"news_lag" json:"news_lag,omitempty" jsonschema:"description=share of each fair-value move priced in the second after it (default 0.1 for one-tick books with jump_prob; else 0)"`
	// Touch is the market makers' quote size at their best level, in typical sizes (default 1).
	Touch float64 `yaml:"touch" json:"touch,omitempty" jsonschema:"description=market makers' best-level quote size in typical sizes (default 1)"`
	// LadderTraders is the number of accounts that keep many small orders a
	// few ticks behind the touch and move or add one about ten times a second
	// each (default 0): the constant motion of a liquid book's depth.
	LadderTraders int `yaml:"ladder_traders" json:"ladder_traders,omitempty" jsonschema:"description=accounts that keep moving small orders a few ticks behind the touch\\, about ten times a second each (default 0)"`
	// SizeDispersion, when set, draws noise traders' order sizes lognormally
	// with this standard deviation of log size and a median of SizeMedian
	// typical sizes (default: Pareto-tailed sizes around a third of a typical size).
	SizeDispersion float64 `yaml:"size_dispersion" json:"size_dispersion,omitempty" jsonschema:"description=standard deviation of noise traders' log order size (0: Pareto-tailed sizes)"`
	SizeMedian     float64 `yaml:"size_median" json:"size_median,omitempty" jsonschema:"description=median noise order size in typical sizes\\, with size_dispersion (default 0.3)"`
	// HalfSpread sets the market makers' half spread in ticks: each quote
	// draws its half spread between half and 1.5 times this (default: 1 to
	// 3 ticks, or 0 with Touch). Wide books, such as an equity's, quote tens
	// of ticks apart.
	HalfSpread float64 `yaml:"half_spread" json:"half_spread,omitempty" jsonschema:"description=market makers' half spread in ticks; each quote draws 0.5 to 1.5 times it (default: 1 to 3 ticks; 0 with touch)"`
	// RoundLot makes resting orders come in multiples of this quantity (fixed
	// point), as on equity venues where limit orders are mostly round lots of
	// 100 shares; aggressive orders keep their odd sizes (default 0: off).
	RoundLot int64 `yaml:"round_lot" json:"round_lot,omitempty" jsonschema:"description=resting orders are multiples of this quantity in fixed-point units (0: off)"`
	// Kind is spot (the default) or perp: a perpetual swap with the venue rules of Perp.
	Kind string `yaml:"kind" json:"kind,omitempty" jsonschema:"enum=spot,enum=perp"`
	// Agents replaces the background's agent counts for this instrument (a thin
	// market beside a deep one); the account population stays shared.
	Agents *AgentSpec `yaml:"agents" json:"agents,omitempty"`
	// Perp holds a perpetual swap's venue rules (kind: perp only; zero values take the documented defaults).
	Perp *PerpSpec `yaml:"perp" json:"perp,omitempty"`
	// Rules attaches venue rules to the instrument beside its matching engine
	// (a price band with a trading halt, say), in this order.
	Rules []RuleSpec `yaml:"rules" json:"rules,omitempty"`
}

// BackgroundSpec sizes the synthetic market: the account population, the
// agents of every instrument (AgentSpec, inline), and historical files.
type BackgroundSpec struct {
	Accounts  int `yaml:"accounts" json:"accounts" jsonschema:"description=account population (background and attackers are drawn from it)"`
	AgentSpec `yaml:",inline"`
	// Files are historical canonical event files (tapetest import output),
	// merged into the background: injections trade against their liquidity
	// (docs/historical.md). Relative to the spec's folder.
	Files []string `yaml:"files" json:"files,omitempty" jsonschema:"description=historical event files merged into the background; injections trade against them"`
	// Format is the files' format: parquet (tapetest's canonical files, the
	// default) or any format of tapetest import.
	Format string `yaml:"format" json:"format,omitempty" jsonschema:"description=format of the files: parquet (default) or a tapetest import format (lobster\\, binance-depth\\, ccxt-trades\\, ...)"`
	// SkipBad skips the files' malformed rows, counted by reason in the run's
	// counts (historical_source_*), instead of stopping at the first.
	SkipBad bool `yaml:"skip_bad" json:"skip_bad,omitempty" jsonschema:"description=skip malformed rows of the files (counted in the run's counts) instead of stopping at the first"`
	// AccountAttributes is a venue's account-attributes table (CSV or
	// Parquet: account, device, ip_subnet, funding, referrer, country,
	// created_at) for the accounts of the files: the Sybil and account-link
	// detectors compare them. Relative to the spec's folder.
	AccountAttributes string `yaml:"account_attributes" json:"account_attributes,omitempty" jsonschema:"description=the accounts' attributes (CSV or Parquet: account\\, device\\, ip_subnet\\, funding\\, referrer\\, country\\, created_at) for account-based detectors on real history"`
	// Params are the format's own parameters (tapetest formats list); a
	// parameter naming a file (orders: mapping) is relative to the spec's
	// folder.
	Params map[string]any `yaml:"params" json:"params,omitempty" jsonschema:"description=the format's own parameters (tapetest formats list)\\, e.g. orders: {mapping: venue.yaml}"`
}

// AgentSpec counts the background agents of an instrument: the background's
// for every instrument, or an instrument's own (InstrumentSpec.Agents, which
// replaces them all).
type AgentSpec struct {
	MarketMakers    int `yaml:"market_makers" json:"market_makers" jsonschema:"description=per instrument"`
	NoiseTraders    int `yaml:"noise_traders" json:"noise_traders" jsonschema:"description=per instrument"`
	MomentumTraders int `yaml:"momentum_traders" json:"momentum_traders" jsonschema:"description=per instrument"`
	// MeanReversionTraders fade moves of more than a five-minute standard
	// deviation away from the five-minute average.
	MeanReversionTraders int `yaml:"mean_reversion_traders" json:"mean_reversion_traders,omitempty" jsonschema:"description=per instrument: accounts that trade against moves of more than a five-minute standard deviation (as they have seen it over the last half hour) from the five-minute average"`
	// InformedTraders now and then trade ahead of a move of the fair value
	// they learned of before the market.
	InformedTraders int `yaml:"informed_traders" json:"informed_traders,omitempty" jsonschema:"description=per instrument: accounts that now and then (about once in 3 h each) trade 10 to 30 typical sizes ahead of a news move of the fair value they learned of 1 to 3 minutes early"`
	DepthProviders  int `yaml:"depth_providers" json:"depth_providers" jsonschema:"description=per instrument: accounts keeping slow resting orders 5 to 300 bps away from the price"`
	// NoiseRate is each noise trader's mean actions per minute.
	NoiseRate float64 `yaml:"noise_rate" json:"noise_rate"`
}

// negative reports whether any count or the noise rate is below zero.
func (a AgentSpec) negative() bool {
	return a.MarketMakers < 0 || a.NoiseTraders < 0 || a.MomentumTraders < 0 || a.MeanReversionTraders < 0 || a.InformedTraders < 0 || a.DepthProviders < 0 ||
		!(a.NoiseRate >= 0 && a.NoiseRate < math.Inf(1)) // NaN and infinity too
}

// agents counts the agents of each kind.
func (a AgentSpec) agents() int {
	return a.MarketMakers + a.NoiseTraders + a.MomentumTraders + a.MeanReversionTraders + a.InformedTraders + a.DepthProviders
}

// agents is the background of instrument i: the scenario's, or the instrument's own counts.
func (s *Spec) agents(i int) BackgroundSpec {
	bg := s.Background
	if a := s.Instruments[i].Agents; a != nil {
		bg.AgentSpec = *a
	}
	return bg
}

// InjectionSpec asks for attacks of one typology.
type InjectionSpec struct {
	Typology  string           `yaml:"typology" json:"typology"`
	Symbol    string           `yaml:"symbol" json:"symbol"`
	Count     int              `yaml:"count" json:"count" jsonschema:"description=attacks spread evenly over the run (ignored when at is given)"`
	At        []Duration       `yaml:"at" json:"at,omitempty" jsonschema:"description=explicit start offsets from the scenario start"`
	Intensity labels.Intensity `yaml:"intensity" json:"intensity" jsonschema:"enum=blatant,enum=standard,enum=subtle,enum=evasive"`
	// Params override the intensity's defaults: a number, or a range
	// [low, high] drawn for each attack (an integer in low..high when both
	// ends are integers); the label records the values each attack used.
	Params map[string]any `yaml:"params" json:"params,omitempty" jsonschema:"description=injector parameters overriding the intensity's defaults: a number\\, or a range [low\\, high] drawn for each attack (integers when both ends are)"`
}

// Duration is a time.Duration written as "90s", "2h".
type Duration time.Duration

// UnmarshalYAML parses a Go duration string.
func (d *Duration) UnmarshalYAML(b []byte) error {
	var s string
	if err := yaml.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("%q is not a duration (e.g. 90s, 2h)", s)
	}
	*d = Duration(v)
	return nil
}

// MarshalYAML writes the duration as a string.
func (d Duration) MarshalYAML() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// Limits refused before anything is generated.
const (
	// MaxFixedPoint bounds an instrument's price, size, tick and lot in
	// fixed-point units: 2^53, so that every one is exact as a float64 (the
	// agents price in floats; int64's maximum made the makers quote at 1).
	MaxFixedPoint     = 1 << 53
	MaxAccounts       = 1_000_000
	MaxEstimateEvents = 50_000_000
	MaxDuration       = 7 * 24 * time.Hour
)

// SpecError is a spec problem with its position when known.
type SpecError struct {
	File         string
	Line, Column int
	Msg          string
}

func (e *SpecError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

var posRE = regexp.MustCompile(`^\[(\d+):(\d+)\]\s*(.*)`)

// DecodeStrict decodes YAML data into v, refusing unknown keys and wrong
// types with a *SpecError naming name:line:column. Package backtest decodes
// a whole spec file (scenario and run keys) with it.
func DecodeStrict(name string, data []byte, v any) error {
	if err := yamlbound.Check(data); err != nil {
		return &SpecError{File: name, Msg: err.Error()}
	}
	if err := yaml.UnmarshalWithOptions(data, v, yaml.DisallowUnknownField(), yaml.Strict()); err != nil {
		msg := strings.SplitN(yaml.FormatError(err, false, false), "\n", 2)[0]
		if m := posRE.FindStringSubmatch(msg); m != nil {
			var l, c int
			fmt.Sscan(m[1], &l)
			fmt.Sscan(m[2], &c)
			return &SpecError{File: name, Line: l, Column: c, Msg: m[3]}
		}
		return &SpecError{File: name, Msg: msg}
	}
	if err := checkFinite(reflect.ValueOf(v), ""); err != nil {
		return &SpecError{File: name, Msg: err.Error()}
	}
	return nil
}

// scenarioFile is a spec file read for its scenario alone: the run's keys are
// accepted unread (package backtest decodes and checks them).
type scenarioFile struct {
	Spec      `yaml:",inline"`
	Detectors any `yaml:"detectors"`
	Scoring   any `yaml:"scoring"`
}

// Parse decodes and validates the scenario of a spec file; name is used in
// errors. The run's keys (detectors, scoring) are left to package backtest.
func Parse(name string, data []byte) (*Spec, error) {
	var f scenarioFile
	if err := DecodeStrict(name, data, &f); err != nil {
		return nil, err
	}
	s := f.Spec
	if err := s.Finish(name); err != nil {
		return nil, err
	}
	return &s, nil
}

// Finish completes a decoded spec read from the file name: relative paths
// start at its folder, and its values are validated (a *SpecError).
func (s *Spec) Finish(name string) error {
	s.dir = filepath.Dir(name)
	if err := s.Validate(); err != nil {
		return &SpecError{File: name, Msg: err.Error()}
	}
	return nil
}

// Path resolves a path the spec names against the spec file's folder; an
// input named by URL resolves to the local copy SetLocal gave it.
func (s *Spec) Path(p string) string {
	if l, ok := s.local[p]; ok {
		return l
	}
	if filepath.IsAbs(p) || s.dir == "" || IsRemote(p) {
		return p
	}
	return filepath.Join(s.dir, p)
}

// IsRemote reports whether the spec names an input by URL (gs://, s3://,
// azblob://, file://): it is fetched before the replay (package scaleout).
func IsRemote(p string) bool { return strings.Contains(p, "://") }

// RemoteInputs are the inputs the spec names by URL.
func (s *Spec) RemoteInputs() []string {
	var out []string
	for _, f := range s.inputs() {
		if IsRemote(f) {
			out = append(out, f)
		}
	}
	return out
}

// InputRefs are the inputs a run reads, as its manifest names them: a
// URL, else the absolute path it resolves to.
func (s *Spec) InputRefs() []string {
	var out []string
	for _, f := range s.inputs() {
		if !IsRemote(f) {
			if abs, err := filepath.Abs(s.Path(f)); err == nil {
				f = abs
			}
		}
		out = append(out, f)
	}
	return out
}

// inputs are the files the spec names: historical files, the label list,
// the order log's mapping, the account attributes.
func (s *Spec) inputs() []string {
	out := append([]string(nil), s.backgroundFiles()...)
	if s.Labels != "" {
		out = append(out, s.Labels)
	}
	if f, ok := s.Background.Params["mapping"].(string); ok && f != "" {
		out = append(out, f)
	}
	if f := s.Background.AccountAttributes; f != "" {
		out = append(out, f)
	}
	return out
}

// SetLocal makes the input named ref (a URL) read from the local file path.
func (s *Spec) SetLocal(ref, path string) {
	if s.local == nil {
		s.local = map[string]string{}
	}
	s.local[ref] = path
}

// Dir is the folder relative paths of the spec start from.
func (s *Spec) Dir() string { return s.dir }

// SetDir sets the folder relative paths start from (a spec copied into a
// results directory resolves its files where the original spec was).
func (s *Spec) SetDir(dir string) { s.dir = dir }

// Historical reports whether the background includes historical files.
func (s *Spec) Historical() bool { return len(s.Background.Files) > 0 }

// Load reads and parses a spec file's scenario; it returns the file's bytes
// too (a manifest records their digest).
func Load(path string) (*Spec, []byte, error) { return LoadFile(path, Parse) }

// LoadFile reads the spec file at path and parses it with parse (the
// scenario's Parse, or package backtest's for the whole file).
func LoadFile[T any](path string, parse func(name string, data []byte) (T, error)) (T, []byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		var zero T
		return zero, nil, err
	}
	s, err := parse(path, b)
	return s, b, err
}

// EstimatedEvents is a rough upper bound of the events the spec generates.
func (s *Spec) EstimatedEvents() float64 {
	minutes := time.Duration(s.Duration).Minutes()
	var perMinute float64
	for i := range s.Instruments {
		bg := s.agents(i)
		perMinute += float64(bg.NoiseTraders)*bg.NoiseRate*2 + float64(bg.MarketMakers)*60*4 + float64(bg.MomentumTraders+bg.MeanReversionTraders)*2 + float64(bg.InformedTraders)*2 + float64(bg.DepthProviders)*8
		if p := s.Instruments[i].Perp; p != nil {
			perMinute += float64(p.LeveragedTraders) * 0.1
		}
	}
	return perMinute * minutes
}

// Validate checks the spec's values and refuses specs that would exhaust memory or time.
func (s *Spec) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if (s.Duration <= 0 && !s.Historical()) || s.Duration < 0 || time.Duration(s.Duration) > MaxDuration {
		bad("duration %v: must be positive and at most %v (it may be left out with historical files: they set it)", time.Duration(s.Duration), MaxDuration)
	}
	if p := s.Part; p != nil {
		for k, i := range p.Files {
			if i < 0 || i >= len(s.Background.Files) || (k > 0 && i <= p.Files[k-1]) {
				bad("part: files %v: want ascending indices into background.files (0 to %d)", p.Files, len(s.Background.Files)-1)
				break
			}
		}
	}
	if s.Start.IsZero() && !s.Historical() {
		bad("start: missing: give the simulated start time in RFC 3339, e.g. 2026-01-05T00:00:00Z (only a historical background sets it from its files)")
	} else if !s.Start.IsZero() && (s.Start.Year() < 1970 || s.Start.Year() > 2200) {
		bad("start %v: must be between 1970 and 2200", s.Start.Format(time.RFC3339))
	}
	if len(s.Instruments) == 0 && !s.Historical() {
		bad("no instruments and no historical files")
	}
	if s.Labels != "" && !s.Historical() {
		bad("labels: an external label list needs historical background files")
	}
	if s.InjectionGap != nil && *s.InjectionGap < 0 {
		bad("injection_gap %v: must not be negative", time.Duration(*s.InjectionGap))
	}
	syms := map[string]bool{}
	for i, in := range s.Instruments {
		if in.Symbol == "" || syms[in.Symbol] {
			bad("instruments[%d]: missing or duplicate symbol %q", i, in.Symbol)
		}
		syms[in.Symbol] = true
		if in.Tick <= 0 || in.Lot <= 0 || in.Price <= 0 || in.Price%in.Tick != 0 || in.Size < in.Lot {
			bad("instruments[%d] %s: tick, lot and price must be positive, price on the tick grid, size >= lot", i, in.Symbol)
		}
		if in.Price > MaxFixedPoint || in.Size > MaxFixedPoint || in.Tick > MaxFixedPoint || in.Lot > MaxFixedPoint {
			bad("instruments[%d] %s: price, size, tick and lot must be at most 2^53 = %d fixed-point units", i, in.Symbol, int64(MaxFixedPoint))
		}
		if _, err := ParseSTP(in.STP); err != nil {
			bad("instruments[%d] %s: %v", i, in.Symbol, err)
		}
		if !(in.Volatility >= 0 && in.Volatility <= 1) { // NaN too
			bad("instruments[%d] %s: volatility %v out of [0, 1]", i, in.Symbol, in.Volatility)
		}
		shocks := 0.0
		if in.ShocksPerHour != nil {
			shocks = *in.ShocksPerHour
		}
		for _, r := range []struct {
			field     string
			v, lo, hi float64
			openHi    bool // hi itself is out of range
		}{
			{"jump_prob", in.JumpProb, 0, 1, false}, {"trade_impact", in.TradeImpact, 0, 1, false}, {"news_lag", in.NewsLag, 0, 1, true},
			{"vol_of_vol", in.VolOfVol, 0, 3, false}, {"touch", in.Touch, 0, 1000, false}, {"ladder_traders", float64(in.LadderTraders), 0, 1000, false},
			{"size_dispersion", in.SizeDispersion, 0, 6, false}, {"size_median", in.SizeMedian, 0, math.Inf(1), false},
			{"half_spread", in.HalfSpread, 0, 1e4, false}, {"shocks_per_hour", shocks, 0, 3600, false}, {"round_lot", float64(in.RoundLot), 0, math.Inf(1), false},
		} {
			if !(r.v >= r.lo && (r.v < r.hi || (!r.openHi && r.v == r.hi))) {
				closing := "]"
				if r.openHi {
					closing = ")"
				}
				bad("instruments[%d] %s: %s %v out of [%v, %v%s", i, in.Symbol, r.field, r.v, r.lo, r.hi, closing)
			}
		}
		if in.RoundLot > 0 && in.Lot > 0 && in.RoundLot%in.Lot != 0 {
			bad("instruments[%d] %s: round_lot %d is not a multiple of lot %d", i, in.Symbol, in.RoundLot, in.Lot)
		}
		switch in.Kind {
		case "", "spot":
			if in.Perp != nil {
				bad("instruments[%d] %s: perp rules given for a spot instrument (add kind: perp)", i, in.Symbol)
			}
		case "perp":
			if err := in.Perp.validate(in); err != nil {
				bad("instruments[%d] %s: perp: %v", i, in.Symbol, err)
			}
		default:
			bad("instruments[%d] %s: kind %q: want spot or perp", i, in.Symbol, in.Kind)
		}
	}
	bg := s.Background
	needAccounts := len(s.Instruments) > 0 || len(s.Injections) > 0 // a purely historical replay has no synthetic accounts
	if (bg.Accounts <= 0 && needAccounts) || bg.Accounts < 0 || bg.Accounts > MaxAccounts {
		bad("background.accounts %d: must be in 1..%d", bg.Accounts, MaxAccounts)
	}
	if (bg.MarketMakers < 1 && len(s.Instruments) > 0) || bg.negative() {
		bad("background: need at least one market maker (for synthetic instruments) and non-negative trader counts and rate")
	}
	if bg.DepthProviders < 0 {
		bad("background.depth_providers %d: must not be negative", bg.DepthProviders)
	}
	need := 0
	for i, in := range s.Instruments {
		a := s.agents(i)
		need += a.agents()
		if in.Perp != nil {
			need += in.Perp.LeveragedTraders
		}
		if in.Agents != nil && (a.MarketMakers < 1 || a.negative()) {
			bad("instruments[%d] %s: agents: need at least one market maker and non-negative counts and rate", i, in.Symbol)
		}
	}
	if need > bg.Accounts {
		bad("background: %d agents need at least as many accounts (have %d)", need, bg.Accounts)
	}
	if e := s.EstimatedEvents(); e > MaxEstimateEvents {
		bad("the background would generate about %.0f events, more than the limit of %d: shorten the duration or thin the agents", e, MaxEstimateEvents)
	}
	for i, inj := range s.Injections {
		if !syms[inj.Symbol] && !s.Historical() { // historical symbols are checked when the files are opened
			bad("injections[%d]: unknown symbol %q", i, inj.Symbol)
		}
		if inj.Count < 0 || inj.Count > 10_000 || (inj.Count == 0 && len(inj.At) == 0) {
			bad("injections[%d]: count %d: give 1..10000 attacks or explicit times", i, inj.Count)
		}
		if _, err := labels.ParseIntensity(string(inj.Intensity)); err != nil {
			bad("injections[%d]: %v", i, err)
		}
		for k, at := range inj.At {
			if at < 0 || (s.Duration > 0 && at >= s.Duration) {
				bad("injections[%d]: at[%d] %v: must be inside the run (0 to %v): an attack outside the replay is a label no detector can match", i, k, time.Duration(at), time.Duration(s.Duration))
			}
		}
		if !injectors.Has(inj.Typology) {
			bad("injections[%d]: no injector for typology %q (known: %s)", i, inj.Typology, strings.Join(injectors.Names(), ", "))
		}
	}
	return errors.Join(errs...)
}

// market is the instrument as its background agents trade it.
func (in *InstrumentSpec) market() agents.Market {
	return agents.Market{Tick: in.Tick, Lot: in.Lot, Size: in.Size, RoundLot: in.RoundLot, Volatility: in.Volatility, JumpProb: in.JumpProb,
		VolOfVol: in.VolOfVol, ShocksPerHour: in.ShocksPerHour, NewsLag: in.NewsLag, TradeImpact: in.TradeImpact, HalfSpread: in.HalfSpread,
		Touch: in.Touch, SizeDispersion: in.SizeDispersion, SizeMedian: in.SizeMedian, LadderTraders: in.LadderTraders}
}
