package scenarios

import (
	"testing"
	"time"

	"github.com/tapetest/tapetest/replay"
)

// TestWatchersChangeNothing is metamorphic: the ladder traders' knowing
// their orders from the book's watcher counts instead of looking each up on
// every act gives the same market, event for event.
func TestWatchersChangeNothing(t *testing.T) {
	gen := func(watch bool) []replay.Event {
		s, err := Default()
		if err != nil {
			t.Fatal(err)
		}
		s.Duration = Duration(20 * time.Minute)
		g := generateWhole(t, s)
		defer g.Close()
		g.noWatchers = !watch
		evs, err := replay.ReadAll(g)
		if err != nil {
			t.Fatal(err)
		}
		return evs
	}
	with, without := gen(true), gen(false)
	if len(with) != len(without) {
		t.Fatalf("%d events with watchers, %d without", len(with), len(without))
	}
	for i := range with {
		if with[i] != without[i] {
			t.Fatalf("event %d: %+v with watchers, %+v without", i, with[i], without[i])
		}
	}
	if len(with) < 100_000 {
		t.Fatalf("only %d events: the test wants the ladder traders busy", len(with))
	}
}
