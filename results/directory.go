package results

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/tapetest/tapetest/detectors"
	"github.com/tapetest/tapetest/labels"
	"github.com/tapetest/tapetest/replay"
	"github.com/tapetest/tapetest/scoring"
	"golang.org/x/sync/errgroup"
)

// More file names inside a results directory.
const (
	SummaryFile  = "summary.json"
	MarkdownFile = "summary.md"
	ReportFile   = "report.html"
	TimelineFile = "timeline.parquet"
	PlotsDir     = "plots"
)

// Timeline is one symbol's price path for the timeline plot (already thinned).
type Timeline struct {
	Symbol string
	TS     []int64
	Price  []float64
}

type timelineRow struct {
	Symbol string  `parquet:"symbol,dict"`
	TS     int64   `parquet:"ts,timestamp(nanosecond:utc)"`
	Price  float64 `parquet:"price"`
}

// Failure is a detector instance that failed during the run.
type Failure struct {
	Instance string `json:"instance"`
	Error    string `json:"error"`
}

// Contents is everything a results directory is made from.
type Contents struct {
	Manifest  *Manifest
	Alerts    []detectors.Alert
	Labels    []labels.Label
	Options   scoring.Options
	Timelines []Timeline
	Counts    []replay.Count
	Failures  []Failure
	Ran       []scoring.Ref // every detector instance that ran (scored even without alerts)
	Exposure  Exposure      // the time the data covers
	// NotEvaluable says, per instance, why its false-alert rate cannot be
	// measured on this background (missing accounts or order ids).
	NotEvaluable map[string]string
	Events       int64
	Start        int64 // replayed time range, ns
	End          int64
	// Accounts are the run's account attributes, for case files (empty for
	// public data).
	Accounts []replay.AccountAttrs
	// Tape reads the market around alerts for their case files; nil when
	// the directory is re-rendered from its own files (the case files it
	// holds stay).
	Tape CaseTape
	// Review is the directory's review queue plan and the analysts'
	// dispositions (tapetest review); nil before a review is exported.
	Review *Review
}

// Summary is summary.json: what `tapetest gate` compares.
type Summary struct {
	ResultsVersion int      `json:"results_version"`
	Spec           SpecRef  `json:"spec"`
	Seed           uint64   `json:"seed"`
	Events         int64    `json:"events"`
	Days           float64  `json:"days"` // the days the data covers (Exposure.CoveredDays)
	Exposure       Exposure `json:"exposure"`
	// NotEvaluable: instance → why its false-alert rate cannot be measured
	// on this background (docs/scoring.md).
	NotEvaluable map[string]string `json:"background_not_evaluable,omitempty"`
	// BudgetPerDay is the analyst capacity the scoring names
	// (scoring.budget_per_day): background alerts a day; 0 when none.
	BudgetPerDay float64                  `json:"budget_per_day,omitempty"`
	Labels       int                      `json:"labels"`
	Alerts       int                      `json:"alerts"`
	Typologies   []replay.Typology        `json:"typologies"`
	Instances    []scoring.InstanceResult `json:"instances"`
	Counts       []replay.Count           `json:"counts"`
	Failures     []Failure                `json:"failures"`
}

