package detectors_test

import (
	"testing"

	"github.com/tapetest/tapetest/detectors"
	"github.com/tapetest/tapetest/detectors/detectortest"
	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
)

// TestQuoteStuffingCountsAlikeForAnyBatch is a book of 70,000 resting
// orders (one every millisecond) and then a burst that cancels orders placed
// one to eight seconds before, beside quick add-cancel pairs. The share of
// short-lived cancels must not depend on when the detector sweeps its table
// of placed orders: it used to sweep at a batch's end once the table held
// 65,536 orders, forgetting every order older than max_life, so a cancel of
// an older order counted under one batch size and not under another (the
// default suite's quote_stuffing scores differed between --batch 1000 and
// 4096). The conformance suite replays at batch sizes 1, 7 and 4096.
func TestQuoteStuffingCountsAlikeForAnyBatch(t *testing.T) {
	inst := replay.Instrument{Symbol: "X", Venue: "v", Kind: replay.Spot, PriceExp: 0, QtyExp: 0, Tick: 1, Lot: 1}
	var evs []replay.Event
	const resting = 70_000
	for i := range resting {
		evs = append(evs, replay.Event{TS: 1e9 + int64(i)*30e6, Action: replay.ActionAdd, OrderID: uint64(i + 1), Account: 7, Side: orderbook.Buy, Price: int64(1000 + i%500), Qty: 1})
	}
	end := int64(1e9 + resting*30e6)
	id := uint64(resting + 1)
	for k := range 60 {
		ts := end + int64(k)*10e6
		// A cancel of an order placed 1 to 8 s before …
		old := uint64(resting - 166 - k*8)
		evs = append(evs, replay.Event{TS: ts, Action: replay.ActionCancel, OrderID: old, Account: 7})
		// … and a quick add and cancel.
		evs = append(evs, replay.Event{TS: ts + 1e6, Action: replay.ActionAdd, OrderID: id, Account: 7, Side: orderbook.Buy, Price: 900, Qty: 1},
			replay.Event{TS: ts + 2e6, Action: replay.ActionCancel, OrderID: id, Account: 7})
		id++
	}
	if a := stuffingAlerts(t, inst, evs); len(a) == 0 {
		t.Fatal("the burst raised no alert: the test checks nothing")
	}
}

// burstSilenceBurst is an account (5) that stuffs, falls silent while
// another (6) trades for seconds, then stuffs again.
func burstSilenceBurst() []replay.Event {
	var evs []replay.Event
	id := uint64(1)
	burst := func(t0 int64) {
		for k := range 60 {
			ts := t0 + int64(k)*5e6
			evs = append(evs, replay.Event{TS: ts, Action: replay.ActionAdd, OrderID: id, Account: 5, Side: orderbook.Buy, Price: 900, Qty: 1},
				replay.Event{TS: ts + 1e6, Action: replay.ActionCancel, OrderID: id, Account: 5})
			id++
		}
	}
	burst(1e9)
	for k := range 1000 { // 5 s of another account's orders: past the window, over many batches
		evs = append(evs, replay.Event{TS: 2e9 + int64(k)*5e6, Action: replay.ActionAdd, OrderID: id, Account: 6, Side: orderbook.Sell, Price: 1100 + int64(k%50), Qty: 1})
		id++
	}
	burst(8e9)
	return evs
}

// TestQuoteStuffingForgetsIdleAlike: an account's message times, let go
// once it has been silent for a window (every 64 batches: at batch size 1
// mid-run, at 4096 never), change none of its alerts.
func TestQuoteStuffingForgetsIdleAlike(t *testing.T) {
	inst := replay.Instrument{Symbol: "X", Venue: "v", Kind: replay.Spot, PriceExp: 0, QtyExp: 0, Tick: 1, Lot: 1}
	evs := burstSilenceBurst()
	if a := stuffingAlerts(t, inst, evs); len(a) < 2 {
		t.Fatalf("%d alerts: both bursts must alert for the test to check anything", len(a))
	}
}

// TestQuoteStuffingCountsACancelOnce: an account places 20 orders, half of
// them under one id used again and again, and cancels each twice: a
// placed order's cancel counts once among the cancelled orders, whether the
// second cancel follows at once or the id was placed anew in between. The
// count starts at the 20th message (before it, under half of min_msgs, the
// burst is over at every message), the 7th order's first cancel; at the
// first alert, the 40th message, the 7th to 13th orders' cancels have been
// counted: 7. Every cancel message would be 14, one per distinct id 4.
func TestQuoteStuffingCountsACancelOnce(t *testing.T) {
	inst := replay.Instrument{Symbol: "X", Venue: "v", Kind: replay.Spot, PriceExp: 0, QtyExp: 0, Tick: 1, Lot: 1}
	var evs []replay.Event
	ts := int64(1e9)
	for k := range 20 {
		id := uint64(100 + k)
		if k%2 == 0 {
			id = 7 // placed anew after each of its cancels
		}
		for _, a := range []replay.Action{replay.ActionAdd, replay.ActionCancel, replay.ActionCancel} {
			evs = append(evs, replay.Event{TS: ts, Action: a, OrderID: id, Account: 5, Side: orderbook.Buy, Price: 900, Qty: 1})
			ts += 1e6
		}
	}
	a := stuffingAlerts(t, inst, evs)
	if len(a) == 0 {
		t.Fatal("no alert: the test checks nothing")
	}
	if want := "40 order messages within 1s; 100% of 7 cancelled orders lived under 500ms"; a[0].Evidence != want {
		t.Fatalf("the first alert says %q, want %q", a[0].Evidence, want)
	}
}

// stuffingAlerts numbers evs in their order, holds quote_stuffing to the
// conformance suite on them (batch sizes, determinism) and returns its
// alerts.
func stuffingAlerts(t *testing.T, inst replay.Instrument, evs []replay.Event) []detectors.Alert {
	t.Helper()
	for i := range evs {
		evs[i].Seq = uint64(i + 1)
	}
	in, err := detectors.Expand([]detectors.Config{{Name: "quote_stuffing"}})
	if err != nil {
		t.Fatal(err)
	}
	detectortest.Run(t, in[0].ID, in[0].Typology, in[0].New, []replay.Instrument{inst}, evs)
	return alertsOf(t, in[0], []replay.Instrument{inst}, evs, replay.RunInfo{})
}
