package results

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/tapetest/tapetest/scoring"
)

// The files of a multi-seed run's directory (tapetest run --seeds): each
// seed's complete results directory in SeedDir(seed), and the aggregate.
const (
	DrawsFile         = "seeds.json"
	DrawsMarkdownFile = "seeds.md"
)

// SeedDir is the folder of one seed's results in a multi-seed run.
func SeedDir(seed uint64) string { return fmt.Sprintf("seed-%d", seed) }

// WriteDraws writes the aggregate of a multi-seed run: seeds.json and
// seeds.md.
func WriteDraws(dir string, d *scoring.Draws) error {
	b, err := json.MarshalIndent(jsonSafe(d), "", "  ")
	if err != nil {
		return fmt.Errorf("%s: %w", DrawsFile, err)
	}
	if err := WriteFileAtomic(filepath.Join(dir, DrawsFile), append(b, '\n')); err != nil {
		return err
	}
	return WriteFileAtomic(filepath.Join(dir, DrawsMarkdownFile), []byte(DrawsMarkdown(d)))
}

// ReadDraws reads a multi-seed run's seeds.json.
func ReadDraws(dir string) (*scoring.Draws, error) {
	b, err := os.ReadFile(filepath.Join(dir, DrawsFile))
	if err != nil {
		return nil, err
	}
	var d scoring.Draws
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, fmt.Errorf("%s: %w", DrawsFile, err)
	}
	return &d, nil
}

// DrawsMarkdown renders the aggregate of a multi-seed run: per instance,
// the seeds pooled (with intervals over the seeds) and the threshold
// chosen on some seeds and measured on the others.
func DrawsMarkdown(d *scoring.Draws) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# tapetest results over %d seeds\n\nSeeds %s; each seed's full results are in %s.\n\n", len(d.Seeds), seedList(d.Seeds), SeedDir(d.Seeds[0])+"/ …")
	b.WriteString("**Pooled over the seeds**: each seed at its headline (the threshold its entry ships, else its in-sample best F1), counts summed; " +
		"Wilson intervals for precision and recall, bootstrap over the seeds for F1 and the alert rate.\n\n")
	b.WriteString("| detector instance | typology | measured | precision (matched/alerts) | recall (detected/labels) | F1 | background alerts/day (count) | F1 per seed |\n|---|---|---|---|---|---|---|---|\n")
	for _, in := range d.Instances {
		p := in.Pooled
		var per []string
		for _, s := range in.PerSeed {
			per = append(per, f1Short(s.Metrics))
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", in.Instance, in.Typology, in.Measured(),
			shareText(p.Precision, p.MatchedAlerts, p.Alerts, p.PrecisionCI), shareText(p.Recall, p.Detected, p.Labels, p.RecallCI),
			intervalText(p.F1, p.F1CI, p.Labels == 0), RateWithCI(p.AlertsPerDay, p.BackgroundAlert, p.AlertsPerDayCI), strings.Join(per, " "))
	}
	if len(d.TestSeeds) > 0 {
		fmt.Fprintf(&b, "\n**Chosen on seeds %s, measured on seeds %s** (out of sample by seed: each entry's rule, best F1 when it states none, picks the threshold on the first seeds pooled; a fixed threshold is kept).\n\n",
			seedList(d.CalibrationSeeds), seedList(d.TestSeeds))
		b.WriteString("| detector instance | typology | threshold | selected by | precision (matched/alerts) | recall (detected/labels) | F1 | background alerts/day (count) |\n|---|---|---|---|---|---|---|---|\n")
		for _, in := range d.Instances {
			s := in.BySeed
			m := &s.Test
			fmt.Fprintf(&b, "| %s | %s | %.4g | %s | %s | %s | %s | %s |\n", in.Instance, in.Typology, s.Threshold, s.SelectedBy,
				shareText(m.Precision, m.MatchedAlerts, m.Alerts, m.PrecisionCI), shareText(m.Recall, m.Detected, m.Labels, m.RecallCI), f1Text(m),
				RateWithCI(m.AlertsPerDay, m.BackgroundAlert, m.AlertsPerDayCI))
		}
	}
	return b.String()
}

func seedList(s []uint64) string {
	parts := make([]string, len(s))
	for i, v := range s {
		parts[i] = fmt.Sprint(v)
	}
	return strings.Join(parts, ", ")
}

func f1Short(m scoring.Metrics) string {
	if m.Labels == 0 || math.IsNaN(m.F1) {
		return "–"
	}
	return fmt.Sprintf("%.2f", m.F1)
}

func intervalText(v float64, ci [2]float64, none bool) string {
	if none || math.IsNaN(v) {
		return "–"
	}
	if math.IsNaN(ci[0]) {
		return fmt.Sprintf("%.3f", v)
	}
	return fmt.Sprintf("%.3f [%.2f–%.2f]", v, ci[0], ci[1])
}

// RateWithCI is a rate per day with its count and interval.
func RateWithCI(v float64, n int, ci [2]float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	t := fmt.Sprintf("%s (%d)", PerDayText(v), n)
	if !math.IsNaN(ci[0]) {
		t += fmt.Sprintf(" [%s–%s]", PerDayText(ci[0]), PerDayText(ci[1]))
	}
	return t
}

// SeedsRun identifies a multi-seed run for its directory's manifest.
type SeedsRun struct {
	SpecName, SpecText string
	Seeds              string // the --seeds list as given
	CalibrationSeeds   int
	BatchSize          int
	ToolVersion        string
	CreatedAt          string
}

// FinishSeedsDir completes a multi-seed run's directory whose seed-N
// folders are written: the aggregate of the draws (thresholds from sels,
// the first seed's selections; cal seeds choose the by-seed thresholds)
// and the manifest over every file. run --seeds and the merge of a sharded
// run both finish with it, so they write the same bytes.
func FinishSeedsDir(dir string, r SeedsRun, draws []scoring.Draw, sels map[string]scoring.Selection) error {
	if err := WriteDraws(dir, scoring.AggregateDraws(draws, sels, r.CalibrationSeeds)); err != nil {
		return err
	}
	files, err := HashDir(dir)
	if err != nil {
		return err
	}
	return WriteManifest(dir, &Manifest{ResultsVersion: ResultsVersion, Tool: "tapetest", ToolVersion: r.ToolVersion, Command: "run-seeds",
		CreatedAt: r.CreatedAt, Spec: SpecRef{Name: r.SpecName, SHA256: HashBytes([]byte(r.SpecText)), File: "spec.yaml"},
		Options: map[string]string{"seeds": r.Seeds, "calibration_seeds": fmt.Sprint(r.CalibrationSeeds), "batch_size": fmt.Sprint(r.BatchSize)}, Files: files})
}

// DrawOf is one seed's draw for the aggregate.
func DrawOf(seed uint64, c *Contents) scoring.Draw {
	return scoring.Draw{Seed: seed, Alerts: c.Alerts, Labels: c.Labels, Options: c.Options, Eval: scoring.Evaluate(c.Alerts, c.Labels, c.Options, c.Ran...)}
}
