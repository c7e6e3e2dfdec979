package detectors

import (
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/tapetest/tapetest/component"
	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
)

func init() {
	mustRegister(Definition{
		Typology: replay.MarkingTheClose,
		Spec: component.Spec{Name: "marking_close",
			Summary: "Marking the close: reference times every period (a daily close, 8-hourly funding, hourly index fixings), aligned to " +
				"the Unix epoch. At each reference, per account, the net aggressive volume in the lead window before it is compared with " +
				"the typical trade size; alerts for accounts whose one-sided aggressive flow in the window is at least min_x typical trades, " +
				"spread over at least min_orders orders. What makes it unusual is the account's own habit: score = net volume in typical " +
				"trades × min(net volume / the account's average aggressive volume in a lead-long stretch outside the windows, 20) / 20 × " +
				"a price factor of 1 + the price change in bps in the flow's direction / 5, within 0.5 to 3 (a market-wide move is nobody's marking) × (0.25 + 2.75 × the share of it the account trades back the " +
				"other way within lead after the reference — the round trip of a marker; the alert is raised then). An account that trades " +
				"that way all day (a market maker's crossing requotes, a momentum trader) scores a twentieth of its volume or less. " +
				"On anonymous data (trades without accounts) an instrument's anonymous takers are one account — the market's net one-sided flow " +
				"into the reference against its usual aggressive volume, orders being trades that share a taker side and a millisecond — and the " +
				"evidence says so: a marker among them cannot be told from the crowd.",
			Params: []component.Param{
				{Name: "period", Type: component.Duration, Default: time.Hour, Unit: "s", Meaning: "reference time spacing"},
				{Name: "lead", Type: component.Duration, Default: 45 * time.Second, Unit: "s", Meaning: "window before each reference time"},
				{Name: "min_x", Type: component.Float, Default: 5.0, Meaning: "net aggressive volume, in typical trades, needed to alert"},
				{Name: "min_orders", Type: component.Int, Default: int64(4), Meaning: "aggressive orders in the lead window needed to alert (one large order is not marking)"},
			}},
		New: func(p Params) (Detector, error) {
			return &markingClose{period: int64(p.Duration("period")), lead: int64(p.Duration("lead")), minX: p.Float("min_x"), minOrders: int(p.Int("min_orders"))}, nil
		},
	})
}

// pendingMark is an account's flow into a reference, watched for its
// reversal in the lead after it.
type pendingMark struct {
	sym                    uint32
	account                uint64
	net, back              int64 // net aggressive volume before; aggressive volume the other way after
	x, unusual, with, move float64
	usualX                 float64
	ref                    int64
}

type markingClose struct {
	pend         []pendingMark
	minOrders    int
	orders       []idTable[int]  // aggressive orders per account in the lead window
	lastOrder    idTable[uint64] // last taker order id per account (orders, not fills, are counted)
	period, lead int64
	minX         float64
	insts        []replay.Instrument
	next         int64 // next reference time
	net          []idTable[int64]
	first        []int64 // first price in the window, per symbol
	last         []int64
	volSum       []float64 // per symbol: fill quantity and count, for the typical trade
	volN         []float64
	habit        []idTable[float64] // per symbol: each account's aggressive quantity outside the windows
	outside      []int64            // per symbol: time observed outside the windows (ns)
	lastTS       []int64
	now          int64 // the last event's time
	end          int64 // the run's end (RunInfo.End)
}

func (m *markingClose) Start(info *replay.RunInfo) error {
	m.insts = info.Instruments
	m.net = make([]idTable[int64], len(info.Instruments))
	m.orders = make([]idTable[int], len(info.Instruments))
	m.lastOrder = idTable[uint64]{}
	m.end = info.End
	m.first = make([]int64, len(info.Instruments))
	m.volSum = make([]float64, len(info.Instruments))
	m.volN = make([]float64, len(info.Instruments))
	m.last = make([]int64, len(info.Instruments))
	m.habit = make([]idTable[float64], len(info.Instruments))
	m.outside = make([]int64, len(info.Instruments))
	m.lastTS = make([]int64, len(info.Instruments))
	return nil
}

func (m *markingClose) flush(emit func(Alert)) {
	for s := range m.net {
		typical := math.Max(m.volSum[s]/math.Max(m.volN[s], 1), 1)
		move := 0.0
		if m.first[s] > 0 {
			move = float64(m.last[s]-m.first[s]) / float64(m.first[s])
		}
		ids := make([]uint64, 0, m.net[s].Len())
		m.net[s].Each(func(a uint64, _ *int64) { ids = append(ids, a) })
		sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
		for _, a := range ids {
			n, _ := m.net[s].Get(a)
			orders, _ := m.orders[s].Get(a)
			x := math.Abs(float64(n)) / typical
			if x < m.minX || orders < m.minOrders {
				continue
			}
			// The price moving with the flow is the point of marking; a deep book
			// may not move, and a flow against the move is weaker evidence.
			with := math.Abs(move) * 1e4
			if (n > 0) != (move > 0) {
				with = -with
			}
			usual := 0.0
			if m.outside[s] > 0 {
				h, _ := m.habit[s].Get(a)
				usual = h / float64(m.outside[s]) * float64(m.lead)
			}
			unusual := math.Min(math.Abs(float64(n))/math.Max(usual, 1), 20) / 20 // 1: nothing like its habit
			m.pend = append(m.pend, pendingMark{sym: uint32(s), account: a, net: n, x: x, unusual: unusual, with: with, move: move, ref: m.next,
				usualX: math.Abs(float64(n)) / math.Max(usual, 1)})
		}
		m.net[s].reset()
		m.orders[s].reset()
		m.first[s] = 0
	}
}

