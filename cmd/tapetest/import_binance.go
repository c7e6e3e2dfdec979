package main

import (
	"github.com/tapetest/tapetest/replay"
	"github.com/tapetest/tapetest/replay/binance"
)

func init() {
	registerImportFormat("binance-depth", "raw Binance depth feed: \"<receive_ns> <json>\" lines with a REST snapshot, diffs and trades (files chained in order)",
		func(paths []string, opt importOptions) (replay.EventSource, error) {
			return binance.NewDepthSource(paths, binance.DepthOptions{Symbol: opt.Symbol, SkipBad: opt.SkipBad})
		})
}
