// Package formats is the registry of real-data input formats: each name
// opens its files as a replay.EventSource of canonical events. `tapetest
// import` converts them to canonical Parquet, and a scenario's historical
// background reads them directly.
package formats

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tapetest/tapetest/component"
	"github.com/tapetest/tapetest/replay"
	"github.com/tapetest/tapetest/replay/binance"
	"github.com/tapetest/tapetest/replay/bitmex"
	"github.com/tapetest/tapetest/replay/coinbase"
	"github.com/tapetest/tapetest/replay/csvfeed"
	"github.com/tapetest/tapetest/replay/kraken"
	"github.com/tapetest/tapetest/replay/lobster"
	"github.com/tapetest/tapetest/replay/orderlog"
)

// Opener opens a format's files, in order, as one source of canonical
// events; p are its resolved parameters (Symbol and SkipBad read the ones
// every format has).
type Opener func(paths []string, p *component.Values) (replay.EventSource, error)

// Canonical is the name of tapetest's own Parquet event files.
const Canonical = "parquet"

// The parameters every format takes, added to each registration.
var commonParams = []component.Param{
	{Name: "symbol", Type: component.String, Default: "", Meaning: "instrument symbol, in place of the one the files give (or their file name)"},
	{Name: "skip_bad", Type: component.Bool, Default: false, Meaning: "skip malformed rows, counting them by reason, instead of stopping at the first"},
}

var registry = component.NewRegistry[Opener](component.Format)

// Register adds an input format from any package: spec names it and
// documents its own parameters (symbol and skip_bad are added: every format
// takes them); open reads its files. A name already taken is refused.
func Register(spec component.Spec, open Opener) error {
	if open == nil {
		return &component.Error{Kind: component.Format, Component: spec.Name, Msg: "no opener"}
	}
	spec.Params = append(slices.Clone(spec.Params), commonParams...)
	return registry.Register(spec, open)
}

func mustRegister(spec component.Spec, open Opener) {
	if err := Register(spec, open); err != nil {
		panic(err)
	}
}

// Symbol is the symbol override of a format's parameters ("" for none).
func Symbol(p *component.Values) string { return p.String("symbol") }

// SkipBad reports whether malformed rows are skipped and counted.
func SkipBad(p *component.Values) bool { return p.Bool("skip_bad") }

// Open opens paths as the format called name with the given parameters (the
// others at their defaults). An unknown format or parameter is a
// *component.Error listing the valid ones.
func Open(name string, paths []string, given map[string]any) (replay.EventSource, error) {
	spec, open, err := registry.Lookup(name)
	if err != nil {
		return nil, err
	}
	p, err := spec.Resolve(given, "")
	if err != nil {
		return nil, err
	}
	src, err := open(paths, p)
	if err != nil {
		return nil, err // an opener that fails has closed what it opened
	}
	if err := p.Err(); err != nil {
		src.Close()
		return nil, err
	}
	return src, nil
}

// Has reports whether a format called name is registered.
func Has(name string) bool { return registry.Has(name) }

// Names lists the format names, sorted.
func Names() []string { return registry.Names() }

// Specs are the registered formats' specs, by name.
func Specs() []*component.Spec { return registry.Specs() }

