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

func TestPerpAttacksConserveMoneyAndCostTheFund(t *testing.T) {
	g, err := NewGenerator(loadSpec(t, "testdata/perp_attacks.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	evs, err := replay.ReadAll(g)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("events %d counts %v", len(evs), g.Counts())
	for _, l := range g.Labels() {
		t.Logf("%s %s %v..%v accounts %v loss %d", l.ID, l.Intensity, l.Start, l.End, l.Accounts, l.InsuranceLoss)
	}
	for sym, c := range g.PerpConservation() {
		if c != 0 {
			t.Errorf("%s: money not conserved: %d raw units", sym, c)
		}
	}
}
