package scenarios

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/tapetest/tapetest/replay"
)

// bandSpec is one spot market with a blatant fat-finger flash crash (a sell
// sweeping 3% below the best bid) under a price band with these parameters.
func bandSpec(t *testing.T, params string) *Spec {
	t.Helper()
	text := `name: band
seed: 7
start: 2026-01-05T00:00:00Z
duration: 40m
instruments:
  - {symbol: X, price_exp: 2, qty_exp: 0, tick: 1, lot: 1, price: 1000000, size: 10, volatility: 0.01,
     rules: [{name: price_band, params: ` + params + `}]}
background: {accounts: 200, market_makers: 3, noise_traders: 20, noise_rate: 4, depth_providers: 4}
injections:
  - {typology: flash_crash, symbol: X, intensity: blatant, at: [20m]}
`
	s, err := Parse("band.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// readAll generates spec and returns its events and counts.
func readAll(t *testing.T, spec *Spec) ([]replay.Event, map[string]int64, []replay.Instrument) {
	t.Helper()
	g, err := NewGenerator(spec)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	var evs []replay.Event
	buf := make([]replay.Event, 4096)
	for {
		n, err := g.Read(buf)
		evs = append(evs, buf[:n]...)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	counts := map[string]int64{}
	for _, c := range g.Counts() {
		counts[c.Kind] = c.N
	}
	return evs, counts, g.Instruments()
}

// TestPriceBandHaltsTrading: a venue rule added as one file. A trade more
// than halt_pct from the reference halts trading: a halt event, orders
// refused and none on the book until the resume event exactly halt later; the
// replay engine takes the venue events as it takes the perpetual venue's (no
// book effect, nothing rejected).
func TestPriceBandHaltsTrading(t *testing.T) {
	evs, counts, insts := readAll(t, bandSpec(t, "{band_pct: 50, halt_pct: 0.2, halt: 3m}"))
	var halts, resumes []int64
	for _, ev := range evs {
		switch ev.Action {
		case ActionHalt:
			halts = append(halts, ev.TS)
		case ActionResume:
			resumes = append(resumes, ev.TS)
		case replay.ActionAdd, replay.ActionMarket:
			if len(halts) > len(resumes) && ev.TS > halts[len(halts)-1] {
				t.Fatalf("an order went through at %d during the halt from %d", ev.TS, halts[len(halts)-1])
			}
		}
	}
	if len(halts) == 0 || int64(len(halts)) != counts["price_band_halts"] || counts["price_band_rejected_halted"] == 0 {
		t.Fatalf("halts %v, counts %v", halts, counts)
	}
	for i, r := range resumes {
		if r-halts[i] != 180e9 {
			t.Fatalf("halt %d at %d resumed at %d, not 3m later", i, halts[i], r)
		}
	}
	if len(halts)-len(resumes) > 1 {
		t.Fatalf("%d halts, %d resumes", len(halts), len(resumes))
	}
	eng, err := replay.NewEngine(insts, replay.EngineOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var b replay.Batch
	for i := range evs {
		b.Records = b.Records[:0]
		eng.Apply(&evs[i], &b)
		if a := evs[i].Action; (a == ActionHalt || a == ActionResume) && b.Records[0].Outcome == replay.Rejected {
			t.Fatalf("the engine rejected %v", a)
		}
	}
}

// TestPriceBandRefusesFarOrders: limit orders priced outside a narrow band are
// refused and counted (no halt with a wide halt_pct), and bad parameters are
// refused naming the rule.
func TestPriceBandRefusesFarOrders(t *testing.T) {
	_, counts, _ := readAll(t, bandSpec(t, "{band_pct: 0.1, halt_pct: 50}"))
	if counts["price_band_rejected_outside_band"] == 0 || counts["price_band_halts"] != 0 {
		t.Fatalf("counts %v", counts)
	}
	for _, bad := range []string{"{band_pct: 0}", "{bnd_pct: 1}", "{halt: -1s}"} {
		g, err := NewGenerator(bandSpec(t, bad))
		if err == nil {
			g.Close()
			t.Errorf("%s: accepted", bad)
		} else if !strings.Contains(err.Error(), "price_band") {
			t.Errorf("%s: %v does not name the rule", bad, err)
		}
	}
}
