package realism

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
	"gonum.org/v1/gonum/floats"
)

// Facts are stylized facts of a market's event stream, computed on one
// instrument (prices as mids, in the instrument's units).
type Facts struct {
	Symbol string `json:"symbol"`
	Events int64  `json:"events"`
	// SE holds the standard errors of the return facts (keys of
	// FactNames), by a moving-block bootstrap of five-minute blocks.
	SE map[string]float64 `json:"standard_errors,omitempty"`
	// Reconciled counts the events a source flagged FlagReconciled (book
	// corrections to a reference, such as a LOBSTER orderbook file): they
	// shape the book that is sampled but are not market messages, so no
	// other fact counts them.
	Reconciled      int64   `json:"reconciled_events,omitempty"`
	Kurtosis1s      float64 `json:"return_kurtosis_1s"`
	Kurtosis1m      float64 `json:"return_kurtosis_1m"`
	ACFReturn1s     float64 `json:"acf_return_1s_lag1"`
	ACFAbsReturn1s  float64 `json:"acf_abs_return_1s_lag1"`
	SpreadMedianBps float64 `json:"spread_median_bps"`
	SpreadP90Bps    float64 `json:"spread_p90_bps"`
	DepthMedian     float64 `json:"top_depth_median"` // bid+ask quantity at the touch, in base units
	DepthP90        float64 `json:"top_depth_p90"`
	SizeMedian      float64 `json:"order_size_median"` // in base units
	SizeP90         float64 `json:"order_size_p90"`
	CancelToTrade   float64 `json:"cancel_to_trade"`
	InterArrivalMs  float64 `json:"inter_arrival_mean_ms"`
	InterArrivalCV  float64 `json:"inter_arrival_cv"`
	// Trades (fills: one print per resting order filled, as venues' trade
	// streams report them) are comparable between an L2 diff feed and an L3
	// stream; events are not (a diff message batches level updates).
	TradeGapMs      float64 `json:"trade_inter_arrival_mean_ms"`
	TradeGapCV      float64 `json:"trade_inter_arrival_cv"`
	TradeSizeMedian float64 `json:"trade_size_median"` // in base units
	TradeSizeP90    float64 `json:"trade_size_p90"`
	// LevelUpdatesPerSec counts, per second, the distinct price levels that
	// changed in each 100 ms: what a depth@100ms feed reports, so the event
	// rate of an L2 diff feed and of an order-by-order stream compare.
	LevelUpdatesPerSec float64 `json:"level_updates_per_sec"`
}

// FactNames lists the facts in display order with their labels.
var FactNames = []struct{ Key, Label string }{
	{"events", "events"}, {"return_kurtosis_1s", "return kurtosis, 1 s"}, {"return_kurtosis_1m", "return kurtosis, 1 min"},
	{"acf_return_1s_lag1", "autocorrelation of 1 s returns"}, {"acf_abs_return_1s_lag1", "autocorrelation of |1 s returns|"},
	{"spread_median_bps", "spread median (bps)"}, {"spread_p90_bps", "spread p90 (bps)"},
	{"top_depth_median", "touch depth median (units)"}, {"top_depth_p90", "touch depth p90 (units)"},
	{"order_size_median", "order size median (units)"}, {"order_size_p90", "order size p90 (units)"},
	{"cancel_to_trade", "cancels per trade"}, {"inter_arrival_mean_ms", "event inter-arrival mean (ms)"}, {"inter_arrival_cv", "event inter-arrival CV"},
	{"trade_inter_arrival_mean_ms", "trade inter-arrival mean (ms)"}, {"trade_inter_arrival_cv", "trade inter-arrival CV"},
	{"trade_size_median", "trade size median (units)"}, {"trade_size_p90", "trade size p90 (units)"},
	{"level_updates_per_sec", "level updates per second (100 ms)"},
}