// WriteDir writes the whole results directory (tables, summary.json,
// summary.md, plots, report.html, and finally manifest.json with the hashes of
// every other file).
func WriteDir(dir string, c *Contents) error {
	if err := fs.MkdirAll(filepath.Join(dir, PlotsDir), 0o755); err != nil {
		return fmt.Errorf("results: %w", err)
	}
	ev := scoring.Evaluate(c.Alerts, c.Labels, c.Options, c.Ran...)
	var ms []metricsAt
	var sweeps []scoring.Sweep
	for _, r := range ev.Instances {
		ms = append(ms, metricsAt{"all_alerts", r.All}, metricsAt{"best_f1", r.Best})
		sweeps = append(sweeps, r.Sweep)
	}
	st := newStandings(c, ev)
	ids := newAlertIDs(c.Alerts)
	refs, groups := selectCases(c, ev, st, ids)
	matched := st.matched
	// The review's figures go into the evaluation before anything reads it.
	rv := applyReview(c, ev, st, ids)
	// The tables depend on nothing the other steps write; the case files,
	// the review's files (whose queue links them) and the summary follow one
	// another; the report's plots are drawn beside them, and the report is
	// put together once the case files it links are there. The three chains
	// run side by side; the error reported is the first in step order,
	// whichever came first.
	casesDone := make(chan struct{})
	var errs [3]error
	chains := [len(errs)][]func() error{{
		func() error { return writeAlerts(dir, c.Alerts, ids, matched) },
		func() error { return WriteLabels(dir, c.Labels) },
		func() error { return writeMetrics(dir, ms) },
		func() error { return writeSweeps(dir, sweeps) },
		func() error { return writeTimelines(dir, c.Timelines) },
	}, {
		func() error { return writeCases(context.Background(), dir, c, refs, st) },
		func() error { return writeReview(dir, c, st, ids, rv) },
		func() error { return writeSummary(dir, c, ev) },
	}, {
		func() error {
			return renderAll(dir, c, ev, groups, func() error {
				<-casesDone
				if errs[1] != nil {
					return errCasesFailed
				}
				caseFilesPresent(dir, groups)
				return nil
			})
		},
	}}
	var g errgroup.Group
	for k, steps := range chains {
		g.Go(func() error {
			if k == 1 {
				defer close(casesDone)
			}
			for _, step := range steps {
				if errs[k] = step(); errs[k] != nil {
					break
				}
			}
			return nil
		})
	}
	g.Wait()
	if err := firstError(errs[:]); err != nil {
		return err
	}
	if c.Manifest != nil {
		files, err := HashDir(dir)
		if err != nil {
			return err
		}
		c.Manifest.Files = files
		return WriteManifest(dir, c.Manifest)
	}
	return nil
}

// errCasesFailed is the report's error when the case files it links failed
// (their error is the one reported: it comes first in step order).
var errCasesFailed = errors.New("results: the report was not put together: its case files failed")

func writeTimelines(dir string, ts []Timeline) error {
	var rows []timelineRow
	for _, t := range ts {
		for i := range t.TS {
			rows = append(rows, timelineRow{Symbol: t.Symbol, TS: t.TS[i], Price: t.Price[i]})
		}
	}
	return writeTable(filepath.Join(dir, TimelineFile), rows)
}

func writeSummary(dir string, c *Contents, ev *scoring.Evaluation) error {
	s := Summary{ResultsVersion: ResultsVersion, Events: c.Events, Days: c.Options.Days, BudgetPerDay: c.Options.BudgetPerDay, Exposure: c.Exposure, NotEvaluable: c.NotEvaluable, Labels: len(c.Labels), Alerts: len(c.Alerts),
		Typologies: ev.Typologies, Instances: ev.Instances, Counts: c.Counts, Failures: c.Failures}
	if c.Manifest != nil {
		s.Spec, s.Seed = c.Manifest.Spec, c.Manifest.Seed
	}
	b, err := json.MarshalIndent(jsonSafe(s), "", "  ")
	if err != nil {
		return fmt.Errorf("summary.json: %w", err)
	}
	return WriteFileAtomic(filepath.Join(dir, SummaryFile), append(b, '\n'))
}

// jsonSafe converts v to a tree of maps, slices and scalars that
// encoding/json accepts, with NaN and ±Inf (which JSON cannot represent)
// turned into null. Struct fields keep their json names; "-" fields and empty
// omitempty fields are dropped. Map keys are sorted by encoding/json, so the
// output is deterministic.
func jsonSafe(v any) any { return safeValue(reflect.ValueOf(v)) }

func safeValue(v reflect.Value) any {
	switch v.Kind() {
	case reflect.Invalid:
		return nil
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return safeValue(v.Elem())
	case reflect.Float32, reflect.Float64:
		f := v.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil
		}
		return f
	case reflect.Struct:
		out := map[string]any{}
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			fv := v.Field(i)
			if strings.Contains(opts, "omitempty") && fv.IsZero() {
				continue
			}
			out[name] = safeValue(fv)
		}
		return out
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			return []any{}
		}
		out := make([]any, v.Len())
		for i := range out {
			out[i] = safeValue(v.Index(i))
		}
		return out
	case reflect.Map:
		out := map[string]any{}
		for _, k := range v.MapKeys() {
			out[fmt.Sprint(k.Interface())] = safeValue(v.MapIndex(k))
		}
		return out
	}
	return v.Interface()
}

