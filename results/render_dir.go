package results

import (
	"fmt"
	"html/template"
	"math"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"

	"github.com/tapetest/tapetest/labels"
	"github.com/tapetest/tapetest/replay"
	"github.com/tapetest/tapetest/scoring"
)

// renderAll draws every plot (PNG and SVG under plots/), report.html and
// summary.md. The PNGs are drawn and encoded on the other cores while the
// report is built (most of the plots' cost); every file's bytes are what one
// goroutine would write. The plots are drawn while the case files are
// written; casesReady waits for them (and marks the cases' links that have
// a file) before the report that links them is put together.
func renderAll(dir string, c *Contents, ev *scoring.Evaluation, cases []caseGroup, casesReady func() error) (err error) {
	var pngs errgroup.Group
	pngs.SetLimit(runtime.GOMAXPROCS(0))
	var pngErrs []*error // each plot's own, in the plots' order: the first is reported, whichever failed first
	defer func() {
		pngs.Wait()
		for _, e := range pngErrs {
			if err == nil {
				err = *e
			}
		}
	}()
	view := &reportView{
		Title:    "tapetest — detector backtest",
		Subtitle: subtitle(c),
		Cases:    cases,
	}
	saveStack := func(name string, err error, w, h vg.Length, ps ...*plot.Plot) (figure, error) {
		if err != nil {
			return figure{}, err
		}
		f, png, err := renderStackSVG(name, w, h, ps...)
		if err != nil {
			return f, err
		}
		pngErr := new(error)
		pngErrs = append(pngErrs, pngErr)
		pngs.Go(func() error {
			b, err := png()
			if err == nil {
				err = WriteFileAtomic(filepath.Join(dir, PlotsDir, name+".png"), b)
			}
			*pngErr = err
			return nil
		})
		return f, WriteFileAtomic(filepath.Join(dir, PlotsDir, name+".svg"), f.SVG)
	}
	save := func(name string, p *plot.Plot, err error, w, h vg.Length) (figure, error) {
		return saveStack(name, err, w, h, p)
	}

	cov, intensity := coverageMatrices(ev, c.NotEvaluable, c.Labels)
	view.Coverage, view.Intensity = cov, intensity
	view.Load = alertLoad(c, ev)
	if len(cov.Rows) > 0 && len(cov.Cols) > 0 {
		title := "Coverage: recall by detector and attack type"
		if len(c.NotEvaluable) > 0 {
			title += " († false alerts not evaluable on this background)"
		}
		p, err := coveragePlot(title, cov.Rows, cov.Cols, cov.Values)
		f, err := save("coverage", p, err, vg.Length(4+1.1*float64(len(cov.Cols)))*vg.Inch, vg.Length(1.5+0.35*float64(len(cov.Rows)))*vg.Inch)
		if err != nil {
			return err
		}
		view.CoverSVG = inlineSVG(f.SVG)
	}

	// One section per typology: PR curves of the instances claiming it, their
	// operating points, and a threshold plot per instance.
	var ttd, rva []plotSeries
	typologiesOf := map[string]int{}
	for _, r := range ev.Instances {
		typologiesOf[r.Instance]++
	}
	used := map[string]bool{} // file names taken: two plots never share one
	unique := func(name string) string {
		n := name
		for i := 2; used[n]; i++ {
			n = fmt.Sprintf("%s_%d", name, i)
		}
		used[n] = true
		return n
	}
	for _, t := range ev.Typologies {
		sec := typologyView{Name: string(t), Anchor: string(t)}
		var pr []plotSeries
		best := -1.0
		for _, r := range ev.Instances {
			if r.Typology != t {
				continue
			}
			sec.Labels = r.Best.Labels
			var rs, ps, ths, f1s, apd []float64
			for _, p := range r.Sweep.Points {
				rs, ps, ths, f1s, apd = append(rs, p.Recall), append(ps, p.Precision), append(ths, p.Threshold), append(f1s, p.F1), append(apd, p.AlertsPerDay)
			}
			// An instance scored on several typologies (liquidation_abuse) has
			// a plot for each, and a series named for each: they used to
			// overwrite one another's file and share one legend entry.
			title := r.Instance
			name := "threshold_" + fileSafe(r.Instance)
			if typologiesOf[r.Instance] > 1 {
				title += " on " + string(t)
				name += "_" + fileSafe(string(t))
			}
			pr = append(pr, plotSeries{Name: r.Instance, X: rs, Y: ps})
			rva = append(rva, plotSeries{Name: title, X: apd, Y: rs})
			ttd = append(ttd, plotSeries{Name: title, X: r.TTD})
			recall := make([]float64, len(rs))
			copy(recall, rs)
			name = unique(name)
			shipped := r.Best.Threshold
			if r.OperatingPoint != nil {
				shipped = r.OperatingPoint.Threshold
			}
			p, err := thresholdPlot(title, ths, ps, recall, f1s, r.Best.Threshold, shipped)
			var load *plot.Plot
			if err == nil {
				load, err = alertLoadPlot(ths, apd, c.Options.BudgetPerDay, shipped)
			}
			f, err := saveStack(name, err, 5*vg.Inch, 2.6*vg.Inch, p, load)
			if err != nil {
				return err
			}
			sec.Threshold = append(sec.Threshold, newFigureView(title, "Above: precision, recall and F1 on this run at every distinct score threshold; dashed: the best-F1 threshold (in-sample); solid: the threshold the entry ships, chosen out of sample. Below: the background alerts a day each threshold sends analysts, against the capacity.", f))
			if ctl, ok := newThresholdControl(fmt.Sprintf("ctl%d", len(used)), title, r.Sweep, shipped, c.Options.BudgetPerDay); ok {
				sec.Controls = append(sec.Controls, ctl)
			}
			m, thrText, measured := r.Best, fmt.Sprintf("%.4g (best F1)", r.Best.Threshold), "in-sample: chosen on these labels"
			if r.Test != nil { // the entry's own operating point, measured as the scoring split says
				m, thrText, measured = *r.Test, fmt.Sprintf("%.4g (%s)", r.OperatingPoint.Threshold, r.OperatingPoint.SelectedBy), measuredText(r.OperatingPoint)
			}
			row := instanceRow{Instance: r.Instance, Threshold: thrText, Measured: measured, Precision: shareText(m.Precision, m.MatchedAlerts, m.Alerts, m.PrecisionCI),
				Recall: shareText(m.Recall, m.Detected, m.Labels, m.RecallCI), F1: m.F1, F1Text: f1Text(&m), AP: r.All.AP,
				TTDP50: secs(m.TTDP50), TTDP90: secs(m.TTDP90), AlertsPerDay: rateText(c, r.Instance, &m), Alerts: m.Alerts}
			if b := c.Options.BudgetPerDay; b > 0 && m.AlertsPerDay > b && c.NotEvaluable[r.Instance] == "" {
				row.OverCapacity = true
				row.AlertsPerDay += fmt.Sprintf(" — over the capacity of %g/day", b)
			}
			if m.F1 > best {
				best = m.F1
			}
			sec.Rows = append(sec.Rows, row)
		}
		for i := range sec.Rows {
			sec.Rows[i].Best = sec.Rows[i].F1 == best && best > 0
		}
		if len(pr) > 0 {
			p, err := prPlot("Precision–recall: "+string(t), pr)
			f, err := save(unique("pr_"+fileSafe(string(t))), p, err, 5*vg.Inch, 3.6*vg.Inch)
			if err != nil {
				return err
			}
			sec.PRSVG = inlineSVG(f.SVG)
		}
		view.Typologies = append(view.Typologies, sec)
	}
	if len(ttd) > 0 {
		p, err := cdfPlot("Time to detect (at each instance's best-F1 threshold)", "seconds after the attack started", ttd)
		f, err := save("ttd_cdf", p, err, 7*vg.Inch, 3.6*vg.Inch)
		if err != nil {
			return err
		}
		view.Figures = append(view.Figures, newFigureView("Time to detect", "Fraction of detected attacks raised within x seconds of their start.", f))
		p, err = recallVsAlertsPlot("Recall against analyst load", rva)
		f, err = save("recall_vs_alerts_per_day", p, err, 7*vg.Inch, 3.6*vg.Inch)
		if err != nil {
			return err
		}
		view.Figures = append(view.Figures, newFigureView("Recall against background alerts per day", "Each step is one threshold: how much recall each extra alert per day of analyst time buys.", f))
	}
	// Alerts on the timelines: those each instance keeps at its operating
	// point (the shipped threshold, else its best F1), matched or false.
	thr := map[string]float64{}
	for _, r := range ev.Instances {
		t := r.Best.Threshold
		if r.OperatingPoint != nil {
			t = r.OperatingPoint.Threshold
		}
		thr[r.Instance+"\x00"+string(r.Typology)] = t
	}
	matched := make([]bool, len(c.Alerts))
	if len(c.Timelines) > 0 {
		for _, pr := range scoring.Match(c.Alerts, c.Labels, c.Options) {
			matched[pr.Alert] = true
		}
	}
	for _, tl := range c.Timelines {
		if len(tl.TS) == 0 {
			continue
		}
		// Wall-clock time on the x axis: Unix seconds, drawn as UTC times.
		ts := make([]float64, len(tl.TS))
		for i, x := range tl.TS {
			ts[i] = float64(x) / 1e9
		}
		var wins []window
		for _, l := range c.Labels {
			if l.Symbol == tl.Symbol {
				wins = append(wins, window{Start: float64(l.Start) / 1e9, End: float64(l.End) / 1e9, Label: string(l.Typology)})
			}
		}
		var marks []marker
		for i, a := range c.Alerts {
			if a.Symbol == tl.Symbol && a.Score >= thr[a.Instance+"\x00"+string(a.Typology)] {
				marks = append(marks, marker{T: float64(a.RaisedAt) / 1e9, Label: a.Instance, Matched: matched[i]})
			}
		}
		p, err := timelinePlot("Price, injections and alerts: "+tl.Symbol, ts, tl.Price, wins, marks)
		f, err := save(unique("timeline_"+fileSafe(tl.Symbol)), p, err, 10*vg.Inch, 3.2*vg.Inch)
		if err != nil {
			return err
		}
		view.Figures = append(view.Figures, newFigureView("Timeline "+tl.Symbol, "Shaded: labelled attacks. Circles: alerts kept at each instance's operating point that matched a label; crosses: false alerts. Times in UTC.", f))
	}
	if err := casesReady(); err != nil {
		return err
	}
	view.Review = newReviewView(c, ev)
	view.Headline = headline(c, ev)
	view.Facts = facts(c)
	for _, k := range c.Counts {
		view.Counts = append(view.Counts, fact{Label: k.Kind, Value: fmt.Sprint(k.N)})
	}
	for _, f := range c.Failures {
		view.Failures = append(view.Failures, fact{Label: f.Instance, Value: f.Error})
	}
	html, err := renderHTML(view)
	if err != nil {
		return err
	}
	if err := WriteFileAtomic(filepath.Join(dir, ReportFile), html); err != nil {
		return err
	}
	return WriteFileAtomic(filepath.Join(dir, MarkdownFile), []byte(markdown(c, ev)))
}

