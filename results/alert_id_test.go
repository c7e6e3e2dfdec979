package results

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
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
	// Analysts' dispositions name alerts by id: an id must not change from
	// one version to the next.
	if ids[0] != "A1097f5b22f043b65" {
		t.Fatalf("the id of %+v changed: %s", a, ids[0])
	}
}

// idsOneByOne is AlertIDs as it was first written: each id's string made
// and told apart from those before it in a map — the oracle for the
// digests kept instead and the numbering of identical alerts.
func idsOneByOne(alerts []detectors.Alert) []string {
	ids := make([]string, len(alerts))
	seen := map[string]int{}
	for i := range alerts {
		var b [8]byte
		binary.BigEndian.PutUint64(b[:], alertDigest(sha256.New(), &alerts[i]))
		id := "A" + hex.EncodeToString(b[:])
		seen[id]++
		if n := seen[id]; n > 1 {
			id = fmt.Sprintf("%s-%d", id, n)
		}
		ids[i] = id
	}
	return ids
}

// TestAlertIDsAreOneByOnes: the digests kept give every alert the id the
// one-by-one reading gives it — unique alerts, pairs, and twelve identical
// ones (-10 sorts before -2 as strings) spread among others — and compare
// orders alerts as their ids' strings do.
func TestAlertIDsAreOneByOnes(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	var alerts []detectors.Alert
	for i := 0; i < 400; i++ {
		a := detectors.Alert{Instance: fmt.Sprint("d", r.IntN(3)), Typology: "spoofing", Symbol: "X", RaisedAt: int64(r.IntN(50)), Start: 1, End: 2, Score: float64(r.IntN(40))}
		alerts = append(alerts, a)
		if i%37 == 0 {
			alerts = append(alerts, detectors.Alert{Instance: "same", Typology: "wash_trading", Symbol: "Y", Score: 1})
		}
	}
	want := idsOneByOne(alerts)
	got := AlertIDs(alerts)
	if !slices.Equal(got, want) {
		t.Fatalf("ids differ:\n%v\n%v", got, want)
	}
	var tens int
	for _, id := range want {
		if strings.HasSuffix(id, "-10") {
			tens++
		}
	}
	if tens == 0 {
		t.Fatal("no alert repeated ten times: the string order of -10 and -2 is not tried")
	}
	ids := newAlertIDs(alerts)
	for k := 0; k < 5000; k++ {
		i, j := r.IntN(len(alerts)), r.IntN(len(alerts))
		if c, w := ids.compare(i, j), strings.Compare(want[i], want[j]); c != w {
			t.Fatalf("compare(%s, %s) = %d, want %d", want[i], want[j], c, w)
		}
	}
	for i := range alerts { // the identical ones against each other
		for j := range alerts {
			if ids.sum[i] == ids.sum[j] && ids.compare(i, j) != strings.Compare(want[i], want[j]) {
				t.Fatalf("compare(%s, %s)", want[i], want[j])
			}
		}
	}
}
