package backtest

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/tapetest/tapetest/detectors"
	"github.com/tapetest/tapetest/internal/realdata"
	"github.com/tapetest/tapetest/replay"
	"github.com/tapetest/tapetest/scenarios"
)

// TestCoverage: an instrument's covered time is its stretches of events no
// more than MaxCoverageGap apart; a synthetic instrument covers the whole
// run; the covered days are the union over instruments, the instrument-days
// their sum — whatever the batches the events arrive in.
func TestCoverage(t *testing.T) {
	const h = int64(time.Hour)
	insts := []replay.Instrument{{Symbol: "A"}, {Symbol: "B"}, {Symbol: "SYN"}, {Symbol: "NONE"}}
	// A: 0..2h, then a 3h gap, then 5h..6h → 3h in 2 stretches.
	// B: 1h..4h every 30 min → 3h in 1 stretch; overlaps A.
	var evs []replay.Event
	for _, ts := range []int64{0, h / 2, h, 2 * h, 5 * h, 6 * h} {
		evs = append(evs, replay.Event{TS: ts, Symbol: 0})
	}
	for ts := h; ts <= 4*h; ts += h / 2 {
		evs = append(evs, replay.Event{TS: ts, Symbol: 1})
	}
	for _, batch := range []int{1, 3, 100} {
		c := newCoverage(len(insts))
		for i := 0; i < len(evs); i += batch {
			b := &replay.Batch{}
			for _, e := range evs[i:min(i+batch, len(evs))] {
				b.Records = append(b.Records, replay.Record{Event: e})
			}
			c.Consume(context.Background(), b)
		}
		ex, _ := c.exposure(insts, map[string]bool{"SYN": true}, 10*h, 12*h)
		const day = 24.0
		want := []struct {
			days      float64
			stretches int
		}{{3 / day, 2}, {3 / day, 1}, {2 / day, 1}, {0, 0}}
		for i, w := range want {
			got := ex.Instruments[i]
			if math.Abs(got.Days-w.days) > 1e-12 || got.Stretches != w.stretches {
				t.Errorf("batch %d: %s covers %v days in %d stretches, want %v in %d", batch, got.Symbol, got.Days, got.Stretches, w.days, w.stretches)
			}
		}
		// Union: [0,4h] ∪ [5h,6h] ∪ [10h,12h] = 7h; sum 8h.
		if math.Abs(ex.CoveredDays-7/day) > 1e-12 || math.Abs(ex.InstrumentDays-8/day) > 1e-12 || ex.MaxGap != "1h0m0s" {
			t.Errorf("batch %d: covered %v days, %v instrument-days, gap %s", batch, ex.CoveredDays, ex.InstrumentDays, ex.MaxGap)
		}
	}
}

// TestPumpEpisodesExposure: the 27 real pump episodes span 704 days but
// cover about 108 coin-days; background alerts per day used to divide by the
// span (6.5× too few). The summary's days and exposure are now the covered
// time.
func TestPumpEpisodesExposure(t *testing.T) {
	realdata.Path(t, "pump-trades-pugoev/trades")
	spec, text, err := Load("../examples/pump-episodes/spec.yaml")
	if err != nil {
		t.Fatal(err)
	}
	out, err := Run(context.Background(), spec, Options{SpecName: "pump-episodes", SpecText: text, ToolVersion: "test"})
	if err != nil {
		t.Fatal(err)
	}
	c := out.Contents
	span := float64(c.End-c.Start) / float64(24*time.Hour)
	ex := c.Exposure
	if span < 700 || ex.InstrumentDays < 100 || ex.InstrumentDays > 115 || ex.CoveredDays > ex.InstrumentDays || ex.CoveredDays < 90 || c.Options.Days != ex.CoveredDays {
		t.Fatalf("span %.1f days, covered %.1f days, %.1f instrument-days, scoring divides by %.1f", span, ex.CoveredDays, ex.InstrumentDays, c.Options.Days)
	}
	t.Logf("span %.1f days; covered %.1f days, %.1f instrument-days over %d instruments", span, ex.CoveredDays, ex.InstrumentDays, len(ex.Instruments))
}

// TestEvaluability: on the real GOOG day (account 0 throughout) an
// account-based detector's false alerts cannot show, and the run says so
// for it — not for flash_crash, which reads prices only, nor for
// spoof_cancels, which reads LOBSTER's order ids alone on anonymous data;
// the synthetic suite has accounts and order ids everywhere.
func TestEvaluability(t *testing.T) {
	realdata.Path(t, "lobster-goog-full-day")
	spec, text, err := Load("../examples/goog-attacks/spec.yaml")
	if err != nil {
		t.Fatal(err)
	}
	spec.Scenario.Duration = scenarios.Duration(20 * time.Minute)
	out, err := Run(context.Background(), spec, Options{SpecName: "goog", SpecText: text, ToolVersion: "test",
		Detectors: []detectors.Config{{Name: "wash_pairs"}, {Name: "spoof_cancels"}, {Name: "flash_crash"}}})
	if err != nil {
		t.Fatal(err)
	}
	ne := out.Contents.NotEvaluable
	const want = "needs accounts, which the background events of GOOG do not carry" // LOBSTER has order ids
	if len(ne) != 1 || !strings.Contains(ne["wash_pairs"], want) || ne["spoof_cancels"] != "" || ne["flash_crash"] != "" {
		t.Fatalf("not evaluable: %v", ne)
	}
	syn, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	syn.Scenario.Duration = scenarios.Duration(5 * time.Minute)
	out, err = Run(context.Background(), syn, Options{SpecName: "default", SpecText: []byte("x"), ToolVersion: "test", Detectors: []detectors.Config{{Name: "wash_pairs"}}})
	if err != nil {
		t.Fatal(err)
	}
	if out.Contents.NotEvaluable != nil {
		t.Fatalf("the synthetic suite: %v", out.Contents.NotEvaluable)
	}
}
