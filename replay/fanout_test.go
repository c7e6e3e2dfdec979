package replay_test

// The fan-out tests are meant to run under the race detector too
// (go test -race ./replay/), as CI does.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"github.com/tapetest/tapetest/detectors"
	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
)

var fanInsts = []replay.Instrument{
	{Symbol: "AAA", Tick: 1, Lot: 1, PriceExp: 2},
	{Symbol: "BBB", Tick: 5, Lot: 10, PriceExp: 2},
	{Symbol: "CCC", Tick: 1, Lot: 1, PriceExp: 0},
}

// marketEvents simulates a small market: adds around a drifting mid (some
// crossing), cancels of live and of unknown orders, market orders, a few
// level and trade events.
func marketEvents(n int, seed uint64) []replay.Event {
	r := rand.New(rand.NewPCG(seed, 5))
	evs := make([]replay.Event, 0, n)
	mid := []int64{10000, 50000, 300}
	var live [3][]uint64
	var id uint64
	ts := int64(1_700_000_000_000_000_000)
	for len(evs) < n {
		ts += r.Int64N(1_000_000)
		s := uint32(r.IntN(3))
		in := fanInsts[s]
		mid[s] += (r.Int64N(3) - 1) * in.Tick
		ev := replay.Event{TS: ts, Seq: uint64(len(evs) + 1), Symbol: s, Account: uint64(1 + r.IntN(50))}
		switch x := r.IntN(100); {
		case x < 50:
			id++
			ev.Action, ev.OrderID = replay.ActionAdd, id
			ev.Side = orderbook.Side(1 + r.IntN(2))
			off := (r.Int64N(20) - 3) * in.Tick // some cross
			if ev.Side == orderbook.Buy {
				ev.Price = mid[s] - off
			} else {
				ev.Price = mid[s] + off
			}
			ev.Qty = (1 + r.Int64N(9)) * in.Lot
			live[s] = append(live[s], id)
		case x < 90 && len(live[s]) > 0:
			k := r.IntN(len(live[s]))
			ev.Action, ev.OrderID = replay.ActionCancel, live[s][k]
			live[s] = append(live[s][:k], live[s][k+1:]...)
		case x < 95:
			id++
			ev.Action, ev.OrderID, ev.Side, ev.Qty = replay.ActionMarket, id, orderbook.Side(1+r.IntN(2)), (1+r.Int64N(5))*in.Lot
		case x < 97:
			ev.Action, ev.OrderID = replay.ActionCancel, 1<<40+uint64(r.IntN(100)) // unknown: reconciled
		default:
			ev.Action, ev.Side, ev.Price, ev.Qty = replay.ActionTrade, orderbook.Side(1+r.IntN(2)), mid[s], in.Lot
		}
		evs = append(evs, ev)
	}
	return evs
}

// volumeDetector alerts when an account's traded quantity within a window
// crosses a threshold, and hashes every record and fill it sees.
type volumeDetector struct {
	window  int64
	limit   int64
	vol     map[uint64]int64
	start   map[uint64]int64
	h       uint64
	panicAt int64
	failAt  int64
	seen    int64
}

func newVolumeDetector(window, limit int64) *volumeDetector {
	return &volumeDetector{window: window, limit: limit, panicAt: -1, failAt: -1}
}

func (d *volumeDetector) Start(*replay.RunInfo) error {
	d.vol, d.start = map[uint64]int64{}, map[uint64]int64{}
	return nil
}

func (d *volumeDetector) Consume(b *replay.Batch, emit func(detectors.Alert)) error {
	for i := range b.Records {
		r := &b.Records[i]
		d.seen++
		if d.seen == d.panicAt {
			panic("volume detector exploded")
		}
		if d.seen == d.failAt {
			return errors.New("volume detector gave up")
		}
		// Hash what a record means, not where it sits in its batch (FillStart/FillEnd).
		ev := &r.Event
		d.mix(uint64(ev.TS), ev.Seq, uint64(ev.Symbol), uint64(ev.Action), uint64(ev.Side), uint64(ev.Flags), ev.OrderID, ev.Account, uint64(ev.Price), uint64(ev.Qty),
			uint64(r.Top.BidPrice), uint64(r.Top.BidQty), uint64(r.Top.AskPrice), uint64(r.Top.AskQty), uint64(r.Outcome))
		for _, f := range b.FillsOf(i) {
			d.mix(f.MakerOrder, f.TakerOrder, f.MakerAccount, f.TakerAccount, uint64(f.Price), uint64(f.Qty), uint64(f.Aggressor))
			for _, a := range []uint64{f.TakerAccount, f.MakerAccount} {
				if a == 0 {
					continue
				}
				if r.Event.TS-d.start[a] > d.window {
					d.start[a], d.vol[a] = r.Event.TS, 0
				}
				d.vol[a] += f.Qty
				if d.vol[a] >= d.limit {
					emit(detectors.Alert{Symbol: fanInsts[r.Event.Symbol].Symbol, RaisedAt: r.Event.TS, Start: d.start[a], End: r.Event.TS, Accounts: []uint64{a}, Score: float64(d.vol[a]), Evidence: "volume"})
					d.vol[a] = 0
				}
			}
		}
	}
	return nil
}

