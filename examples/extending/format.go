package extending

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/tapetest/tapetest/component"
	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
	"github.com/tapetest/tapetest/replay/formats"
)

// RegisterTSVTrades registers the tsv-trades input format: one trade a line,
// "unix_ms<TAB>buy|sell<TAB>price<TAB>qty", prices and quantities already in
// the instrument's fixed-point units.
func RegisterTSVTrades() error {
	return formats.Register(component.Spec{Name: "tsv-trades", Summary: "tab-separated trades: unix_ms, buy or sell, price, qty (fixed-point units)",
		Params: []component.Param{
			{Name: "price_exp", Type: component.Int, Default: int64(2), Meaning: "decimal places of the prices"},
		}}, openTSV)
}

// openTSV reads the (small) files whole; a large format would stream.
func openTSV(paths []string, p *component.Values) (replay.EventSource, error) {
	sym := formats.Symbol(p)
	if sym == "" {
		sym = "TSV"
	}
	in := replay.Instrument{Symbol: sym, Kind: replay.Spot, PriceExp: int8(p.Int("price_exp")), Tick: 1, Lot: 1}
	var evs []replay.Event
	for _, path := range paths {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(f)
		for line := 1; sc.Scan(); line++ {
			ev, err := parseTSV(sc.Text())
			if err != nil {
				f.Close()
				return nil, fmt.Errorf("%s:%d: %w", path, line, err)
			}
			ev.Seq = uint64(len(evs))
			evs = append(evs, ev)
		}
		f.Close()
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	return replay.NewMemSource([]replay.Instrument{in}, evs), nil
}

func parseTSV(s string) (replay.Event, error) {
	f := strings.Split(s, "\t")
	if len(f) != 4 {
		return replay.Event{}, fmt.Errorf("%d fields, want 4", len(f))
	}
	ms, err1 := strconv.ParseInt(f[0], 10, 64)
	price, err2 := strconv.ParseInt(f[2], 10, 64)
	qty, err3 := strconv.ParseInt(f[3], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || price <= 0 || qty <= 0 {
		return replay.Event{}, fmt.Errorf("time, price and qty must be positive integers: %q", s)
	}
	side := orderbook.Buy
	switch f[1] {
	case "buy":
	case "sell":
		side = orderbook.Sell
	default:
		return replay.Event{}, fmt.Errorf("side %q: want buy or sell", f[1])
	}
	return replay.Event{TS: ms * 1e6, Action: replay.ActionTrade, Side: side, Price: price, Qty: qty}, nil
}
