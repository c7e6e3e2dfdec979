package agents

import (
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/scenarios/venue"
)

// fundamental moves an instrument's latent fair value: a geometric random
// walk with the spec's volatility and occasional jumps, updated every second,
// and pulled towards the last trade price (price impact of order flow).
type fundamental struct {
	sym      uint32
	vol      float64  // per sqrt(hour)
	jump     float64  // probability of a move each second (0: every second)
	volOfVol float64  // sd of log-volatility
	h        float64  // log-volatility deviation, AR(1)
	pending  float64  // news not yet priced in
	shocks   *float64 // shocks (15 steps) an hour; nil: one
	r        *rand.Rand

	newsLag     float64 // share of a move priced in the second after it
	halfSpread  float64 // the makers' half spread in ticks (0: tight)
	tradeImpact float64 // each trade moves the value itself (0: the pull below does)
}

func (f *fundamental) Act(v Venue) int64 {
	step := f.vol / 60 // per sqrt(second): sqrt(3600) = 60
	if f.volOfVol > 0 {
		// Volatility clustering: log-volatility is an AR(1) with a 5-minute
		// memory; the factor exp(h − η²) keeps the mean variance at vol².
		const phi = 0.996672 // exp(−1/300)
		f.h = phi*f.h + math.Sqrt(1-phi*phi)*f.volOfVol*f.r.NormFloat64()
		step *= math.Exp(f.h - f.volOfVol*f.volOfVol)
	}
	if f.jump > 0 {
		if f.r.Float64() >= f.jump {
			step = 0 // no news this second
		} else {
			step /= math.Sqrt(f.jump) // the same variance, in fewer moves
		}
	}
	x := f.r.NormFloat64() * step
	if f.shock() {
		x += f.r.NormFloat64() * step * 15
	}
	lag := f.newsLag
	if lag == 0 && f.jump > 0 && f.halfSpread == 0 {
		// News on a liquid market is priced in over two seconds, not one:
		// 1-second returns are slightly positively autocorrelated.
		lag = 0.1
	}
	if lag > 0 {
		x, f.pending = (1-lag)*x+f.pending, lag*x
	}
	before0 := v.Fair(f.sym)
	v.SetFair(f.sym, before0*math.Exp(x))
	// Order flow has a lasting impact: unless each trade moves the value
	// itself (trade_impact, in booked), the fair value is pulled a third of
	// the way towards the last trade price every second, so aggressive buying
	// moves the market makers' quotes up (and selling down).
	if f.tradeImpact == 0 && v.MakersPausedUntil(f.sym) <= v.Now() {
		// (Not while the makers stand aside: trades in an emptied book say
		// little about the value, and the makers come back quoting it.)
		fv := v.Fair(f.sym)
		v.SetFair(f.sym, fv+(float64(v.LastPrice(f.sym))-fv)/3)
	}
	v.FairMoved(f.sym, before0)
	return v.Now() + int64(time.Second)
}

// shock reports whether this second brings a shock, a move of about fifteen
// ordinary steps.
func (f *fundamental) shock() bool {
	if f.shocks == nil {
		return f.r.IntN(3600) == 0 // about one an hour
	}
	return f.r.Float64() < *f.shocks/3600
}

// marketMaker quotes three levels a side around the fair value, skewing its
// quotes against its inventory, and cancels and replaces them every few
// hundred milliseconds.
type marketMaker struct {
	sym      uint32
	account  uint64
	size     int64
	halfTick int64 // half spread in ticks
	tick     int64
	lot      int64
	touch    float64 // best-level size in typical sizes (0: 1)
	wide     float64 // half spread in ticks each quote draws around (0: halfTick)
	roundLot int64   // resting sizes are multiples of it (0: off)
	quotedAt float64 // the fair value of its last quotes
	ids      []uint64
	r        *rand.Rand
}

// NewMarketMaker is a market maker on sym trading from account.
func NewMarketMaker(sym uint32, account uint64, in Market, r *rand.Rand) Agent {
	return newMarketMaker(sym, account, in, r)
}

func newMarketMaker(sym uint32, account uint64, in Market, r *rand.Rand) *marketMaker {
	half := int64(1 + r.IntN(3))
	if in.Touch > 0 {
		half = 0 // makers with deep best levels quote tight: one-tick spreads
	}
	return &marketMaker{sym: sym, account: account, size: in.Size, halfTick: half, tick: in.Tick, lot: in.Lot, touch: in.Touch, wide: in.HalfSpread, roundLot: in.RoundLot, r: r}
}

