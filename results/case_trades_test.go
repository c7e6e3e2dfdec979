package results

import (
	"bytes"
	"fmt"
	"html/template"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/tapetest/tapetest/detectors"
	"github.com/tapetest/tapetest/internal/golden"
)

// TestCaseTradesListTheAlertsAccountsFirst: a case page lists the trades of
// the alert's accounts first (all of the window's in time order when it
// names none), then the others, caseTradeRows at most, and its note counts
// them — checked against the rule written the plain way (every trade
// formatted, the involved moved first, the list cut), for windows below,
// at and far above the page's rows.
func TestCaseTradesListTheAlertsAccountsFirst(t *testing.T) {
	for _, tc := range []struct {
		trades, every int // window's trades; every every-th is by the alert's account
		accounts      []uint64
	}{
		{0, 3, []uint64{7}},
		{10, 3, []uint64{7}},
		{caseTradeRows, 2, []uint64{7}},
		{2000, 3, []uint64{7}},
		{2000, 1000, []uint64{7}}, // few involved: the rest fill the page
		{caseTradesKept, 7, []uint64{7, 9}},
		{2000, 3, nil}, // no accounts: the window in time order
	} {
		t.Run(fmt.Sprintf("trades=%d/every=%d/accounts=%d", tc.trades, tc.every, len(tc.accounts)), func(t *testing.T) {
			w := CaseWindow{Symbol: "X", From: 1e18, To: 1e18 + 3600e9, Accounts: tc.accounts}
			m := &CaseMarket{Instrument: CaseInstrument{Symbol: "X", PriceDecimals: 2, QtyDecimals: 3}}
			for i := range tc.trades {
				tr := CaseTrade{TS: w.From + int64(i)*1e9, Price: 100 + float64(i%17)/4, Qty: float64(1+i%5) / 8, Buy: i%2 == 0, Maker: uint64(100 + i%11), Taker: uint64(200 + i%13)}
				if i%tc.every == 0 && len(tc.accounts) > 0 {
					tr.Taker = tc.accounts[i%len(tc.accounts)]
				}
				m.Trades = append(m.Trades, tr)
			}
			a := detectors.Alert{Symbol: "X", RaisedAt: w.To, Start: w.From, End: w.To, Accounts: tc.accounts, Score: 1}
			v := newCaseView(a, caseRef{ID: "c"}, alertStanding{}, w, m, nil, nil)

			// The rule, the plain way.
			involved := map[uint64]bool{}
			for _, x := range tc.accounts {
				involved[x] = true
			}
			var rows, rest []caseTradeRow
			for _, tr := range m.Trades {
				row := caseTradeRow{Time: clock(tr.TS), Side: "sell", Price: fixed(tr.Price, 2), Qty: fixed(tr.Qty, 3), Maker: accountText(tr.Maker), Taker: accountText(tr.Taker),
					Involved: involved[tr.Maker] || involved[tr.Taker]}
				if tr.Buy {
					row.Side = "buy"
				}
				if row.Involved || len(involved) == 0 {
					rows = append(rows, row)
				} else {
					rest = append(rest, row)
				}
			}
			listed := len(rows)
			rows = append(rows, rest...)
			if len(rows) > caseTradeRows {
				rows = rows[:caseTradeRows]
			}
			if !reflect.DeepEqual(v.Trades, rows) {
				t.Fatalf("%d rows listed, the rule gives %d (first differing at %d)", len(v.Trades), len(rows), firstDiff(v.Trades, rows))
			}
			if len(involved) > 0 && tc.trades > 0 {
				want := fmt.Sprintf("%d trades in the window, %d of them by the alert's accounts (listed first); %d rows shown.", tc.trades, listed, len(rows))
				if v.TradesNote != want {
					t.Fatalf("note %q, want %q", v.TradesNote, want)
				}
			}
		})
	}
}