// Value returns the fact with the given key.
func (f *Facts) Value(key string) float64 {
	switch key {
	case "events":
		return float64(f.Events)
	case "return_kurtosis_1s":
		return f.Kurtosis1s
	case "return_kurtosis_1m":
		return f.Kurtosis1m
	case "acf_return_1s_lag1":
		return f.ACFReturn1s
	case "acf_abs_return_1s_lag1":
		return f.ACFAbsReturn1s
	case "spread_median_bps":
		return f.SpreadMedianBps
	case "spread_p90_bps":
		return f.SpreadP90Bps
	case "top_depth_median":
		return f.DepthMedian
	case "top_depth_p90":
		return f.DepthP90
	case "order_size_median":
		return f.SizeMedian
	case "order_size_p90":
		return f.SizeP90
	case "cancel_to_trade":
		return f.CancelToTrade
	case "inter_arrival_mean_ms":
		return f.InterArrivalMs
	case "inter_arrival_cv":
		return f.InterArrivalCV
	case "trade_inter_arrival_mean_ms":
		return f.TradeGapMs
	case "trade_inter_arrival_cv":
		return f.TradeGapCV
	case "trade_size_median":
		return f.TradeSizeMedian
	case "trade_size_p90":
		return f.TradeSizeP90
	case "level_updates_per_sec":
		return f.LevelUpdatesPerSec
	}
	return math.NaN()
}

// factsConsumer samples the replay of one instrument.
type factsConsumer struct {
	symbol          string // "" : the first
	sym             uint32
	warmup          int64   // nanoseconds replayed before measuring
	from            int64   // first measured timestamp
	unit            float64 // one fixed-point quantity unit in base units
	mids1s, mids1m  []float64
	next1s, next1m  int64
	spreads, depths []float64
	sizes           []float64
	cancels, trades int64
	lastTS          int64
	gaps            []float64
	events          int64
	lastTrade       int64
	tradeGaps       []float64
	tradeSizes      []float64
	window          int64      // current 100 ms window
	levels          []int64    // levels changed in it, price<<2 | side, with repeats
	hugeLevels      [][2]int64 // the same for prices of 2^61 and above (side, price)
	levelUpdates    int64
	touching        bool // levelTouch has been called: firstTS is set
	firstTS         int64
	prev            orderbook.Top // the book's top after the last event (two-sided)
	havePrev        bool
	reconciled      int64 // events flagged FlagReconciled: not measured
}

func (c *factsConsumer) Name() string { return "realism " + c.symbol }
func (c *factsConsumer) Start(_ context.Context, info *replay.RunInfo) error {
	if len(info.Instruments) == 0 {
		return fmt.Errorf("realism: the input has no instruments")
	}
	c.sym = 0
	if c.symbol != "" {
		var names []string
		found := false
		for i, in := range info.Instruments {
			names = append(names, in.Symbol)
			if in.Symbol == c.symbol {
				c.sym, found = uint32(i), true
			}
		}
		if !found {
			return fmt.Errorf("realism: no instrument %q in the input (it has %s)", c.symbol, strings.Join(names, ", "))
		}
	}
	c.symbol = info.Instruments[c.sym].Symbol
	c.unit = math.Pow10(-int(info.Instruments[c.sym].QtyExp))
	return nil
}
func (c *factsConsumer) Finish(context.Context) error { return nil }
func (c *factsConsumer) Consume(_ context.Context, b *replay.Batch) error {
	for i := range b.Records {
		r := &b.Records[i]
		ev := &r.Event
		if ev.Symbol != c.sym {
			continue
		}
		if c.from == 0 {
			c.from = ev.TS + c.warmup
		}
		if ev.TS < c.from {
			// Warming up: the book is built, nothing is measured.
			if t := r.Top; t.BidQty > 0 && t.AskQty > 0 {
				c.prev, c.havePrev = t, true
			}
			continue
		}
		// The book is sampled as it stood at each whole second (and
		// minute): after every event before it, so a batch of events with
		// one timestamp (a sweep, a maker pulling and requoting) is seen
		// whole, never half done.
		if ev.TS >= c.next1s {
			c.sample(ev.TS)
		}
		if t := r.Top; t.BidQty > 0 && t.AskQty > 0 {
			c.prev, c.havePrev = t, true
		}
		if ev.Flags&replay.FlagReconciled != 0 {
			// A source's correction of its book to a reference: it moves
			// the book, but it is no market message.
			c.reconciled++
			continue
		}
		c.events++
		c.levelTouch(ev, b.FillsOf(i))
		if c.lastTS != 0 && ev.TS >= c.lastTS {
			c.gaps = append(c.gaps, float64(ev.TS-c.lastTS)/1e6)
		}
		c.lastTS = ev.TS
		switch ev.Action {
		case replay.ActionAdd, replay.ActionMarket:
			c.sizes = append(c.sizes, float64(ev.Qty)*c.unit)
		case replay.ActionCancel, replay.ActionReduce:
			c.cancels++
		}
		if n := r.FillEnd - r.FillStart; n > 0 {
			c.trades++
			for _, f := range b.FillsOf(i) {
				if c.lastTrade != 0 && ev.TS >= c.lastTrade {
					c.tradeGaps = append(c.tradeGaps, float64(ev.TS-c.lastTrade)/1e6)
				}
				c.lastTrade = ev.TS
				c.tradeSizes = append(c.tradeSizes, float64(f.Qty)*c.unit)
			}
		}
	}
	return nil
}