// pull cancels the maker's quotes.
func (m *marketMaker) pull(v Venue) {
	for _, id := range m.ids {
		v.Pull(m.sym, id)
	}
	m.ids = m.ids[:0]
}

func (m *marketMaker) Act(v Venue) int64 {
	if m.touch > 0 && v.MakersPausedUntil(m.sym) <= v.Now() && math.Abs(v.Fair(m.sym)-m.quotedAt) < m.tolerance() && m.allLive(v) {
		// A deep maker reprices when the value moves (the fundamental calls
		// it then); its timer only replaces quotes that were taken.
		return v.Now() + m.wait()
	}
	m.pull(v)
	if until := v.MakersPausedUntil(m.sym); until > v.Now() {
		return until + venue.ExpDuration(m.r, 500*time.Millisecond) // standing aside: no quotes until then
	}
	m.quote(v)
	return v.Now() + m.wait()
}

// wait is the time to the maker's next look at its quotes.
func (m *marketMaker) wait() int64 {
	return int64(200*time.Millisecond) + venue.ExpDuration(m.r, 600*time.Millisecond)
}

// tolerance is how far the fair value may move before a deep maker reprices:
// a tick, or a quarter of a wide maker's half spread (a maker quoting tens of
// ticks wide does not chase every tick).
func (m *marketMaker) tolerance() float64 {
	return math.Max(1, m.wide/4) * float64(m.tick)
}

// allLive reports whether every quote of the maker is still resting in full.
func (m *marketMaker) allLive(v venue.Venue) bool {
	for _, id := range m.ids {
		if _, ok := v.Remaining(m.sym, id); !ok {
			return false
		}
	}
	return len(m.ids) > 0
}

// quote places the maker's levels around the fair value (its old ones pulled).
func (m *marketMaker) quote(v Venue) {
	m.quotedAt = v.Fair(m.sym)
	if v.MakersPausedUntil(m.sym) > v.Now() {
		return
	}
	fair := v.Fair(m.sym)
	inv := float64(v.Position(m.sym, m.account)) / (float64(m.size) * 20 * math.Max(m.touch, 1)) // inventory against what it quotes
	skew := -inv * float64(m.tick) * 2
	half, levels := m.halfTick, int64(3)
	if m.wide > 0 {
		half = int64(math.Round(m.wide * (0.5 + m.r.Float64())))
		skew *= math.Sqrt(m.wide) // inventory moves a wide quote further
		levels = 1                // a wide book's maker shows one order a side
	}
	for lvl := int64(0); lvl < levels; lvl++ {
		off := float64((half + lvl*2) * m.tick)
		mult := 1 + float64(lvl)
		if lvl == 0 && m.touch > 0 {
			mult = m.touch
		}
		q := venue.Lots(float64(m.size)*mult*math.Exp(m.r.NormFloat64()*0.5), m.lot)
		q = roundLots(q, m.roundLot, m.r)
		bid := venue.RoundTick(fair-off+skew, m.tick)
		ask := venue.RoundTick(fair+off+skew, m.tick)
		if ask <= bid {
			ask = bid + m.tick
		}

		if id, _, err := v.Submit(m.sym, m.account, venue.OrderRequest{Side: orderbook.Buy, Price: bid, Qty: q}); err == nil {
			m.ids = append(m.ids, id)
		}
		if id, _, err := v.Submit(m.sym, m.account, venue.OrderRequest{Side: orderbook.Sell, Price: ask, Qty: q}); err == nil {
			m.ids = append(m.ids, id)
		}
	}
}

// noiseTrader arrives as a Poisson process: market orders (a third) and
// passive limit orders near the touch that it cancels after a random lifetime;
// sizes are heavy-tailed.
type noiseTrader struct {
	sym     uint32
	account uint64
	rate    float64 // actions per minute
	size    int64
	open    []openOrder
	r       *rand.Rand
	ioc     bool    // the next aggressive order is an IOC limit
	disp    float64 // lognormal size dispersion (0: Pareto sizes)
	median  float64 // lognormal median, in typical sizes
	// roundLot makes its resting orders multiples of it (0: off).
	roundLot int64
	wide     float64 // a wide book's half spread in ticks (0: a tight book)
}

type openOrder struct {
	id      uint64
	expires int64
}

