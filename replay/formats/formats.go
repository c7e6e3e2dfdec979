// Package formats is the registry of real-data input formats: each name
// opens its files as a replay.EventSource of canonical events. `tapetest
// import` converts them to canonical Parquet, and a scenario's historical
// background reads them directly.
package formats

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/tapetest/tapetest/replay"
	"github.com/tapetest/tapetest/replay/binance"
	"github.com/tapetest/tapetest/replay/csvfeed"
	"github.com/tapetest/tapetest/replay/lobster"
)

// Options are what every format understands.
type Options struct {
	Symbol  string // instrument symbol override
	SkipBad bool   // skip malformed rows, counting them by reason, instead of stopping
}

// Format is one input format.
type Format struct {
	Name  string
	Usage string
	Open  func(paths []string, opt Options) (replay.EventSource, error)
}

// Canonical is the name of tapetest's own Parquet event files.
const Canonical = "parquet"

var registry = map[string]Format{}

func register(f Format) { registry[f.Name] = f }

// Lookup returns the format with the given name.
func Lookup(name string) (Format, bool) {
	f, ok := registry[name]
	return f, ok
}

// All returns every format, by name.
func All() []Format {
	out := make([]Format, 0, len(registry))
	for _, f := range registry {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Names lists the format names, sorted.
func Names() []string {
	var out []string
	for _, f := range All() {
		out = append(out, f.Name)
	}
	return out
}

func init() {
	register(Format{Name: Canonical, Usage: "tapetest canonical Parquet event files (tapetest import output; several are merged)",
		Open: func(paths []string, _ Options) (replay.EventSource, error) {
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
		}})
	register(Format{Name: "lobster", Usage: "LOBSTER message file (TICKER_YYYY-MM-DD_..._message_N.csv[.gz]), optionally followed by its orderbook file: then the replay is reconciled to LOBSTER's book after every message",
		Open: func(paths []string, opt Options) (replay.EventSource, error) {
			o := lobster.SourceOptions{Symbol: opt.Symbol, SkipBad: opt.SkipBad}
			switch {
			case len(paths) == 2 && strings.Contains(filepath.Base(paths[1]), "_orderbook_"):
				o.Book = paths[1]
			case len(paths) != 1:
				return nil, fmt.Errorf("lobster: give one message file, optionally followed by its orderbook file (got %d files)", len(paths))
			}
			return lobster.NewSource(paths[0], o)
		}})
	register(Format{Name: "binance-depth", Usage: "raw Binance depth feed: \"<receive_ns> <json>\" lines with a REST snapshot, diffs and trades (files chained in order)",
		Open: func(paths []string, opt Options) (replay.EventSource, error) {
			return binance.NewDepthSource(paths, binance.DepthOptions{Symbol: opt.Symbol, SkipBad: opt.SkipBad})
		}})
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
		register(Format{Name: string(format), Usage: f.usage, Open: func(paths []string, opt Options) (replay.EventSource, error) {
			return csvfeed.NewSource(format, paths, csvfeed.Options{Symbol: opt.Symbol, SkipBad: opt.SkipBad})
		}})
	}
}