func typNames(ts []replay.Typology) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = string(t)
	}
	return out
}

// fileSafe makes an instance id usable as a file name.
func fileSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '-', r == '.':
			return r
		}
		return '_'
	}, s)
}

func subtitle(c *Contents) string {
	name := "run"
	if c.Manifest != nil && c.Manifest.Spec.Name != "" {
		name = c.Manifest.Spec.Name
	}
	return fmt.Sprintf("%s · %d events · %d labelled attacks · %d alerts · %s", name, c.Events, len(c.Labels), len(c.Alerts), coveredText(c))
}

func headline(c *Contents, ev *scoring.Evaluation) []fact {
	var covered, with int
	for _, t := range ev.Typologies {
		with++
		for _, r := range ev.Instances {
			if r.Typology == t && r.Best.F1 >= 0.8 {
				covered++
				break
			}
		}
	}
	out := []fact{
		{Label: "attack types with a detector at F1 ≥ 0.8", Value: fmt.Sprintf("%d of %d", covered, with)},
		{Label: "labelled attacks", Value: fmt.Sprint(len(c.Labels))},
		{Label: "detector instances", Value: fmt.Sprint(len(ev.Instances))},
		{Label: "candidate alerts", Value: fmt.Sprint(len(c.Alerts))},
	}
	if len(c.Failures) > 0 {
		out = append(out, fact{Label: "failed detector instances", Value: fmt.Sprint(len(c.Failures))})
	}
	return out
}