// maxGap is the longest quiet spell sampled second by second: a longer one
// (a session break between files) breaks the return series, so that a night
// adds neither a run of zero returns nor its overnight move as one return.
const maxGap = int64(time.Hour)

// sample records the book as it stood (c.prev) at every whole second from
// c.next1s up to ts — quiet seconds included, each a zero return, so 1 s
// returns are returns over calendar seconds — and at every whole minute.
func (c *factsConsumer) sample(ts int64) {
	if !c.havePrev {
		c.next1s = ts - ts%1e9 + 1e9
		return
	}
	t := c.prev
	mid := float64(t.BidPrice+t.AskPrice) / 2
	spread, depth := float64(t.AskPrice-t.BidPrice)/mid*1e4, float64(t.BidQty+t.AskQty)*c.unit
	if c.next1s == 0 {
		c.next1s = ts - ts%1e9
	} else if ts-c.next1s > maxGap {
		// A session break: no return spans it (a NaN mid ends the series),
		// and sampling resumes at the next second, on the new session's book.
		c.mids1s, c.next1s = append(c.mids1s, math.NaN()), ts-ts%1e9+1e9
		if ts-c.next1m > maxGap {
			c.mids1m, c.next1m = append(c.mids1m, math.NaN()), ts-ts%60e9+60e9
		}
		return
	}
	for ; c.next1s <= ts; c.next1s += 1e9 {
		c.mids1s = append(c.mids1s, mid)
		c.spreads = append(c.spreads, spread)
		c.depths = append(c.depths, depth)
	}
	if c.next1m == 0 {
		c.next1m = ts - ts%60e9
	}
	for ; c.next1m <= ts; c.next1m += 60e9 {
		c.mids1m = append(c.mids1m, mid)
	}
}

// levelTouch notes the price levels an event changed (its own level, and the
// resting levels its fills took from), per 100 ms window.
func (c *factsConsumer) levelTouch(ev *replay.Event, fills []orderbook.Fill) {
	w := ev.TS / 100e6
	if !c.touching {
		c.touching, c.firstTS = true, ev.TS
	}
	if w != c.window {
		c.levelUpdates += int64(c.distinctLevels())
		c.levels, c.hugeLevels = c.levels[:0], c.hugeLevels[:0]
		c.window = w
	}
	switch ev.Action {
	case replay.ActionAdd, replay.ActionCancel, replay.ActionReduce, replay.ActionModify, replay.ActionLevel:
		if ev.Price > 0 {
			c.noteLevel(ev.Side, ev.Price)
		}
	}
	if ev.Action == replay.ActionTrade {
		return // a print: no resting level changed
	}
	for _, f := range fills {
		if !f.Hidden {
			c.noteLevel(f.Aggressor.Opposite(), f.Price)
		}
	}
}

// noteLevel notes a level changed in the current window: as one integer,
// price<<2 | side, which sorts without a comparison function (what a window
// costs); a price too large to shift (±2^61) goes to a list of its own.
func (c *factsConsumer) noteLevel(s orderbook.Side, price int64) {
	if price >= 1<<61 || price < -(1<<61) {
		c.hugeLevels = append(c.hugeLevels, [2]int64{int64(s), price})
		return
	}
	c.levels = append(c.levels, price<<2|int64(s))
}

// distinctLevels is the number of distinct levels the current window
// changed (a window's few dozen notes sorted: a map per window cost more).
func (c *factsConsumer) distinctLevels() int {
	slices.Sort(c.levels)
	n := len(slices.Compact(c.levels))
	if len(c.hugeLevels) > 0 {
		slices.SortFunc(c.hugeLevels, func(a, b [2]int64) int {
			if a[0] != b[0] {
				return cmp.Compare(a[0], b[0])
			}
			return cmp.Compare(a[1], b[1])
		})
		n += len(slices.Compact(c.hugeLevels))
	}
	return n
}

