package results

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tapetest/tapetest/detectors"
	"github.com/tapetest/tapetest/replay"
	"github.com/tapetest/tapetest/scoring"
)

// manyAlerts is one instance at a fixed threshold of 50 with 100 alerts
// scored 0..99: 50 above the line, 50 below.
func manyAlerts() *Contents {
	c := sampleContents()
	c.Alerts = nil
	for i := 0; i < 100; i++ {
		c.Alerts = append(c.Alerts, detectors.Alert{Instance: "wash_self", Typology: replay.WashTrading, Symbol: "BTCUSDT", RaisedAt: c.Start + int64(i)*1e9,
			Start: c.Start + int64(i)*1e9, End: c.Start + int64(i)*1e9, Score: float64(i), Evidence: "x"})
	}
	thr := 50.0
	c.Ran = []scoring.Ref{{Instance: "wash_self", Typology: replay.WashTrading, Selection: scoring.Selection{Threshold: &thr}}}
	return c
}

// TestReviewQueue: every alert above the line, a simple random sample of
// plan.BelowSample below it weighted by what each stands for, the same for
// the same plan and another for another seed.
func TestReviewQueue(t *testing.T) {
	c := manyAlerts()
	ev := scoring.Evaluate(c.Alerts, c.Labels, c.Options, c.Ran...)
	st, ids := newStandings(c, ev), newAlertIDs(c.Alerts)
	draw := func(seed uint64) []queueEntry {
		q, below := reviewQueue(c, st, ids, ReviewPlan{BelowSample: 10, Seed: seed})
		if below[[2]string{"wash_self", "wash_trading"}] != 50 {
			t.Fatalf("below the line: %v", below)
		}
		return q
	}
	q := draw(1)
	var above, sampled int
	for _, e := range q {
		a := c.Alerts[e.Alert]
		switch {
		case e.Above && a.Score >= 50 && e.Weight == 1:
			above++
		case !e.Above && a.Score < 50 && e.Weight == 5:
			sampled++
		default:
			t.Fatalf("entry %+v for score %g", e, a.Score)
		}
	}
	if above != 50 || sampled != 10 {
		t.Fatalf("above %d sampled %d", above, sampled)
	}
	if fmt.Sprint(draw(1)) != fmt.Sprint(q) {
		t.Fatal("the same plan drew another queue")
	}
	if fmt.Sprint(draw(2)) == fmt.Sprint(q) {
		t.Fatal("another seed drew the same sample")
	}
}

func TestReadDispositions(t *testing.T) {
	queue := map[string]bool{"A1": true, "A2": true, "A3": true}
	for _, c := range []struct {
		name, csv  string
		n, pending int
		line       int
		field      string
	}{
		{"the queue filled in", "alert_id,line,disposition,reviewer,notes\nA1,ATL,TP,ana,ok\nA2,ATL,,,\nA3,BTL,false_positive,bo,\n", 2, 1, 0, ""},
		{"id and a BOM", "\ufeffid,Disposition\nA1,esc\n", 1, 0, 0, ""},
		{"unknown alert", "alert_id,disposition\nA1,TP\nA9,FP\n", 0, 0, 3, "alert_id"},
		{"bad disposition", "alert_id,disposition\nA1,maybe\n", 0, 0, 2, "disposition"},
		{"given twice", "alert_id,disposition\nA1,TP\nA1,FP\n", 0, 0, 3, "alert_id"},
		{"no disposition column", "alert_id,verdict\nA1,TP\n", 0, 0, 1, "disposition"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ds, pending, err := ReadDispositions(strings.NewReader(c.csv), "d.csv", queue)
			if c.line == 0 {
				if err != nil || len(ds) != c.n || pending != c.pending {
					t.Fatalf("%v %d pending %d, err %v", ds, len(ds), pending, err)
				}
				return
			}
			var de *DispositionError
			if !errors.As(err, &de) || de.Line != c.line || de.Field != c.field || !strings.HasPrefix(err.Error(), fmt.Sprintf("d.csv:%d: %s", c.line, c.field)) {
				t.Fatalf("error %v, want line %d field %s", err, c.line, c.field)
			}
		})
	}
}

// TestDispositionsChangeTheReport: the report and summary.json show the
// reviewed precision the imported dispositions give, and a re-read
// directory keeps them.
func TestDispositionsChangeTheReport(t *testing.T) {
	c := manyAlerts()
	c.Review = &Review{Plan: ReviewPlan{BelowSample: 10, Seed: 1}}
	dir := t.TempDir()
	if err := WriteDir(dir, c); err != nil {
		t.Fatal(err)
	}
	ids := QueueIDs(c)
	var ds []Disposition
	for id := range ids {
		d := scoring.FalsePositive
		if len(ds)%4 != 0 {
			d = scoring.TruePositive
		}
		ds = append(ds, Disposition{AlertID: id, Decision: d})
	}
	c.Review.Dispositions, _ = MergeDispositions(nil, ds)
	if err := WriteDir(dir, c); err != nil {
		t.Fatal(err)
	}
	s, err := ReadSummary(dir)
	if err != nil {
		t.Fatal(err)
	}
	rv := s.Instances[0].Reviewed
	if rv == nil || rv.ReviewedAbove != 50 || rv.TruePositives+rv.FalsePositives != 50 || rv.SampledReviewed != 10 {
		t.Fatalf("reviewed %+v", rv)
	}
	report, _ := os.ReadFile(filepath.Join(dir, ReportFile))
	want := ReviewedText(rv)
	if !strings.Contains(string(report), want) {
		t.Fatalf("the report lacks the reviewed precision %q", want)
	}
	back, err := ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if back.Review == nil || back.Review.Plan != c.Review.Plan || len(back.Review.Dispositions) != len(ds) {
		t.Fatalf("read back %+v", back.Review)
	}
}

// TestDispositionsAreBounded: a dispositions file over its bound is
// refused, not read into memory.
func TestDispositionsAreBounded(t *testing.T) {
	defer func(n int64) { MaxDispositionsBytes = n }(MaxDispositionsBytes)
	MaxDispositionsBytes = 64
	big := "alert_id,disposition\n" + strings.Repeat("A1,TP,"+strings.Repeat("x", 100)+"\n", 3)
	_, _, err := ReadDispositions(strings.NewReader(big), "d.csv", nil)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("a file over the bound: %v", err)
	}
}
