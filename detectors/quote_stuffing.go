package detectors

import (
	"fmt"
	"math"
	"time"

	"github.com/tapetest/tapetest/component"
	"github.com/tapetest/tapetest/replay"
)

func init() {
	mustRegister(Definition{
		Needs:    []Need{NeedOrderIDs},
		Typology: replay.QuoteStuffing,
		Spec: component.Spec{Name: "quote_stuffing",
			Summary: "Quote stuffing: per account, order messages (adds, cancels, modifies) within a sliding window, and the share of its " +
				"orders cancelled within max_life of being placed (among the cancels of orders placed at most 10 s — or max_life, if longer — before). Alerts when an account's messages in the window reach min_msgs and " +
				"again each time they double; score = messages × share of short-lived orders. " +
				"On anonymous data (no accounts: a LOBSTER day) the instrument's whole message stream is one stream, which must also reach " +
				"anon_ratio times the instrument's own rate over the last hour: a busy stock's normal flow is not stuffing; the evidence says so.",
			Params: []component.Param{
				{Name: "window", Type: component.Duration, Default: time.Second, Unit: "s", Meaning: "sliding window for the message count"},
				{Name: "min_msgs", Type: component.Int, Default: int64(40), Meaning: "messages in the window before an account can alert"},
				{Name: "max_life", Type: component.Duration, Default: 500 * time.Millisecond, Unit: "s", Meaning: "an order cancelled sooner than this is short-lived"},
				{Name: "anon_ratio", Type: component.Float, Default: 10.0, Meaning: "anonymous data: messages in the window needed, as a multiple of the instrument's rate over the last hour"},
			}},
		New: func(p Params) (Detector, error) {
			return &quoteStuffing{window: int64(p.Duration("window")), minMsgs: int(p.Int("min_msgs")), maxLife: int64(p.Duration("max_life")), anonRatio: p.Float("anon_ratio")}, nil
		},
	})
}

type stuffAccount struct {
	times        []int64 // message times in the window (ring-free: trimmed from the front)
	head         int
	oldest       int64 // times[head] when the window holds any: whether to trim is known without reading times
	short, total int
	next         int
	first        int64
}

type quoteStuffing struct {
	window, maxLife int64
	minMsgs         int
	anonRatio       float64
	// rate is each instrument's anonymous message rate over the last hour:
	// a decayed count and the decayed time it covers.
	rate   []hourlyRate
	info   *replay.RunInfo
	insts  []replay.Instrument
	placed recentTable[int64] // order id -> when placed; cancelled once counted
	accts  accountTable[stuffAccount]
	// windowText and maxLifeText are the durations as the evidence writes
	// them, formatted once (every alert wrote them anew).
	windowText, maxLifeText string
	// batches counts the batches consumed: every idleEvery-th, the message
	// times of accounts silent for a window are let go.
	batches int
}

// idleEvery is how many batches pass between looks for silent accounts.
const idleEvery = 64

// stuffMemory is how long quote_stuffing remembers an order after placing
// it: the cancel of an older one is not counted among the cancelled orders
// (the share of short-lived ones). A fixed horizon, read where the order is
// looked up, makes the count the same whenever the table forgets an order
// (its generations turn: recentTable) — it used to count an old order until
// a sweep at a batch's end forgot it, so the batch size could change a
// score.
const stuffMemory = int64(10 * time.Second)

// cancelledMark is, in place of its placing time, an order whose cancel
// has been counted.
const cancelledMark = math.MinInt64

// memory is stuffMemory, or max_life when that is longer.
func (q *quoteStuffing) memory() int64 { return max(stuffMemory, q.maxLife) }

func (q *quoteStuffing) Start(info *replay.RunInfo) error {
	q.insts = info.Instruments
	q.placed = newRecentTable[int64](q.memory())
	q.accts = accountTable[stuffAccount]{}
	q.rate = make([]hourlyRate, len(info.Instruments))
	q.info = info
	q.windowText, q.maxLifeText = time.Duration(q.window).String(), time.Duration(q.maxLife).String()
	return nil
}

// anonKey is the stream of an instrument's anonymous messages.
func anonKey(sym uint32) uint64 { return 1<<63 | uint64(sym) }

