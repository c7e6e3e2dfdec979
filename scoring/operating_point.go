package scoring

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/tapetest/tapetest/detectors"
	"github.com/tapetest/tapetest/labels"
)

// Selection is how a detector entry states the threshold that ships: a
// fixed Threshold, or a Rule that picks one from the sweep — best_f1,
// capacity N (the highest recall with at most N background alerts a day),
// min_recall R (the highest threshold still detecting R of the labels),
// min_precision P (the lowest threshold whose precision is still P).
type Selection struct {
	Threshold *float64 `json:"threshold,omitempty"`
	Rule      string   `json:"select,omitempty"`
}

// ParseSelection checks a detector entry's threshold and select.
func ParseSelection(threshold *float64, sel string) (Selection, error) {
	s := Selection{Threshold: threshold, Rule: strings.TrimSpace(sel)}
	if threshold != nil && s.Rule != "" {
		return s, fmt.Errorf("give threshold or select, not both")
	}
	if threshold != nil && (math.IsNaN(*threshold) || math.IsInf(*threshold, 0)) {
		return s, fmt.Errorf("threshold %v: not a finite number", *threshold)
	}
	if s.Rule != "" {
		if _, _, err := parseRule(s.Rule); err != nil {
			return s, err
		}
	}
	return s, nil
}

// Set reports whether the selection states anything.
func (s Selection) Set() bool { return s.Threshold != nil || s.Rule != "" }

func parseRule(r string) (name string, v float64, err error) {
	f := strings.Fields(r)
	if len(f) == 0 {
		return "", 0, fmt.Errorf("select: empty")
	}
	name = f[0]
	switch name {
	case "best_f1":
		if len(f) != 1 {
			return "", 0, fmt.Errorf("select %q: best_f1 takes no value", r)
		}
		return name, 0, nil
	case "capacity", "min_recall", "min_precision":
		if len(f) != 2 {
			return "", 0, fmt.Errorf("select %q: want %s VALUE", r, name)
		}
		v, err = strconv.ParseFloat(f[1], 64)
		if err != nil || math.IsNaN(v) || v < 0 || (name != "capacity" && v > 1) {
			return "", 0, fmt.Errorf("select %q: %s wants %s", r, name, map[bool]string{true: "alerts per day, 0 or more", false: "a share from 0 to 1"}[name == "capacity"])
		}
		return name, v, nil
	}
	return "", 0, fmt.Errorf("select %q: want best_f1, capacity N, min_recall R or min_precision P", r)
}

// pick is the threshold a rule picks from a sweep (highest threshold first);
// +Inf (nothing kept) when no point satisfies it.
func pick(rule string, sw Sweep) float64 {
	name, v, _ := parseRule(rule)
	best, found := math.Inf(1), false
	switch name {
	case "best_f1":
		if len(sw.Points) > 0 {
			return sw.BestF1.Threshold
		}
	case "capacity":
		var bestRecall float64
		for _, p := range sw.Points {
			if !math.IsNaN(p.AlertsPerDay) && p.AlertsPerDay <= v && (!found || p.Recall > bestRecall) {
				best, bestRecall, found = p.Threshold, p.Recall, true
			}
		}
	case "min_recall":
		for _, p := range sw.Points { // the first, from the top, that reaches it
			if p.Recall >= v {
				return p.Threshold
			}
		}
	case "min_precision":
		for _, p := range sw.Points { // the last, going down, that keeps it
			if p.Precision >= v {
				best = p.Threshold
			}
		}
	}
	return best
}

// OperatingPoint is the threshold an instance ships at and how it was
// chosen.
type OperatingPoint struct {
	Threshold  float64 `json:"threshold"`   // +Inf (null): no threshold satisfies the rule; nothing is kept
	SelectedBy string  `json:"selected_by"` // "fixed", or the rule
	Split      string  `json:"split"`       // how calibration and measurement were separated
	// InSample is true when the threshold was chosen on the same data its
	// metrics are measured on: they flatter the detector.
	InSample bool `json:"in_sample"`
}

// splitParts separates alerts and labels at the time cut: labels starting
// before it (and alerts raised before it) calibrate, the rest test.
func splitParts(alerts []detectors.Alert, lbls []labels.Label, cut int64) (calA, testA []detectors.Alert, calL, testL []labels.Label) {
	for _, a := range alerts {
		if a.RaisedAt < cut {
			calA = append(calA, a)
		} else {
			testA = append(testA, a)
		}
	}
	for _, l := range lbls {
		if l.Start < cut {
			calL = append(calL, l)
		} else {
			testL = append(testL, l)
		}
	}
	return
}

// operate computes an instance's operating point and the metrics it ships
// with: on the held-out part when the options split the run by time, else
// on the whole run (in-sample when a rule chose the threshold there).
func operate(inst string, r *InstanceResult, sel Selection, alerts []detectors.Alert, own []labels.Label, opts Options) {
	op := OperatingPoint{SelectedBy: "fixed", Split: "none"}
	measureA, measureL, mopts := alerts, own, opts
	if opts.SplitAt > 0 {
		calA, testA, calL, testL := splitParts(alerts, own, opts.SplitAt)
		f := opts.SplitFraction
		calOpts, testOpts := opts, opts
		calOpts.Days, calOpts.InstrumentDays = opts.Days*f, opts.InstrumentDays*f
		testOpts.Days, testOpts.InstrumentDays = opts.Days*(1-f), opts.InstrumentDays*(1-f)
		op.Split = fmt.Sprintf("time %g: chosen on what starts before %s (%d labels), measured after (%d labels)", f, time.Unix(0, opts.SplitAt).UTC().Format(time.RFC3339), len(calL), len(testL))
		measureA, measureL, mopts = testA, testL, testOpts
		if sel.Threshold == nil {
			op.Threshold = pick(sel.Rule, SweepOf(inst, r.Typology, calA, calL, calOpts))
		}
	} else if sel.Threshold == nil {
		op.Threshold = pick(sel.Rule, r.Sweep)
		op.InSample = true
	}
	if sel.Threshold != nil {
		op.Threshold = *sel.Threshold
	} else {
		op.SelectedBy = sel.Rule
	}
	m := Compute(inst, r.Typology, op.Threshold, keep(measureA, op.Threshold), measureL, mopts)
	r.Selection, r.OperatingPoint, r.Shipped = &sel, &op, &m
}
