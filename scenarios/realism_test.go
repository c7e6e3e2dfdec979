package scenarios

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/tapetest/tapetest/internal/realdata"
	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
	"github.com/tapetest/tapetest/replay/formats"
	"github.com/tapetest/tapetest/replay/lobster"
)

// TestFactsOfTheRealGOOGDay computes the stylized facts of a real market and
// checks the ones that are known without tapetest: heavy tails at 1 s, a
// positive autocorrelation of absolute returns (volatility clustering), a
// negative one of returns (bid-ask bounce), and GOOG's round-lot order sizes.
func TestFactsOfTheRealGOOGDay(t *testing.T) {
	src, err := lobster.NewSource(realdata.Path(t, "lobster-goog-full-day/GOOG_2012-06-21_34200000_57600000_message_10.csv.gz"), lobster.SourceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	f, err := MeasureFacts(context.Background(), src, MeasureOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", *f)
	if f.Events != 147916 || f.Kurtosis1s < 10 || f.ACFAbsReturn1s <= 0 || f.ACFReturn1s >= 0 || f.SizeMedian != 100 || math.IsNaN(f.InterArrivalCV) {
		t.Fatalf("facts %+v", *f)
	}
}

// TestDefaultBackgroundIsRealistic checks the bar on the embedded
// default suite's background: each calibrated instrument lands within a
// factor of two of its real counterpart on every comparable stylized fact
// (BTCUSDT against the Binance feed, GOOGXUSD against the LOBSTER GOOG day).
// Each instrument runs alone, so its agents draw other random streams than in
// the suite: the calibration must hold for more than one draw. The GOOG day's
// autocorrelation of 1 s returns is small (-0.024), and one draw's estimate
// moves by more than 2x (9 of 10 seeds land within it: docs/realism.md), so
// it is held to a wider band.
func TestDefaultBackgroundIsRealistic(t *testing.T) {
	if testing.Short() {
		t.Skip("generates hours of a liquid market")
	}
	cases := []struct {
		symbol, format string
		real           []string
		skip           map[string]bool // facts a feed cannot show or that mean other things in it
		// drawSensitive facts move by more than 2x from one random draw of
		// the same market to another (measured over seeds: docs/realism.md),
		// so one draw is held to 0.2x-5x.
		drawSensitive map[string]bool
		warmup        time.Duration // replayed, not measured (both inputs)
	}{
		// A LOBSTER day starts without the book resting before its first
		// message: the first ten minutes build it.
		{symbol: "GOOGXUSD", format: "lobster", real: []string{"lobster-goog-full-day/GOOG_2012-06-21_34200000_57600000_message_10.csv.gz"}, warmup: 10 * time.Minute,
			drawSensitive: map[string]bool{"acf_return_1s_lag1": true}},
		{symbol: "BTCUSDT", format: "binance-depth", real: []string{"binance-l2-feed-hftbacktest/spot_btcusdt_20240808.gz", "binance-l2-feed-hftbacktest/spot_btcusdt_20240809.gz"},
			// A level feed has no orders, and its diff messages batch 100 ms
			// of level changes: level updates per second is its event rate.
			skip: map[string]bool{"order_size_median": true, "order_size_p90": true, "cancel_to_trade": true, "inter_arrival_cv": true}},
	}
	for _, c := range cases {
		t.Run(c.symbol, func(t *testing.T) {
			var files []string
			for _, f := range c.real {
				files = append(files, realdata.Path(t, f))
			}
			format, _ := formats.Lookup(c.format)
			src, err := format.Open(files, formats.Options{})
			if err != nil {
				t.Fatal(err)
			}
			real, err := MeasureFacts(context.Background(), src, MeasureOptions{Warmup: c.warmup})
			src.Close()
			if err != nil {
				t.Fatal(err)
			}
			spec, err := Default()
			if err != nil {
				t.Fatal(err)
			}
			spec.Injections, spec.Detectors = nil, nil
			for _, in := range spec.Instruments {
				if in.Symbol == c.symbol {
					spec.Instruments = []InstrumentSpec{in}
				}
			}
			if len(spec.Instruments) != 1 {
				t.Fatalf("the default suite has no %s", c.symbol)
			}
			gen, err := NewGenerator(spec)
			if err != nil {
				t.Fatal(err)
			}
			syn, err := MeasureFacts(context.Background(), gen, MeasureOptions{Symbol: c.symbol, Warmup: c.warmup})
			gen.Close()
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range FactNames {
				if f.Key == "events" || c.skip[f.Key] {
					continue
				}
				r, s := real.Value(f.Key), syn.Value(f.Key)
				lo, hi := 0.5, 2.0
				if c.drawSensitive[f.Key] {
					lo, hi = 0.2, 5
				}
				if q := s / r; !(q >= lo && q <= hi) {
					t.Errorf("%s: real %.4g, synthetic %.4g (%.2fx, want %gx to %gx)", f.Label, r, s, q, lo, hi)
				}
			}
		})
	}
}

// TestFactsSampleTheBookBetweenBatches: the mid of each second is the book as
// it stood at the second, after every event before it, so a batch of events
// with one timestamp (here an ask pulled and requoted at exactly 2 s) is never
// seen half done; a warm-up is replayed but not measured.
func TestFactsSampleTheBookBetweenBatches(t *testing.T) {
	const s = int64(time.Second)
	ev := func(ts int64, a replay.Action, id uint64, side orderbook.Side, px int64) replay.Event {
		return replay.Event{TS: ts, Action: a, OrderID: id, Side: side, Price: px, Qty: 1}
	}
	evs := []replay.Event{
		ev(s/10, replay.ActionAdd, 1, orderbook.Buy, 100),
		ev(s/10, replay.ActionAdd, 2, orderbook.Sell, 102),
		ev(3*s/2, replay.ActionAdd, 3, orderbook.Buy, 101),
		ev(2*s, replay.ActionCancel, 2, orderbook.Sell, 102),
		ev(2*s, replay.ActionAdd, 4, orderbook.Sell, 104),
		ev(16*s/5, replay.ActionAdd, 5, orderbook.Buy, 90),
	}
	for i := range evs {
		evs[i].Seq = uint64(i + 1)
	}
	inst := []replay.Instrument{{Symbol: "X", Kind: replay.Spot, Tick: 1, Lot: 1}}
	for _, c := range []struct {
		name   string
		warmup time.Duration
		mids   []float64
		events int64
	}{
		{"whole run", 0, []float64{101, 101.5, 102.5}, 6},
		{"warm-up", 1600 * time.Millisecond, []float64{101.5, 102.5}, 3},
	} {
		t.Run(c.name, func(t *testing.T) {
			fc := &factsConsumer{warmup: int64(c.warmup)}
			if _, err := replay.Run(context.Background(), replay.NewMemSource(inst, evs), []replay.Consumer{fc}, replay.RunOptions{}); err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(fc.mids1s) != fmt.Sprint(c.mids) || fc.events != c.events {
				t.Fatalf("mids %v, %d events; want %v, %d", fc.mids1s, fc.events, c.mids, c.events)
			}
		})
	}
}
