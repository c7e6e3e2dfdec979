package scenarios

import (
	"math"
	"sort"
	"testing"

	"github.com/tapetest/tapetest/replay"
)

// auc is the probability that a random positive scores above a random
// negative (ties count half): 0.5 means the feature tells nothing.
func auc(pos, neg []float64) float64 {
	type x struct {
		v   float64
		pos bool
	}
	all := make([]x, 0, len(pos)+len(neg))
	for _, v := range pos {
		all = append(all, x{v, true})
	}
	for _, v := range neg {
		all = append(all, x{v, false})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].v < all[j].v })
	var rankSum float64
	for i := 0; i < len(all); {
		j := i
		for j < len(all) && all[j].v == all[i].v {
			j++
		}
		avg := float64(i+j+1) / 2 // average 1-based rank of the tie group
		for k := i; k < j; k++ {
			if all[k].pos {
				rankSum += avg
			}
		}
		i = j
	}
	np, nn := float64(len(pos)), float64(len(neg))
	return (rankSum - np*(np+1)/2) / (np * nn)
}

// TestNoLabelLeakage: nothing in the event stream but behaviour tells an
// injected order from a background one. Simple leak detectors score like a
// coin (AUC within 0.5 ± 0.1): per order, the gap to the previous order id
// (separate id spaces), id parity and residues, round sizes and flags; per
// account (one sample per account that placed orders), the id's magnitude and
// parity. Order ids grow with time, so their magnitude is not a fair feature
// (attacks are spread over the middle of a run); the gap is.
func TestNoLabelLeakage(t *testing.T) {
	s := shortSpec(t)
	s.Duration = Duration(40 * 60e9)
	for i := range s.Injections {
		s.Injections[i].Count = 2
	}
	g, err := NewGenerator(s)
	if err != nil {
		t.Fatal(err)
	}
	evs, err := replay.ReadAll(g)
	if err != nil {
		t.Fatal(err)
	}
	attacker := map[uint64]bool{}
	for _, l := range g.Labels() {
		for _, a := range l.Accounts {
			attacker[a] = true
		}
	}
	var prevID uint64
	features := map[string]func(e *replay.Event) float64{
		"order id gap":     func(e *replay.Event) float64 { return float64(e.OrderID - prevID) },
		"order id parity":  func(e *replay.Event) float64 { return float64(e.OrderID % 2) },
		"order id mod 7":   func(e *replay.Event) float64 { return float64(e.OrderID % 7) },
		"round size (x10)": func(e *replay.Event) float64 { return b2f(e.Qty%10 == 0) },
		"flags":            func(e *replay.Event) float64 { return float64(e.Flags) },
	}
	pos := map[string][]float64{}
	neg := map[string][]float64{}
	seen := map[uint64]bool{}
	for i := range evs {
		e := &evs[i]
		if e.Action != replay.ActionAdd && e.Action != replay.ActionMarket {
			continue
		}
		for name, f := range features {
			if attacker[e.Account] {
				pos[name] = append(pos[name], f(e))
			} else {
				neg[name] = append(neg[name], f(e))
			}
		}
		prevID = e.OrderID
		if !seen[e.Account] {
			seen[e.Account] = true
			for name, v := range map[string]float64{"account id": float64(e.Account), "account id parity": float64(e.Account % 2)} {
				if attacker[e.Account] {
					pos[name] = append(pos[name], v)
				} else {
					neg[name] = append(neg[name], v)
				}
			}
		}
	}
	features["account id"], features["account id parity"] = nil, nil
	if len(pos["flags"]) < 500 {
		t.Fatalf("only %d injected orders: the test would prove nothing", len(pos["flags"]))
	}
	for name := range features {
		a := auc(pos[name], neg[name])
		t.Logf("%-18s AUC %.3f", name, a)
		if math.Abs(a-0.5) > 0.1 {
			t.Errorf("%s tells injected from background orders: AUC %.3f", name, a)
		}
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
