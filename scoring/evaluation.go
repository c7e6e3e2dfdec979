package scoring

import (
	"math"
	"runtime"
	"sort"

	"github.com/tapetest/tapetest/detectors"
	"github.com/tapetest/tapetest/labels"
	"github.com/tapetest/tapetest/replay"
	"golang.org/x/sync/errgroup"
)

// InstanceResult is everything scored for one detector instance on the
// typology it claims.
type InstanceResult struct {
	Instance string          `json:"instance"`
	Typology replay.Typology `json:"typology"`
	All      Metrics         `json:"all_alerts"` // every candidate alert kept
	Best     Metrics         `json:"best_f1"`    // at the best-F1 threshold
	Sweep    Sweep           `json:"-"`
	// AtCapacity is the sweep's point of highest recall within the
	// analyst capacity (Options.BudgetPerDay background alerts a day) on
	// this run's own labels — in-sample; nil without a capacity or when no
	// threshold fits it.
	AtCapacity *SweepPoint `json:"at_capacity,omitempty"`
	// Coverage is event recall at the best-F1 threshold on the labels of every
	// typology, matching alerts to labels of any typology (the coverage matrix row).
	Coverage map[replay.Typology]float64 `json:"coverage"`
	// TTD lists the detection times (seconds) of the labels detected at the best-F1 threshold.
	TTD []float64 `json:"-"`
	// Selection, OperatingPoint and Test are there when the detector entry
	// states its threshold (threshold: or select:): how, the threshold and
	// how it was chosen, and the metrics at it — on the held-out part of a
	// holdout split, cross-validated over folds, or on the whole run (marked
	// in-sample when a rule chose the threshold there).
	Selection      *Selection      `json:"selection,omitempty"`
	OperatingPoint *OperatingPoint `json:"operating_point,omitempty"`
	Test           *Metrics        `json:"test,omitempty"`
	// Reviewed is what analysts' dispositions (tapetest review import) say
	// of the instance at its operating point; nil before any review.
	Reviewed *Reviewed `json:"reviewed,omitempty"`
}

// Evaluation scores every detector instance in a run.
type Evaluation struct {
	Options    Options           `json:"options"`
	Typologies []replay.Typology `json:"typologies"` // typologies with labels, in replay.Typologies order
	Instances  []InstanceResult  `json:"instances"`  // sorted by instance id, then typology
}

// Ref names a detector instance and the typology it claims, and how its
// entry states the threshold it ships at (if it does).
type Ref struct {
	Instance  string          `json:"instance"`
	Typology  replay.Typology `json:"typology"`
	Selection Selection       `json:"selection,omitempty"`
}

// Evaluate groups alerts by (instance, typology) and scores each group: the
// metrics with every alert kept, the exact sweep, the metrics at the best-F1
// threshold, the coverage row and the detection times. Instances listed in
// ran are scored even when they raised no alert (recall 0).
func Evaluate(alerts []detectors.Alert, lbls []labels.Label, opts Options, ran ...Ref) *Evaluation {
	ev := &Evaluation{Options: opts}
	has := map[replay.Typology]bool{}
	for _, l := range lbls {
		has[l.Typology] = true
	}
	for _, t := range replay.Typologies {
		if has[t] {
			ev.Typologies = append(ev.Typologies, t)
			delete(has, t)
		}
	}
	var extra []replay.Typology
	for t := range has {
		extra = append(extra, t)
	}
	sort.Slice(extra, func(i, j int) bool { return extra[i] < extra[j] })
	ev.Typologies = append(ev.Typologies, extra...)

	type key struct {
		inst string
		typ  replay.Typology
	}
	groups := map[key][]detectors.Alert{}
	sels := map[string]Selection{} // by instance: every typology its alerts claim ships alike
	var keys []key
	for _, r := range ran {
		if r.Selection.Set() {
			sels[r.Instance] = r.Selection
		}
		k := key{r.Instance, r.Typology}
		if _, ok := groups[k]; !ok {
			groups[k] = nil
			keys = append(keys, k)
		}
	}
	// A run's alerts come instance by instance: a group whose alerts lie
	// together is that part of alerts (scoring only reads them), not a
	// copy — the copy was a 60-hour run's largest allocation while writing
	// its results. A group whose alerts interleave with others' is copied
	// once, at its size.
	type span struct{ first, last, n int }
	spans := map[key]span{}
	for i, a := range alerts {
		k := key{a.Instance, a.Typology}
		sp, ok := spans[k]
		if !ok {
			sp.first = i
			if _, named := groups[k]; !named {
				keys = append(keys, k)
			}
		}
		sp.last, sp.n = i, sp.n+1
		spans[k] = sp
	}
	together := func(sp span) bool { return sp.last-sp.first+1 == sp.n }
	for k, sp := range spans {
		if together(sp) {
			groups[k] = alerts[sp.first : sp.last+1 : sp.last+1]
		} else {
			groups[k] = make([]detectors.Alert, 0, sp.n)
		}
	}
	for _, a := range alerts {
		if k := (key{a.Instance, a.Typology}); !together(spans[k]) {
			groups[k] = append(groups[k], a)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].inst != keys[j].inst {
			return keys[i].inst < keys[j].inst
		}
		return keys[i].typ < keys[j].typ
	})
	anyTyp := opts
	anyTyp.AnyTypology = true
	anyTyp.Segments = nil // the coverage row needs recall only, not rate intervals
	// The instances are scored side by side, each into its place: the
	// evaluation is the same whatever ran first.
	ev.Instances = make([]InstanceResult, len(keys))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, k := range keys {
		as := groups[k]
		g.Go(func() error {
			ev.Instances[i] = evaluateInstance(k.inst, k.typ, as, lbls, ev.Typologies, sels, opts, anyTyp)
			return nil
		})
	}
	g.Wait()
	return ev
}

