package main

import (
	"github.com/tapetest/tapetest/replay"
	"github.com/tapetest/tapetest/replay/csvfeed"
)

func init() {
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
		registerImportFormat(string(format), f.usage, func(paths []string, opt importOptions) (replay.EventSource, error) {
			return csvfeed.NewSource(format, paths, csvfeed.Options{Symbol: opt.Symbol, SkipBad: opt.SkipBad})
		})
	}
}