func logReturns(m []float64) []float64 {
	var out []float64
	for i := 1; i < len(m); i++ {
		out = append(out, math.Log(m[i]/m[i-1]))
	}
	return out
}

// kurtosis is the kurtosis of x; NaN values (breaks in a series) are left out.
func kurtosis(x []float64) float64 {
	var n, mean, m2, m4 float64
	for _, v := range x {
		if !math.IsNaN(v) {
			mean += v
			n++
		}
	}
	if n < 4 {
		return math.NaN()
	}
	mean /= n
	for _, v := range x {
		if math.IsNaN(v) {
			continue
		}
		d := v - mean
		m2 += d * d
		m4 += d * d * d * d
	}
	m2 /= n
	m4 /= n
	if m2 == 0 {
		return math.NaN()
	}
	return m4 / (m2 * m2)
}

// acf1 is the lag-1 autocorrelation of x; NaN values (breaks in a series)
// are left out, and no pair spans one.
func acf1(x []float64) float64 {
	var n, mean float64
	for _, v := range x {
		if !math.IsNaN(v) {
			mean += v
			n++
		}
	}
	if n < 3 {
		return math.NaN()
	}
	mean /= n
	var num, den float64
	for i, v := range x {
		if math.IsNaN(v) {
			continue
		}
		d := v - mean
		den += d * d
		if i > 0 && !math.IsNaN(x[i-1]) {
			num += d * (x[i-1] - mean)
		}
	}
	if den == 0 {
		return math.NaN()
	}
	return num / den
}

// medianP90 is the median and the 0.9-quantile of x by the rule scoring
// uses for detection times: the nearest rank, the smallest value at or above
// a fraction q of the values (gonum's stat.Empirical on the sorted values);
// NaN for no values, or when one is NaN (as stat.Quantile). It reorders x:
// the two order statistics are selected, not sorted for (a draw's millions
// of order sizes took a full sort).
func medianP90(x []float64) (float64, float64) {
	if len(x) == 0 || floats.HasNaN(x) {
		return math.NaN(), math.NaN()
	}
	i50, i90 := empiricalRank(0.5, len(x)), empiricalRank(0.9, len(x))
	v50 := selectRank(x, i50)
	return v50, selectRank(x[i50:], i90-i50) // x[i50:] holds the values at and above the median
}

// empiricalRank is the index, in n sorted values, of stat.Empirical's
// p-quantile: the first i with i+1 >= p·n.
func empiricalRank(p float64, n int) int {
	return min(max(int(math.Ceil(p*float64(n)))-1, 0), n-1)
}

// selectRank reorders x so that x[k] is the value a sort would put there,
// every value before it no greater and every value after it no smaller, and
// returns it: a quickselect with a three-way partition (order sizes repeat
// a few values), a median-of-three pivot, and a sort for short or stubborn
// ranges.
func selectRank(x []float64, k int) float64 {
	lo, hi := 0, len(x)-1
	for depth := 0; ; depth++ {
		if hi-lo < 16 || depth > 64 {
			sort.Float64s(x[lo : hi+1])
			return x[k]
		}
		m := lo + (hi-lo)/2
		p := max(min(x[lo], x[m]), min(max(x[lo], x[m]), x[hi]))
		lt, i, gt := lo, lo, hi // [lo,lt) < p, [lt,i) == p, (gt,hi] > p
		for i <= gt {
			switch {
			case x[i] < p:
				x[lt], x[i] = x[i], x[lt]
				lt++
				i++
			case x[i] > p:
				x[i], x[gt] = x[gt], x[i]
				gt--
			default:
				i++
			}
		}
		switch {
		case k < lt:
			hi = lt - 1
		case k > gt:
			lo = gt + 1
		default:
			return p
		}
	}
}

// MeasureOptions choose what MeasureFacts measures.
type MeasureOptions struct {
	// Symbol is the instrument measured ("": the source's first).
	Symbol string
	// Warmup is replayed but not measured, from the instrument's first
	// event: a LOBSTER day starts without the orders resting before its first
	// message, so its first minutes show a book still filling in.
	Warmup time.Duration
}

// MeasureFacts replays src through the engine and computes the stylized facts
// of one of its instruments.
func MeasureFacts(ctx context.Context, src replay.EventSource, o MeasureOptions) (*Facts, error) {
	fs, err := MeasureFactsOf(ctx, src, []string{o.Symbol}, o.Warmup)
	if err != nil {
		return nil, err
	}
	return fs[0], nil
}

