package results

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tapetest/tapetest/scoring"
)

// The review loop's files inside a results directory: the plan of the
// review queue, the queue (above the line, and a random sample below it),
// and the analysts' dispositions as imported. Like every file of the
// directory they are hashed in its manifest; the queue is recomputed from
// the alerts and the plan whenever the directory is written, so a queue
// edited by hand (a sampling weight, a line) is rewritten, never believed.
const (
	ReviewDir          = "review"
	ReviewPlanFile     = "review/plan.json"
	ReviewQueueFile    = "review/queue.csv"
	DispositionsFile   = "review/dispositions.csv"
	DefaultBelowSample = 25 // below-the-line alerts drawn per instance and typology
)

// ReviewPlan is how the review queue is drawn.
type ReviewPlan struct {
	// BelowSample is the number of alerts drawn at random below each
	// instance's line (per typology it claims), without replacement; each
	// stands for (alerts below the line) / (alerts drawn).
	BelowSample int `json:"below_sample"`
	// Seed draws the sample (with a stream per instance and typology).
	Seed uint64 `json:"seed"`
}

// Disposition is an analyst's decision on one alert of the queue.
type Disposition struct {
	AlertID  string           `json:"alert_id"`
	Decision scoring.Decision `json:"disposition"`
	Reviewer string           `json:"reviewer,omitempty"`
	Notes    string           `json:"notes,omitempty"`
}

// Review is a results directory's review: its plan and the dispositions
// imported so far.
type Review struct {
	Plan         ReviewPlan
	Dispositions []Disposition // sorted by alert id
}

// queueEntry is one alert of the review queue.
type queueEntry struct {
	Alert  int  // index in Contents.Alerts
	Above  bool // at or above the line; else drawn below it
	Weight float64
}

// reviewQueue draws the queue: every alert at or above its instance's
// operating threshold, and per instance and typology a simple random sample
// of plan.BelowSample of the alerts below it (all of them when fewer),
// weighted by how many each stands for. Deterministic: alerts are taken in
// their ids' order and the draw's stream is named by the plan's seed and the
// instance and typology. Returns the queue in id order and the number of
// alerts below each (instance, typology)'s line.
func reviewQueue(c *Contents, st *standings, ids *alertIDs, plan ReviewPlan) ([]queueEntry, map[[2]string]int) {
	below := map[[2]string][]int{}
	var q []queueEntry
	for i, a := range c.Alerts {
		switch sti := st.at(i); {
		case !sti.Scored:
		case sti.Above:
			q = append(q, queueEntry{Alert: i, Above: true, Weight: 1})
		default:
			k := [2]string{a.Instance, string(a.Typology)}
			below[k] = append(below[k], i)
		}
	}
	counts := map[[2]string]int{}
	keys := make([][2]string, 0, len(below))
	for k := range below {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b [2]string) int { return strings.Compare(a[0]+"\x00"+a[1], b[0]+"\x00"+b[1]) })
	for _, k := range keys {
		idx := below[k]
		slices.SortFunc(idx, ids.compare)
		counts[k] = len(idx)
		n := min(plan.BelowSample, len(idx))
		h := fnv.New64a()
		h.Write([]byte(k[0] + "\x00" + k[1]))
		r := rand.New(rand.NewPCG(plan.Seed, h.Sum64()))
		for j := 0; j < n; j++ { // a partial Fisher–Yates shuffle
			s := j + r.IntN(len(idx)-j)
			idx[j], idx[s] = idx[s], idx[j]
			q = append(q, queueEntry{Alert: idx[j], Weight: float64(len(idx)) / float64(n)})
		}
	}
	slices.SortFunc(q, func(a, b queueEntry) int { return ids.compare(a.Alert, b.Alert) })
	return q, counts
}

// reviewed is the review's queue and the analysts' decisions, as the
// review's files write them.
type reviewed struct {
	q   []queueEntry
	dec map[string]Disposition
}

// applyReview puts each instance's reviewed figures into the evaluation
// (for summary.json, the report and the gate) and returns what
// writeReview writes; nil without a review.
func applyReview(c *Contents, ev *scoring.Evaluation, st *standings, ids *alertIDs) *reviewed {
	if c.Review == nil {
		return nil
	}
	q, belowCounts := reviewQueue(c, st, ids, c.Review.Plan)
	dec := map[string]Disposition{}
	for _, d := range c.Review.Dispositions {
		dec[d.AlertID] = d
	}
	per := map[[2]string][]scoring.ReviewedAlert{}
	for _, e := range q {
		a := c.Alerts[e.Alert]
		k := [2]string{a.Instance, string(a.Typology)}
		per[k] = append(per[k], scoring.ReviewedAlert{Above: e.Above, Decision: dec[ids.at(e.Alert)].Decision})
	}
	for i := range ev.Instances {
		r := &ev.Instances[i]
		k := [2]string{r.Instance, string(r.Typology)}
		rv := scoring.Review(per[k], belowCounts[k])
		r.Reviewed = &rv
	}
	return &reviewed{q: q, dec: dec}
}

