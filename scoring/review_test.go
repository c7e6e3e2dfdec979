package scoring

import (
	"math"
	"testing"
)

func TestReview(t *testing.T) {
	q := func(above bool, d Decision, n int) []ReviewedAlert {
		out := make([]ReviewedAlert, n)
		for i := range out {
			out[i] = ReviewedAlert{Above: above, Decision: d}
		}
		return out
	}
	cat := func(qs ...[]ReviewedAlert) []ReviewedAlert {
		var out []ReviewedAlert
		for _, x := range qs {
			out = append(out, x...)
		}
		return out
	}
	for _, c := range []struct {
		name             string
		queue            []ReviewedAlert
		below            int
		prec, missed     float64 // NaN: cannot be evaluated
		above, reviewed  int
		sampled, sampRev int
	}{
		{"nothing reviewed", cat(q(true, "", 10), q(false, "", 5)), 50, math.NaN(), math.NaN(), 10, 0, 5, 0},
		{"escalated are open", cat(q(true, Escalated, 4), q(true, TruePositive, 3), q(true, FalsePositive, 1)), 0, 0.75, math.NaN(), 8, 8, 0, 0},
		{"below the line: share found true times the alerts below", cat(q(true, TruePositive, 2), q(false, TruePositive, 2), q(false, FalsePositive, 8), q(false, "", 10)), 200, 1, 40, 2, 2, 20, 10},
		{"an escalated sample alert is not closed", cat(q(false, Escalated, 5), q(false, FalsePositive, 5)), 100, math.NaN(), 0, 0, 0, 10, 10},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := Review(c.queue, c.below)
			same := func(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) || math.Abs(a-b) < 1e-12 }
			if !same(r.Precision, c.prec) || !same(r.MissedEstimate, c.missed) || r.AboveLine != c.above || r.ReviewedAbove != c.reviewed || r.Sampled != c.sampled || r.SampledReviewed != c.sampRev {
				t.Fatalf("got %+v", r)
			}
			if !math.IsNaN(r.Precision) && !(r.PrecisionCI[0] <= r.Precision && r.Precision <= r.PrecisionCI[1]) {
				t.Errorf("precision %g outside its interval %v", r.Precision, r.PrecisionCI)
			}
			if !math.IsNaN(r.MissedEstimate) && !(r.MissedCI[0] <= r.MissedEstimate && r.MissedEstimate <= r.MissedCI[1] && r.MissedCI[1] <= float64(c.below)) {
				t.Errorf("estimate %g outside its interval %v (of %d)", r.MissedEstimate, r.MissedCI, c.below)
			}
		})
	}
}

func TestParseDecision(t *testing.T) {
	for in, want := range map[string]Decision{"TP": TruePositive, "false_positive": FalsePositive, " Esc ": Escalated, "True Positive": TruePositive} {
		if got, err := ParseDecision(in); err != nil || got != want {
			t.Errorf("%q: %q, %v", in, got, err)
		}
	}
	if _, err := ParseDecision("maybe"); err == nil {
		t.Error("maybe was taken")
	}
}

// TestGateMinReviewedPrecision: the rule passes and fails on the
// dispositions' precision, and fails an instance nobody reviewed — it
// cannot be evaluated, which is not a pass.
func TestGateMinReviewedPrecision(t *testing.T) {
	lim := 0.8
	p := Policy{Default: Rule{MinReviewedPrecision: &lim}}
	good := Review(append(make([]ReviewedAlert, 0), ReviewedAlert{Above: true, Decision: TruePositive}, ReviewedAlert{Above: true, Decision: TruePositive}), 0)
	bad := Review([]ReviewedAlert{{Above: true, Decision: TruePositive}, {Above: true, Decision: FalsePositive}}, 0)
	for _, c := range []struct {
		name string
		rv   *Reviewed
		pass bool
	}{{"reviewed precision 1", &good, true}, {"reviewed precision 0.5", &bad, false}, {"no review", nil, false}} {
		res := Gate(p, nil, []InstanceResult{{Instance: "x", Typology: "spoofing", Reviewed: c.rv}})
		if len(res.Rules) != 1 || res.Rules[0].Rule != "min_reviewed_precision" || res.Pass != c.pass {
			t.Errorf("%s: %+v", c.name, res)
		}
	}
}
