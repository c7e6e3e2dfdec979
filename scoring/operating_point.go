package scoring

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/tapetest/tapetest/detectors"
	"github.com/tapetest/tapetest/labels"
)

// Selection is how a detector entry states the threshold that ships: a
// fixed Threshold, or a Rule that picks one from the sweep — best_f1,
// capacity N (the highest recall with at most N background alerts a day;
// of thresholds with that recall the lowest, which detects earliest),
// min_recall R (the highest threshold still detecting R of the labels),
// min_precision P (the lowest threshold whose precision is still P).
type Selection struct {
	Threshold *float64 `json:"threshold,omitempty"`
	Rule      string   `json:"select,omitempty"`
	// Default is true when the entry stated neither and the run chose by
	// DefaultRule on its behalf.
	Default bool `json:"default,omitempty"`
}

// DefaultRule is the rule that picks the threshold of an entry that states
// neither threshold: nor select:, so that every instance has an operating
// point measured as the scoring's split says.
const DefaultRule = "best_f1"

// OrDefault is the selection, or DefaultRule when it states nothing.
func (s Selection) OrDefault() Selection {
	if s.Set() {
		return s
	}
	return Selection{Rule: DefaultRule, Default: true}
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
	if sw.Labels == 0 { // no label to choose by: every alert would be a false one
		return best
	}
	switch name {
	case "best_f1":
		if len(sw.Points) > 0 {
			return sw.BestF1.Threshold
		}
	case "capacity":
		var bestRecall float64
		for _, p := range sw.Points {
			if !math.IsNaN(p.AlertsPerDay) && p.AlertsPerDay <= v && (!found || p.Recall >= bestRecall) {
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
	Split      string  `json:"split"`       // how calibration and measurement were separated: none, or the spec's split (time 0.5, folds 5 by episode)
	// SplitDetail says what the split did for this instance: the parts'
	// sizes, or each fold's threshold.
	SplitDetail string `json:"split_detail,omitempty"`
	// InSample is true when the threshold was chosen on the same data its
	// metrics are measured on: they flatter the detector.
	InSample bool `json:"in_sample"`
	// CrossValidated is true when the metrics pool k folds, each measured
	// at FoldThresholds' threshold chosen on the other folds; Threshold is
	// then the rule's choice on the whole run (what ships).
	CrossValidated bool      `json:"cross_validated,omitempty"`
	FoldThresholds []float64 `json:"fold_thresholds,omitempty"`
}

// fixedDetail is the split detail of a fixed threshold measured on the
// whole run.
const fixedDetail = "a fixed threshold, measured on the whole run"

// Measured says on what the operating point's metrics were measured:
// "in-sample" (a rule chose on the same labels), "cross-validated",
// "held-out" (a holdout split's measured part) or "fixed" (a fixed
// threshold on the whole run).
func (op *OperatingPoint) Measured() string {
	switch {
	case op.InSample:
		return "in-sample"
	case op.CrossValidated:
		return "cross-validated"
	case op.Split != "none" && op.Split != "" && op.SplitDetail != fixedDetail:
		return "held-out"
	}
	return "fixed"
}

// operate computes an instance's operating point and the metrics it ships
// with (Test): on the held-out part of a holdout split, pooled over the
// folds of a k-fold split, else on the whole run (in-sample when a rule chose
// the threshold there).
func operate(inst string, r *InstanceResult, sel Selection, alerts []detectors.Alert, own []labels.Label, opts Options) {
	op := OperatingPoint{SelectedBy: "fixed", Split: "none"}
	if sel.Threshold != nil {
		op.Threshold = *sel.Threshold
	} else {
		op.SelectedBy = sel.Rule
		if sel.Default {
			op.SelectedBy += " (default)"
		}
	}
	sp := resolveSplit(opts.Split, alerts, own, opts)

	var m Metrics
	switch {
	case sp.Set() && sp.Folds == 0: // a holdout: choose on part 0, measure on part 1
		p := newPartition(sp, alerts, own, opts)
		cal, test := func(k int) bool { return k == 0 }, func(k int) bool { return k == 1 }
		calA, calL := p.subset(nil, alerts, own, cal)
		testA, testL := p.subset(nil, alerts, own, test)
		if sel.Threshold == nil {
			op.Threshold = pick(sel.Rule, SweepOf(inst, r.Typology, calA, calL, p.options(opts, cal)))
		}
		op.Split = sp.String()
		op.SplitDetail = fmt.Sprintf("chosen on the first part (%s; %d labels), measured on the rest (%s; %d labels)", p.desc[0], len(calL), p.desc[1], len(testL))
		m = Compute(inst, r.Typology, op.Threshold, keep(testA, op.Threshold), testL, p.options(opts, test))
	case sp.Set() && sel.Threshold == nil: // k folds: each measured at the threshold the others choose
		p := newPartition(sp, alerts, own, opts)
		var kept []detectors.Alert
		var thr []string
		empty := 0
		// Each fold's alerts in the room of the fold before, made once for
		// the largest: the others' and its own.
		held := make([]int, p.parts) // alerts a fold holds
		for _, k := range p.alertOf {
			held[k]++
		}
		calA, testA := make([]detectors.Alert, 0, len(alerts)-slices.Min(held)), make([]detectors.Alert, 0, slices.Max(held))
		for k := 0; k < p.parts; k++ {
			out, in := func(j int) bool { return j != k }, func(j int) bool { return j == k }
			var calL, testL []labels.Label
			calA, calL = p.subset(calA, alerts, own, out)
			testA, testL = p.subset(testA, alerts, own, in)
			if len(testL) == 0 && len(testA) == 0 {
				empty++
				continue
			}
			t := pick(sel.Rule, SweepOf(inst, r.Typology, calA, calL, p.options(opts, out)))
			op.FoldThresholds = append(op.FoldThresholds, t)
			thr = append(thr, strconv.FormatFloat(t, 'g', 4, 64))
			kept = append(kept, keep(testA, t)...)
		}
		op.Threshold = pick(sel.Rule, r.Sweep) // what ships is chosen on everything
		op.Split = sp.String()
		op.SplitDetail = fmt.Sprintf("cross-validated: each fold measured at the threshold chosen on the others (%s); %d labels", strings.Join(thr, ", "), len(own))
		if empty > 0 {
			op.SplitDetail += fmt.Sprintf("; %d of %d folds held nothing", empty, p.parts)
		}
		op.CrossValidated = true
		m = Compute(inst, r.Typology, op.Threshold, kept, own, opts)
	default:
		if sel.Threshold == nil {
			op.Threshold = pick(sel.Rule, r.Sweep)
			op.InSample = true
		}
		if sp.Set() {
			op.Split, op.SplitDetail = sp.String(), fixedDetail
		}
		m = Compute(inst, r.Typology, op.Threshold, keep(alerts, op.Threshold), own, opts)
	}
	if opts.Split.By == "auto" && op.SplitDetail != "" {
		op.SplitDetail = "the default split (the scoring names none); " + op.SplitDetail
	}
	r.Selection, r.OperatingPoint, r.Test = &sel, &op, &m
}