// mix folds values into the running record hash (FNV-1a over 64-bit words).
func (d *volumeDetector) mix(vs ...uint64) {
	for _, v := range vs {
		d.h ^= v
		d.h *= 1099511628211
	}
}

func (d *volumeDetector) Finish(emit func(detectors.Alert)) error {
	emit(detectors.Alert{Evidence: fmt.Sprintf("records=%d hash=%x", d.seen, d.h)})
	return nil
}

type runResult struct {
	alerts []string // per consumer, JSON
	stats  replay.RunStats
	err    error
}

func runFan(t *testing.T, evs []replay.Event, batch, detectorsN int, mutate func(i int, d *volumeDetector)) runResult {
	t.Helper()
	var cons []replay.Consumer
	var adapters []*detectors.Consumer
	for i := 0; i < detectorsN; i++ {
		d := newVolumeDetector(int64(1+i%4)*50_000_000, int64(20+i))
		if mutate != nil {
			mutate(i, d)
		}
		c := detectors.NewConsumer(fmt.Sprintf("volume{i=%02d}", i), replay.WashTrading, d)
		cons = append(cons, c)
		adapters = append(adapters, c)
	}
	st, err := replay.Run(context.Background(), replay.NewMemSource(fanInsts, evs), cons, replay.RunOptions{BatchSize: batch, Ring: 4})
	res := runResult{stats: st, err: err}
	for _, a := range adapters {
		b, _ := json.Marshal(a.Alerts())
		res.alerts = append(res.alerts, string(b))
	}
	return res
}