// ReadSummary reads a summary.json (a results directory or the file itself).
func ReadSummary(path string) (*Summary, error) {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		path = filepath.Join(path, SummaryFile)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read summary: %w", err)
	}
	var s Summary
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if s.ResultsVersion != ResultsVersion {
		return nil, fmt.Errorf("%s: results_version %d, this tapetest reads %d", path, s.ResultsVersion, ResultsVersion)
	}
	return &s, nil
}

func pct(v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	return fmt.Sprintf("%.1f%%", 100*v)
}

func secs(v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	return (time.Duration(v * float64(time.Second))).Round(time.Millisecond).String()
}

// rateText is an instance's background alerts per day with its count and
// interval, or "not evaluable" when the background lacks what its detector
// needs.
func rateText(c *Contents, instance string, m *scoring.Metrics) string {
	if _, no := c.NotEvaluable[instance]; no {
		return "not evaluable"
	}
	return RateWithCI(m.AlertsPerDay, m.BackgroundAlert, m.AlertsPerDayCI)
}

// shareText is a proportion with its count and 95% interval, or "–" with
// nothing to count.
func shareText(v float64, k, n int, ci [2]float64) string {
	if n == 0 {
		return "– (0/0)"
	}
	return fmt.Sprintf("%s (%d/%d) [%.0f–%.0f%%]", pct(v), k, n, 100*ci[0], 100*ci[1])
}

func f1Text(m *scoring.Metrics) string {
	if m.Labels == 0 || math.IsNaN(m.F1) {
		return "–"
	}
	return fmt.Sprintf("%.3f [%.2f–%.2f]", m.F1, m.F1CI[0], m.F1CI[1])
}

// measuredText says on what an operating point's metrics were measured.
func measuredText(op *scoring.OperatingPoint) string {
	switch op.Measured() {
	case "in-sample":
		return "in-sample (the rule chose on these labels)"
	case "cross-validated":
		return op.Split + ", cross-validated"
	case "held-out":
		return op.Split + ", held-out part"
	}
	return "whole run (fixed threshold)"
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// PerDayText prints a rate per day: one decimal from 1 up, two significant
// digits below (a rate of 0.07 a day is not "0.1", nor "0.0"), "–" for NaN.
func PerDayText(v float64) string {
	switch {
	case math.IsNaN(v):
		return "–"
	case v == 0 || v >= 1:
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'g', 2, 64)
}

// markdown renders summary.md: the thresholds entries ship and their
// metrics first (out of sample when the scoring splits the run), then every
// instance at its in-sample best F1, the not-evaluable instances and the
// counts.
func markdown(c *Contents, ev *scoring.Evaluation) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# tapetest results\n\n%d events, %d labelled events, %d alerts; %s.\n", c.Events, len(c.Labels), len(c.Alerts), coveredText(c))
	first := true
	for _, r := range ev.Instances {
		if r.Test == nil {
			continue
		}
		if first {
			b.WriteString("\n**Shipped operating points**: the threshold each entry states or selects, and its metrics there (95% intervals: Wilson for precision and recall, bootstrap for F1 and the alert rate).\n\n" +
				"| detector instance | typology | threshold | selected by | measured | precision (matched/alerts) | recall (detected/labels) | F1 | background alerts/day (count) |\n|---|---|---|---|---|---|---|---|---|\n")
			first = false
		}
		m, op := r.Test, r.OperatingPoint
		fmt.Fprintf(&b, "| %s | %s | %.4g | %s | %s | %s | %s | %s | %s |\n", r.Instance, r.Typology, op.Threshold, op.SelectedBy, measuredText(op),
			shareText(m.Precision, m.MatchedAlerts, m.Alerts, m.PrecisionCI), shareText(m.Recall, m.Detected, m.Labels, m.RecallCI), f1Text(m), rateText(c, r.Instance, m))
	}
	b.WriteString("\n**Every instance at its best-F1 threshold on this run's own labels** (in-sample: a threshold tuned on other data will do worse).\n\n")
	b.WriteString("| detector instance | typology | threshold (best F1) | precision | recall | F1 | TTD p50 | TTD p90 | background alerts/day (count) | recall at capacity |\n|---|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range ev.Instances {
		m := r.Best
		atCap := "–"
		if p := r.AtCapacity; p != nil {
			atCap = fmt.Sprintf("%s (%d/%d) at %.4g", pct(p.Recall), p.Detected, m.Labels, p.Threshold)
		}
		fmt.Fprintf(&b, "| %s | %s | %.4g | %s | %s | %s | %s | %s | %s | %s |\n", r.Instance, r.Typology, m.Threshold,
			shareText(m.Precision, m.MatchedAlerts, m.Alerts, m.PrecisionCI), shareText(m.Recall, m.Detected, m.Labels, m.RecallCI), f1Text(&m), secs(m.TTDP50), secs(m.TTDP90), rateText(c, r.Instance, &m), atCap)
	}
	if c.Options.BudgetPerDay > 0 {
		fmt.Fprintf(&b, "\nCapacity: %g background alerts a day (`scoring.budget_per_day`); recall at capacity is the highest recall within it.\n", c.Options.BudgetPerDay)
	}
	if len(c.NotEvaluable) > 0 {
		b.WriteString("\n**Not evaluable on this background**\n\n")
		for _, id := range sortedKeys(c.NotEvaluable) {
			fmt.Fprintf(&b, "- `%s`: %s\n", id, c.NotEvaluable[id])
		}
	}
	if len(c.Failures) > 0 {
		b.WriteString("\n**Failed detector instances**\n\n")
		for _, f := range c.Failures {
			fmt.Fprintf(&b, "- `%s`: %s\n", f.Instance, f.Error)
		}
	}
	return b.String()
}

