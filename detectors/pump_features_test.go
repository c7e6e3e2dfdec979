package detectors

import (
	"math"
	"testing"
	"time"

	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
)

var pumpInst = []replay.Instrument{{Symbol: "X/BTC", PriceExp: 8, QtyExp: 0, Tick: 1, Lot: 1}}

func buy(price int64) orderbook.Fill {
	return orderbook.Fill{Price: price, Qty: 100, Aggressor: orderbook.Buy}
}
func sell(price int64) orderbook.Fill {
	return orderbook.Fill{Price: price, Qty: 100, Aggressor: orderbook.Sell}
}

// TestRushOrdersFromTrades: trades with the same taker side in the same
// millisecond are one order, whether they come in one record or several;
// another side or another millisecond starts a new one. Counted in the
// 5 s window: the open order is counted by Features.
func TestRushOrdersFromTrades(t *testing.T) {
	const ms = int64(time.Millisecond)
	p := NewPumpFeatures(pumpInst)
	t0 := int64(1_600_000_000) * 1e9
	p.Add(0, t0, []orderbook.Fill{buy(100)}) // start the clock: the warm-up runs from here
	at := t0 + int64(20*time.Minute)
	for _, c := range []struct {
		ts    int64
		fills []orderbook.Fill
	}{
		{at, []orderbook.Fill{buy(100), buy(101), buy(102)}}, // order 1: one record, three trades
		{at + 300_000, []orderbook.Fill{buy(103)}},           // same millisecond, same side: still order 1
		{at + ms, []orderbook.Fill{buy(103)}},                // next millisecond: order 2
		{at + ms, []orderbook.Fill{sell(102)}},               // same millisecond, other side: order 3 (a sell)
		{at + ms, []orderbook.Fill{buy(104), buy(105)}},      // back to buying: order 4
	} {
		p.Add(0, c.ts, c.fills)
	}
	s := &p.syms[0]
	w := s.win[0] // closed orders in the last 5 s: 1 (4 trades), 2, 3 (a sell); order 4 is open
	if w.rush != 2 || w.trades != 6 || s.cur.trades != 2 || !s.cur.buyRush {
		t.Fatalf("5 s window: %v rush buy orders, %v trades; open order %+v", w.rush, w.trades, s.cur)
	}
	var f [PumpNumFeatures]float64
	if !p.Features(0, at+ms, f[:]) {
		t.Fatal("no features after the warm-up")
	}
	// 3 rush buy orders in 5 s against a baseline of one order in 20 minutes.
	if want := rootDeviance(3, pumpMinExpected); math.Abs(f[0]-want) > 0.2 {
		t.Fatalf("rush_z_5s %.2f, want about %.2f", f[0], want)
	}
	if f[9] != 5 { // 105 against the 100 before the 30 s window
		t.Fatalf("rise %v ticks, want 5", f[9])
	}
}

// TestQuietStartIsNeverExtreme: a coin that traded once, then bursts into
// three rush buys after the warm-up, scores a few units, not millions (the
// old pump_zscore's 4.8–6.1 million on quiet minutes); nothing before the
// warm-up.
func TestQuietStartIsNeverExtreme(t *testing.T) {
	p := NewPumpFeatures(pumpInst)
	t0 := int64(1_600_000_000) * 1e9
	var f [PumpNumFeatures]float64
	p.Add(0, t0, []orderbook.Fill{buy(100)})
	if p.Features(0, t0+int64(9*time.Minute), f[:]) {
		t.Fatal("features during the warm-up")
	}
	at := t0 + int64(3*time.Hour)
	for i := int64(0); i < 3; i++ {
		p.Add(0, at+i*int64(time.Second), []orderbook.Fill{buy(100 + i)})
	}
	if !p.Features(0, at+2*int64(time.Second), f[:]) {
		t.Fatal("no features")
	}
	for i, v := range f {
		if math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > 1e4 {
			t.Errorf("%s = %v", PumpFeatureNames[i], v)
		}
	}
	if f[1] > 5 {
		t.Errorf("three rush buys on a quiet coin: rush_z_30s %.1f", f[1])
	}
}

func TestRootDeviance(t *testing.T) {
	for _, c := range []struct{ n, mu, want float64 }{
		{0, 0, -1},         // floored: expected 0.5, seen 0
		{10, 10, 0},        // as expected
		{3, 0.01, 2.3980},  // floored at 0.5
		{100, 100, 0},      //
		{120, 100, 1.9383}, // about (120-100)/10
		{80, 100, -2.0729}, //
		{1000, 1, 108.708}, // large, finite
	} {
		got := rootDeviance(c.n, c.mu)
		if math.Abs(got-c.want) > 1e-3*max(1, math.Abs(c.want)) {
			t.Errorf("rootDeviance(%v, %v) = %.4f, want %.4f", c.n, c.mu, got, c.want)
		}
	}
}

// TestBurstRule: a candidate when the score first reaches the floor, again
// on each rise by step, none while it wanders below the burst's high, and
// a new burst after the cooldown.
func TestBurstRule(t *testing.T) {
	r := burstRule{floor: 3, step: 1, cooldown: 10}
	var b burstState
	var got []float64
	for i, s := range []float64{2, 3, 3.5, 4.1, 3, 6, 1, 1} {
		if r.offer(&b, int64(i), s) {
			got = append(got, s)
		}
	}
	if r.offer(&b, 100, 3.2) { // after the cooldown: a new burst
		got = append(got, 3.2)
	}
	want := []float64{3, 4.1, 6, 3.2}
	if len(got) != len(want) {
		t.Fatalf("candidates %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("candidates %v, want %v", got, want)
		}
	}
}
