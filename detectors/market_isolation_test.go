package detectors_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/tapetest/tapetest/detectors"
	"github.com/tapetest/tapetest/replay"
)

// TestDetectorsReadEachMarketOnItsOwn is metamorphic: a detector's alerts on
// one instrument are the same whether or not other instruments' events are
// in the stream. Quantities of different instruments are in different units,
// so a typical trade size (or any statistic) pooled over markets would make
// an instrument's scores depend on which other market traded last.
func TestDetectorsReadEachMarketOnItsOwn(t *testing.T) {
	gen, evs := shortSuite(t, 15*time.Minute)
	insts := gen.Instruments()
	start, end := gen.Span()
	// One span for both: a run dealt out by instrument replays each part
	// over the whole run's span, and an instrument's last event comes before
	// the run's end.
	run := func(in detectors.Instance, evs []replay.Event) []detectors.Alert {
		return alertsOf(t, in, insts, evs, replay.RunInfo{Accounts: gen.Accounts(), Start: start, End: end})
	}
	for _, d := range detectors.All() {
		if d.Name == "external" {
			if d.PerInstrument {
				t.Errorf("external: says it reads each instrument on its own, and its program may read any")
			}
			continue
		}
		if !d.PerInstrument {
			t.Errorf("%s: a built-in that does not say it reads each instrument on its own (Definition.PerInstrument)", d.Name)
		}
		instances, err := detectors.Expand([]detectors.Config{{Name: d.Name}})
		if err != nil {
			t.Fatal(err)
		}
		in := instances[0]
		t.Run(d.Name, func(t *testing.T) {
			all := run(in, evs)
			for sym, inst := range insts {
				var own []replay.Event
				for _, ev := range evs {
					if ev.Symbol == uint32(sym) {
						own = append(own, ev)
					}
				}
				if len(own) == 0 {
					continue
				}
				var mixed []detectors.Alert
				for _, a := range all {
					if a.Symbol == inst.Symbol {
						mixed = append(mixed, a)
					}
				}
				alone := run(in, own)
				a, _ := json.Marshal(mixed)
				b, _ := json.Marshal(alone)
				if string(a) != string(b) {
					t.Errorf("%s: %d alerts among all markets, %d on its own events, and they differ", inst.Symbol, len(mixed), len(alone))
				}
			}
		})
	}
}