func (q *quoteStuffing) Consume(b *replay.Batch, emit func(Alert)) error {
	for i := range b.Records {
		ev := &b.Records[i].Event
		now := ev.TS
		acct := ev.Account
		switch ev.Action {
		case replay.ActionAdd:
			q.placed.Put(now, ev.OrderID, now)
		case replay.ActionCancel, replay.ActionModify, replay.ActionReduce:
		default:
			continue
		}
		anon := acct == 0
		if anon && !q.info.OrderLevel(ev.Symbol) {
			continue // its orders stand for L2 levels: no messages of its own
		}
		if anon {
			q.rate[ev.Symbol].add(now)
			acct = anonKey(ev.Symbol)
		}
		a := q.accts.get(acct, func() *stuffAccount { return &stuffAccount{next: q.minMsgs} })
		if a.head == len(a.times) {
			a.oldest = now
		}
		a.times = append(a.times, now)
		if now-a.oldest > q.window {
			for now-a.times[a.head] > q.window { // stops at now at the latest
				a.head++
			}
			a.oldest = a.times[a.head]
		}
		if a.head > 1024 && a.head*2 > len(a.times) {
			a.times = append(a.times[:0], a.times[a.head:]...)
			a.head = 0
		}
		if ev.Action == replay.ActionCancel {
			// An order's cancel counts once: a second cancel of the id finds
			// it marked (the mark, not a delete: one probe).
			if p := q.placed.Ptr(ev.OrderID); p != nil && *p != cancelledMark {
				at := *p
				*p = cancelledMark
				if now-at <= q.memory() {
					a.total++
					if now-at <= q.maxLife {
						a.short++
					}
				}
			}
		}
		n := len(a.times) - a.head
		if anon && float64(n) < q.anonRatio*q.rate[ev.Symbol].perWindow(q.window) {
			continue // the instrument's usual flow
		}
		if n < a.minNext(q.minMsgs) {
			if n < q.minMsgs/2 {
				a.next, a.short, a.total, a.first = q.minMsgs, 0, 0, 0 // the burst is over
			}
			continue
		}
		if a.first == 0 {
			a.first = a.times[a.head]
		}
		a.next = n * 2
		share := float64(a.short) / float64(max(a.total, 1))
		al := Alert{Symbol: q.insts[ev.Symbol].Symbol, RaisedAt: now, Start: a.first, End: now, Accounts: []uint64{acct},
			Score: float64(n) * share, Evidence: fmt.Sprintf("%d order messages within %s; %.0f%% of %d cancelled orders lived under %s",
				n, q.windowText, 100*share, a.total, q.maxLifeText)}
		if anon {
			al.Accounts = nil
			al.Evidence = fmt.Sprintf("anonymous data (no accounts): the instrument's %d order messages within %s, %.0f× its rate over the last hour; %.0f%% of %d cancelled orders lived under %s",
				n, q.windowText, float64(n)/q.rate[ev.Symbol].perWindow(q.window), 100*share, a.total, q.maxLifeText)
		}
		emit(al)
	}
	if len(b.Records) > 0 {
		now := b.Records[len(b.Records)-1].Event.TS
		if q.batches++; q.batches%idleEvery == 0 {
			q.accts.each(func(a *stuffAccount) { a.forgetIdle(now, q.window) })
		}
	}
	return nil
}

// forgetIdle lets go of an account's message times when all of them have
// left the window: its next message would trim every one of them, so
// forgetting them changes nothing but the memory they held (an attacker's
// account, silent after its attack, kept its last bursts for the rest of the
// run — the state that grew with the run's length). An account that only
// ever sends a few keeps their room: dropping it made every one of its
// messages after a silence allocate again.
func (a *stuffAccount) forgetIdle(now, window int64) {
	if len(a.times) > 0 && now-a.times[len(a.times)-1] > window {
		if cap(a.times) > idleKeep {
			a.times = nil
		} else {
			a.times = a.times[:0] // a sparse sender's few: kept, not allocated again
		}
		a.head = 0
	}
}

// idleKeep is the most message times a silent account keeps room for.
const idleKeep = 64

func (a *stuffAccount) minNext(min int) int {
	if a.next < min {
		return min
	}
	return a.next
}

func (q *quoteStuffing) Finish(func(Alert)) error { return nil }
