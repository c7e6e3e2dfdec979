package scoring

import (
	"fmt"
	"math"
	"strings"
)

// Decision is an analyst's disposition of an alert.
type Decision string

// Dispositions an analyst closes an alert with. Escalated alerts are
// neither: they are counted and left out of reviewed precision until they
// are closed.
const (
	TruePositive  Decision = "true_positive"
	FalsePositive Decision = "false_positive"
	Escalated     Decision = "escalated"
)

// Decisions lists the dispositions in the order documents name them.
var Decisions = []Decision{TruePositive, FalsePositive, Escalated}

// ParseDecision reads a disposition: its name, or the abbreviations case
// tools export (TP, FP, ESC), in any case.
func ParseDecision(s string) (Decision, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true_positive", "tp", "true positive":
		return TruePositive, nil
	case "false_positive", "fp", "false positive":
		return FalsePositive, nil
	case "escalated", "esc", "escalate":
		return Escalated, nil
	}
	return "", fmt.Errorf("disposition %q: want true_positive, false_positive or escalated (or TP, FP, ESC)", s)
}

// ReviewedAlert is one alert of a review queue: above the line (it reaches
// analysts) or drawn into the below-the-line sample, and what the analyst
// decided ("" while not reviewed).
type ReviewedAlert struct {
	Above    bool
	Decision Decision
}

// Reviewed is what analysts' dispositions say of one instance at its
// operating point: precision as reviewed above the line, and the true
// positives the threshold misses, estimated from a random sample of the
// alerts below it.
type Reviewed struct {
	AboveLine      int        `json:"above_line"`      // alerts at or above the threshold
	ReviewedAbove  int        `json:"reviewed_above"`  // of them, with a disposition
	TruePositives  int        `json:"true_positives"`  // above the line
	FalsePositives int        `json:"false_positives"` // above the line
	Escalated      int        `json:"escalated"`       // above the line, not closed
	Precision      float64    `json:"precision"`       // TP / (TP + FP); NaN (null) when none is closed
	PrecisionCI    [2]float64 `json:"precision_ci"`    // Wilson 95%
	// Below the line: BelowLine alerts, Sampled of them drawn at random
	// (each standing for BelowLine/Sampled), SampledReviewed reviewed and
	// SampledTruePositives of those true.
	BelowLine            int `json:"below_line"`
	Sampled              int `json:"sampled"`
	SampledReviewed      int `json:"sampled_reviewed"`
	SampledTruePositives int `json:"sampled_true_positives"`
	SampledEscalated     int `json:"sampled_escalated"`
	// MissedEstimate is the true positives below the line the sample
	// implies: BelowLine × the sampled share found true; MissedCI its 95%
	// interval (Wilson on the share, times BelowLine). NaN (null) with no
	// closed sample.
	MissedEstimate float64    `json:"missed_estimate"`
	MissedCI       [2]float64 `json:"missed_ci"`
}

// Review computes an instance's reviewed figures from its queue (the alerts
// above the line and the below-the-line sample) and the number of alerts
// below the line the sample was drawn from.
func Review(queue []ReviewedAlert, belowLine int) Reviewed {
	r := Reviewed{BelowLine: belowLine, Precision: math.NaN(), MissedEstimate: math.NaN(), PrecisionCI: [2]float64{math.NaN(), math.NaN()}, MissedCI: [2]float64{math.NaN(), math.NaN()}}
	var belowTrue, belowFalse int
	for _, q := range queue {
		if q.Above {
			r.AboveLine++
		} else {
			r.Sampled++
		}
		if q.Decision == "" {
			continue
		}
		switch {
		case q.Above:
			r.ReviewedAbove++
			switch q.Decision {
			case TruePositive:
				r.TruePositives++
			case FalsePositive:
				r.FalsePositives++
			case Escalated:
				r.Escalated++
			}
		default:
			r.SampledReviewed++
			switch q.Decision {
			case TruePositive:
				belowTrue++
			case FalsePositive:
				belowFalse++
			case Escalated:
				r.SampledEscalated++
			}
		}
	}
	r.SampledTruePositives = belowTrue
	if n := r.TruePositives + r.FalsePositives; n > 0 {
		r.Precision = float64(r.TruePositives) / float64(n)
		r.PrecisionCI[0], r.PrecisionCI[1] = Wilson(r.TruePositives, n)
	}
	if n := belowTrue + belowFalse; n > 0 {
		share := float64(belowTrue) / float64(n)
		lo, hi := Wilson(belowTrue, n)
		m := float64(belowLine)
		r.MissedEstimate, r.MissedCI = share*m, [2]float64{lo * m, hi * m}
	}
	return r
}
