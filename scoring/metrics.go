package scoring

import (
	"math"
	"slices"
	"sort"

	"github.com/tapetest/tapetest/detectors"
	"github.com/tapetest/tapetest/labels"
	"github.com/tapetest/tapetest/replay"
	"gonum.org/v1/gonum/stat"
)

// Metrics are one detector instance's scores on the labels of one typology
// (Typology "" with Options.AnyTypology: all labels), at one threshold.
type Metrics struct {
	Instance  string          `json:"instance"`
	Typology  replay.Typology `json:"typology"`
	Threshold float64         `json:"threshold"` // alerts with score >= Threshold were kept (-Inf: all)

	Labels          int     `json:"labels"`
	Detected        int     `json:"detected"`
	Alerts          int     `json:"alerts"`
	MatchedAlerts   int     `json:"matched_alerts"`
	BackgroundAlert int     `json:"background_alerts"`
	Recall          float64 `json:"recall"`
	Precision       float64 `json:"precision"`
	// RecallCI and PrecisionCI are the 95% Wilson intervals of Detected of
	// Labels and MatchedAlerts of Alerts (NaN, null in JSON, with nothing to
	// count).
	RecallCI    [2]float64 `json:"recall_ci"`
	PrecisionCI [2]float64 `json:"precision_ci"`
	// F1CI is a 95% bootstrap interval of F1 over the labels (episodes),
	// background alerts held fixed.
	F1CI   [2]float64 `json:"f1_ci"`
	F1     float64    `json:"f1"`
	TTDP50 float64    `json:"ttd_p50_s"` // seconds; NaN when nothing was detected
	// RecallWithin is the share of labels detected within 60 s and within
	// 5 min of their start (an alert after the label's end, within the
	// tolerance, still counts if it is that early).
	RecallWithin   []RecallWithin `json:"recall_within"`
	TTDP90         float64        `json:"ttd_p90_s"`
	AlertsPerEvent float64        `json:"alerts_per_detected_event"`
	AlertsPerDay   float64        `json:"background_alerts_per_day"`
	// FalseAlertsPerInstrumentDay is BackgroundAlert over the instrument-days
	// the data covers (Options.InstrumentDays).
	FalseAlertsPerInstrumentDay float64 `json:"false_alerts_per_instrument_day"`
	// ExposureDays and ExposureInstrumentDays are the covered time these
	// figures were measured over (the rates' denominators).
	ExposureDays           float64 `json:"exposure_days"`
	ExposureInstrumentDays float64 `json:"exposure_instrument_days"`
	// AlertsPerDayCI and FalseAlertsPerInstrumentDayCI are 95% block
	// bootstrap intervals of the two rates over instrument-hours of the
	// covered stretches (NaN without the run's segments).
	AlertsPerDayCI                [2]float64 `json:"background_alerts_per_day_ci"`
	FalseAlertsPerInstrumentDayCI [2]float64 `json:"false_alerts_per_instrument_day_ci"`
	AccountPrec                   float64    `json:"account_precision"` // NaN when no matched pair carries accounts on both sides
	AccountRecall                 float64    `json:"account_recall"`
	RangePrecision                float64    `json:"range_precision"`
	RangeRecall                   float64    `json:"range_recall"`
	AP                            float64    `json:"average_precision"`       // alert-level, over the kept alerts
	EventAP                       float64    `json:"event_average_precision"` // area under the exact PR curve (event recall)

	ByIntensity []IntensityRecall `json:"by_intensity,omitempty"`
}

// RecallWithin is recall counting only detections within Seconds of a
// label's start.
type RecallWithin struct {
	Seconds  float64    `json:"seconds"`
	Detected int        `json:"detected"`
	Recall   float64    `json:"recall"`
	CI       [2]float64 `json:"recall_ci"`
}

// recallHorizons are the horizons of Metrics.RecallWithin, in seconds.
var recallHorizons = []float64{60, 300}

// IntensityRecall is event recall over the labels of one intensity.
type IntensityRecall struct {
	Intensity labels.Intensity `json:"intensity"`
	Labels    int              `json:"labels"`
	Detected  int              `json:"detected"`
	Recall    float64          `json:"recall"`
	// DetectedWithin counts the labels detected within each of
	// Metrics.RecallWithin's horizons (60 s, 5 min) of their start.
	DetectedWithin []int `json:"detected_within"`
}

