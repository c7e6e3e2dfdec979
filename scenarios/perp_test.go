package scenarios

import (
	"os"
	"testing"

	"github.com/tapetest/tapetest/replay"
)

func loadSpec(t *testing.T, path string) *Spec {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Parse(path, b)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestPerpBackgroundConservesMoney(t *testing.T) {
	g, err := NewGenerator(loadSpec(t, "testdata/perp.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	evs, err := replay.ReadAll(g)
	if err != nil {
		t.Fatal(err)
	}
	n := map[replay.Action]int{}
	for _, e := range evs {
		n[e.Action]++
	}
	t.Logf("events %d: %v counts %v", len(evs), n, g.Counts())
	for sym, c := range g.PerpConservation() {
		if c != 0 {
			t.Errorf("%s: money not conserved: %d raw units", sym, c)
		}
	}
}