func (n *noiseTrader) Act(v Venue) int64 {
	now := v.Now()
	k := 0
	for _, o := range n.open {
		if o.expires <= now {
			v.Pull(n.sym, o.id)
			continue
		}
		n.open[k] = o
		k++
	}
	n.open = n.open[:k]
	in := v.Instrument(n.sym)
	side := orderbook.Buy
	if n.r.IntN(2) == 0 {
		side = orderbook.Sell
	}
	// Pareto-tailed size (alpha 1.8), capped; or lognormal when the
	// instrument asks for a dispersion (real venues' many tiny orders).
	q := venue.Lots(float64(n.size)*0.3*math.Min(math.Pow(1-n.r.Float64(), -1/1.8), 40), in.Lot)
	if n.disp > 0 {
		q = venue.Lots(float64(n.size)*math.Min(n.median*math.Exp(n.disp*n.r.NormFloat64()), 10), in.Lot)
	}
	aggressive := n.r.IntN(3) == 0
	if n.wide > 0 {
		// A wide book's traders mostly post and cancel: about one order in
		// eight takes liquidity (cancels per trade of an equity book).
		aggressive = n.r.IntN(8) == 0
	}
	if aggressive {
		// Every other aggressive order is a marketable IOC limit 20 bps
		// through the touch, as on crypto venues where many clients never send
		// market orders: an IOC flag says nothing about who sent it.
		n.ioc = !n.ioc
		if ref := v.LastPrice(n.sym); n.ioc && ref > 0 {
			p := venue.RoundTick(float64(ref)*1.002, in.Tick)
			if side == orderbook.Sell {
				p = venue.RoundTick(float64(ref)*0.998, in.Tick)
			}
			v.Submit(n.sym, n.account, venue.OrderRequest{Side: side, TIF: orderbook.IOC, Price: p, Qty: q})
		} else {
			v.Submit(n.sym, n.account, venue.OrderRequest{Side: side, Type: orderbook.Market, Qty: q})
		}
	} else {
		t := v.Top(n.sym)
		ref := v.LastPrice(n.sym)
		if side == orderbook.Buy && t.BidQty > 0 {
			ref = t.BidPrice
		} else if side == orderbook.Sell && t.AskQty > 0 {
			ref = t.AskPrice
		}
		away := int64(n.r.ExpFloat64()*3) * in.Tick
		if n.wide > 0 {
			// In a wide book a limit order rarely joins the touch: it rests
			// behind it, up to about the half spread away.
			away = (1 + int64(n.r.ExpFloat64()*n.wide/2)) * in.Tick
		}
		p := ref - away
		if side == orderbook.Sell {
			p = ref + away
		}
		if p < in.Tick {
			p = in.Tick
		}
		q = roundLots(q, n.roundLot, n.r)
		if id, _, err := v.Submit(n.sym, n.account, venue.OrderRequest{Side: side, Price: p, Qty: q}); err == nil {
			if _, live := v.Remaining(n.sym, id); live {
				n.open = append(n.open, openOrder{id: id, expires: now + venue.ExpDuration(n.r, 20*time.Second)})
			}
		}
	}
	mean := time.Duration(float64(time.Minute) / math.Max(n.rate, 1e-3))
	return now + venue.ExpDuration(n.r, mean) + 1
}

// momentumTrader buys after the price rose and sells after it fell over the
// last minute, with market orders.
type momentumTrader struct {
	sym     uint32
	account uint64
	size    int64
	hist    []int64
	r       *rand.Rand
}

func (m *momentumTrader) Act(v Venue) int64 {
	p := venue.Mid(v, m.sym)
	m.hist = append(m.hist, p)
	if len(m.hist) > 4 {
		m.hist = m.hist[1:]
	}
	if len(m.hist) == 4 {
		ret := float64(p-m.hist[0]) / float64(m.hist[0])
		if math.Abs(ret) > 0.0005 && m.r.IntN(2) == 0 {
			side := orderbook.Buy
			if ret < 0 {
				side = orderbook.Sell
			}
			v.Submit(m.sym, m.account, venue.OrderRequest{Side: side, Type: orderbook.Market, Qty: venue.Lots(float64(m.size)*(1+m.r.ExpFloat64()), v.Instrument(m.sym).Lot)})
		}
	}
	return v.Now() + int64(15*time.Second) + venue.ExpDuration(m.r, 10*time.Second)
}

