package replay

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestDeclareVenueAction: a rule's venue action gets a code of its own, keeps
// it when declared again, is written and read back by name, and passes the
// engine with no book effect; a book action's name cannot be declared.
func TestDeclareVenueAction(t *testing.T) {
	a, err := DeclareVenueAction("test_pause")
	if err != nil {
		t.Fatal(err)
	}
	if b, err := DeclareVenueAction("test_pause"); err != nil || b != a {
		t.Fatalf("declared again: %v %v", b, err)
	}
	if !a.IsVenue() || ActionAdd.IsVenue() || !ActionMark.IsVenue() || a.String() != "test_pause" {
		t.Fatalf("IsVenue or String wrong for %d", a)
	}
	if got, ok := ParseAction("test_pause"); !ok || got != a {
		t.Fatal("ParseAction does not know the declared action")
	}
	for _, bad := range []string{"add", "", "unknown"} {
		if _, err := DeclareVenueAction(bad); err == nil {
			t.Errorf("%q declared", bad)
		}
	}
	if _, err := DeclareVenueAction("mark"); err != nil {
		t.Errorf("the canonical venue action mark: %v", err)
	}
	evs := []Event{{TS: 1, Symbol: 0, Action: a, Price: 5}, {TS: 2, Symbol: 0, Action: ActionAdd, Side: 1, OrderID: 1, Price: 10, Qty: 1}}
	path := filepath.Join(t.TempDir(), "v.parquet")
	writeEventsWith(t, path, evs, 10, 10)
	back := readAll(t, path, 1, 10)
	if len(back) != 2 || back[0].Action != a {
		t.Fatalf("read back %+v", back)
	}
	e, err := NewEngine(testInstruments, EngineOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var b Batch
	e.Apply(&back[0], &b)
	if b.Records[0].Outcome == Rejected {
		t.Fatal("the engine rejected a declared venue action")
	}
	for _, c := range e.Counts() {
		if strings.Contains(c.Kind, "action") {
			t.Fatalf("counted %v", c)
		}
	}
}