func init() {
	mustRegister(component.Spec{Name: Canonical, Summary: "tapetest canonical Parquet event files (tapetest import output; several are merged)"},
		func(paths []string, _ *component.Values) (replay.EventSource, error) {
			var srcs []replay.EventSource
			for _, p := range paths {
				r, err := replay.OpenEventFile(p, replay.EventFileReadOptions{})
				if err != nil {
					for _, s := range srcs {
						s.Close()
					}
					return nil, err
				}
				srcs = append(srcs, r)
			}
			if len(srcs) == 1 {
				return srcs[0], nil
			}
			return replay.Merge(srcs, replay.MergeOptions{})
		})
	mustRegister(component.Spec{Name: "orders", Summary: "a venue's own order log (CSV with a header, or flat Parquet) read through a mapping file: which column is what, how sides, actions, order types and times in force are spelled, each instrument's tick and lot (docs/own-data.md)",
		Params: []component.Param{{Name: "mapping", Type: component.String, Default: "", Meaning: "the mapping file (YAML); required"}}},
		func(paths []string, p *component.Values) (replay.EventSource, error) {
			path := p.String("mapping")
			if path == "" {
				return nil, fmt.Errorf("orders: give the mapping file (--param mapping=FILE; docs/own-data.md)")
			}
			m, err := orderlog.LoadMapping(path)
			if err != nil {
				return nil, err
			}
			return orderlog.NewSource(m, paths, orderlog.Options{Symbol: Symbol(p), SkipBad: SkipBad(p)})
		})
	mustRegister(component.Spec{Name: "bitmex-l2", Summary: "BitMEX websocket capture of orderBookL2 (partial, insert, update, delete by level id) and trade (\"<epoch seconds>: <json>\" as cryptofeed records it, or \"<receive_ns> <json>\"): each instrument an L2 perpetual (tapetest verify bitmex)"},
		func(paths []string, p *component.Values) (replay.EventSource, error) {
			return bitmex.NewSource(paths, bitmex.Options{SkipBad: SkipBad(p)})
		})
	mustRegister(component.Spec{Name: "coinbase-l2", Summary: "Coinbase websocket capture of level2 (snapshot, l2update) and matches (\"<epoch seconds>: <json>\" as cryptofeed records it, or \"<receive_ns> <json>\"): each product an L2 instrument, matches as trades on the taker's side (tapetest verify coinbase)"},
		func(paths []string, p *component.Values) (replay.EventSource, error) {
			return coinbase.NewSource(paths, coinbase.Options{SkipBad: SkipBad(p)})
		})
	mustRegister(component.Spec{Name: "kraken-book", Summary: "Kraken websocket v1 book capture (\"<epoch seconds>: <json>\" as cryptofeed records it, or \"<receive_ns> <json>\"): each pair an L2 instrument, truncated to its subscribed depth as Kraken's checksums require (tapetest verify kraken)"},
		func(paths []string, p *component.Values) (replay.EventSource, error) {
			return kraken.NewSource(paths, kraken.Options{SkipBad: SkipBad(p)})
		})
	mustRegister(component.Spec{Name: "lobster", Summary: "LOBSTER message file (TICKER_YYYY-MM-DD_..._message_N.csv[.gz]), optionally followed by its orderbook file: then the replay is reconciled to LOBSTER's book after every message"},
		func(paths []string, p *component.Values) (replay.EventSource, error) {
			o := lobster.SourceOptions{Symbol: Symbol(p), SkipBad: SkipBad(p)}
			switch {
			case len(paths) == 2 && strings.Contains(filepath.Base(paths[1]), "_orderbook_"):
				o.Book = paths[1]
			case len(paths) != 1:
				return nil, fmt.Errorf("lobster: give one message file, optionally followed by its orderbook file (got %d files)", len(paths))
			}
			return lobster.NewSource(paths[0], o)
		})
	mustRegister(component.Spec{Name: "binance-depth", Summary: "raw Binance depth feed, spot or USD-M/COIN-M futures: \"<receive_ns> <json>\" lines with a REST snapshot, diffs (futures chained by pu), trades or aggTrades and bookTicker (files chained in order)"},
		func(paths []string, p *component.Values) (replay.EventSource, error) {
			return binance.NewDepthSource(paths, binance.DepthOptions{Symbol: Symbol(p), SkipBad: SkipBad(p)})
		})
	for _, f := range []struct {
		format csvfeed.Format
		usage  string
	}{
		{csvfeed.BinanceTrades, "Binance trades CSV dump (id,price,qty,quote_qty,time,is_buyer_maker[,is_best_match]); ms or µs times"},
		{csvfeed.BinanceAggTrades, "Binance aggTrades CSV dump (agg_id,price,qty,first_id,last_id,time,is_buyer_maker[,...])"},
		{csvfeed.CCXTTrades, "trades CSV with a header naming timestamp (ms), side, price, amount[, symbol]: pump-episode tick trades, freqtrade exports"},
		{csvfeed.TardisTrades, "tardis.dev trades CSV"},
		{csvfeed.TardisBook, "tardis.dev incremental_book_L2 CSV"},
	} {
		format := f.format
		mustRegister(component.Spec{Name: string(format), Summary: f.usage}, func(paths []string, p *component.Values) (replay.EventSource, error) {
			return csvfeed.NewSource(format, paths, csvfeed.Options{Symbol: Symbol(p), SkipBad: SkipBad(p)})
		})
	}
}
