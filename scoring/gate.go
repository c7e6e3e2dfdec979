package scoring

import (
	"fmt"
	"math"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/tapetest/tapetest/internal/yamlbound"
	"github.com/tapetest/tapetest/replay"
)

// Rule is a set of limits for one typology (or the default). Zero means "no limit"
// except for the drops, where a nil pointer means no limit.
type Rule struct {
	MinRecall        *float64       `yaml:"min_recall" json:"min_recall,omitempty"`
	MaxRecallDrop    *float64       `yaml:"max_recall_drop" json:"max_recall_drop,omitempty"` // absolute, against the baseline
	MinPrecision     *float64       `yaml:"min_precision" json:"min_precision,omitempty"`
	MaxPrecisionDrop *float64       `yaml:"max_precision_drop" json:"max_precision_drop,omitempty"`
	MaxAlertsPerDay  *float64       `yaml:"max_alerts_per_day" json:"max_alerts_per_day,omitempty"`
	MaxTTDP90        *time.Duration `yaml:"max_ttd_p90" json:"max_ttd_p90,omitempty"`
	// MinReviewedPrecision holds the precision analysts' dispositions give
	// above the line (tapetest review import); an instance with no closed
	// review fails it: it cannot be evaluated.
	MinReviewedPrecision *float64 `yaml:"min_reviewed_precision" json:"min_reviewed_precision,omitempty"`
}

// Policy is a gate: a default rule and per-typology rules that override it
// field by field.
type Policy struct {
	Default    Rule                     `yaml:"default" json:"default"`
	Typologies map[replay.Typology]Rule `yaml:"typologies" json:"typologies,omitempty"`
	// ReplaceDefaults drops DefaultPolicy's rules: without it a policy file
	// extends them (a file naming one typology used to drop the recall and
	// precision drops of every other, and a spoofing regression passed).
	ReplaceDefaults bool `yaml:"replace_defaults" json:"replace_defaults,omitempty"`
}

func ptr[T any](v T) *T { return &v }

// DefaultPolicy is used when no policy is given: no detector may lose more
// than 5 points of recall or 10 points of precision against the baseline, and
// every baseline instance must still be there.
func DefaultPolicy() Policy {
	return Policy{Default: Rule{MaxRecallDrop: ptr(0.05), MaxPrecisionDrop: ptr(0.10)}}
}

// LoadPolicy reads a YAML policy strictly (unknown keys are errors with
// line:column). The file extends DefaultPolicy: its default rule's fields
// override the default's one by one, and its typology rules are added;
// replace_defaults: true starts from no rules instead.
func LoadPolicy(path string) (Policy, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Policy{}, err
	}
	if err := yamlbound.Check(b); err != nil {
		return Policy{}, fmt.Errorf("%s: %w", path, err)
	}
	var file Policy
	if err := yaml.UnmarshalWithOptions(b, &file, yaml.DisallowUnknownField(), yaml.Strict()); err != nil {
		return Policy{}, fmt.Errorf("%s: %s", path, yaml.FormatError(err, false, false))
	}
	if file.ReplaceDefaults {
		return file, nil
	}
	p := DefaultPolicy()
	p.Default = overlay(p.Default, file.Default)
	p.Typologies = file.Typologies
	return p, nil
}

func (p Policy) rule(t replay.Typology) Rule {
	if o, ok := p.Typologies[t]; ok {
		return overlay(p.Default, o)
	}
	return p.Default
}

// overlay is r with every limit o sets replacing r's.
func overlay(r, o Rule) Rule {
	if o.MinRecall != nil {
		r.MinRecall = o.MinRecall
	}
	if o.MaxRecallDrop != nil {
		r.MaxRecallDrop = o.MaxRecallDrop
	}
	if o.MinPrecision != nil {
		r.MinPrecision = o.MinPrecision
	}
	if o.MaxPrecisionDrop != nil {
		r.MaxPrecisionDrop = o.MaxPrecisionDrop
	}
	if o.MaxAlertsPerDay != nil {
		r.MaxAlertsPerDay = o.MaxAlertsPerDay
	}
	if o.MaxTTDP90 != nil {
		r.MaxTTDP90 = o.MaxTTDP90
	}
	if o.MinReviewedPrecision != nil {
		r.MinReviewedPrecision = o.MinReviewedPrecision
	}
	return r
}

