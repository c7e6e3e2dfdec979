package detectors

import (
	"fmt"
	"time"

	"github.com/tapetest/tapetest/component"
	"github.com/tapetest/tapetest/replay"
)

func init() {
	mustRegister(Definition{
		Needs:    []Need{NeedAccounts, NeedOrderIDs},
		Typology: replay.QuoteStuffing,
		Spec: component.Spec{Name: "quote_stuffing",
			Summary: "Quote stuffing: per account, order messages (adds, cancels, modifies) within a sliding window, and the share of its " +
				"orders cancelled within max_life of being placed. Alerts when an account's messages in the window reach min_msgs and " +
				"again each time they double; score = messages × share of short-lived orders.",
			Params: []component.Param{
				{Name: "window", Type: component.Duration, Default: time.Second, Unit: "s", Meaning: "sliding window for the message count"},
				{Name: "min_msgs", Type: component.Int, Default: int64(40), Meaning: "messages in the window before an account can alert"},
				{Name: "max_life", Type: component.Duration, Default: 500 * time.Millisecond, Unit: "s", Meaning: "an order cancelled sooner than this is short-lived"},
			}},
		New: func(p Params) (Detector, error) {
			return &quoteStuffing{window: int64(p.Duration("window")), minMsgs: int(p.Int("min_msgs")), maxLife: int64(p.Duration("max_life"))}, nil
		},
	})
}

type stuffAccount struct {
	times        []int64 // message times in the window (ring-free: trimmed from the front)
	head         int
	short, total int
	next         int
	first        int64
}

type quoteStuffing struct {
	window, maxLife int64
	minMsgs         int
	insts           []replay.Instrument
	placed          map[uint64]int64
	accts           map[uint64]*stuffAccount
}

func (q *quoteStuffing) Start(info *replay.RunInfo) error {
	q.insts = info.Instruments
	q.placed = map[uint64]int64{}
	q.accts = map[uint64]*stuffAccount{}
	return nil
}

func (q *quoteStuffing) Consume(b *replay.Batch, emit func(Alert)) error {
	for i := range b.Records {
		ev := &b.Records[i].Event
		now := ev.TS
		acct := ev.Account
		switch ev.Action {
		case replay.ActionAdd:
			q.placed[ev.OrderID] = now
		case replay.ActionCancel, replay.ActionModify, replay.ActionReduce:
		default:
			continue
		}
		if acct == 0 {
			continue
		}
		a := q.accts[acct]
		if a == nil {
			a = &stuffAccount{next: q.minMsgs}
			q.accts[acct] = a
		}
		a.times = append(a.times, now)
		for a.head < len(a.times) && now-a.times[a.head] > q.window {
			a.head++
		}
		if a.head > 1024 && a.head*2 > len(a.times) {
			a.times = append(a.times[:0], a.times[a.head:]...)
			a.head = 0
		}
		if ev.Action == replay.ActionCancel {
			if at, ok := q.placed[ev.OrderID]; ok {
				a.total++
				if now-at <= q.maxLife {
					a.short++
				}
				delete(q.placed, ev.OrderID)
			}
		}
		n := len(a.times) - a.head
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
		emit(Alert{Symbol: q.insts[ev.Symbol].Symbol, RaisedAt: now, Start: a.first, End: now, Accounts: []uint64{acct},
			Score: float64(n) * share, Evidence: fmt.Sprintf("%d order messages within %v; %.0f%% of %d cancelled orders lived under %v",
				n, time.Duration(q.window), 100*share, a.total, time.Duration(q.maxLife))})
	}
	if len(q.placed) > 1<<16 && len(b.Records) > 0 {
		now := b.Records[len(b.Records)-1].Event.TS
		for id, at := range q.placed {
			if now-at > q.maxLife {
				delete(q.placed, id)
			}
		}
	}
	return nil
}

func (a *stuffAccount) minNext(min int) int {
	if a.next < min {
		return min
	}
	return a.next
}

func (q *quoteStuffing) Finish(func(Alert)) error { return nil }
