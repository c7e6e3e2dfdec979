package realism

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/tapetest/tapetest/replay"
	"github.com/tapetest/tapetest/scenarios"
)

// TestMeasuringOneInstrumentGeneratesOnlyIt is metamorphic: the facts of
// each of the default suite's instruments are the same whether the whole
// background is generated or only that instrument's (Spec.Active), as
// realism generates it.
func TestMeasuringOneInstrumentGeneratesOnlyIt(t *testing.T) {
	if testing.Short() {
		t.Skip("generates the suite's background ten times")
	}
	base, err := InputSpec("default")
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range base.Instruments {
		t.Run(in.Symbol, func(t *testing.T) {
			facts := func(active []string) string {
				s, _ := InputSpec("default")
				s.Duration = scenarios.Duration(40 * time.Minute)
				s.Active = active
				g, err := scenarios.NewGenerator(s)
				if err != nil {
					t.Fatal(err)
				}
				f, err := MeasureFacts(context.Background(), g, MeasureOptions{Symbol: in.Symbol})
				if err != nil {
					t.Fatal(err)
				}
				b, _ := json.Marshal(f)
				return string(b)
			}
			if whole, alone := facts(nil), facts([]string{in.Symbol}); whole != alone {
				t.Errorf("the facts differ:\nwhole suite %s\nalone       %s", whole, alone)
			}
			// And alone is alone: no other instrument trades or quotes.
			s, _ := InputSpec("default")
			s.Duration = scenarios.Duration(10 * time.Minute)
			s.Active = []string{in.Symbol}
			g, err := scenarios.NewGenerator(s)
			if err != nil {
				t.Fatal(err)
			}
			evs, err := replay.ReadAll(g)
			if err != nil {
				t.Fatal(err)
			}
			others := 0
			for _, ev := range evs {
				if g.Instruments()[ev.Symbol].Symbol != in.Symbol && !ev.Action.IsVenue() {
					others++
				}
			}
			if others > 0 || len(evs) == 0 {
				t.Errorf("%s alone: %d events, %d of them orders or trades of other instruments", in.Symbol, len(evs), others)
			}
		})
	}
}