func facts(c *Contents) []fact {
	out := []fact{{Label: "events replayed", Value: fmt.Sprint(c.Events)},
		{Label: "replayed span", Value: time.Duration(c.End - c.Start).Round(time.Second).String()}}
	if ex := c.Exposure; ex.MaxGap != "" {
		out = append(out, fact{Label: "days the data covers", Value: days(ex.CoveredDays)},
			fact{Label: "instrument-days covered", Value: fmt.Sprintf("%s (%d instruments; gaps over %s excluded)", days(ex.InstrumentDays), len(ex.Instruments), ex.MaxGap)})
	}
	if len(c.NotEvaluable) > 0 {
		out = append(out, fact{Label: "false-alert rate not evaluable", Value: strings.Join(sortedKeys(c.NotEvaluable), ", ") + ": the background lacks what these detectors read (summary.md says what)"})
	}
	out = append(out, fact{Label: "match tolerance", Value: time.Duration(c.Options.Tolerance).String()})
	if c.Options.Lead > 0 {
		out = append(out, fact{Label: "match lead (before a label's start)", Value: time.Duration(c.Options.Lead).String()})
	}
	if m := c.Manifest; m != nil {
		out = append(out, fact{Label: "spec", Value: m.Spec.Name}, fact{Label: "spec sha256", Value: short(m.Spec.SHA256)},
			fact{Label: "seed", Value: fmt.Sprint(m.Seed)}, fact{Label: "tool", Value: m.Tool + " " + m.ToolVersion})
	}
	return out
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

// coverageMatrices are the report's coverage matrix (every instance × every
// labelled typology: event recall at the best-F1 threshold) and its recall
// by intensity (each instance at its own typology).
// coverageMatrices builds the coverage and intensity matrices; a row whose
// instance's false alerts cannot be measured on this background (notEval)
// is marked "†" (the report's caption says what it means).
func coverageMatrices(ev *scoring.Evaluation, notEval map[string]string, lbls []labels.Label) (cov, intensity matrix) {
	labelsOf := map[replay.Typology]int{}
	for _, l := range lbls {
		labelsOf[l.Typology]++
	}
	cov = matrix{Corner: "detector instance ↓ / attack →", Cols: typNames(ev.Typologies)}
	intensity = matrix{Corner: "detector instance (own typology)"}
	intensities := map[labels.Intensity]bool{}
	for _, r := range ev.Instances {
		for _, x := range r.Best.ByIntensity {
			intensities[x.Intensity] = true
		}
	}
	for _, name := range append(slices.Clone(labels.Intensities), labels.Historical) {
		if intensities[name] {
			intensity.Cols = append(intensity.Cols, string(name))
		}
	}
	claims := map[string]int{} // typologies each instance claims alerts for
	for _, r := range ev.Instances {
		claims[r.Instance]++
	}
	for _, r := range ev.Instances {
		name := r.Instance
		if claims[r.Instance] > 1 {
			name += " (" + string(r.Typology) + ")" // one row per typology it alerts on
		}
		if _, no := notEval[r.Instance]; no {
			name += " †"
		}
		cov.Rows = append(cov.Rows, name)
		row := make([]float64, len(ev.Typologies))
		counts := make([]string, len(ev.Typologies))
		for i, t := range ev.Typologies {
			row[i] = math.NaN()
			if v, ok := r.Coverage[t]; ok {
				row[i] = v
				if n := labelsOf[t]; n > 0 {
					counts[i] = fmt.Sprintf("%d/%d", int(math.Round(v*float64(n))), n)
				}
			}
		}
		cov.Values = append(cov.Values, row)
		cov.Counts = append(cov.Counts, counts)
		irow := make([]float64, len(intensity.Cols))
		icounts := make([]string, len(intensity.Cols))
		for i, name := range intensity.Cols {
			irow[i] = math.NaN()
			for _, x := range r.Best.ByIntensity {
				if string(x.Intensity) == name {
					irow[i], icounts[i] = x.Recall, fmt.Sprintf("%d/%d", x.Detected, x.Labels)
				}
			}
		}
		intensity.Counts = append(intensity.Counts, icounts)
		intensity.Rows = append(intensity.Rows, r.Instance+" ("+string(r.Typology)+")")
		intensity.Values = append(intensity.Values, irow)
	}
	return cov, intensity
}

// alertLoad is every instance's alert load: its false alerts per
// instrument-day with every alert kept and at its operating point — on a
// real day with no labels, what it would send analysts.
func alertLoad(c *Contents, ev *scoring.Evaluation) []loadRow {
	var rows []loadRow
	for _, r := range ev.Instances {
		row := loadRow{Instance: r.Instance, Typology: string(r.Typology), Candidates: r.All.Alerts,
			PerInstrumentDay: PerDayText(r.All.FalseAlertsPerInstrumentDay), Shipped: "–"}
		if r.Test != nil {
			row.Shipped = PerDayText(r.Test.FalseAlertsPerInstrumentDay)
		}
		switch why, no := c.NotEvaluable[r.Instance]; {
		case no:
			row.Note, row.PerInstrumentDay, row.Shipped = "not evaluable: "+why, "–", "–"
		case r.All.Labels == 0:
			row.Note = "no labels of its typology: every alert is a false one"
		}
		rows = append(rows, row)
	}
	return rows
}

// controlPoints bounds the sweep points a threshold control carries: the
// report stays light whatever the number of distinct scores.
const controlPoints = 400

// newThresholdControl is an instance's threshold control over its sweep;
// false without points.
func newThresholdControl(id, instance string, sw scoring.Sweep, shipped, capacity float64) (thresholdControl, bool) {
	pts := sw.Points
	if len(pts) == 0 {
		return thresholdControl{}, false
	}
	ship := 0
	for i, p := range pts { // the last point, going down, still at or above the shipped threshold
		if p.Threshold >= shipped {
			ship = i
		}
	}
	step := max(1, (len(pts)+controlPoints-1)/controlPoints)
	keep := []int{ship, len(pts) - 1}
	for i := 0; i < len(pts); i += step {
		keep = append(keep, i)
	}
	slices.Sort(keep)
	keep = slices.Compact(keep)
	var b strings.Builder
	b.WriteByte('[')
	start := 0
	for k, i := range keep {
		p := pts[i]
		if k > 0 {
			b.WriteByte(',')
		}
		if i == ship {
			start = k
		}
		fmt.Fprintf(&b, "[%s,%s,%s,%s,%d,%d]", jsNum(p.Threshold), jsNum(p.Recall), jsNum(p.Precision), jsNum(p.AlertsPerDay), p.Detected, p.Alerts)
	}
	b.WriteByte(']')
	return thresholdControl{ID: id, Instance: instance, Points: template.JS(b.String()), Start: start, Capacity: capacity, Labels: sw.Labels}, true
}

// jsNum is a number as JavaScript reads it (null for NaN and infinities).
func jsNum(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "null"
	}
	return strconv.FormatFloat(v, 'g', 6, 64)
}