// writeReview writes the review's files (after the case files, which its
// queue links).
func writeReview(dir string, c *Contents, st *standings, ids *alertIDs, rv *reviewed) error {
	if rv == nil {
		return nil
	}
	if err := fs.MkdirAll(filepath.Join(dir, ReviewDir), 0o755); err != nil {
		return fmt.Errorf("review: %w", err)
	}
	plan, _ := json.MarshalIndent(c.Review.Plan, "", "  ")
	if err := WriteFileAtomic(filepath.Join(dir, ReviewPlanFile), append(plan, '\n')); err != nil {
		return err
	}
	if err := WriteFileAtomic(filepath.Join(dir, ReviewQueueFile), queueCSV(dir, c, st, ids, rv.q, rv.dec)); err != nil {
		return err
	}
	return WriteFileAtomic(filepath.Join(dir, DispositionsFile), dispositionsCSV(c.Review.Dispositions))
}

// queueHeader is the review queue's columns; analysts fill the last three.
var queueHeader = []string{"alert_id", "line", "sampling_weight", "instance", "typology", "symbol", "raised_at", "start", "end", "score", "threshold",
	"accounts", "matched_labels", "evidence", "case", "disposition", "reviewer", "notes"}

func queueCSV(dir string, c *Contents, st *standings, ids *alertIDs, q []queueEntry, dec map[string]Disposition) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write(queueHeader)
	ts := func(ns int64) string { return time.Unix(0, ns).UTC().Format(time.RFC3339Nano) }
	for _, e := range q {
		a, id := c.Alerts[e.Alert], ids.at(e.Alert)
		line := "BTL"
		if e.Above {
			line = "ATL"
		}
		caseFile := ""
		if _, err := os.Stat(filepath.Join(dir, CasesDir, id+".html")); err == nil {
			caseFile = CasesDir + "/" + id + ".html"
		}
		d := dec[id]
		w.Write([]string{id, line, strconv.FormatFloat(e.Weight, 'g', 6, 64), a.Instance, string(a.Typology), a.Symbol, ts(a.RaisedAt), ts(a.Start), ts(a.End),
			strconv.FormatFloat(a.Score, 'g', -1, 64), strconv.FormatFloat(st.at(e.Alert).Threshold, 'g', -1, 64), accountList(a.Accounts),
			strings.Join(st.at(e.Alert).Labels, " "), a.Evidence, caseFile, string(d.Decision), d.Reviewer, d.Notes})
	}
	w.Flush()
	return b.Bytes()
}

var dispositionsHeader = []string{"alert_id", "disposition", "reviewer", "notes"}

func dispositionsCSV(ds []Disposition) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write(dispositionsHeader)
	for _, d := range ds {
		w.Write([]string{d.AlertID, string(d.Decision), d.Reviewer, d.Notes})
	}
	w.Flush()
	return b.Bytes()
}

// QueueIDs are the alert ids of the review queue c's plan draws, for
// checking an import against it.
func QueueIDs(c *Contents) map[string]bool {
	if c.Review == nil {
		return nil
	}
	ev := scoring.Evaluate(c.Alerts, c.Labels, c.Options, c.Ran...)
	ids := newAlertIDs(c.Alerts)
	q, _ := reviewQueue(c, newStandings(c, ev), ids, c.Review.Plan)
	out := make(map[string]bool, len(q))
	for _, e := range q {
		out[ids.at(e.Alert)] = true
	}
	return out
}

// DispositionError is a row of a dispositions file that cannot be taken;
// it names the file, the line and the field.
type DispositionError struct {
	File  string
	Line  int
	Field string
	Err   error
}

func (e *DispositionError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("%s:%d: %s: %v", e.File, e.Line, e.Field, e.Err)
}

func (e *DispositionError) Unwrap() error { return e.Err }

// Bounds on what the review reads: a dispositions file holds at most the
// queue's rows, a production alert log a few million alerts. Larger input
// is refused before it can exhaust memory.
var (
	MaxDispositionsBytes int64 = 256 << 20
	MaxAlertLogBytes     int64 = 2 << 30
)

// ErrTooLarge marks an input over its bound.
var ErrTooLarge = errors.New("too large")

// ErrNotInQueue marks a disposition for an alert the review queue does not
// hold.
var ErrNotInQueue = errors.New("not an alert of the review queue")