// meanReversionTrader fades moves: when the mid has strayed from its
// five-minute average by more than the five-minute standard deviation it has
// seen over the last half hour, it trades against the move, taking the best
// level only (an IOC at the touch), betting that the price comes back.
type meanReversionTrader struct {
	sym     uint32
	account uint64
	size    int64
	avg     float64 // exponentially weighted mid, five-minute memory
	last    float64 // mid at the last look
	vari    float64 // variance of log returns per second, half-hour memory
	looks   int
	seen    int64 // time of the last look
	r       *rand.Rand
}

func (m *meanReversionTrader) Act(v Venue) int64 {
	now := v.Now()
	next := now + int64(20*time.Second) + venue.ExpDuration(m.r, 20*time.Second)
	p := float64(venue.Mid(v, m.sym))
	if p <= 0 {
		return next
	}
	if m.looks == 0 {
		m.avg, m.last, m.seen, m.looks = p, p, now, 1
		return next
	}
	dt := float64(now - m.seen)
	ret := math.Log(p / m.last)
	m.vari += (1 - math.Exp(-dt/float64(30*time.Minute))) * (ret*ret/(dt/1e9) - m.vari)
	m.avg += (1 - math.Exp(-dt/float64(5*time.Minute))) * (p - m.avg)
	m.last, m.seen = p, now
	if m.looks++; m.looks < 10 {
		return next // still learning how much the price moves
	}
	dev := math.Log(p / m.avg)
	if band := math.Sqrt(m.vari * 300); band > 0 && math.Abs(dev) > band && m.r.IntN(2) == 0 {
		takeTouch(v, m.sym, m.account, dev < 0, venue.Lots(float64(m.size)*(1+m.r.ExpFloat64()), v.Instrument(m.sym).Lot)) // fade the move
	}
	return next
}

// takeTouch sends an IOC buy (or sell) of qty at the best ask (bid): it takes
// the best level and no further. It sends nothing into a one-sided book.
func takeTouch(v venue.Venue, sym uint32, account uint64, buy bool, qty int64) []orderbook.Fill {
	t := v.Top(sym)
	if t.BidQty == 0 || t.AskQty == 0 {
		return nil
	}
	side, px := orderbook.Buy, t.AskPrice
	if !buy {
		side, px = orderbook.Sell, t.BidPrice
	}
	_, fills, _ := v.Submit(sym, account, venue.OrderRequest{Side: side, TIF: orderbook.IOC, Price: px, Qty: qty})
	return fills
}

// informedTrader occasionally learns news before the market (about once in
// three hours per trader): that the fair value will move by 1.5 to 3
// one-minute standard deviations in one to three minutes. It buys (or sells)
// ahead of the news in slices, taking the best level each time, for ten to
// thirty typical sizes in all; when the news is out, the value moves over
// the next newsSeconds as the market takes it in.
type informedTrader struct {
	sym     uint32
	account uint64
	size    int64
	vol     float64 // the instrument's volatility per square root of an hour
	move    float64 // log move of the news it knows (0: none)
	at      int64   // when the news is out
	left    int64   // quantity still to trade ahead of it
	steps   int     // seconds of the move priced in so far
	r       *rand.Rand
}

// newsSeconds is how many seconds the market takes to price in news.
const newsSeconds = 3

func (n *informedTrader) Act(v Venue) int64 {
	now := v.Now()
	idle := now + venue.ExpDuration(n.r, 3*time.Hour) + 1
	switch {
	case n.move == 0 && n.at == 0:
		n.at = -1 // the first call only draws when it learns something
		return idle
	case n.move == 0:
		sd := n.vol * math.Sqrt(1.0/60)
		n.move = sd * (1.5 + 1.5*n.r.Float64())
		if n.r.IntN(2) == 0 {
			n.move = -n.move
		}
		n.at = now + int64(time.Minute) + venue.ExpDuration(n.r, time.Minute)
		n.left = venue.Lots(float64(n.size)*(10+20*n.r.Float64()), v.Instrument(n.sym).Lot)
	case now >= n.at:
		before := v.Fair(n.sym)
		v.SetFair(n.sym, before*math.Exp(n.move/newsSeconds))
		v.FairMoved(n.sym, before)
		if n.steps++; n.steps < newsSeconds {
			return now + int64(time.Second)
		}
		n.move, n.steps = 0, 0
		return idle
	}
	if n.left > 0 {
		q := min(n.left, venue.Lots(float64(n.size)*(1+n.r.ExpFloat64()), v.Instrument(n.sym).Lot))
		for _, f := range takeTouch(v, n.sym, n.account, n.move > 0, q) {
			n.left -= f.Qty
		}
	}
	return min(n.at, now+int64(5*time.Second)+venue.ExpDuration(n.r, 5*time.Second))
}