// newReviewView is the report's review section, nil before a review.
func newReviewView(c *Contents, ev *scoring.Evaluation) *reviewView {
	if c.Review == nil {
		return nil
	}
	v := &reviewView{Plan: fmt.Sprintf("every alert at or above its instance's operating threshold (ATL), and %d drawn at random below it (BTL) per instance and typology, seed %d", c.Review.Plan.BelowSample, c.Review.Plan.Seed),
		Dispositions: len(c.Review.Dispositions)}
	for _, r := range ev.Instances {
		rv := r.Reviewed
		if rv == nil {
			continue
		}
		m := r.Best
		if r.Test != nil {
			m = *r.Test
		}
		v.Rows = append(v.Rows, reviewRow{Instance: r.Instance, Typology: string(r.Typology), AboveLine: rv.AboveLine, ReviewedAbove: rv.ReviewedAbove,
			TP: rv.TruePositives, FP: rv.FalsePositives, Escalated: rv.Escalated, ReviewedPrecision: ReviewedText(rv),
			LabelPrecision: shareText(m.Precision, m.MatchedAlerts, m.Alerts, m.PrecisionCI), BelowLine: rv.BelowLine, Sampled: rv.Sampled,
			SampledReviewed: rv.SampledReviewed, Missed: MissedText(rv)})
	}
	return v
}