// evaluateInstance scores one instance's alerts on one typology.
func evaluateInstance(inst string, typ replay.Typology, as []detectors.Alert, lbls []labels.Label, typologies []replay.Typology, sels map[string]Selection, opts, anyTyp Options) InstanceResult {
	own := labelsOf(lbls, typ)
	r := InstanceResult{Instance: inst, Typology: typ, Coverage: map[replay.Typology]float64{}}
	r.All = Compute(inst, typ, math.Inf(-1), as, own, opts)
	r.Sweep = SweepOf(inst, typ, as, own, opts)
	r.AtCapacity = r.Sweep.AtCapacity
	thr := math.Inf(-1)
	if len(r.Sweep.Points) > 0 {
		thr = r.Sweep.BestF1.Threshold
	}
	kept := keep(as, thr)
	r.Best = Compute(inst, typ, thr, kept, own, opts)
	for _, t := range typologies {
		r.Coverage[t] = Compute(inst, t, thr, kept, labelsOf(lbls, t), anyTyp).Recall
	}
	r.TTD = detectionTimes(kept, own, opts)
	if sel, ok := sels[inst]; ok && !(sel.Default && len(own) == 0) { // no label to choose by: no default operating point
		operate(inst, &r, sel, as, own, opts)
	}
	return r
}

// keep returns the alerts with score >= thr.
func keep(alerts []detectors.Alert, thr float64) []detectors.Alert {
	return selectAlerts(alerts, func(i int) bool { return alerts[i].Score >= thr })
}

// selectAlerts returns the alerts whose index in reports true, in order
// (nil when none), copied once into a slice of their number: a fold's or a
// threshold's alerts are most of a run's, and growing the copy by doubling
// was a 60-hour run's largest allocation while scoring.
func selectAlerts(alerts []detectors.Alert, in func(i int) bool) []detectors.Alert {
	n := 0
	for i := range alerts {
		if in(i) {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	out := make([]detectors.Alert, 0, n)
	for i, a := range alerts {
		if in(i) {
			out = append(out, a)
		}
	}
	return out
}

// detectionTimes returns the sorted detection times (s) of detected labels.
func detectionTimes(alerts []detectors.Alert, lbls []labels.Label, opts Options) []float64 {
	alerts, lbls = normalize(alerts, lbls)
	first := map[int]int64{}
	for _, p := range Match(alerts, lbls, opts) {
		t := alerts[p.Alert].RaisedAt
		if f, ok := first[p.Label]; !ok || t < f {
			first[p.Label] = t
		}
	}
	out := make([]float64, 0, len(first))
	for li, t := range first {
		out = append(out, float64(t-lbls[li].Start)/1e9)
	}
	sort.Float64s(out)
	return out
}