// quantile is the q-quantile of ascending values by the nearest rank: the
// smallest value at or above a fraction q of the values (gonum's
// stat.Empirical, the rule realism's percentiles use too); NaN if empty.
func quantile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return math.NaN()
	}
	return stat.Quantile(q, stat.Empirical, sorted, nil)
}

func ratio(a, b int) float64 {
	if b == 0 {
		return math.NaN()
	}
	return float64(a) / float64(b)
}

func f1(p, r float64) float64 {
	if math.IsNaN(p) || math.IsNaN(r) || p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

func perDay(n int, days float64) float64 {
	if days <= 0 {
		return math.NaN()
	}
	return float64(n) / days
}

func strictlyAscending(a []uint64) bool {
	for i := 1; i < len(a); i++ {
		if a[i] <= a[i-1] {
			return false
		}
	}
	return true
}

// normalize returns alerts and labels whose account lists are ascending
// and free of duplicates (copies only where needed).
func normalize(alerts []detectors.Alert, lbls []labels.Label) ([]detectors.Alert, []labels.Label) {
	clean := func(a []uint64) []uint64 {
		if strictlyAscending(a) {
			return a
		}
		c := slices.Clone(a)
		slices.Sort(c)
		return slices.Compact(c)
	}
	var ac []detectors.Alert
	for i := range alerts {
		if c := clean(alerts[i].Accounts); len(c) != len(alerts[i].Accounts) || (len(c) > 0 && &c[0] != &alerts[i].Accounts[0]) {
			if ac == nil {
				ac = slices.Clone(alerts)
			}
			ac[i].Accounts = c
		}
	}
	if ac == nil {
		ac = alerts
	}
	var lc []labels.Label
	for i := range lbls {
		if c := clean(lbls[i].Accounts); len(c) != len(lbls[i].Accounts) || (len(c) > 0 && &c[0] != &lbls[i].Accounts[0]) {
			if lc == nil {
				lc = slices.Clone(lbls)
			}
			lc[i].Accounts = c
		}
	}
	if lc == nil {
		lc = lbls
	}
	return ac, lc
}

// Compute scores alerts (one instance's, any threshold already applied)
// against labels (already restricted to the typology being scored) from
// scratch. Sweep computes the same figures at every threshold incrementally;
// Compute is the reference it is tested against.
func Compute(instance string, typology replay.Typology, threshold float64, alerts []detectors.Alert, lbls []labels.Label, opts Options) Metrics {
	alerts, lbls = normalize(alerts, lbls)
	m := Metrics{Instance: instance, Typology: typology, Threshold: threshold, Labels: len(lbls), Alerts: len(alerts)}
	pairs := Match(alerts, lbls, opts)
	first := make([]int64, len(lbls))
	for i := range first {
		first[i] = math.MaxInt64
	}
	matched := make([]bool, len(alerts))
	matchedBy := make([]int, len(lbls)) // alerts per label, each alert counted with its first label
	var accInter, accAlert int
	detAcc := make([][]uint64, len(lbls))
	for _, p := range pairs {
		a, l := &alerts[p.Alert], &lbls[p.Label]
		if !matched[p.Alert] {
			matchedBy[p.Label]++
		}
		matched[p.Alert] = true
		first[p.Label] = min(first[p.Label], a.RaisedAt)
		if len(a.Accounts) > 0 && len(l.Accounts) > 0 {
			accInter += intersect(a.Accounts, l.Accounts)
			accAlert += len(a.Accounts)
			detAcc[p.Label] = append(detAcc[p.Label], a.Accounts...)
		}
	}
	var ttd []float64
	for i, f := range first {
		if f != math.MaxInt64 {
			m.Detected++
			ttd = append(ttd, float64(f-lbls[i].Start)/1e9)
		}
	}
	sort.Float64s(ttd)
	for _, ok := range matched {
		if ok {
			m.MatchedAlerts++
		}
	}
	m.BackgroundAlert = m.Alerts - m.MatchedAlerts
	m.Recall = ratio(m.Detected, m.Labels)
	m.Precision = ratio(m.MatchedAlerts, m.Alerts)
	m.RecallCI[0], m.RecallCI[1] = Wilson(m.Detected, m.Labels)
	m.PrecisionCI[0], m.PrecisionCI[1] = Wilson(m.MatchedAlerts, m.Alerts)
	m.F1 = f1(m.Precision, m.Recall)
	detected := make([]bool, len(lbls))
	for i, f := range first {
		detected[i] = f != math.MaxInt64
	}
	m.F1CI[0], m.F1CI[1] = bootstrapF1(detected, matchedBy, m.BackgroundAlert)
	m.TTDP50, m.TTDP90 = quantile(ttd, 0.5), quantile(ttd, 0.9)
	for _, h := range recallHorizons {
		k := sort.SearchFloat64s(ttd, math.Nextafter(h, math.Inf(1))) // detections at or before h
		rw := RecallWithin{Seconds: h, Detected: k, Recall: ratio(k, m.Labels)}
		rw.CI[0], rw.CI[1] = Wilson(k, m.Labels)
		m.RecallWithin = append(m.RecallWithin, rw)
	}
	m.AlertsPerEvent = ratio(m.MatchedAlerts, m.Detected)
	m.AlertsPerDay = perDay(m.BackgroundAlert, opts.Days)
	m.FalseAlertsPerInstrumentDay = perDay(m.BackgroundAlert, opts.InstrumentDays)
	m.ExposureDays, m.ExposureInstrumentDays = opts.Days, opts.InstrumentDays
	m.FalseAlertsPerInstrumentDayCI = bootstrapRate(alerts, matched, opts.Segments)
	m.AlertsPerDayCI = m.FalseAlertsPerInstrumentDayCI
	for i := range m.AlertsPerDayCI { // the same alerts over the universe's days
		m.AlertsPerDayCI[i] *= opts.InstrumentDays / opts.Days
	}
	m.AccountPrec = ratio(accInter, accAlert)
	var recInter, recTotal int
	for i, accs := range detAcc {
		if len(accs) == 0 {
			continue
		}
		slices.Sort(accs)
		recInter += intersect(slices.Compact(accs), lbls[i].Accounts)
		recTotal += len(lbls[i].Accounts)
	}
	m.AccountRecall = ratio(recInter, recTotal)
	pw := make([]Window, len(alerts))
	for i, a := range alerts {
		pw[i] = Window{a.Symbol, min(a.Start, a.End), max(a.Start, a.End)}
	}
	rw := make([]Window, len(lbls))
	for i, l := range lbls {
		rw[i] = Window{l.Symbol, l.Start, l.End}
	}
	m.RangePrecision, m.RangeRecall = RangePR(pw, rw, opts.RangeAlpha, biasOr(opts.RangeBias))
	if len(alerts) == 0 {
		m.RangePrecision = math.NaN()
	}
	if len(lbls) == 0 {
		m.RangeRecall = math.NaN()
	}
	pts := sweepPoints(alerts, lbls, pairs, opts)
	m.AP, m.EventAP = averagePrecision(pts, m.MatchedAlerts)
	m.ByIntensity = byIntensity(lbls, first)
	return m
}

func biasOr(b Bias) Bias {
	if b == "" {
		return Flat
	}
	return b
}

func byIntensity(lbls []labels.Label, first []int64) []IntensityRecall {
	idx := map[labels.Intensity]int{}
	var out []IntensityRecall
	for i, l := range lbls {
		k, ok := idx[l.Intensity]
		if !ok {
			k = len(out)
			idx[l.Intensity] = k
			out = append(out, IntensityRecall{Intensity: l.Intensity})
		}
		out[k].Labels++
		if out[k].DetectedWithin == nil {
			out[k].DetectedWithin = make([]int, len(recallHorizons))
		}
		if first[i] != math.MaxInt64 {
			out[k].Detected++
			for h, s := range recallHorizons {
				if float64(first[i]-l.Start) <= s*1e9 {
					out[k].DetectedWithin[h]++
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Intensity.Rank() < out[j].Intensity.Rank() })
	for i := range out {
		out[i].Recall = ratio(out[i].Detected, out[i].Labels)
	}
	return out
}
