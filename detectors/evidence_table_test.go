package detectors

import (
	"context"
	"fmt"
	"testing"
	"unsafe"

	"github.com/tapetest/tapetest/replay"
)

// TestEvidenceTable holds intern to its two promises: the text it returns
// equals the one given, always; and a text an instance repeats is one copy
// while the table stays, which it does unless more than half of its first
// evidenceProbe alerts were new texts.
func TestEvidenceTable(t *testing.T) {
	repeating := func(i int) string { return fmt.Sprintf("%d order messages within 1s", 40+i%3) }
	distinct := func(i int) string { return fmt.Sprintf("round trip within %dns", i) }
	for _, tc := range []struct {
		name   string
		text   func(i int) string
		n      int
		off    bool // the table turned itself off
		shared bool // a repeat after the probe is the kept copy
	}{
		{"repeating", repeating, 3 * evidenceProbe, false, true},
		{"distinct", distinct, 3 * evidenceProbe, true, false},
		// The first evidenceProbe alerts: a new text every other one, the
		// one between repeating it — half of them new, or one more.
		{"half new at the probe stays", func(i int) string {
			if i < evidenceProbe {
				return distinct(i - i%2)
			}
			return repeating(i)
		}, 2 * evidenceProbe, false, true},
		{"one more than half new turns off", func(i int) string {
			if i == 1 {
				return distinct(1)
			}
			if i < evidenceProbe {
				return distinct(i - i%2)
			}
			return repeating(i)
		}, 2 * evidenceProbe, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var tab evidenceTable
			first := map[string]*byte{}
			for i := 0; i < tc.n; i++ {
				in := tc.text(i)
				got := tab.intern(in)
				if got != in {
					t.Fatalf("alert %d: intern(%q) = %q", i, in, got)
				}
				p, ok := first[got]
				if !ok {
					first[got] = unsafe.StringData(got)
					continue
				}
				if i > evidenceProbe && (p == unsafe.StringData(got)) != tc.shared {
					t.Fatalf("alert %d: %q shared with its first copy = %v, want %v", i, got, !tc.shared, tc.shared)
				}
			}
			if tab.off != tc.off {
				t.Fatalf("table off = %v, want %v (%d of %d new at the probe)", tab.off, tc.off, tab.fresh, tab.n)
			}
		})
	}
}

// repeatingDetector emits one alert a batch whose evidence is built anew
// each time, in one of two texts.
type repeatingDetector struct{ n int }

func (d *repeatingDetector) Start(*replay.RunInfo) error { return nil }
func (d *repeatingDetector) Consume(b *replay.Batch, emit func(Alert)) error {
	d.n++
	emit(Alert{Symbol: "X", Score: 1, Evidence: fmt.Sprintf("%d cancels", 10+d.n%2)})
	return nil
}
func (d *repeatingDetector) Finish(func(Alert)) error { return nil }

// TestConsumerKeepsOneCopyOfRepeatedEvidence: the alerts a consumer holds
// carry the detector's texts, and an instance's repeated text once.
func TestConsumerKeepsOneCopyOfRepeatedEvidence(t *testing.T) {
	c := NewConsumer("rep", replay.Spoofing, &repeatingDetector{})
	if err := c.Start(context.Background(), &replay.RunInfo{}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10; i++ {
		if err := c.Consume(context.Background(), &replay.Batch{}); err != nil {
			t.Fatal(err)
		}
	}
	as := c.Alerts()
	if len(as) != 10 {
		t.Fatalf("%d alerts, want 10", len(as))
	}
	for i, a := range as {
		if want := fmt.Sprintf("%d cancels", 10+(i+1)%2); a.Evidence != want {
			t.Fatalf("alert %d: evidence %q, want %q", i, a.Evidence, want)
		}
		if i >= 2 && unsafe.StringData(a.Evidence) != unsafe.StringData(as[i-2].Evidence) {
			t.Fatalf("alert %d: its text %q is a copy of its own, not the instance's one", i, a.Evidence)
		}
	}
}
