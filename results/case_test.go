package results

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tapetest/tapetest/replay"
	"github.com/tapetest/tapetest/scoring"
)

// fakeTape serves a flat market: a trade by each of the window's accounts
// and one by a stranger, and a two-level ladder, for every window.
type fakeTape struct{ asked []CaseWindow }

func (f *fakeTape) Read(_ context.Context, wins []CaseWindow) ([]CaseMarket, error) {
	f.asked = append(f.asked, wins...)
	out := make([]CaseMarket, len(wins))
	for i, w := range wins {
		m := &out[i]
		m.Instrument = CaseInstrument{Symbol: w.Symbol, PriceDecimals: 2, QtyDecimals: 3}
		book := CaseBook{TS: w.From, Bids: []CaseLevel{{Price: 100, Qty: 1.5, Orders: 2}, {Price: 99.5, Qty: 3}}, Asks: []CaseLevel{{Price: 100.5, Qty: 2, Orders: 1}}}
		m.AddBook(w, book)
		for _, a := range w.Accounts {
			m.AddTrade(w, CaseTrade{TS: w.From + 1e9, Price: 100.25, Qty: 0.5, Buy: true, Maker: 424242, Taker: a})
		}
		m.AddTrade(w, CaseTrade{TS: w.From + 2e9, Price: 100, Qty: 0.25, Maker: 1, Taker: 2})
	}
	return out, nil
}

// TestCaseFilesForFalseAndTopAlerts: every false alert at an instance's
// operating point gets a case file, and so do its top alerts; each shows
// the evidence, the status, the ladder, the alert's accounts with their
// attributes and their trades; the report links them; a directory
// re-rendered in place (no tape) keeps its case files and their links.
func TestCaseFilesForFalseAndTopAlerts(t *testing.T) {
	c := sampleContents()
	tape := &fakeTape{}
	c.Tape = tape
	c.Accounts = []replay.AccountAttrs{{Account: 3, Device: "dev-three", IPSubnet: "10.0.0.0/24", Funding: "bank-x", Country: "FR"}}
	// wash_self at a fixed threshold of 0.2 keeps both its alerts: the one
	// at 700 s matches nothing (false), the one at 120 s matches wash-1.
	low := 0.2
	c.Ran = []scoring.Ref{{Instance: "wash_self", Typology: replay.WashTrading, Selection: scoring.Selection{Threshold: &low}},
		{Instance: "spoof_layer{window=10s}", Typology: replay.Spoofing}}
	dir := t.TempDir()
	if err := WriteDir(dir, c); err != nil {
		t.Fatal(err)
	}
	ids := AlertIDs(c.Alerts)
	st := newStandings(c, scoring.Evaluate(c.Alerts, c.Labels, c.Options, c.Ran...))
	var falseIDs []string
	for i := range c.Alerts {
		if st.at(i).False() {
			falseIDs = append(falseIDs, ids[i])
		}
	}
	if len(falseIDs) == 0 {
		t.Fatalf("the sample has no false alert at its operating points: %+v", st)
	}
	report, _ := os.ReadFile(filepath.Join(dir, ReportFile))
	for _, id := range ids { // 3 alerts, each in its instance's top five
		b, err := os.ReadFile(filepath.Join(dir, CasesDir, id+".html"))
		if err != nil {
			t.Fatalf("no case file for %s: %v", id, err)
		}
		if !strings.Contains(string(report), `href="cases/`+id+`.html"`) {
			t.Errorf("the report does not link case %s", id)
		}
		page := string(b)
		for _, want := range []string{"evidence", "100.00", "99.50", "<svg", "back to the report"} {
			if !strings.Contains(page, want) {
				t.Errorf("case %s lacks %q", id, want)
			}
		}
	}
	b, _ := os.ReadFile(filepath.Join(dir, CasesDir, falseIDs[0]+".html"))
	for _, want := range []string{"false alert: at or above the operating threshold", "dev-three", "10.0.0.0/24", `class="inv"`, "424242"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("false case %s lacks %q", falseIDs[0], want)
		}
	}
	if len(tape.asked) != len(ids) {
		t.Fatalf("tape asked for %d windows, want %d", len(tape.asked), len(ids))
	}
	for _, w := range tape.asked {
		if w.To-w.From > int64(caseLongest) || len(w.Moments) != 3 || w.Moments[0] != w.From {
			t.Errorf("window %+v", w)
		}
	}
	// Re-rendered in place from its own files: the cases stay, linked.
	again, err := ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteDir(dir, again); err != nil {
		t.Fatal(err)
	}
	report, _ = os.ReadFile(filepath.Join(dir, ReportFile))
	for _, id := range ids {
		if !strings.Contains(string(report), `href="cases/`+id+`.html"`) {
			t.Errorf("re-rendered report lost the link to case %s", id)
		}
	}
	m, _ := ReadManifest(dir)
	found := false
	for _, f := range m.Files {
		found = found || strings.HasPrefix(f.Path, CasesDir+"/")
	}
	if !found {
		t.Error("the manifest does not hash the case files")
	}
}