// TestFanOutMetamorphic: the same input gives byte-identical alerts and record
// hashes at GOMAXPROCS 1 and 2, batch sizes 1, 7 and 4096, and with 1 or 16
// detector instances running side by side.
func TestFanOutMetamorphic(t *testing.T) {
	n := 200_000
	if testing.Short() {
		n = 30_000
	}
	evs := marketEvents(n, 11)
	ref := runFan(t, evs, 4096, 16, nil)
	if ref.err != nil {
		t.Fatal(ref.err)
	}
	if ref.stats.Events != int64(n) || ref.stats.Fills == 0 || len(ref.stats.Counts) == 0 {
		t.Fatalf("stats %+v: want every event, some fills and some reconciliations", ref.stats)
	}
	if !strings.Contains(ref.alerts[0], `"score"`) {
		t.Fatal("the reference run raised no alert: the test would prove nothing")
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, procs := range []int{1, 2} {
		runtime.GOMAXPROCS(procs)
		for _, batch := range []int{1, 7, 4096} {
			for _, dn := range []int{1, 16} {
				t.Run(fmt.Sprintf("procs=%d/batch=%d/detectors=%d", procs, batch, dn), func(t *testing.T) {
					got := runFan(t, evs, batch, dn, nil)
					if got.err != nil {
						t.Fatal(got.err)
					}
					for i := range got.alerts {
						if got.alerts[i] != ref.alerts[i] {
							t.Fatalf("detector %d: alerts differ from the reference run", i)
						}
					}
					if fmt.Sprint(got.stats.Counts) != fmt.Sprint(ref.stats.Counts) || got.stats.Fills != ref.stats.Fills {
						t.Fatalf("stats differ: %+v vs %+v", got.stats, ref.stats)
					}
				})
			}
		}
	}
}

// TestFailingDetectorsAreIsolated: a detector that panics and one that returns
// an error are reported by name (with a stack for the panic); the others'
// alerts are exactly what they are without them.
func TestFailingDetectorsAreIsolated(t *testing.T) {
	evs := marketEvents(20_000, 3)
	clean := runFan(t, evs, 64, 6, nil)
	if clean.err != nil {
		t.Fatal(clean.err)
	}
	got := runFan(t, evs, 64, 6, func(i int, d *volumeDetector) {
		switch i {
		case 2:
			d.panicAt = 5000
		case 4:
			d.failAt = 777
		}
	})
	var ce replay.ConsumerErrors
	if !errors.As(got.err, &ce) || len(ce) != 2 {
		t.Fatalf("err = %v, want two consumer errors", got.err)
	}
	if ce[0].Consumer != "volume{i=02}" || ce[0].Stack == "" || !strings.Contains(ce[0].Error(), "exploded") {
		t.Fatalf("panic not reported with name and stack: %+v", ce[0])
	}
	if ce[1].Consumer != "volume{i=04}" || !strings.Contains(ce[1].Error(), "gave up") {
		t.Fatalf("error not reported by name: %+v", ce[1])
	}
	for _, i := range []int{0, 1, 3, 5} {
		if got.alerts[i] != clean.alerts[i] {
			t.Fatalf("detector %d was affected by the failing ones", i)
		}
	}
}

func TestRunStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := replay.Run(ctx, replay.NewMemSource(fanInsts, marketEvents(50_000, 1)), nil, replay.RunOptions{BatchSize: 16})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

// tradedChecker is a consumer that holds every batch's Traded to the records
// whose fills are not empty.
type tradedChecker struct {
	traded, records int
	wrong           string
}

func (c *tradedChecker) Name() string                                 { return "traded" }
func (c *tradedChecker) Start(context.Context, *replay.RunInfo) error { return nil }
func (c *tradedChecker) Finish(context.Context) error                 { return nil }
func (c *tradedChecker) Consume(_ context.Context, b *replay.Batch) error {
	var want []uint32
	for i := range b.Records {
		if len(b.FillsOf(i)) > 0 {
			want = append(want, uint32(i))
		}
	}
	if fmt.Sprint(want) != fmt.Sprint(b.Traded) && c.wrong == "" {
		c.wrong = fmt.Sprintf("batch %d: Traded %v, the records with fills %v", b.Seq, b.Traded, want)
	}
	c.traded += len(want)
	c.records += len(b.Records)
	return nil
}

// TestTradedListsTheRecordsWithFills: every batch's Traded is exactly the
// indices of its records with fills, in order, whatever the batch size (a
// batch is reused from the ring of 4, so a Traded not reset shows from the
// fifth batch on).
func TestTradedListsTheRecordsWithFills(t *testing.T) {
	evs := marketEvents(20_000, 3)
	for _, batch := range []int{1, 7, 4096} {
		t.Run(fmt.Sprint("batch=", batch), func(t *testing.T) {
			c := &tradedChecker{}
			if _, err := replay.Run(context.Background(), replay.NewMemSource(fanInsts, evs), []replay.Consumer{c}, replay.RunOptions{BatchSize: batch, Ring: 4}); err != nil {
				t.Fatal(err)
			}
			if c.wrong != "" {
				t.Fatal(c.wrong)
			}
			if c.traded == 0 || c.traded == c.records {
				t.Fatalf("%d of %d records traded: the test needs both kinds", c.traded, c.records)
			}
		})
	}
}

// makersChecker is a consumer that holds every batch's Makers to its fills:
// one a fill, and for a fill of a resting order the time and quantity of
// the add that placed it (the zero Placed for a print).
type makersChecker struct {
	added  map[[2]uint64]orderbook.Placed // symbol and order id: the add's time and quantity
	makers int
	wrong  string
}

func (c *makersChecker) Name() string                                 { return "makers" }
func (c *makersChecker) Start(context.Context, *replay.RunInfo) error { return nil }
func (c *makersChecker) Finish(context.Context) error                 { return nil }
func (c *makersChecker) Consume(_ context.Context, b *replay.Batch) error {
	if len(b.Makers) != len(b.Fills) && c.wrong == "" {
		c.wrong = fmt.Sprintf("batch %d: %d makers for %d fills", b.Seq, len(b.Makers), len(b.Fills))
		return nil
	}
	for i := range b.Records {
		ev := &b.Records[i].Event
		makers := b.MakersOf(i)
		for k, f := range b.FillsOf(i) {
			want := c.added[[2]uint64{uint64(ev.Symbol), f.MakerOrder}]
			if f.MakerOrder == 0 {
				want = orderbook.Placed{}
			} else {
				c.makers++
			}
			if makers[k] != want && c.wrong == "" {
				c.wrong = fmt.Sprintf("batch %d record %d fill %d (maker %d): %+v, want %+v", b.Seq, i, k, f.MakerOrder, makers[k], want)
			}
		}
		if ev.Action == replay.ActionAdd && b.Records[i].Outcome == replay.Applied {
			c.added[[2]uint64{uint64(ev.Symbol), ev.OrderID}] = orderbook.Placed{Time: ev.TS, Size: ev.Qty}
		}
	}
	return nil
}

// TestMakersAreTheFillsMakers: every batch's Makers is one a fill, and each
// is when the fill's maker was added and how big, whatever the batch size (a
// batch is reused from the ring of 4, so Makers not reset shows from the
// fifth batch on).
func TestMakersAreTheFillsMakers(t *testing.T) {
	evs := marketEvents(20_000, 3)
	for _, batch := range []int{1, 7, 4096} {
		t.Run(fmt.Sprint("batch=", batch), func(t *testing.T) {
			c := &makersChecker{added: map[[2]uint64]orderbook.Placed{}}
			if _, err := replay.Run(context.Background(), replay.NewMemSource(fanInsts, evs), []replay.Consumer{c}, replay.RunOptions{BatchSize: batch, Ring: 4}); err != nil {
				t.Fatal(err)
			}
			if c.wrong != "" {
				t.Fatal(c.wrong)
			}
			if c.makers == 0 {
				t.Fatal("no fill of a resting order: the test needs some")
			}
		})
	}
}
