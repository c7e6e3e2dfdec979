package detectors_test

import (
	"testing"

	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
)

// TestSybilScoresBurstsNotSteadyTrading: three accounts on one device that
// buy one after another every 20 s for three hours (a firm's desks, a
// household) against three on another device that buy 40 times in five
// minutes: the burst outscores the steady flow, however long that runs.
func TestSybilScoresBurstsNotSteadyTrading(t *testing.T) {
	const s = int64(1e9)
	base := 1_767_571_200 * s
	var evs []replay.Event
	id := uint64(0)
	buy := func(ts int64, acct uint64) {
		id++
		evs = append(evs, replay.Event{TS: base + ts, Action: replay.ActionAdd, OrderID: id, Account: 99, Side: orderbook.Sell, Price: 100, Qty: 1})
		id++
		evs = append(evs, replay.Event{TS: base + ts, Action: replay.ActionMarket, OrderID: id, Account: acct, Side: orderbook.Buy, Qty: 1})
	}
	for i := int64(0); i < 3*3600/20; i++ {
		buy(i*20*s, 1+uint64(i%3))
	}
	for i := int64(0); i < 40; i++ {
		buy(3600*s+i*7*s, 11+uint64(i%3))
	}
	accounts := []replay.AccountAttrs{{Account: 99, Device: "mm", Funding: "mm"}}
	for _, a := range []uint64{1, 2, 3} {
		accounts = append(accounts, replay.AccountAttrs{Account: a, Device: "desk", Funding: "f1"})
	}
	for _, a := range []uint64{11, 12, 13} {
		accounts = append(accounts, replay.AccountAttrs{Account: a, Device: "sybil", Funding: "f2"})
	}
	alerts := runDetector(t, "sybil_cluster", replay.Instrument{Symbol: "X", Tick: 1, Lot: 1}, evs, accounts)
	top := map[uint64]float64{}
	for _, a := range alerts {
		top[a.Accounts[0]] = max(top[a.Accounts[0]], a.Score)
	}
	if top[11] <= top[1] {
		t.Fatalf("burst cluster scored %.1f, the steady one %.1f", top[11], top[1])
	}
	t.Logf("top scores: steady %.1f, burst %.1f", top[1], top[11])
}