// ReadDispositions reads analysts' dispositions from a CSV with a header
// row: alert_id (or id) and disposition are required, reviewer and notes
// optional, any other column ignored — the review queue itself, filled in,
// is such a file. A row with an empty disposition is pending and skipped
// (counted in the second result). Every id must be in queue (when non-nil);
// an id given twice is an error. Errors name the file, line and field.
func ReadDispositions(r io.Reader, name string, queue map[string]bool) ([]Disposition, int, error) {
	lr := &io.LimitedReader{R: r, N: MaxDispositionsBytes + 1}
	cr := csv.NewReader(lr)
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err != nil {
		return nil, 0, &DispositionError{File: name, Line: 1, Err: fmt.Errorf("no header row: %w", err)}
	}
	col := csvColumns(head, map[string]string{"id": "alert_id"})
	for _, need := range []string{"alert_id", "disposition"} {
		if _, ok := col[need]; !ok {
			return nil, 0, &DispositionError{File: name, Line: 1, Field: need, Err: errors.New("missing column (the header names alert_id and disposition; reviewer and notes are optional)")}
		}
	}
	get := func(rec []string, f string) string {
		if i, ok := col[f]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	var out []Disposition
	seen := map[string]int{}
	pending := 0
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line, _ := cr.FieldPos(0)
		if lr.N <= 0 {
			return nil, 0, &DispositionError{File: name, Line: line, Err: fmt.Errorf("%w: more than %d MiB of dispositions", ErrTooLarge, MaxDispositionsBytes>>20)}
		}
		if err != nil {
			return nil, 0, &DispositionError{File: name, Line: line, Err: err}
		}
		id := get(rec, "alert_id")
		if id == "" {
			return nil, 0, &DispositionError{File: name, Line: line, Field: "alert_id", Err: errors.New("empty")}
		}
		if queue != nil && !queue[id] {
			return nil, 0, &DispositionError{File: name, Line: line, Field: "alert_id", Err: fmt.Errorf("%q: %w (tapetest review export lists it)", id, ErrNotInQueue)}
		}
		if prev, ok := seen[id]; ok {
			return nil, 0, &DispositionError{File: name, Line: line, Field: "alert_id", Err: fmt.Errorf("%q is given twice (first on line %d)", id, prev)}
		}
		seen[id] = line
		raw := get(rec, "disposition")
		if raw == "" {
			pending++
			continue
		}
		d, err := scoring.ParseDecision(raw)
		if err != nil {
			return nil, 0, &DispositionError{File: name, Line: line, Field: "disposition", Err: err}
		}
		out = append(out, Disposition{AlertID: id, Decision: d, Reviewer: get(rec, "reviewer"), Notes: get(rec, "notes")})
	}
	slices.SortFunc(out, func(a, b Disposition) int { return strings.Compare(a.AlertID, b.AlertID) })
	return out, pending, nil
}

// MergeDispositions adds newer dispositions to older ones: a newer decision
// on the same alert replaces the older (counted in the second result).
func MergeDispositions(older, newer []Disposition) ([]Disposition, int) {
	by := map[string]Disposition{}
	for _, d := range older {
		by[d.AlertID] = d
	}
	replaced := 0
	for _, d := range newer {
		if _, ok := by[d.AlertID]; ok {
			replaced++
		}
		by[d.AlertID] = d
	}
	out := make([]Disposition, 0, len(by))
	for _, d := range by {
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b Disposition) int { return strings.Compare(a.AlertID, b.AlertID) })
	return out, replaced
}

// ReadReview reads a directory's review (its plan and the dispositions
// imported), nil when it has none.
func ReadReview(dir string) (*Review, error) {
	b, err := os.ReadFile(filepath.Join(dir, ReviewPlanFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	rv := &Review{}
	if err := json.Unmarshal(b, &rv.Plan); err != nil {
		return nil, fmt.Errorf("%s: %w", ReviewPlanFile, err)
	}
	f, err := os.Open(filepath.Join(dir, DispositionsFile))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rv.Dispositions, _, err = ReadDispositions(f, DispositionsFile, nil)
	return rv, err
}

// ReviewedText is a reviewed precision with its counts and interval.
func ReviewedText(r *scoring.Reviewed) string {
	n := r.TruePositives + r.FalsePositives
	if n == 0 {
		return "– (none closed)"
	}
	return fmt.Sprintf("%s (%d/%d) [%.0f–%.0f%%]", pct(r.Precision), r.TruePositives, n, 100*r.PrecisionCI[0], 100*r.PrecisionCI[1])
}

// MissedText is the estimated true alerts below the line, with its
// interval and the sample it comes from.
func MissedText(r *scoring.Reviewed) string {
	if math.IsNaN(r.MissedEstimate) {
		if r.BelowLine == 0 {
			return "0 (nothing below the line)"
		}
		return "– (no closed sample)"
	}
	return fmt.Sprintf("%.1f [%.1f–%.1f] (%d true of %d closed, drawn from %d)", r.MissedEstimate, r.MissedCI[0], r.MissedCI[1], r.SampledTruePositives, r.SampledReviewed-r.SampledEscalated, r.BelowLine)
}