func firstDiff(a, b []caseTradeRow) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestCaseChartBytes holds a case page's chart (the SVG of quotes, trades,
// labels' windows and the alert) to a golden file written by the code
// before it was made faster: a market of 400 quotes and trades, some by
// the alert's account. go test -run CaseChartBytes -update rewrites it.
func TestCaseChartBytes(t *testing.T) {
	w := CaseWindow{Symbol: "X", From: 1e18, To: 1e18 + 600e9, Accounts: []uint64{7}}
	m := &CaseMarket{Instrument: CaseInstrument{Symbol: "X", PriceDecimals: 2, QtyDecimals: 3}}
	for i := range 400 {
		ts := w.From + int64(i)*1500e6
		px := 100 + float64(i%37)/8 - float64(i%11)/16
		m.Quotes = append(m.Quotes, CaseBook{TS: ts, Bids: []CaseLevel{{Price: px - 0.25, Qty: 1}}, Asks: []CaseLevel{{Price: px + 0.25, Qty: 2}}})
		if i%4 == 1 { // a one-sided book now and then
			m.Quotes[i].Asks = nil
		}
		tr := CaseTrade{TS: ts + 1, Price: px, Qty: 0.5, Buy: i%2 == 0, Maker: uint64(100 + i%9), Taker: uint64(200 + i%5)}
		if i%13 == 0 {
			tr.Taker = 7
		}
		m.Trades = append(m.Trades, tr)
	}
	a := detectors.Alert{Symbol: "X", RaisedAt: w.From + 400e9, Start: w.From + 100e9, End: w.From + 400e9, Accounts: []uint64{7}, Score: 1}
	svg := caseChart(a, w, m, map[uint64]bool{7: true}, [][2]int64{{w.From + 90e9, w.From + 410e9}})
	golden.Check(t, filepath.Join("testdata", "case_chart.svg"), []byte(svg), "the case files of the results would change")
}

// caseTradeRowsTemplate is how the case page's template wrote its trade
// rows before caseTradeRowsHTML: the reference it is held to.
const caseTradeRowsTemplate = `<table>{{range .}}<tr{{if .Involved}} class="inv"{{end}}><td class="l">{{.Time}}</td><td class="l">{{.Side}}</td><td>{{.Price}}</td><td>{{.Qty}}</td><td>{{.Maker}}</td><td>{{.Taker}}</td></tr>{{end}}</table>`

// TestCaseTradeRowsAreTheTemplates: the trade rows written in Go are the
// bytes html/template wrote, for fields as the page makes them and for
// every character its escaper replaces (NUL, quotes, &, +, <, >), invalid
// UTF-8, non-ASCII and the noncharacters it leaves in text.
func TestCaseTradeRowsAreTheTemplates(t *testing.T) {
	tmpl := template.Must(template.New("rows").Parse(caseTradeRowsTemplate))
	odd := []string{"", "2024-08-08 12:00:01.250", "buy", "–", "+Inf", "-Inf", "NaN", "-0.5", `a<b>&'"+c`, "\x00x", "\xff\xfe bad", "日本", "\uFDD0\uFFFE", "x\u2028y", "&amp;", "<script>"}
	var rows []caseTradeRow
	for i := range 40 {
		rows = append(rows, caseTradeRow{Time: odd[i%len(odd)], Side: odd[(i+3)%len(odd)], Price: odd[(i+5)%len(odd)], Qty: odd[(i+7)%len(odd)],
			Maker: odd[(i+11)%len(odd)], Taker: odd[(i+13)%len(odd)], Involved: i%3 == 0})
	}
	for _, rs := range [][]caseTradeRow{nil, rows[:1], rows} {
		var want bytes.Buffer
		if err := tmpl.Execute(&want, rs); err != nil {
			t.Fatal(err)
		}
		got := "<table>" + string(caseTradeRowsHTML(rs)) + "</table>"
		if got != want.String() {
			t.Fatalf("%d rows:\n got %q\nwant %q", len(rs), got, want.String())
		}
	}
}