// depthProvider keeps a dozen resting orders 5 to 300 bps away from the fair
// value on both sides and replaces a few of them every minute or so: the deep,
// slow liquidity of a real book that a sweep has to eat through.
type depthProvider struct {
	sym      uint32
	account  uint64
	size     int64
	roundLot int64 // its orders are a few of these (0: off)
	ids      []uint64
	r        *rand.Rand
}

func (d *depthProvider) Act(v Venue) int64 {
	in := v.Instrument(d.sym)
	// Replace up to four of the oldest orders (all of them on the first call).
	keep := d.ids[:0]
	for i, id := range d.ids {
		if i < 4 {
			v.Pull(d.sym, id)
			continue
		}
		if _, live := v.Remaining(d.sym, id); live {
			keep = append(keep, id)
		}
	}
	d.ids = keep
	fair := v.Fair(d.sym)
	for len(d.ids) < 12 {
		bps := 5 + 295*d.r.Float64()*d.r.Float64()
		side, p := orderbook.Buy, fair*(1-bps/1e4)
		if d.r.IntN(2) == 0 {
			side, p = orderbook.Sell, fair*(1+bps/1e4)
		}
		q := venue.Lots(float64(d.size)*(1+3*d.r.Float64()), in.Lot)
		if d.roundLot > 0 {
			q = d.roundLot * (1 + int64(d.r.IntN(5))) // deep liquidity: a few round lots
		}
		id, _, err := v.Submit(d.sym, d.account, venue.OrderRequest{Side: side, Price: venue.RoundTick(p, in.Tick), Qty: q})
		if err != nil {
			break
		}
		if _, live := v.Remaining(d.sym, id); live {
			d.ids = append(d.ids, id)
		}
	}
	return v.Now() + int64(40*time.Second) + venue.ExpDuration(d.r, 40*time.Second)
}

// ladderTrader keeps many small orders a few ticks to a few dozen behind the
// touch and keeps changing them: adds one here, moves one there, ten times a
// second. A liquid crypto book's depth moves like that all the time, which is
// what a depth feed mostly reports.
type ladderTrader struct {
	sym     uint32
	account uint64
	size    int64
	orders  []ladderOrder
	r       *rand.Rand
	// With a watcher, the book lists which of the trader's orders left it
	// (WatchLeft): the orders' sides, prices and liveness are known without
	// looking them up, and known is set, while that list is complete.
	watcher uint16 // 0: none (the book had no more): every guard looks its orders up
	left    []uint64
	known   bool
	// While bounds is set, no order is dead and every buy is priced at most
	// maxBuy and every sell at least minSell: a guard the price is not near
	// has nothing to do.
	bounds          bool
	maxBuy, minSell int64
}

// ladderOrder is one of a ladder trader's orders as it last knew it.
type ladderOrder struct {
	id    uint64
	side  orderbook.Side
	price int64
	dead  bool // it left the book (kept until the next guard, as a lookup would find it)
}

// learn reads which of the trader's orders left the book since it last
// asked and marks them dead; it reports whether the trader's view of its
// orders is now exact (false without a watcher, or when the book's list
// overflowed: then the guard looks every order up).
func (l *ladderTrader) learn(v Venue) bool {
	if l.watcher == 0 {
		return false
	}
	var complete bool
	l.left, complete = v.WatchLeft(l.sym, l.watcher, l.left[:0])
	if !complete {
		return false
	}
	if len(l.left) == 0 {
		return true
	}
	for i := range l.orders {
		if o := &l.orders[i]; !o.dead && slices.Contains(l.left, o.id) {
			o.dead, l.bounds = true, false
		}
	}
	return true
}

