package injectors

import (
	"fmt"
	"time"

	"github.com/tapetest/tapetest/labels"
	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/scenarios/venue"
)

// perpAttack is the common part of the perpetual-swap injections: it needs a
// perpetual instrument and writes the insurance fund loss into its label.
type perpAttack struct {
	attack
	pv         venue.PerpVenue
	lossOf     []uint64 // accounts whose liquidations count (nil: any in the window)
	lossWindow int64    // how long after the attack's end a liquidation still counts (ns)
}

func newPerpAttack(p Params) (perpAttack, error) {
	if p.Instrument.Kind != "perp" {
		return perpAttack{}, fmt.Errorf("%s: instrument %s is not a perpetual swap (kind: perp)", p.Typology, p.SymbolName)
	}
	k, err := resolve(p)
	return perpAttack{attack: attack{p: p, k: k}, lossWindow: int64(time.Minute)}, err
}

// prepare binds the venue and draws n accounts (linked ones share attributes).
func (a *perpAttack) prepare(v venue.Venue, n int, linked bool) bool {
	pv, ok := v.(venue.PerpVenue)
	if !ok {
		return false
	}
	a.pv = pv
	a.accounts = v.AttackAccounts(n, linked)
	return true
}

// Label adds the insurance fund's loss to the ground truth.
func (a *perpAttack) Label() labels.Label {
	l := a.attack.Label()
	if a.pv != nil {
		l.InsuranceLoss = a.pv.InsuranceLoss(a.p.Symbol, a.lossOf, l.Start, l.End+a.lossWindow)
	}
	return l
}

// refPrice is the mark, or the last price before the first mark.
func refPrice(pv venue.PerpVenue, sym uint32) int64 {
	if m := pv.Mark(sym); m > 0 {
		return m
	}
	return pv.LastPrice(sym)
}

// fund deposits enough collateral for a position of qty at price with the
// given leverage.
func fund(pv venue.PerpVenue, sym uint32, account uint64, qty, price int64, leverage float64) {
	pv.Deposit(sym, account, int64(float64(qty)*float64(price)/leverage)+1)
}

// closeAll sends each account's closing order (closeOut) and reports whether
// all of them are flat.
func closeAll(v venue.Venue, sym uint32, accounts []uint64, chunk int64) bool {
	flat := true
	for _, a := range accounts {
		if !closeOut(v, sym, a, chunk) {
			flat = false
		}
	}
	return flat
}

// closeOut sends a market order that flattens account's position on sym, in
// pieces of at most chunk; it reports whether the account is flat.
func closeOut(v venue.Venue, sym uint32, account uint64, chunk int64) bool {
	pos := v.Position(sym, account)
	if pos == 0 {
		return true
	}
	side, q := orderbook.Sell, pos
	if pos < 0 {
		side, q = orderbook.Buy, -pos
	}
	v.Submit(sym, account, venue.OrderRequest{Side: side, Type: orderbook.Market, Qty: min(q, chunk)})
	return v.Position(sym, account) == 0
}

func abs64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}
