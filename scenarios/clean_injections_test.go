package scenarios

import (
	"slices"
	"testing"

	"github.com/tapetest/tapetest/replay"
)

// TestInjectionsLeaveNoSelfTrades: an attack shows the signature of its own
// typology only. Wash trading is the one whose documentation says it
// self-trades; every other injector's accounts never trade with themselves —
// the spoofer's genuine order used to hit its own layer at the touch, which
// wash_pairs then flagged inside every spoofing window.
func TestInjectionsLeaveNoSelfTrades(t *testing.T) {
	if testing.Short() {
		t.Skip("generates the suite")
	}
	spec, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	spec.Duration = Duration(90 * 60e9)
	g, err := NewGenerator(spec)
	if err != nil {
		t.Fatal(err)
	}
	evs, err := replay.ReadAll(g)
	if err != nil {
		t.Fatal(err)
	}
	owner := map[uint64][]replay.Typology{} // attack account → its typologies
	for _, l := range g.Labels() {
		for _, a := range l.Accounts {
			if !slices.Contains(owner[a], l.Typology) {
				owner[a] = append(owner[a], l.Typology)
			}
		}
	}
	eng, err := replay.NewEngine(g.Instruments(), replay.EngineOptions{})
	if err != nil {
		t.Fatal(err)
	}
	self := map[replay.Typology]int{}
	var b replay.Batch
	for i := range evs {
		b.Records, b.Fills = b.Records[:0], b.Fills[:0]
		eng.Apply(&evs[i], &b)
		for _, f := range b.FillsOf(0) {
			if f.TakerAccount != 0 && f.TakerAccount == f.MakerAccount {
				for _, typ := range owner[f.TakerAccount] {
					self[typ]++
				}
			}
		}
	}
	if self[replay.WashTrading] == 0 {
		t.Fatal("no self-trades by the wash traders: the test sees nothing")
	}
	for typ, n := range self {
		if typ != replay.WashTrading {
			t.Errorf("%s injections made %d self-trades", typ, n)
		}
	}
	t.Logf("self-trades by typology: %v", self)
}
