package backtest

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/tapetest/tapetest/detectors"
	"github.com/tapetest/tapetest/internal/golden"
	"github.com/tapetest/tapetest/internal/realdata"
	"github.com/tapetest/tapetest/scoring"
)

// realDays are the shared real markets every built-in's alert load is held
// on: anonymous L3 (LOBSTER), L2 with trades (Binance) and trades only
// (the pump coins, whose pump windows are labelled: their alerts outside
// them are the false ones).
var realDays = []struct{ name, spec, data string }{
	{"GOOG 2012-06-21 (LOBSTER L3, 10 levels)", "../examples/real-days/goog.yaml", "lobster-goog-full-day"},
	{"AAPL 2012-06-21 (LOBSTER L3, 1 level)", "../examples/real-days/aapl.yaml", "lobster-aapl-l1-full-day"},
	{"Binance BTCUSDT spot 2024-08-08/09 (L2 diffs and trades)", "../examples/real-days/binance.yaml", "binance-l2-feed-hftbacktest"},
	{"27 pump coins, ±2 days each (trades only; the pump windows are labelled)", "../examples/pump-episodes/spec.yaml", "pump-trades-pugoev"},
}

const alertRatesDoc = "../docs/detectors/alert-rates.md"

// TestDefaultAlertRatesOnRealDays runs every built-in at its defaults over
// the shared real days and holds what they raise — every candidate alert,
// and those not matched to a label of the detector's typology per
// instrument-day — to docs/detectors/alert-rates.md, which it writes with
// -update. A detector change that raises the load on real markets shows up
// as a diff of that page.
func TestDefaultAlertRatesOnRealDays(t *testing.T) {
	if testing.Short() {
		t.Skip("replays four real data sets")
	}
	var all []detectors.Config
	for _, d := range detectors.All() {
		if d.Name != "external" {
			all = append(all, detectors.Config{Name: d.Name})
		}
	}
	var b strings.Builder
	b.WriteString("# Alert load of the built-in detectors on real markets\n\n" +
		"Every built-in at its default parameters over the shared real days, with nothing injected " +
		"(`go test ./backtest -run TestDefaultAlertRatesOnRealDays -update` rewrites this page; the test fails when a change moves a number). " +
		"`candidates` is every alert a detector raised — the scores a threshold is then chosen from; " +
		"`false / instrument-day` counts those not matched to a label of its typology. " +
		"\"not evaluable\": the data lacks what the detector reads (accounts: public feeds and LOBSTER carry none).\n\n" +
		"The examples in `examples/real-days` run the same days; their reports show this table as *Alert load*.\n")
	for _, day := range realDays {
		realdata.Path(t, day.data)
		spec, text, err := Load(day.spec)
		if err != nil {
			t.Fatal(err)
		}
		out, err := Run(context.Background(), spec, Options{SpecName: day.name, SpecText: text, ToolVersion: "test", Detectors: all})
		if err != nil {
			t.Fatal(err)
		}
		c := out.Contents
		ev := scoring.Evaluate(c.Alerts, c.Labels, c.Options, c.Ran...)
		fmt.Fprintf(&b, "\n## %s\n\n%d events; %.2f instrument-days covered.\n\n| detector | candidates | false / instrument-day |\n|---|---|---|\n",
			day.name, c.Events, c.Exposure.InstrumentDays)
		for _, r := range ev.Instances {
			rate := fmt.Sprintf("%.3g", r.All.FalseAlertsPerInstrumentDay)
			if why, no := c.NotEvaluable[r.Instance]; no {
				_, needs, _ := strings.Cut(why, "the detector needs ")
				needs, _, _ = strings.Cut(needs, ", which")
				rate = "not evaluable (needs " + needs + ")"
			}
			name := r.Instance + " (" + string(r.Typology) + ")"
			fmt.Fprintf(&b, "| %s | %d | %s |\n", name, r.All.Alerts, rate)
		}
	}
	got := b.String()
	golden.Check(t, alertRatesDoc, []byte(got), "the built-ins' alert load on real days moved: go test ./backtest -run TestDefaultAlertRatesOnRealDays -update, and read the diff of "+alertRatesDoc+"\n"+got)
}
