package scenarios

import (
	"reflect"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/tapetest/tapetest/replay"
)

// generateWhole is spec's generator on one goroutine, every instrument in
// it (NewGenerator's lanes aside), spec validated as NewGenerator does.
func generateWhole(t *testing.T, spec *Spec) *Generator {
	t.Helper()
	if err := spec.Validate(); err != nil {
		t.Fatal(err)
	}
	g, err := newGenerator(spec)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// laneTestSpec is the default suite, shortened.
func laneTestSpec(t *testing.T, d time.Duration) *Spec {
	t.Helper()
	s, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	s.Duration = Duration(d)
	return s
}

// TestLanesAreTheWholeSpecsMarkets is metamorphic: generated in lanes, one
// per instrument, every instrument's events are the ones the whole spec
// generated on one goroutine makes for it — event for event, but for the
// order ids (a lane numbers its own: the two runs' ids correspond one to
// one) and the sequence numbers; and the labels, counts, accounts and the
// perpetual venues' conservation are the same. It fails if any actor acts
// on an instrument not its own.
func TestLanesAreTheWholeSpecsMarkets(t *testing.T) {
	t.Run("default suite", func(t *testing.T) { sameMarkets(t, laneTestSpec(t, 40*time.Minute), 5) })
	t.Run("more instruments than lanes", func(t *testing.T) {
		// The default suite's instruments twice over: ten instruments in
		// maxLanes lanes, two of them holding two.
		spec := laneTestSpec(t, 10*time.Minute)
		for _, in := range slices.Clone(spec.Instruments) {
			in.Symbol += "-2"
			spec.Instruments = append(spec.Instruments, in)
		}
		sameMarkets(t, spec, maxLanes)
	})
}

func sameMarkets(t *testing.T, spec *Spec, lanes int) {
	whole := generateWhole(t, spec)
	defer whole.Close()
	laned, err := NewGenerator(spec)
	if err != nil {
		t.Fatal(err)
	}
	defer laned.Close()
	if laned.lanes == nil || len(laned.lanes.gens) != lanes {
		t.Fatalf("not generated in %d lanes", lanes)
	}
	we, err := replay.ReadAll(whole)
	if err != nil {
		t.Fatal(err)
	}
	le, err := replay.ReadAll(laned)
	if err != nil {
		t.Fatal(err)
	}
	if len(we) != len(le) {
		t.Fatalf("%d events whole, %d in lanes", len(we), len(le))
	}
	bySym := func(evs []replay.Event) map[uint32][]replay.Event {
		out := map[uint32][]replay.Event{}
		for _, ev := range evs {
			out[ev.Symbol] = append(out[ev.Symbol], ev)
		}
		return out
	}
	ws, ls := bySym(we), bySym(le)
	toLane, toWhole := map[uint64]uint64{}, map[uint64]uint64{}
	for sym, w := range ws {
		l := ls[sym]
		if len(w) != len(l) {
			t.Fatalf("symbol %d: %d events whole, %d in lanes", sym, len(w), len(l))
		}
		for i := range w {
			a, b := w[i], l[i]
			if !a.Action.IsVenue() { // a venue action's OrderID is not an order's (an ADL's counterparty, an index constituent)
				if x, ok := toLane[a.OrderID]; ok && x != b.OrderID || !ok && toWhole[b.OrderID] != 0 {
					t.Fatalf("symbol %d event %d: order %d whole is %d in lanes, not one to one", sym, i, a.OrderID, b.OrderID)
				}
				toLane[a.OrderID], toWhole[b.OrderID] = b.OrderID, a.OrderID
			}
			if !a.Action.IsVenue() {
				a.OrderID, b.OrderID = 0, 0
			}
			a.Seq, b.Seq = 0, 0
			if a != b {
				t.Fatalf("symbol %d event %d:\nwhole    %+v\nin lanes %+v", sym, i, a, b)
			}
		}
	}
	if len(ws) < len(spec.Instruments) {
		t.Fatalf("events of %d instruments, want %d", len(ws), len(spec.Instruments))
	}
	ties := 0
	for i, ev := range le {
		if ev.Seq != uint64(i+1) || i > 0 && ev.TS < le[i-1].TS {
			t.Fatalf("event %d: seq %d at %d after %d: the merge is out of order", i, ev.Seq, ev.TS, le[max(i-1, 0)].TS)
		}
		if i > 0 && ev.TS == le[i-1].TS && ev.Symbol != le[i-1].Symbol {
			ties++
			if l, prev := int(ev.Symbol)%lanes, int(le[i-1].Symbol)%lanes; l < prev { // instrument i in lane i mod lanes; ties in the lanes' order
				t.Fatalf("event %d: a tie at %d goes to lane %d after lane %d", i, ev.TS, prev, l)
			}
		}
	}
	t.Logf("%d events, %d ties between instruments", len(le), ties)
	for _, c := range []struct {
		name        string
		whole, lane any
	}{
		{"labels", whole.Labels(), laned.Labels()},
		{"counts", whole.Counts(), laned.Counts()},
		{"accounts", whole.Accounts(), laned.Accounts()},
		{"perpetual conservation", whole.PerpConservation(), laned.PerpConservation()},
		{"instruments", whole.Instruments(), laned.Instruments()},
	} {
		if !reflect.DeepEqual(c.whole, c.lane) {
			t.Errorf("%s differ:\nwhole    %v\nin lanes %v", c.name, c.whole, c.lane)
		}
	}
	if len(whole.Labels()) == 0 {
		t.Error("no labels: the comparison needs the suite's injections")
	}
}

// TestLanesMergeTheSameEvents: the merged events are the same for one core
// or two, and for any size of read.
func TestLanesMergeTheSameEvents(t *testing.T) {
	gen := func(procs, read int) []replay.Event {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		g, err := NewGenerator(laneTestSpec(t, 10*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		defer g.Close()
		var out []replay.Event
		buf := make([]replay.Event, read)
		for {
			n, err := g.Read(buf)
			out = append(out, buf[:n]...)
			if err != nil {
				break
			}
		}
		return out
	}
	want := gen(1, 4096)
	for _, c := range []struct{ procs, read int }{{2, 4096}, {2, 1}, {1, 777}, {4, 10000}} {
		got := gen(c.procs, c.read)
		if len(got) != len(want) {
			t.Fatalf("GOMAXPROCS %d, reads of %d: %d events, want %d", c.procs, c.read, len(got), len(want))
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("GOMAXPROCS %d, reads of %d: event %d is %+v, want %+v", c.procs, c.read, i, got[i], want[i])
			}
		}
	}
}

// TestLanesStopOnClose: a run read only in part (a cancelled replay) and
// closed leaves none of its lanes' goroutines behind.
func TestLanesStopOnClose(t *testing.T) {
	before := runtime.NumGoroutine()
	g, err := NewGenerator(laneTestSpec(t, time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]replay.Event, 1000)
	for range 3 {
		if _, err := g.Read(buf); err != nil {
			t.Fatal(err)
		}
	}
	if runtime.NumGoroutine() <= before {
		t.Fatal("no lane goroutines while the run is read: the test tests nothing")
	}
	if err := g.Close(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); runtime.NumGoroutine() > before; {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines after Close, %d before the run", runtime.NumGoroutine(), before)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
