// Package perp holds a perpetual-swap venue's rules beside its matching book:
// per-account positions and cash, risk-limit tiers with initial and
// maintenance margin, the index and mark price, funding, the liquidation
// engine, the insurance fund and auto-deleveraging. It decides; the caller
// (the scenario generator's simulated venue) sends the liquidation orders it
// asks for into the orderbook.Book and reports every fill back.
//
// # Money
//
// Money is an exact int64 in "raw" units: price × quantity in fixed point,
// i.e. a scale of 10^-(PriceExp+QtyExp) quote currency. A fill of q at p moves
// exactly p·q from the buyer's cash to the seller's — so trading is zero-sum to
// the unit — and an account's equity at mark m is cash + position·m. Nothing
// is divided except funding and fees, whose rounding residue goes to the
// insurance fund, so money is conserved exactly: the sum of every account's
// equity change, the fees collected and the insurance fund's change is zero
// at every instant (Venue.Conservation).
//
// # Prices
//
// The index is the median of the latest price of each external constituent
// (SetIndexInput). The mark is the median of the index, the book's mid and the
// last trade price (inputs not yet seen are left out), clamped to within
// Config.MarkBandPPM of the index when there is one.
//
// # Margin and liquidation
//
// Position notional = |position| × mark. Its risk-limit tier (the first whose
// MaxNotional covers it) sets the initial (IMR) and maintenance (MMR) margin
// rates in parts per million. An account whose equity falls below the
// maintenance margin is liquidated: its bankruptcy price is the price at which
// its equity would be zero, Pb = −cash / position. The venue asks for an IOC
// order flagged as a liquidation, for the whole position, limited to
// LiquidationBandPPM beyond the mark (the worst price the engine accepts). Its
// fills settle at the book's prices; whatever the book could not take is
// auto-deleveraged at Pb against the opposite positions ranked by profit ×
// leverage. A negative remaining equity (fills worse than Pb) is paid by the
// insurance fund; a positive one pays the liquidation fee (LiquidationFeePPM ×
// liquidated notional, capped at the equity) into the fund. When the fund
// could not cover the worst loss within the band, the whole position is
// auto-deleveraged at Pb instead, so the fund never goes negative.
//
// # Funding
//
// Every FundingInterval the venue charges funding: rate = clamp(premium +
// clamp(interest − premium, ±0.05%), ±FundingCapPPM), where premium is the
// time-average of (mid − index) / index sampled at every mark update of the
// interval. Longs pay shorts position × mark × rate when the rate is positive.
package perp
