package scenarios

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
)

func loadSpec(t *testing.T, path string) *Spec {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Parse(path, b)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// checkPerpMoney fails when g's venues did not conserve money or a
// settlement, funding or fill failed.
func checkPerpMoney(t *testing.T, name string, g *Generator) {
	t.Helper()
	for sym, c := range g.PerpConservation() {
		if c != 0 {
			t.Errorf("%s %s: money not conserved: %d raw units", name, sym, c)
		}
	}
	for _, c := range g.Counts() {
		switch c.Kind {
		case "perp_conservation_error", "perp_settlement_error", "perp_funding_error", "perp_fill_error":
			t.Errorf("%s: %s: %d", name, c.Kind, c.N)
		}
	}
}

// TestLiquidationsExecuteAtTheDocumentedPrice: every liquidation is followed
// by its IOC order, flagged, for the whole position, limited exactly
// LiquidationBandBps beyond the mark that triggered it (on the tick grid,
// rounded away from the mark's favour), and no fill of it is beyond that limit.
func TestLiquidationsExecuteAtTheDocumentedPrice(t *testing.T) {
	spec := loadSpec(t, "testdata/perp_attacks.yaml")
	g, err := NewGenerator(spec)
	if err != nil {
		t.Fatal(err)
	}
	evs, err := replay.ReadAll(g)
	if err != nil {
		t.Fatal(err)
	}
	in := spec.Instruments[0]
	band := int64(in.Perp.withDefaults().LiquidationBandBps * 100) // ppm
	var mark int64
	checked := 0
	for i, e := range evs {
		switch e.Action {
		case replay.ActionMark:
			mark = e.Price
		case replay.ActionLiquidation:
			// The order comes next unless the fund could not cover the band (ADL only).
			next := evs[i+1]
			if next.Action == replay.ActionADL {
				continue
			}
			off := mark * band / 1_000_000
			want := (mark - off) / in.Tick * in.Tick
			if e.Side == orderbook.Buy {
				want = (mark + off + in.Tick - 1) / in.Tick * in.Tick
			}
			if next.Action != replay.ActionAdd || next.Flags&replay.FlagLiquidation == 0 || next.Flags&replay.FlagIOC == 0 ||
				next.Account != e.Account || next.Side != e.Side || next.Qty != e.Qty || next.Price != want {
				t.Fatalf("liquidation %+v (mark %d) is followed by %+v, want an IOC liquidation order for %d at %d", e, mark, next, e.Qty, want)
			}
			checked++
		}
	}
	if checked < 5 {
		t.Fatalf("only %d liquidations checked", checked)
	}
	// Fills: replay the events and check every liquidation fill is within its limit.
	eng, err := replay.NewEngine(g.Instruments(), replay.EngineOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var b replay.Batch
	for i := range evs {
		b.Records, b.Fills = b.Records[:0], b.Fills[:0]
		eng.Apply(&evs[i], &b)
		if evs[i].Flags&replay.FlagLiquidation == 0 {
			continue
		}
		for _, f := range b.FillsOf(0) {
			if (evs[i].Side == orderbook.Sell && f.Price < evs[i].Price) || (evs[i].Side == orderbook.Buy && f.Price > evs[i].Price) {
				t.Fatalf("liquidation order %+v filled at %d, beyond its limit", evs[i], f.Price)
			}
		}
	}
}

// TestPerpSuiteConservesMoney: money is conserved on every perpetual scenario
// shipped, the default suite included, and no settlement or funding failed.
func TestPerpSuiteConservesMoney(t *testing.T) {
	def, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	specs := map[string]*Spec{"default": def, "perp.yaml": loadSpec(t, "testdata/perp.yaml"), "perp_attacks.yaml": loadSpec(t, "testdata/perp_attacks.yaml")}
	for name, spec := range specs {
		g, err := NewGenerator(spec)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := replay.ReadAll(g); err != nil {
			t.Fatal(err)
		}
		checkPerpMoney(t, name, g)
		var loss int64
		for _, l := range g.Labels() {
			loss += l.InsuranceLoss
		}
		t.Logf("%s: insurance fund losses in labels: %d raw units", name, loss)
	}
}

// FuzzPerpScenario: for any seed, a short perpetual market with every
// perpetual attack conserves money and settles every liquidation.
func FuzzPerpScenario(f *testing.F) {
	f.Add(uint64(1), uint8(75))
	f.Add(uint64(42), uint8(20))
	f.Fuzz(func(t *testing.T, seed uint64, maxLev uint8) {
		spec := loadSpec(t, "testdata/perp_attacks.yaml")
		spec.Seed = seed
		spec.Duration = Duration(12 * 60e9)
		spec.Instruments[0].Perp.MaxLeverage = float64(2 + int(maxLev)%100)
		for i := range spec.Injections {
			spec.Injections[i].Count = 1
		}
		g, err := NewGenerator(spec)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := replay.ReadAll(g); err != nil {
			t.Fatal(err)
		}
		checkPerpMoney(t, fmt.Sprintf("seed %d", seed), g)
	})
}

// TestCascadeHunterSetsOffLiquidations: the cascade injector waits until
// leveraged positions lie within its reach, so its push liquidates someone —
// on the default suite's MEMEUSDT-PERP, run alone with its cascades, every
// cascade of every intensity is followed by a liquidation within a minute.
func TestCascadeHunterSetsOffLiquidations(t *testing.T) {
	spec, err := Default()
	if err != nil {
		t.Fatal(err)
	}

	for _, in := range spec.Instruments {
		if in.Symbol == "MEMEUSDT-PERP" {
			spec.Instruments = []InstrumentSpec{in}
		}
	}
	kept := spec.Injections[:0]
	for _, in := range spec.Injections {
		if in.Typology == string(replay.LiquidationCascade) {
			kept = append(kept, in)
		}
	}
	spec.Injections = kept
	g := generateWhole(t, spec)
	if _, err := replay.ReadAll(g); err != nil {
		t.Fatal(err)
	}
	labels := g.Labels()
	if len(labels) == 0 {
		t.Fatal("no cascades")
	}
	for _, l := range labels {
		n := 0
		for _, q := range g.perps[0].liqs {
			if q.at >= l.Start && q.at <= l.End+60e9 {
				n++
			}
		}
		t.Logf("%s %s: %d liquidations", l.ID, l.Intensity, n)
		if n == 0 {
			t.Errorf("%s (%s, %v after the start): no liquidation", l.ID, l.Intensity, time.Duration(l.Start-g.start))
		}
	}
}