// MeasureFactsOf computes the stylized facts of several instruments of src
// in one replay ("" names the source's first instrument), in the order given.
func MeasureFactsOf(ctx context.Context, src replay.EventSource, symbols []string, warmup time.Duration) ([]*Facts, error) {
	if warmup < 0 {
		return nil, fmt.Errorf("realism: negative warm-up %v", warmup)
	}
	cs := make([]*factsConsumer, len(symbols))
	cons := make([]replay.Consumer, len(symbols))
	for i, sym := range symbols {
		cs[i] = &factsConsumer{symbol: sym, warmup: int64(warmup)}
		cons[i] = cs[i]
	}
	if _, err := replay.Run(ctx, src, cons, replay.RunOptions{}); err != nil {
		return nil, err
	}
	out := make([]*Facts, len(cs))
	for i, c := range cs {
		out[i] = c.facts()
	}
	return out, nil
}

// facts computes the facts from what the consumer sampled.
func (c *factsConsumer) facts() *Facts {
	r1s, r1m := logReturns(c.mids1s), logReturns(c.mids1m)
	abs := absValues(r1s)
	f := &Facts{Symbol: c.symbol, Events: c.events, Reconciled: c.reconciled, Kurtosis1s: kurtosis(r1s), Kurtosis1m: kurtosis(r1m), ACFReturn1s: acf1(r1s), ACFAbsReturn1s: acf1(abs),
		CancelToTrade: float64(c.cancels) / math.Max(float64(c.trades), 1)}
	// The samples are sorted in place, each once for both its quantiles:
	// the consumer is done with them (they were copied and sorted per
	// quantile: a draw's millions of order sizes sorted twice).
	f.SpreadMedianBps, f.SpreadP90Bps = medianP90(c.spreads)
	f.DepthMedian, f.DepthP90 = medianP90(c.depths)
	f.SizeMedian, f.SizeP90 = medianP90(c.sizes)
	f.SE = map[string]float64{
		"return_kurtosis_1s":     blockBootstrapSE(r1s, 300, kurtosis),
		"return_kurtosis_1m":     blockBootstrapSE(r1m, 5, kurtosis),
		"acf_return_1s_lag1":     blockBootstrapSE(r1s, 300, acf1),
		"acf_abs_return_1s_lag1": blockBootstrapSE(r1s, 300, func(y []float64) float64 { return acf1(absValues(y)) }),
	}
	for k, v := range f.SE {
		if math.IsNaN(v) {
			delete(f.SE, k) // too short a series to tell
		}
	}
	f.InterArrivalMs, f.InterArrivalCV = meanCV(c.gaps)
	f.TradeGapMs, f.TradeGapCV = meanCV(c.tradeGaps)
	f.TradeSizeMedian, f.TradeSizeP90 = medianP90(c.tradeSizes)
	if span := float64(c.lastTS-c.firstTS) / 1e9; span > 0 {
		f.LevelUpdatesPerSec = float64(c.levelUpdates+int64(c.distinctLevels())) / span
	}
	return f
}

// meanCV is the mean and coefficient of variation of x (NaN when too short).
func meanCV(x []float64) (float64, float64) {
	n := float64(len(x))
	if n < 2 {
		return math.NaN(), math.NaN()
	}
	var sum, sq float64
	for _, g := range x {
		sum += g
	}
	mean := sum / n
	for _, g := range x {
		sq += (g - mean) * (g - mean)
	}
	return mean, math.Sqrt(sq/n) / math.Max(mean, 1e-12)
}

// MarshalJSON writes the facts in field order, with null for a fact that
// could not be computed (NaN: no orders in a level feed, too short a
// series), which JSON cannot carry as a number.
func (f Facts) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	rv := reflect.ValueOf(f)
	rt := rv.Type()
	b.WriteByte('{')
	for i := 0; i < rt.NumField(); i++ {
		tag := rt.Field(i).Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		x := rv.Field(i).Interface()
		if fv := rv.Field(i); strings.Contains(opts, "omitempty") && (fv.IsZero() || (fv.Kind() == reflect.Map && fv.Len() == 0)) {
			continue
		}
		if y, ok := x.(float64); ok && (math.IsNaN(y) || math.IsInf(y, 0)) {
			x = nil
		}
		v, err := json.Marshal(x)
		if err != nil {
			return nil, err
		}
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(name)
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}