// raise emits the pending flows whose reversal window has closed by now (all
// of them when final).
func (m *markingClose) raise(now int64, final bool, emit func(Alert)) {
	k := 0
	for _, p := range m.pend {
		if !final && now < p.ref+m.lead {
			m.pend[k] = p
			k++
			continue
		}
		rev := math.Min(float64(p.back)/math.Abs(float64(p.net)), 1)
		at := p.ref + m.lead
		if final {
			at = max(p.ref, min(at, now))
		}
		al := Alert{Symbol: m.insts[p.sym].Symbol, RaisedAt: at, Start: p.ref - m.lead, End: p.ref, Accounts: []uint64{p.account},
			Score: p.x * p.unusual * min(math.Max(0.5, 1+p.with/5), 3) * (0.25 + 2.75*rev),
			Evidence: fmt.Sprintf("net aggressive volume %d (%.1f typical trades; %.1f times its usual aggressive volume in %v) before the reference; price moved %.1f bps; %.0f%% of it traded back within %v after",
				p.net, p.x, p.usualX, time.Duration(m.lead), p.move*1e4, 100*rev, time.Duration(m.lead))}
		if p.account&markAnonBit != 0 {
			al.Accounts = nil
			al.Evidence = "anonymous data (no accounts): the market's anonymous takers as one — " + al.Evidence
		}
		emit(al)
	}
	m.pend = m.pend[:k]
}

func (m *markingClose) Consume(b *replay.Batch, emit func(Alert)) error {
	for i := range b.Records {
		r := &b.Records[i]
		now := r.Event.TS
		m.now = now
		if len(m.pend) > 0 {
			for _, f := range b.FillsOf(i) {
				taker := markTaker(r.Event.Symbol, f)
				for j := range m.pend {
					p := &m.pend[j]
					if p.sym == r.Event.Symbol && p.account == taker && now <= p.ref+m.lead && (f.Aggressor == orderbook.Sell) == (p.net > 0) {
						p.back += f.Qty
					}
				}
			}
			m.raise(now, false, emit)
		}
		if m.next == 0 {
			m.next = (now/m.period + 1) * m.period
		}
		for now >= m.next {
			m.flush(emit)
			m.next += m.period
		}
		in := now >= m.next-m.lead
		s := r.Event.Symbol
		if !in && m.lastTS[s] != 0 && now > m.lastTS[s] {
			m.outside[s] += now - m.lastTS[s]
		}
		m.lastTS[s] = now
		for _, f := range b.FillsOf(i) {
			m.volSum[s] += float64(f.Qty)
			m.volN[s]++
			taker := markTaker(s, f)
			if !in {
				*m.habit[s].At(taker) += float64(f.Qty)
				continue
			}
			if m.first[s] == 0 {
				m.first[s] = f.Price
			}
			m.last[s] = f.Price
			q := f.Qty
			if f.Aggressor == orderbook.Sell {
				q = -q
			}
			*m.net[s].At(taker) += q
			order := f.TakerOrder
			if taker&markAnonBit != 0 { // no order ids either: a taker side in one millisecond is one order
				order = uint64(now/1e6)<<2 | uint64(f.Aggressor)
			}
			if last := m.lastOrder.At(taker); *last != order {
				*last = order
				*m.orders[s].At(taker)++
			}
		}
	}
	return nil
}

// markAnonBit marks the pseudo-account of an instrument's anonymous takers.
const markAnonBit = 1 << 63

// markTaker is a fill's taker: its account, or on anonymous data the
// instrument's anonymous takers as one.
func markTaker(sym uint32, f orderbook.Fill) uint64 {
	if f.TakerAccount != 0 {
		return f.TakerAccount
	}
	return markAnonBit | uint64(sym)
}

// Finish closes the periods that ended by the run's end and raises what is
// pending as of then: the run's end, not its last event, so that an
// instrument's alerts do not depend on which others shared the replay.
func (m *markingClose) Finish(emit func(Alert)) error {
	end := max(m.end, m.now)
	for m.next != 0 && end >= m.next {
		m.flush(emit)
		m.next += m.period
	}
	m.raise(end, true, emit)
	return nil
}
