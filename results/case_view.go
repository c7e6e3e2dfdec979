package results

import (
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/tapetest/tapetest/detectors"
	"github.com/tapetest/tapetest/labels"
	"github.com/tapetest/tapetest/replay"
)

// caseView is one case file.
type caseView struct {
	ID, Why                     string
	Instance, Typology, Symbol  string
	Score, Threshold            string
	Status                      string
	False                       bool
	Raised, Start, End          string
	WindowFrom, WindowTo        string
	Evidence                    string
	Labels                      []caseLabel
	Chart                       template.HTML
	Ladders                     []caseLadder
	Accounts                    []caseAccount
	Trades                      []caseTradeRow
	TradeRows                   template.HTML // Trades as the page's rows (caseTradeRowsHTML)
	TradesNote                  string
	PriceDecimals, QtyDecimals  int
	AccountsKnown, AccountsNote string
}

type caseLabel struct {
	ID, Typology, Intensity, Window, Accounts string
}

type caseLadder struct {
	Title, At string
	Rows      []caseLadderRow
}

type caseLadderRow struct {
	BidOrders, BidQty, BidPrice, AskPrice, AskQty, AskOrders string
}

type caseAccount struct {
	Account                                 uint64
	Device, IPSubnet, Funding, Country      string
	Referrer                                string
	Trades                                  int
	Bought, Sold                            string
	AsMaker, AsTaker, WithOtherAlertAccount int
}

type caseTradeRow struct {
	Time, Side, Price, Qty, Maker, Taker string
	Involved                             bool
}

// newCaseView lays out one case.
func newCaseView(a detectors.Alert, r caseRef, st alertStanding, w CaseWindow, m *CaseMarket, attrs map[uint64]replay.AccountAttrs, lbl map[string]labels.Label) *caseView {
	pd, qd := m.Instrument.PriceDecimals, m.Instrument.QtyDecimals
	v := &caseView{ID: r.ID, Why: r.Why, Instance: a.Instance, Typology: string(a.Typology), Symbol: a.Symbol,
		Score: strconv.FormatFloat(a.Score, 'g', 6, 64), Threshold: strconv.FormatFloat(st.Threshold, 'g', 6, 64),
		Raised: clock(a.RaisedAt), Start: clock(a.Start), End: clock(a.End), WindowFrom: clock(w.From), WindowTo: clock(w.To),
		Evidence: a.Evidence, False: st.False(), PriceDecimals: pd, QtyDecimals: qd}
	switch {
	case len(st.Labels) > 0:
		v.Status = "true alert: matched " + strings.Join(st.Labels, ", ")
	case st.Above:
		v.Status = "false alert: at or above the operating threshold, matched no label of its typology"
	default:
		v.Status = "below the operating threshold: analysts would not see it; matched no label"
	}
	for _, id := range st.Labels {
		l := lbl[id]
		v.Labels = append(v.Labels, caseLabel{ID: id, Typology: string(l.Typology), Intensity: string(l.Intensity),
			Window: clock(l.Start) + " – " + clock(l.End), Accounts: accountList(l.Accounts)})
	}
	involved := map[uint64]bool{}
	for _, x := range a.Accounts {
		involved[x] = true
	}
	// The accounts the alert names, with what the exchange knows of them and
	// what they traded in the window.
	v.AccountsKnown = "the alert names no accounts (anonymous data, or a detector that reads the market only)"
	if len(a.Accounts) > 0 {
		v.AccountsKnown = ""
	}
	for _, x := range a.Accounts {
		ca := caseAccount{Account: x, Referrer: "–"}
		if at, ok := attrs[x]; ok {
			ca.Device, ca.IPSubnet, ca.Funding, ca.Country = at.Device, at.IPSubnet, at.Funding, at.Country
			if at.Referrer != 0 {
				ca.Referrer = strconv.FormatUint(at.Referrer, 10)
			}
		}
		var bought, sold float64
		for _, t := range m.Trades {
			buyer, seller := t.Taker, t.Maker
			if !t.Buy {
				buyer, seller = t.Maker, t.Taker
			}
			if buyer != x && seller != x {
				continue
			}
			ca.Trades++
			if buyer == x {
				bought += t.Qty
			}
			if seller == x {
				sold += t.Qty
			}
			if t.Maker == x {
				ca.AsMaker++
			}
			if t.Taker == x {
				ca.AsTaker++
			}
			other := t.Maker
			if other == x {
				other = t.Taker
			}
			if involved[other] { // another of the alert's accounts, or itself
				ca.WithOtherAlertAccount++
			}
		}
		ca.Bought, ca.Sold = fixed(bought, qd), fixed(sold, qd)
		v.Accounts = append(v.Accounts, ca)
	}
	if len(attrs) == 0 && len(a.Accounts) > 0 {
		v.AccountsNote = "The run holds no account attributes (device, network, funding): public or historical data."
	}
	// Trades: those of the alert's accounts first when it names any, else
	// the window's in time order; the chart draws every one kept. Only the
	// rows the page lists are formatted (a window keeps up to
	// caseTradesKept trades, the page lists caseTradeRows).
	first := func(t *CaseTrade) bool { return len(involved) == 0 || involved[t.Maker] || involved[t.Taker] }
	shown := make([]int, 0, min(len(m.Trades), caseTradeRows))
	listed := 0
	for i := range m.Trades {
		if first(&m.Trades[i]) {
			listed++
			if len(shown) < caseTradeRows {
				shown = append(shown, i)
			}
		}
	}
	for i := range m.Trades {
		if len(shown) == caseTradeRows {
			break
		}
		if !first(&m.Trades[i]) {
			shown = append(shown, i)
		}
	}
	var rows []caseTradeRow
	if len(shown) > 0 {
		rows = make([]caseTradeRow, len(shown))
	}
	for k, i := range shown {
		t := &m.Trades[i]
		rows[k] = caseTradeRow{Time: clock(t.TS), Side: "sell", Price: fixed(t.Price, pd), Qty: fixed(t.Qty, qd), Maker: accountText(t.Maker), Taker: accountText(t.Taker),
			Involved: involved[t.Maker] || involved[t.Taker]}
		if t.Buy {
			rows[k].Side = "buy"
		}
	}
	total := len(m.Trades) + m.TradesOmitted
	v.Trades, v.TradeRows = rows, caseTradeRowsHTML(rows)
	switch {
	case total == 0:
		v.TradesNote = "No trades in the window."
	case len(involved) > 0:
		v.TradesNote = fmt.Sprintf("%d trades in the window, %d of them by the alert's accounts (listed first); %d rows shown.", total, listed, len(rows))
	default:
		v.TradesNote = fmt.Sprintf("%d trades in the window; the first %d shown.", total, len(rows))
	}
	if m.TradesOmitted > 0 {
		v.TradesNote += fmt.Sprintf(" The busiest windows keep their first %d trades: %d later ones are counted, not drawn.", caseTradesKept, m.TradesOmitted)
	}
	titles := []string{"window start", "alert start", "raised"}
	for k, b := range m.Ladders {
		ld := caseLadder{Title: titles[min(k, len(titles)-1)], At: "no snapshot yet"}
		if b.TS != 0 {
			ld.At = "as of " + clock(b.TS)
		}
		for j := 0; j < max(len(b.Bids), len(b.Asks)); j++ {
			var row caseLadderRow
			if j < len(b.Bids) {
				row.BidPrice, row.BidQty, row.BidOrders = fixed(b.Bids[j].Price, pd), fixed(b.Bids[j].Qty, qd), ordersText(b.Bids[j].Orders)
			}
			if j < len(b.Asks) {
				row.AskPrice, row.AskQty, row.AskOrders = fixed(b.Asks[j].Price, pd), fixed(b.Asks[j].Qty, qd), ordersText(b.Asks[j].Orders)
			}
			ld.Rows = append(ld.Rows, row)
		}
		v.Ladders = append(v.Ladders, ld)
	}
	var lwins [][2]int64
	for _, id := range st.Labels {
		lwins = append(lwins, [2]int64{lbl[id].Start, lbl[id].End})
	}
	v.Chart = caseChart(a, w, m, involved, lwins)
	return v
}