// ReadDir loads the inputs of a results directory back (alerts, labels,
// timelines and the manifest), so that plots and report can be re-rendered
// with WriteDir. The scoring options are read from the manifest.
func ReadDir(dir string) (*Contents, error) {
	m, err := ReadManifest(dir)
	if err != nil {
		return nil, err
	}
	c := &Contents{Manifest: m}
	if err := json.Unmarshal(m.Scoring, &c.Options); err != nil {
		return nil, fmt.Errorf("%s: scoring options: %w", filepath.Join(dir, manifestFile), err)
	}
	arows, err := parquet.ReadFile[alertRow](filepath.Join(dir, AlertsFile))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", AlertsFile, err)
	}
	for _, r := range arows {
		c.Alerts = append(c.Alerts, detectors.Alert{Instance: r.Instance, Typology: replay.Typology(r.Typology), Symbol: r.Symbol, RaisedAt: r.RaisedAt,
			Start: r.Start, End: r.End, Accounts: r.Accounts, Score: r.Score, Evidence: r.Evidence})
	}
	lrows, err := parquet.ReadFile[labelRow](filepath.Join(dir, LabelsFile))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", LabelsFile, err)
	}
	for _, r := range lrows {
		c.Labels = append(c.Labels, labels.Label{ID: r.ID, Typology: replay.Typology(r.Typology), Symbol: r.Symbol, Start: r.Start, End: r.End,
			Accounts: r.Accounts, Intensity: labels.Intensity(r.Intensity), Params: r.Params, InsuranceLoss: r.InsuranceLoss})
	}
	trows, err := parquet.ReadFile[timelineRow](filepath.Join(dir, TimelineFile))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", TimelineFile, err)
	}
	for _, r := range trows {
		if n := len(c.Timelines); n == 0 || c.Timelines[n-1].Symbol != r.Symbol {
			c.Timelines = append(c.Timelines, Timeline{Symbol: r.Symbol})
		}
		t := &c.Timelines[len(c.Timelines)-1]
		t.TS, t.Price = append(t.TS, r.TS), append(t.Price, r.Price)
	}
	s, err := ReadSummary(dir)
	if err != nil {
		return nil, err
	}
	c.Counts, c.Failures, c.Events, c.Exposure, c.NotEvaluable = s.Counts, s.Failures, s.Events, s.Exposure, s.NotEvaluable
	for _, in := range s.Instances {
		ref := scoring.Ref{Instance: in.Instance, Typology: in.Typology}
		if in.Selection != nil {
			ref.Selection = *in.Selection
		}
		c.Ran = append(c.Ran, ref)
	}
	c.Start, c.End = m.Start, m.End
	if c.Review, err = ReadReview(dir); err != nil {
		return nil, err
	}
	return c, nil
}
