package main

import (
	"fmt"

	"github.com/tapetest/tapetest/replay"
	"github.com/tapetest/tapetest/replay/lobster"
)

func init() {
	registerImportFormat("lobster", "LOBSTER message file (TICKER_YYYY-MM-DD_..._message_N.csv[.gz])",
		func(paths []string, opt importOptions) (replay.EventSource, error) {
			if len(paths) != 1 {
				return nil, fmt.Errorf("lobster: give one message file per import (got %d)", len(paths))
			}
			return lobster.NewSource(paths[0], lobster.SourceOptions{Symbol: opt.Symbol, SkipBad: opt.SkipBad})
		})
}