// guard pulls the orders the price has come within 5 ticks of (or passed):
// this depth is not there to be traded against at the touch. It first
// learns which orders left the book; without a watcher's list it looks
// every one up.
func (l *ladderTrader) guard(v Venue, mid float64) {
	l.known = l.learn(v)
	tick := float64(v.Instrument(l.sym).Tick)
	if l.known && l.bounds && mid-float64(l.maxBuy) >= 5*tick && float64(l.minSell)-mid >= 5*tick {
		return // every order is live, and none is near the price
	}
	keep := l.orders[:0]
	l.maxBuy, l.minSell, l.bounds = math.MinInt64, math.MaxInt64, true // of the orders kept, each now as the book has it
	for _, o := range l.orders {
		if !l.known {
			info, ok := v.Order(l.sym, o.id)
			o.side, o.price, o.dead = info.Side, info.Price, !ok
		}
		if o.dead {
			continue
		}
		if (o.side == orderbook.Buy && mid-float64(o.price) < 5*tick) || (o.side == orderbook.Sell && float64(o.price)-mid < 5*tick) {
			v.Cancel(l.sym, o.id)
			continue
		}
		keep = append(keep, o)
		if o.side == orderbook.Buy {
			l.maxBuy = max(l.maxBuy, o.price)
		} else {
			l.minSell = min(l.minSell, o.price)
		}
	}
	l.orders = keep
}

func (l *ladderTrader) Act(v Venue) int64 {
	in := v.Instrument(l.sym)
	t := v.Top(l.sym)
	if t.BidQty == 0 || t.AskQty == 0 {
		return v.Now() + venue.ExpDuration(l.r, 100*time.Millisecond) + 1
	}
	if l.watcher == 0 {
		if w, err := v.NewWatcher(l.sym); err == nil { // none left: every guard looks up
			l.watcher = w
			for _, o := range l.orders {
				v.Watch(l.sym, o.id, w)
			}
		}
	}
	l.guard(v, float64(t.BidPrice+t.AskPrice)/2)
	away := int64(8+l.r.ExpFloat64()*30) * in.Tick
	if len(l.orders) > 0 && (len(l.orders) >= 150 || l.r.IntN(2) == 0) {
		// Move one order to another level (an amend: the depth shifts,
		// nobody cancels). The guard left every order live and as the
		// book has it.
		o := &l.orders[l.r.IntN(len(l.orders))]
		p := t.BidPrice - away
		if o.side == orderbook.Sell {
			p = t.AskPrice + away
		}
		if p > in.Tick && p != o.price {
			at, live := v.Move(l.sym, o.id, p)
			o.price, o.dead = at, !live
			if !live {
				l.bounds = false
			} else if o.side == orderbook.Buy {
				l.maxBuy = max(l.maxBuy, o.price)
			} else {
				l.minSell = min(l.minSell, o.price)
			}
		}
	} else {
		side, p := orderbook.Buy, t.BidPrice-away
		if l.r.IntN(2) == 0 {
			side, p = orderbook.Sell, t.AskPrice+away
		}
		q := venue.Lots(float64(l.size)*0.02*math.Exp(l.r.NormFloat64()*1.5), in.Lot)
		if p > in.Tick {
			if id, _, err := v.Submit(l.sym, l.account, venue.OrderRequest{Side: side, Price: p, Qty: q}); err == nil {
				if info, resting := v.Watch(l.sym, id, l.watcher); resting { // where it rests, as a venue rule left it
					l.orders = append(l.orders, ladderOrder{id: id, side: info.Side, price: info.Price})
					if info.Side == orderbook.Buy {
						l.maxBuy = max(l.maxBuy, info.Price)
					} else {
						l.minSell = min(l.minSell, info.Price)
					}
				}
			}
		}
	}
	return v.Now() + venue.ExpDuration(l.r, 100*time.Millisecond) + 1
}

// roundLots gives a resting order on a round-lot venue its size: mostly one
// round lot, sometimes a few (equity limit orders are 100 shares, over and
// over); roundLot 0 leaves q as it is.
func roundLots(q, roundLot int64, r *rand.Rand) int64 {
	if roundLot <= 0 {
		return q
	}
	n := int64(1)
	for n < 10 && r.Float64() < 0.05 {
		n++
	}
	return n * roundLot
}

func (a *fundamental) describe() Identity { return Identity{Fundamental, a.sym, 0} }

func (a *marketMaker) describe() Identity { return Identity{MarketMaker, a.sym, a.account} }

func (a *noiseTrader) describe() Identity { return Identity{Noise, a.sym, a.account} }

func (a *depthProvider) describe() Identity { return Identity{Depth, a.sym, a.account} }

func (a *ladderTrader) describe() Identity { return Identity{Ladder, a.sym, a.account} }

func (a *momentumTrader) describe() Identity { return Identity{Momentum, a.sym, a.account} }

func (a *meanReversionTrader) describe() Identity { return Identity{MeanReversion, a.sym, a.account} }

func (a *informedTrader) describe() Identity { return Identity{Informed, a.sym, a.account} }