// RuleResult is one rule checked for one detector instance.
type RuleResult struct {
	Instance  string          `json:"instance"`
	Typology  replay.Typology `json:"typology"`
	Rule      string          `json:"rule"`
	Baseline  float64         `json:"baseline"`
	Candidate float64         `json:"candidate"`
	Limit     float64         `json:"limit"`
	Pass      bool            `json:"pass"`
	Message   string          `json:"message"`
	// The operating points compared: each side's best-F1 threshold, and the
	// baseline's instance when it was paired under another id (its
	// parameters changed).
	BaselineThreshold  float64 `json:"baseline_threshold"`
	CandidateThreshold float64 `json:"candidate_threshold"`
	BaselineInstance   string  `json:"baseline_instance,omitempty"`
}

// GateResult is the outcome of a gate.
type GateResult struct {
	Pass  bool         `json:"pass"`
	Rules []RuleResult `json:"rules"`
}

// Gate compares a candidate's instances with a baseline's under the policy,
// at each instance's best-F1 operating point. Instances are matched by id and
// typology; a candidate instance whose id is new is paired with a baseline
// instance of the same detector and typology that the candidate lacks, when
// exactly one such pair exists (a changed parameter changes the id: it used to
// read "baseline instance missing" instead of the recall drop); a baseline
// instance left unpaired fails; a new candidate instance is checked against
// the absolute limits only. Failures come first.
func Gate(p Policy, baseline, candidate []InstanceResult) GateResult {
	type key struct {
		id  string
		typ replay.Typology
	}
	base := map[key]InstanceResult{}
	for _, b := range baseline {
		base[key{b.Instance, b.Typology}] = b
	}
	inCand := map[key]bool{}
	for _, c := range candidate {
		inCand[key{c.Instance, c.Typology}] = true
	}
	// Pair what is left by detector name and typology, one to one.
	detector := func(id string) string { name, _, _ := strings.Cut(id, "{"); return name }
	type group struct {
		name string
		typ  replay.Typology
	}
	leftBase, leftCand := map[group][]string{}, map[group][]string{}
	for _, b := range baseline {
		if !inCand[key{b.Instance, b.Typology}] {
			g := group{detector(b.Instance), b.Typology}
			leftBase[g] = append(leftBase[g], b.Instance)
		}
	}
	for _, c := range candidate {
		if _, ok := base[key{c.Instance, c.Typology}]; !ok {
			g := group{detector(c.Instance), c.Typology}
			leftCand[g] = append(leftCand[g], c.Instance)
		}
	}
	pairedWith := map[key]string{} // candidate → baseline id
	paired := map[key]bool{}       // baseline ids paired
	for g, bs := range leftBase {
		if cs := leftCand[g]; len(bs) == 1 && len(cs) == 1 {
			pairedWith[key{cs[0], g.typ}] = bs[0]
			paired[key{bs[0], g.typ}] = true
		}
	}
	var out GateResult
	add := func(r RuleResult) { out.Rules = append(out.Rules, r) }
	seen := map[key]bool{}
	for _, c := range candidate {
		k := key{c.Instance, c.Typology}
		seen[k] = true
		r := p.rule(c.Typology)
		b, hasBase := base[k]
		baseID := ""
		if id, ok := pairedWith[k]; ok {
			b, hasBase, baseID = base[key{id, c.Typology}], true, id
		}
		cm, bm := c.Best, b.Best
		if c.Test != nil && (!hasBase || b.Test != nil) { // like with like: both at the thresholds they ship
			cm = *c.Test
			if hasBase {
				bm = *b.Test
			}
		}
		add := func(rr RuleResult) {
			rr.CandidateThreshold, rr.BaselineInstance = cm.Threshold, baseID
			if hasBase {
				rr.BaselineThreshold = bm.Threshold
			}
			if hasBase {
				rr.Message += fmt.Sprintf(" at best-F1 thresholds %.4g → %.4g", bm.Threshold, cm.Threshold)
			} else {
				rr.Message += fmt.Sprintf(" at best-F1 threshold %.4g", cm.Threshold)
			}
			if baseID != "" {
				rr.Message += fmt.Sprintf(" (against the baseline's %s: parameters changed)", baseID)
			}
			add(rr)
		}
		check := func(name string, bv, cv, limit float64, pass bool, format string) {
			add(RuleResult{Instance: c.Instance, Typology: c.Typology, Rule: name, Baseline: bv, Candidate: cv, Limit: limit, Pass: pass,
				Message: fmt.Sprintf(format, cv, limit)})
		}
		if r.MinRecall != nil {
			check("min_recall", bm.Recall, cm.Recall, *r.MinRecall, cm.Recall >= *r.MinRecall, "recall %.4f, minimum %.4f")
		}
		if r.MinPrecision != nil {
			check("min_precision", bm.Precision, cm.Precision, *r.MinPrecision, cm.Precision >= *r.MinPrecision, "precision %.4f, minimum %.4f")
		}
		if r.MaxAlertsPerDay != nil {
			check("max_alerts_per_day", bm.AlertsPerDay, cm.AlertsPerDay, *r.MaxAlertsPerDay, !(cm.AlertsPerDay > *r.MaxAlertsPerDay), "%.2f background alerts/day, maximum %.2f")
		}
		if r.MaxTTDP90 != nil {
			lim := r.MaxTTDP90.Seconds()
			check("max_ttd_p90", bm.TTDP90, cm.TTDP90, lim, !(cm.TTDP90 > lim), "time to detect p90 %.1fs, maximum %.1fs")
		}
		if r.MinReviewedPrecision != nil {
			lim := *r.MinReviewedPrecision
			rr := RuleResult{Instance: c.Instance, Typology: c.Typology, Rule: "min_reviewed_precision", Limit: lim,
				Message: "no closed review above the line: reviewed precision cannot be evaluated (tapetest review export, then review import)"}
			if rv := c.Reviewed; rv != nil && rv.TruePositives+rv.FalsePositives > 0 {
				rr.Candidate, rr.Pass = rv.Precision, rv.Precision >= lim
				rr.Message = fmt.Sprintf("reviewed precision %.4f (%d/%d closed) [%.2f–%.2f], minimum %.4f", rv.Precision, rv.TruePositives, rv.TruePositives+rv.FalsePositives, rv.PrecisionCI[0], rv.PrecisionCI[1], lim)
			}
			if b.Reviewed != nil {
				rr.Baseline = nz(b.Reviewed.Precision)
			}
			add(rr)
		}
		if hasBase && r.MaxRecallDrop != nil {
			drop := bm.Recall - cm.Recall
			add(RuleResult{Instance: c.Instance, Typology: c.Typology, Rule: "max_recall_drop", Baseline: bm.Recall, Candidate: cm.Recall, Limit: *r.MaxRecallDrop,
				Pass: !(drop > *r.MaxRecallDrop+1e-12), Message: fmt.Sprintf("recall %.4f -> %.4f (drop %.4f, maximum %.4f)", bm.Recall, cm.Recall, drop, *r.MaxRecallDrop)})
		}
		if hasBase && r.MaxPrecisionDrop != nil {
			drop := nz(bm.Precision) - nz(cm.Precision)
			add(RuleResult{Instance: c.Instance, Typology: c.Typology, Rule: "max_precision_drop", Baseline: bm.Precision, Candidate: cm.Precision, Limit: *r.MaxPrecisionDrop,
				Pass: !(drop > *r.MaxPrecisionDrop+1e-12), Message: fmt.Sprintf("precision %.4f -> %.4f (drop %.4f, maximum %.4f)", bm.Precision, cm.Precision, drop, *r.MaxPrecisionDrop)})
		}
	}
	for _, b := range baseline {
		if k := (key{b.Instance, b.Typology}); !seen[k] && !paired[k] {
			add(RuleResult{Instance: b.Instance, Typology: b.Typology, Rule: "present", Baseline: 1, Candidate: 0, Limit: 1, Pass: false,
				Message: "the baseline's instance is missing from the candidate"})
		}
	}
	sort.SliceStable(out.Rules, func(i, j int) bool {
		a, b := out.Rules[i], out.Rules[j]
		if a.Pass != b.Pass {
			return !a.Pass // failures first
		}
		if a.Instance != b.Instance {
			return a.Instance < b.Instance
		}
		return a.Typology < b.Typology
	})
	out.Pass = true
	for _, r := range out.Rules {
		out.Pass = out.Pass && r.Pass
	}
	return out
}

func nz(v float64) float64 {
	if math.IsNaN(v) {
		return 0
	}
	return v
}

// BestPerTypology keeps, for each typology, the instance with the highest F1
// at its best-F1 threshold (ties: the first by id), renamed "best" — so two
// runs with different detector versions or parameters can be gated on what
// they cover rather than on instance ids.
func BestPerTypology(in []InstanceResult) []InstanceResult {
	best := map[replay.Typology]InstanceResult{}
	var order []replay.Typology
	for _, r := range in {
		b, ok := best[r.Typology]
		if !ok {
			order = append(order, r.Typology)
		}
		if !ok || r.Best.F1 > b.Best.F1 || (r.Best.F1 == b.Best.F1 && r.Instance < b.Instance) {
			best[r.Typology] = r
		}
	}
	sort.Slice(order, func(i, j int) bool { return order[i] < order[j] })
	out := make([]InstanceResult, 0, len(order))
	for _, t := range order {
		r := best[t]
		r.Instance = "best"
		out = append(out, r)
	}
	return out
}
