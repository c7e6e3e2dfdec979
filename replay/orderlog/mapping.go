package orderlog

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"time"
	_ "time/tzdata" // zones for time layouts, on machines without a zone database

	"github.com/goccy/go-yaml"
	"github.com/tapetest/tapetest/internal/yamlbound"
	"github.com/tapetest/tapetest/replay"
)

// Mapping is how one venue's order log is read. Example:
//
//	columns: {time: ts, order_id: oid, account: acct, side: side, price: px,
//	          quantity: qty, action: event, order_type: type, time_in_force: tif,
//	          instrument: sym}
//	time: {unit: ms}                       # or {layout: "2006-01-02 15:04:05.000", zone: Asia/Singapore}
//	side: {buy: [B], sell: [S]}
//	action: {add: [NEW], cancel: [CXL], modify: [REPLACE], fill: [FILL], trade: [TRADE], ignore: [REJECT]}
//	order_type: {limit: [LIMIT], market: [MARKET]}
//	time_in_force: {gtc: [GTC], ioc: [IOC], fok: [FOK], post_only: [GTX]}
//	instruments: {BTCUSDT: {tick: "0.01", lot: "0.0001"}}
type Mapping struct {
	Columns     Columns                   `yaml:"columns"`
	Time        TimeFormat                `yaml:"time"`
	Side        map[string][]string       `yaml:"side"`          // buy, sell
	Action      map[string][]string       `yaml:"action"`        // add, cancel, reduce, modify, fill, trade, ignore
	OrderType   map[string][]string       `yaml:"order_type"`    // limit, market
	TimeInForce map[string][]string       `yaml:"time_in_force"` // gtc, ioc, fok, post_only
	Fills       string                    `yaml:"fills"`         // derive (default) or apply
	Instruments map[string]InstrumentSpec `yaml:"instruments"`
}

// Columns names the log's columns (CSV header names or Parquet column names).
type Columns struct {
	Time         string `yaml:"time"`
	OrderID      string `yaml:"order_id"`
	Account      string `yaml:"account"`
	Side         string `yaml:"side"`
	Price        string `yaml:"price"`
	Quantity     string `yaml:"quantity"`
	Action       string `yaml:"action"`
	OrderType    string `yaml:"order_type"`    // optional: every add is a limit order without it
	TimeInForce  string `yaml:"time_in_force"` // optional: gtc without it
	Instrument   string `yaml:"instrument"`    // optional when the mapping has one instrument
	TakerAccount string `yaml:"taker_account"` // optional: the aggressor of a fill row (fills: apply)
}

// TimeFormat is how the time column is written: an epoch number in Unit (s,
// ms, us, ns), or text in a Go time Layout read in Zone (UTC by default).
type TimeFormat struct {
	Unit   string `yaml:"unit"`
	Layout string `yaml:"layout"`
	Zone   string `yaml:"zone"`
}

// InstrumentSpec is an instrument's definition: tick and lot as decimals
// ("0.01"); the events' fixed-point exponents follow from them.
type InstrumentSpec struct {
	Tick string `yaml:"tick"`
	Lot  string `yaml:"lot"`
	Kind string `yaml:"kind"` // spot (default), perp, equity
}

// The canonical spellings a mapping's keys may use.
var (
	sideKeys   = []string{"buy", "sell"}
	actionKeys = []string{"add", "cancel", "reduce", "modify", "fill", "trade", "ignore"}
	typeKeys   = []string{"limit", "market"}
	tifKeys    = []string{"gtc", "ioc", "fok", "post_only"}
)

// LoadMapping reads and checks a mapping file.
func LoadMapping(path string) (*Mapping, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("mapping: %w", err)
	}
	if err := yamlbound.Check(data); err != nil {
		return nil, fmt.Errorf("mapping %s: %w", path, err)
	}
	var m Mapping
	if err := yaml.UnmarshalWithOptions(data, &m, yaml.DisallowUnknownField(), yaml.Strict()); err != nil {
		return nil, fmt.Errorf("mapping %s: %s", path, strings.SplitN(yaml.FormatError(err, false, false), "\n", 2)[0])
	}
	if err := m.check(); err != nil {
		return nil, fmt.Errorf("mapping %s: %w", path, err)
	}
	return &m, nil
}

