package perp

import (
	"math/rand/v2"
	"testing"

	"github.com/tapetest/tapetest/orderbook"
)

// Units in these tests: price 2 decimals, quantity 3 decimals, so raw money
// 1e5 = 1 USD and 1 BTC = 1000.
const usd = int64(100_000)

func testVenue(t testing.TB, fund int64) *Venue {
	t.Helper()
	v, err := New(Config{Tiers: DefaultTiers(), TakerFeePPM: 500, MakerFeePPM: 200, LiquidationFeePPM: 5_000,
		LiquidationBandPPM: 50_000, MarkBandPPM: 20_000, FundingInterval: 8 * 3600e9, FundingCapPPM: 7_500, InterestPPM: 100, InsuranceFund: fund, Tick: 1})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func top(bid, ask int64) orderbook.Top {
	return orderbook.Top{BidPrice: bid, BidQty: 1, AskPrice: ask, AskQty: 1}
}

// TestMarginAndBankruptcyByHand: 1,000 USD buys 0.5 BTC at 60,000.00.
func TestMarginAndBankruptcyByHand(t *testing.T) {
	v := testVenue(t, 0)
	v.Deposit(1, 1000*usd)
	v.Deposit(2, 1_000_000*usd)
	if err := v.Fill(orderbook.Fill{TakerAccount: 1, MakerAccount: 2, Aggressor: orderbook.Buy, Price: 6_000_000, Qty: 500}); err != nil {
		t.Fatal(err)
	}
	v.SetIndexInput(1, 6_000_000)
	v.UpdateMark(top(5_999_900, 6_000_100))
	a := v.Account(1)
	// Cash: 1000 USD − 30,000 USD − taker fee 0.05% of 30,000 = 15 USD.
	if a.Cash != (1000-30_000-15)*usd || a.Pos != 500 || a.Fees != 15*usd {
		t.Fatalf("account %+v", a)
	}
	// Equity at 60,000: 985 USD; maintenance 0.5% of 30,000 = 150 USD; initial for 30k notional = 1% = 300 USD.
	if e, mm := v.Equity(1), v.MaintenanceMargin(1); e != 985*usd || mm != 150*usd || v.InitialMargin(30_000*usd) != 300*usd {
		t.Fatalf("equity %d mm %d", e, mm)
	}
	// Bankruptcy: 29,015 USD of debt over 0.5 BTC = 58,030.00.
	if pb := bankruptcy(a); pb != 5_803_000 {
		t.Fatalf("bankruptcy %d", pb)
	}
	// Liquidation when equity < maintenance: 500·m − 29,015 USD < 0.005·500·m  ⇔  m < 58,321.60.
	if p, ok := v.LiquidationPrice(1); !ok || p != 5_832_160 {
		t.Fatalf("liquidation price %d, %v; want 5832160", p, ok)
	}
	// The short maker: 1,029,994 USD of cash over 0.5 BTC × 1.005 = 2,049,739.30.
	if p, ok := v.LiquidationPrice(2); !ok || p != 204_973_930 {
		t.Fatalf("short's liquidation price %d, %v", p, ok)
	}
	if _, ok := v.LiquidationPrice(3); ok {
		t.Fatal("an account with no position has a liquidation price")
	}
	for _, c := range []struct {
		mark int64
		liq  bool
	}{{5_832_200, false}, {5_832_100, true}} {
		v.SetIndexInput(1, c.mark)
		v.last = c.mark
		v.UpdateMark(top(c.mark-100, c.mark+100))
		if got := len(v.Liquidations()) == 1; got != c.liq {
			t.Fatalf("mark %d: liquidated=%v want %v (equity %d mm %d)", c.mark, got, c.liq, v.Equity(1), v.MaintenanceMargin(1))
		}
	}
	if v.Conservation() != 0 {
		t.Fatalf("conservation %d", v.Conservation())
	}
}

// TestLiquidationBeyondBankruptcyDrawsTheFund: the liquidation IOC fills
// below the bankruptcy price into a resting order; the fund pays the difference.
func TestLiquidationBeyondBankruptcyDrawsTheFund(t *testing.T) {
	v := testVenue(t, 10_000*usd)
	v.Deposit(1, 1000*usd)
	v.Deposit(2, 1_000_000*usd)
	v.Deposit(3, 1_000_000*usd)
	v.Fill(orderbook.Fill{TakerAccount: 1, MakerAccount: 2, Aggressor: orderbook.Buy, Price: 6_000_000, Qty: 500})
	v.SetIndexInput(1, 5_800_000)
	v.last = 5_800_000
	v.UpdateMark(top(5_799_900, 5_800_100))
	ls := v.Liquidations()
	if len(ls) != 1 || ls[0].Side != orderbook.Sell || ls[0].Qty != 500 || ls[0].ADLOnly {
		t.Fatalf("liquidations %+v", ls)
	}
	l := ls[0]
	if l.Limit != 5_510_000 { // mark − 5%
		t.Fatalf("limit %d", l.Limit)
	}
	// The book's only bid is account 3's at 57,000.00 (below bankruptcy 58,030): sell 0.5 BTC there.
	if err := v.Fill(orderbook.Fill{TakerAccount: 1, MakerAccount: 3, Aggressor: orderbook.Sell, Price: 5_700_000, Qty: 500}); err != nil {
		t.Fatal(err)
	}
	s, err := v.Settle(l)
	if err != nil {
		t.Fatal(err)
	}
	// Loss: (58,030 − 57,000) × 0.5 = 515 USD, plus the taker fee on 28,500 (14.25 USD) = 529.25 USD.
	if s.InsuranceLoss != 529_25*usd/100 || v.Fund() != 10_000*usd-s.InsuranceLoss || v.Account(1).Cash != 0 || len(s.ADL) != 0 {
		t.Fatalf("settlement %+v fund %d cash %d", s, v.Fund(), v.Account(1).Cash)
	}
	if v.Conservation() != 0 {
		t.Fatalf("conservation %d", v.Conservation())
	}
}

// TestADLWhenTheBookIsEmpty: nothing fills; the position is closed at the
// bankruptcy price against the most profitable short.
func TestADLWhenTheBookIsEmpty(t *testing.T) {
	v := testVenue(t, 0)
	v.Deposit(1, 1000*usd)
	v.Deposit(2, 100_000*usd)
	v.Deposit(4, 100_000*usd)
	v.Fill(orderbook.Fill{TakerAccount: 1, MakerAccount: 2, Aggressor: orderbook.Buy, Price: 6_000_000, Qty: 500})
	v.Fill(orderbook.Fill{TakerAccount: 4, MakerAccount: 2, Aggressor: orderbook.Sell, Price: 5_000_000, Qty: 100}) // 4 short 0.1 at 50k (losing)
	v.SetIndexInput(1, 5_700_000)
	v.last = 5_700_000
	v.UpdateMark(top(5_699_900, 5_700_100))
	ls := v.Liquidations()
	if len(ls) != 1 || !ls[0].ADLOnly {
		t.Fatalf("with an empty fund the engine must deleverage: %+v", ls)
	}
	s, err := v.Settle(ls[0])
	if err != nil {
		t.Fatal(err)
	}
	// Shorts: account 2 (short 0.4 net: −0.5 +0.1) profits; account 4 (short 0.1 at 50k) loses: 2 is first.
	if len(s.ADL) != 2 || s.ADL[0].To != 2 || s.ADL[0].Qty != 400 || s.ADL[1].To != 4 || s.ADL[0].Price != bankruptcy(&Account{Cash: -29_015 * usd, Pos: 500}) {
		t.Fatalf("adl %+v", s.ADL)
	}
	if v.Account(1).Pos != 0 || v.Conservation() != 0 {
		t.Fatalf("pos %d conservation %d", v.Account(1).Pos, v.Conservation())
	}
}

func TestFundingIsConservedAndCapped(t *testing.T) {
	v := testVenue(t, 0)
	for id := uint64(1); id <= 3; id++ {
		v.Deposit(id, 100_000*usd)
	}
	v.Fill(orderbook.Fill{TakerAccount: 1, MakerAccount: 2, Aggressor: orderbook.Buy, Price: 6_000_000, Qty: 333})
	v.Fill(orderbook.Fill{TakerAccount: 3, MakerAccount: 2, Aggressor: orderbook.Buy, Price: 6_000_000, Qty: 77})
	v.SetIndexInput(1, 6_000_000)
	v.last = 6_100_000
	v.UpdateMark(top(6_099_900, 6_100_100)) // mid 1.67% above index: premium capped at 0.75%
	if r := v.FundingRate(); r != 7_500 {
		t.Fatalf("rate %d", r)
	}
	pays, _, err := v.Funding(8 * 3600e9)
	if err != nil {
		t.Fatal(err)
	}
	if len(pays) != 3 || pays[0].Amount <= 0 || pays[1].Amount >= 0 {
		t.Fatalf("payments %+v", pays)
	}
	if v.Conservation() != 0 {
		t.Fatalf("conservation %d", v.Conservation())
	}
}

// FuzzConservation: random trading, index moves, funding and liquidations
// never create or destroy money.
func FuzzConservation(f *testing.F) {
	f.Add(uint64(1), uint64(2), 200)
	f.Add(uint64(7), uint64(9), 500)
	f.Fuzz(func(t *testing.T, s1, s2 uint64, n int) {
		if n < 0 || n > 2000 {
			return
		}
		r := rand.New(rand.NewPCG(s1, s2))
		v := testVenue(t, int64(r.IntN(5))*1000*usd)
		for id := uint64(1); id <= 6; id++ {
			v.Deposit(id, int64(500+r.IntN(5000))*usd)
		}
		price := int64(6_000_000)
		for i := 0; i < n; i++ {
			price = max(price+int64(r.IntN(40_001))-20_000, 100_000)
			v.SetIndexInput(uint64(r.IntN(3)), price)
			a, b := uint64(1+r.IntN(6)), uint64(1+r.IntN(6))
			if a != b {
				side := orderbook.Side(1 + r.IntN(2))
				if err := v.Fill(orderbook.Fill{TakerAccount: a, MakerAccount: b, Aggressor: side, Price: price, Qty: int64(1 + r.IntN(300))}); err != nil {
					t.Fatal(err)
				}
			}
			v.UpdateMark(top(price-100, price+100))
			if r.IntN(50) == 0 {
				if _, _, err := v.Funding(int64(i) * 8 * 3600e9); err != nil {
					t.Fatal(err)
				}
			}
			for _, l := range v.Liquidations() {
				if !l.ADLOnly && r.IntN(2) == 0 {
					// Part of the IOC fills at a price within the band against a random account.
					cp := uint64(1 + r.IntN(6))
					if cp != l.Account {
						p := l.Limit + int64(r.Int64N(max(abs(l.Mark-l.Limit), 1)))
						if l.Side == orderbook.Buy {
							p = l.Limit - int64(r.Int64N(max(abs(l.Mark-l.Limit), 1)))
						}
						v.Fill(orderbook.Fill{TakerAccount: l.Account, MakerAccount: cp, Aggressor: l.Side, Price: p, Qty: max(1, l.Qty/2)})
					}
				}
				if _, err := v.Settle(l); err != nil {
					// The fund ran dry or no counterparty is left: a venue halt, not a leak.
					break
				}
			}
			if c := v.Conservation(); c != 0 {
				t.Fatalf("step %d: money not conserved: %d", i, c)
			}
		}
	})
}
