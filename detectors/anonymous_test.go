package detectors_test

import (
	"strings"
	"testing"

	"github.com/tapetest/tapetest/detectors"
	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
)

// anonymousLayering is a layering cycle on order-by-order data without
// accounts: resting depth on both sides, two large bids near the touch, an
// aggressive sell into the bids, then the large bids cancelled.
func anonymousLayering() []replay.Event {
	const s = int64(1e9)
	evs := []replay.Event{
		{TS: 1 * s, Action: replay.ActionAdd, OrderID: 1, Side: orderbook.Sell, Price: 10010, Qty: 10},
		{TS: 1 * s, Action: replay.ActionAdd, OrderID: 2, Side: orderbook.Buy, Price: 10000, Qty: 10},
		{TS: 2 * s, Action: replay.ActionAdd, OrderID: 3, Side: orderbook.Buy, Price: 10000, Qty: 50},
		{TS: 2 * s, Action: replay.ActionAdd, OrderID: 4, Side: orderbook.Buy, Price: 9999, Qty: 50},
		{TS: 3 * s, Action: replay.ActionMarket, OrderID: 5, Side: orderbook.Sell, Qty: 5},
		{TS: 4 * s, Action: replay.ActionCancel, OrderID: 3},
		{TS: 4 * s, Action: replay.ActionCancel, OrderID: 4},
	}
	return evs
}

// TestSpoofCancelsOnAnonymousData: the cycle alerts without accounts and
// says the data is anonymous; on an instrument whose orders stand for L2
// levels it does not.
func TestSpoofCancelsOnAnonymousData(t *testing.T) {
	inst := replay.Instrument{Symbol: "X", Tick: 1, Lot: 1}
	alerts := runDetector(t, "spoof_cancels", inst, anonymousLayering(), nil)
	if len(alerts) == 0 || alerts[0].Accounts != nil || !strings.HasPrefix(alerts[0].Evidence, "anonymous data (no accounts)") {
		t.Fatalf("alerts %+v", alerts)
	}
	insts, _ := detectors.Expand([]detectors.Config{{Name: "spoof_cancels"}})
	evs := anonymousLayering()
	for i := range evs {
		evs[i].Seq = uint64(i + 1)
	}
	if got := alertsOf(t, insts[0], []replay.Instrument{inst}, evs, replay.RunInfo{NoOrderIDs: []bool{true}}); len(got) != 0 {
		t.Fatalf("levels standing for orders raised %+v", got)
	}
}

// TestMomentumIgnitionOnAnonymousData: a quiet market, then a burst of
// aggressive buys that lifts the price and gives half of it back: the
// market's burst alerts, anonymously.
func TestMomentumIgnitionOnAnonymousData(t *testing.T) {
	const s = int64(1e9)
	var evs []replay.Event
	id := uint64(1)
	add := func(ts int64, side orderbook.Side, px, qty int64) {
		evs = append(evs, replay.Event{TS: ts, Action: replay.ActionAdd, OrderID: id, Side: side, Price: px, Qty: qty})
		id++
	}
	market := func(ts int64, side orderbook.Side, qty int64) {
		evs = append(evs, replay.Event{TS: ts, Action: replay.ActionMarket, OrderID: id, Side: side, Qty: qty})
		id++
	}
	for p := int64(0); p < 20; p++ { // a ladder of asks and bids
		add(1*s, orderbook.Sell, 10001+p, 10)
		add(1*s, orderbook.Buy, 10000-p, 10)
	}
	for m := int64(0); m < 30; m++ { // an hour of one trade a minute, either way
		side := orderbook.Buy
		if m%2 == 1 {
			side = orderbook.Sell
		}
		market((60+60*m)*s, side, 1)
		add((61+60*m)*s, side.Opposite(), 10001-int64(side.Opposite()-1), 1) // refill what it took
	}
	t0 := 2000 * s
	for k := int64(0); k < 8; k++ { // the burst: 8 aggressive buys in 8 s, lifting the asks
		market(t0+k*s, orderbook.Buy, 25)
	}
	for k := int64(0); k < 6; k++ { // the price comes back: aggressive sells through the bids
		market(t0+(20+k)*s, orderbook.Sell, 25)
	}
	alerts := runDetector(t, "momentum_ignition", replay.Instrument{Symbol: "X", Tick: 1, Lot: 1}, evs, nil)
	var anon []detectors.Alert
	for _, a := range alerts {
		if strings.HasPrefix(a.Evidence, "anonymous data (no accounts)") {
			anon = append(anon, a)
		}
	}
	if len(anon) != 1 || anon[0].Accounts != nil || anon[0].RaisedAt < t0+20*s {
		t.Fatalf("anonymous alerts %+v (all %+v)", anon, alerts)
	}
}

// TestMarkingCloseOnAnonymousData: the market's anonymous takers buy one
// way into an hourly reference and sell it back after: one alert, for the
// anonymous takers as one, saying so.
func TestMarkingCloseOnAnonymousData(t *testing.T) {
	const s = int64(1e9)
	ref := int64(1_767_574_800) * s
	var evs []replay.Event
	id := uint64(0)
	trade := func(ts int64, side orderbook.Side, qty int64) {
		id++
		evs = append(evs, replay.Event{TS: ts, Action: replay.ActionAdd, OrderID: id, Side: side.Opposite(), Price: 100, Qty: qty})
		id++
		evs = append(evs, replay.Event{TS: ts, Action: replay.ActionMarket, OrderID: id, Side: side, Qty: qty})
	}
	for i := int64(0); i < 600; i++ {
		trade(ref-3600*s+i*5*s, orderbook.Side(1+i%2), 10)
	}
	for i := int64(0); i < 12; i++ {
		trade(ref-30*s+i*2*s, orderbook.Buy, 20)
	}
	trade(ref+20*s, orderbook.Sell, 240)
	alerts := runDetector(t, "marking_close", replay.Instrument{Symbol: "X", Tick: 1, Lot: 1}, evs, nil)
	if len(alerts) != 1 || alerts[0].Accounts != nil || !strings.HasPrefix(alerts[0].Evidence, "anonymous data (no accounts)") || alerts[0].Score <= 0 {
		t.Fatalf("alerts %+v", alerts)
	}
}
