package results

import (
	"testing"

	"github.com/tapetest/tapetest/detectors"
)

// TestAlertIDsAreStable: an alert's id depends on the alert, not on its
// position; identical alerts are told apart in order; different alerts get
// different ids.
func TestAlertIDsAreStable(t *testing.T) {
	a := detectors.Alert{Instance: "d", Typology: "spoofing", Symbol: "X", RaisedAt: 10, Start: 5, End: 10, Score: 2.5}
	b := a
	b.Score = 2.6
	ids := AlertIDs([]detectors.Alert{a, b, a})
	again := AlertIDs([]detectors.Alert{b, a})
	if ids[0] != again[1] || ids[1] != again[0] {
		t.Fatalf("ids moved with the order: %v %v", ids, again)
	}
	if ids[0] == ids[1] || ids[2] != ids[0]+"-2" || len(ids[0]) != 17 {
		t.Fatalf("ids %v", ids)
	}
}
