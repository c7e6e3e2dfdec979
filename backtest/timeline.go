package backtest

import (
	"context"

	"github.com/tapetest/tapetest/replay"
	"github.com/tapetest/tapetest/results"
)

// timeline samples each symbol's mid (or last) price at a fixed interval for the timeline plot.
type timeline struct {
	every int64
	next  []int64
	ts    [][]int64
	px    [][]int64
	exp   []int8
}

func newTimeline(n int, every int64) *timeline {
	return &timeline{every: max(every, 1), next: make([]int64, n), ts: make([][]int64, n), px: make([][]int64, n)}
}

func (t *timeline) Name() string { return "timeline" }
func (t *timeline) Start(_ context.Context, info *replay.RunInfo) error {
	for _, in := range info.Instruments {
		t.exp = append(t.exp, in.PriceExp)
	}
	return nil
}
func (t *timeline) Finish(context.Context) error { return nil }
func (t *timeline) Consume(_ context.Context, b *replay.Batch) error {
	for i := range b.Records {
		r := &b.Records[i]
		s := r.Event.Symbol
		if r.Event.TS < t.next[s] || r.Top.BidQty == 0 || r.Top.AskQty == 0 {
			continue
		}
		t.next[s] = r.Event.TS + t.every
		t.ts[s] = append(t.ts[s], r.Event.TS)
		t.px[s] = append(t.px[s], (r.Top.BidPrice+r.Top.AskPrice)/2)
	}
	return nil
}

func (t *timeline) timelines(insts []replay.Instrument) []results.Timeline {
	var out []results.Timeline
	for s, in := range insts {
		tl := results.Timeline{Symbol: in.Symbol, TS: t.ts[s]}
		scale := 1.0
		for k := int8(0); k < in.PriceExp; k++ {
			scale /= 10
		}
		for _, p := range t.px[s] {
			tl.Price = append(tl.Price, float64(p)*scale)
		}
		out = append(out, tl)
	}
	return out
}