// check refuses an incomplete or ambiguous mapping, naming every problem.
func (m *Mapping) check() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	c := m.Columns
	for _, r := range []struct{ key, col string }{{"time", c.Time}, {"order_id", c.OrderID}, {"account", c.Account},
		{"side", c.Side}, {"price", c.Price}, {"quantity", c.Quantity}, {"action", c.Action}} {
		if r.col == "" {
			bad("columns.%s: required", r.key)
		}
	}
	switch {
	case m.Time.Unit != "" && m.Time.Layout != "":
		bad("time: give unit or layout, not both")
	case m.Time.Layout == "" && !slices.Contains([]string{"s", "ms", "us", "ns"}, m.Time.Unit):
		bad("time.unit %q: want s, ms, us or ns (or a layout)", m.Time.Unit)
	}
	if m.Time.Zone != "" {
		if m.Time.Layout == "" {
			bad("time.zone: only with a layout (epoch times are UTC)")
		} else if _, err := time.LoadLocation(m.Time.Zone); err != nil {
			bad("time.zone %q: %v", m.Time.Zone, err)
		}
	}
	spell := func(name string, table map[string][]string, keys []string, required []string) {
		seen := map[string]string{}
		for k, ss := range table {
			if !slices.Contains(keys, k) {
				bad("%s.%s: unknown (known: %s)", name, k, strings.Join(keys, ", "))
			}
			for _, s := range ss {
				if prev, ok := seen[s]; ok && prev != k {
					bad("%s: %q spells both %s and %s", name, s, prev, k)
				}
				seen[s] = k
			}
		}
		for _, k := range required {
			if len(table[k]) == 0 {
				bad("%s.%s: give its spellings", name, k)
			}
		}
	}
	spell("side", m.Side, sideKeys, sideKeys)
	spell("action", m.Action, actionKeys, []string{"add"})
	spell("order_type", m.OrderType, typeKeys, nil)
	spell("time_in_force", m.TimeInForce, tifKeys, nil)
	if c.OrderType != "" && len(m.OrderType) == 0 {
		bad("order_type: columns.order_type is given; spell limit and market")
	}
	if c.TimeInForce != "" && len(m.TimeInForce) == 0 {
		bad("time_in_force: columns.time_in_force is given; spell its values")
	}
	switch m.Fills {
	case "", "derive", "apply":
	default:
		bad("fills %q: want derive or apply", m.Fills)
	}
	if len(m.Instruments) == 0 {
		bad("instruments: define at least one (tick and lot)")
	}
	if len(m.Instruments) > 1 && c.Instrument == "" {
		bad("columns.instrument: required when the mapping defines %d instruments", len(m.Instruments))
	}
	for _, sym := range sortedKeys(m.Instruments) {
		in := m.Instruments[sym]
		for _, f := range []struct{ name, v string }{{"tick", in.Tick}, {"lot", in.Lot}} {
			if d := replay.Decimals(f.v); d < 0 || d > 12 || !positive(f.v) {
				bad("instruments.%s.%s %q: want a positive decimal such as 0.01", sym, f.name, f.v)
			}
		}
		switch in.Kind {
		case "", "spot", "perp", "equity":
		default:
			bad("instruments.%s.kind %q: want spot, perp or equity", sym, in.Kind)
		}
	}
	return errors.Join(errs...)
}

// instruments is the mapping's instrument table (sorted by symbol) and each
// symbol's index.
func (m *Mapping) instruments() ([]replay.Instrument, map[string]uint32, error) {
	var out []replay.Instrument
	idx := map[string]uint32{}
	for _, sym := range sortedKeys(m.Instruments) {
		s := m.Instruments[sym]
		pe, qe := replay.Decimals(s.Tick), replay.Decimals(s.Lot)
		tick, err := replay.ParseDecimal(s.Tick, pe)
		if err != nil {
			return nil, nil, err
		}
		lot, err := replay.ParseDecimal(s.Lot, qe)
		if err != nil {
			return nil, nil, err
		}
		kind := map[string]replay.Kind{"": replay.Spot, "spot": replay.Spot, "perp": replay.Perpetual, "equity": replay.Equity}[s.Kind]
		idx[sym] = uint32(len(out))
		out = append(out, replay.Instrument{Symbol: sym, Venue: "own", Kind: kind, PriceExp: int8(pe), QtyExp: int8(qe), Tick: tick, Lot: lot, ReportsExecutions: true})
	}
	return out, idx, nil
}

// lookup turns a spelling table into spelling → canonical key.
func lookup(table map[string][]string) map[string]string {
	out := map[string]string{}
	for k, ss := range table {
		for _, s := range ss {
			out[s] = k
		}
	}
	return out
}

func positive(s string) bool {
	return s != "" && !strings.HasPrefix(s, "-") && strings.Trim(s, "0.") != ""
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