func ordersText(n int32) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(int(n))
}

func accountText(a uint64) string {
	if a == 0 {
		return "–"
	}
	return strconv.FormatUint(a, 10)
}

func accountList(as []uint64) string {
	s := make([]string, len(as))
	for i, a := range as {
		s[i] = strconv.FormatUint(a, 10)
	}
	return strings.Join(s, " ")
}

// caseChart draws the window's best bid and ask, its trades (the alert's
// accounts' in red), the alert's window, the matched labels' windows and
// the moment it was raised, as an inline SVG with UTC times and the
// instrument's decimals on the axes.
func caseChart(a detectors.Alert, w CaseWindow, m *CaseMarket, involved map[uint64]bool, lwins [][2]int64) template.HTML {
	const W, H, left, right, top, bottom = 960.0, 300.0, 86.0, 34.0, 14.0, 40.0
	pw, ph := W-left-right, H-top-bottom
	lo, hi := math.Inf(1), math.Inf(-1)
	see := func(p float64) {
		if p > 0 && !math.IsInf(p, 0) && !math.IsNaN(p) {
			lo, hi = math.Min(lo, p), math.Max(hi, p)
		}
	}
	quotes := m.Quotes
	if len(m.Ladders) > 0 && m.Ladders[0].TS != 0 { // the book as the window opens
		b := m.Ladders[0]
		quotes = append([]CaseBook{{TS: w.From, Bids: b.Bids[:min(1, len(b.Bids))], Asks: b.Asks[:min(1, len(b.Asks))]}}, quotes...)
	}
	for _, q := range quotes {
		if len(q.Bids) > 0 {
			see(q.Bids[0].Price)
		}
		if len(q.Asks) > 0 {
			see(q.Asks[0].Price)
		}
	}
	for _, t := range m.Trades {
		see(t.Price)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %g %g" width="%g" height="%g" role="img" aria-label="price, trades and alert window of %s" font-family="Liberation Sans, Arial, sans-serif" font-size="11">`, W, H, W, H, template.HTMLEscapeString(a.Symbol))
	if math.IsInf(lo, 1) {
		fmt.Fprintf(&b, `<text x="%g" y="%g">no book or trades in the window</text></svg>`, left, H/2)
		return template.HTML(b.String())
	}
	if hi == lo {
		lo, hi = lo*0.999, hi*1.001
	}
	pad := (hi - lo) * 0.05
	lo, hi = lo-pad, hi+pad
	x := func(ts int64) float64 {
		return left + pw*float64(min(max(ts, w.From), w.To)-w.From)/float64(max(w.To-w.From, 1))
	}
	y := func(p float64) float64 { return top + ph*(hi-p)/(hi-lo) }
	band := func(s, e int64, fill string) {
		fmt.Fprintf(&b, `<rect x="%.1f" y="%g" width="%.1f" height="%g" fill="%s"/>`, x(s), top, math.Max(x(e)-x(s), 1), ph, fill)
	}
	for _, l := range lwins {
		band(l[0], l[1], "#c6dbef")
	}
	band(a.Start, a.End, "#fdd0a2")
	fmt.Fprintf(&b, `<rect x="%g" y="%g" width="%g" height="%g" fill="none" stroke="#9aa4ae"/>`, left, top, pw, ph)
	// Axes: five times, five prices.
	for k := 0; k <= 4; k++ {
		ts := w.From + (w.To-w.From)*int64(k)/4
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%g" y2="%g" stroke="#9aa4ae"/><text x="%.1f" y="%g" text-anchor="middle">%s</text>`,
			x(ts), x(ts), top+ph, top+ph+4, x(ts), top+ph+16, time.Unix(0, ts).UTC().Format("15:04:05"))
		p := lo + (hi-lo)*float64(k)/4
		fmt.Fprintf(&b, `<line x1="%g" x2="%g" y1="%.1f" y2="%.1f" stroke="#e3e7eb"/><text x="%g" y="%.1f" text-anchor="end">%s</text>`,
			left, left+pw, y(p), y(p), left-4, y(p)+4, fixed(p, m.Instrument.PriceDecimals+1))
	}
	fmt.Fprintf(&b, `<text x="%g" y="%g" text-anchor="middle">time (UTC) %s</text>`, left+pw/2, H-4, time.Unix(0, w.From).UTC().Format("2006-01-02"))
	fmt.Fprintf(&b, `<text transform="rotate(-90)" x="%g" y="12" text-anchor="middle">price</text>`, -(top + ph/2))
	// The points are appended to one buffer: a window's thousands of
	// quotes made a string each, joined after.
	var pts []byte
	step := func(side int, color string) {
		pts = pts[:0]
		point := func(px, py float64) {
			if len(pts) > 0 {
				pts = append(pts, ' ')
			}
			pts = strconv.AppendFloat(pts, px, 'f', 1, 64) // as %.1f writes it
			pts = append(pts, ',')
			pts = strconv.AppendFloat(pts, py, 'f', 1, 64)
		}
		var prev float64
		for _, q := range quotes {
			lv := q.Bids
			if side == 1 {
				lv = q.Asks
			}
			if len(lv) == 0 {
				continue
			}
			if len(pts) > 0 {
				point(x(q.TS), prev)
			}
			prev = y(lv[0].Price)
			point(x(q.TS), prev)
		}
		if len(pts) > 0 {
			point(x(w.To), prev)
			fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="1.2" points="%s"/>`, color, pts)
		}
	}
	step(0, "#1e7b34")
	step(1, "#b3261e")
	// One mark per pixel: a busy window's thousands of trades draw as the
	// same picture in a fraction of the bytes.
	drawn := map[[3]int]bool{}
	var mark []byte
	for _, pass := range [2]bool{false, true} {
		for _, t := range m.Trades {
			inv := involved[t.Maker] || involved[t.Taker]
			px, py := x(t.TS), y(t.Price)
			k := [3]int{int(math.Round(px)), int(math.Round(py)), 0}
			if inv {
				k[2] = 1
			}
			if inv != pass || drawn[k] {
				continue
			}
			drawn[k] = true
			// A circle a trade: written without fmt, which boxed its two
			// numbers on every one.
			mark = append(mark[:0], `<circle cx="`...)
			mark = strconv.AppendInt(mark, int64(k[0]), 10)
			mark = append(mark, `" cy="`...)
			mark = strconv.AppendInt(mark, int64(k[1]), 10)
			if inv {
				mark = append(mark, `" r="3.2" fill="#08519c" stroke="#fff" stroke-width="0.6"/>`...)
			} else {
				mark = append(mark, `" r="1.8" fill="#5b6570" fill-opacity="0.6"/>`...)
			}
			b.Write(mark)
		}
	}
	fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%g" y2="%g" stroke="#1b1f24" stroke-dasharray="4 3"/>`, x(a.RaisedAt), x(a.RaisedAt), top, top+ph)
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
