package results

import (
	"bytes"
	"cmp"
	"context"
	_ "embed"
	"fmt"
	"html/template"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tapetest/tapetest/detectors"
	"github.com/tapetest/tapetest/labels"
	"github.com/tapetest/tapetest/replay"
	"github.com/tapetest/tapetest/scoring"
	"golang.org/x/sync/errgroup"
)

// CasesDir is the folder of case files inside a results directory.
const CasesDir = "cases"

// What gets a case file: every false alert at its instance's operating
// point (up to caseFalseMax per instance and typology, highest scores
// first; the report counts the rest), and the caseTopAlerts
// highest-scoring alerts of each, matched or not.
const (
	caseFalseMax  = 500
	caseTopAlerts = 5
	caseBefore    = time.Minute      // market shown before an alert's window
	caseAfter     = time.Minute      // and after it (or after it was raised)
	caseLongest   = 30 * time.Minute // a longer window shows its last 30 minutes
	caseTradeRows = 300              // trades listed on the page (the chart draws all kept)
)

//go:embed templates/case.html.tmpl
var caseTemplate string

var caseTmpl = template.Must(template.New("case").Funcs(template.FuncMap{"fixed": fixed}).Parse(caseTemplate))

// caseRef is an alert that gets a case file.
type caseRef struct {
	Alert int    // index in Contents.Alerts
	ID    string // the alert's stable id: the file is cases/ID.html
	Why   string // "false alert at the operating point" or "top alert by score"
}

// caseGroup is one instance's cases on one typology, for the report.
type caseGroup struct {
	Instance, Typology string
	Threshold          string
	False              []caseLink // false alerts at the operating point
	FalseTotal         int        // every false alert at the operating point (False may hold fewer)
	Top                []caseLink // the highest-scoring alerts
}

// caseLink is a case in the report's tables.
type caseLink struct {
	ID, Href, Symbol, Raised, Score, Status string
	False                                   bool
}

// selectCases picks the alerts that get a case file, and groups them per
// instance and typology for the report, in the evaluation's order.
func selectCases(c *Contents, ev *scoring.Evaluation, st *standings, ids *alertIDs) ([]caseRef, []caseGroup) {
	byKey := map[[2]string][]int{}
	for i, a := range c.Alerts {
		k := [2]string{a.Instance, string(a.Typology)}
		byKey[k] = append(byKey[k], i)
	}
	var refs []caseRef
	var groups []caseGroup
	taken := map[int]bool{}
	link := func(i int) caseLink {
		a, sti := c.Alerts[i], st.at(i)
		status := "false alert"
		switch {
		case len(sti.Labels) > 0:
			status = "matched " + strings.Join(sti.Labels, ", ")
		case !sti.Above:
			status = "below the line"
		}
		id := ids.at(i)
		return caseLink{ID: id, Href: CasesDir + "/" + id + ".html", Symbol: a.Symbol, Raised: clock(a.RaisedAt),
			Score: strconv.FormatFloat(a.Score, 'g', 4, 64), Status: status, False: sti.False()}
	}
	for _, r := range ev.Instances {
		idx := slices.Clone(byKey[[2]string{r.Instance, string(r.Typology)}])
		slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(c.Alerts[b].Score, c.Alerts[a].Score) })
		g := caseGroup{Instance: r.Instance, Typology: string(r.Typology)}
		if len(idx) > 0 {
			g.Threshold = strconv.FormatFloat(st.at(idx[0]).Threshold, 'g', 4, 64)
		}
		add := func(i int, why string) {
			if !taken[i] {
				taken[i] = true
				refs = append(refs, caseRef{Alert: i, ID: ids.at(i), Why: why})
			}
		}
		for _, i := range idx {
			if !st.at(i).False() {
				continue
			}
			if g.FalseTotal++; g.FalseTotal <= caseFalseMax {
				add(i, "false alert at the operating point")
				g.False = append(g.False, link(i))
			}
		}
		for _, i := range idx[:min(caseTopAlerts, len(idx))] {
			add(i, "top alert by score")
			g.Top = append(g.Top, link(i))
		}
		groups = append(groups, g)
	}
	return refs, groups
}

// caseWindow is the stretch of market an alert's case shows, and the
// moments its ladders stand at: the window's start, the alert's start and
// the moment it was raised.
func caseWindow(a detectors.Alert) CaseWindow {
	to := max(a.End, a.RaisedAt) + int64(caseAfter)
	from := min(a.Start, a.RaisedAt) - int64(caseBefore)
	from = max(from, to-int64(caseLongest))
	return CaseWindow{Symbol: a.Symbol, From: from, To: to, Moments: []int64{from, max(a.Start, from), a.RaisedAt}, Accounts: a.Accounts}
}

// writeCases writes a case file for every selected alert, reading their
// market from the tape. Without a tape (a directory re-rendered from its
// files) it writes nothing and the report links the case files present.
func writeCases(ctx context.Context, dir string, c *Contents, refs []caseRef, st *standings) error {
	if c.Tape == nil || len(refs) == 0 {
		return nil
	}
	wins := make([]CaseWindow, len(refs))
	for k, r := range refs {
		wins[k] = caseWindow(c.Alerts[r.Alert])
	}
	markets, err := c.Tape.Read(ctx, wins)
	if err != nil {
		return fmt.Errorf("cases: %w", err)
	}
	if err := fs.MkdirAll(filepath.Join(dir, CasesDir), 0o755); err != nil {
		return fmt.Errorf("cases: %w", err)
	}
	attrs := map[uint64]replay.AccountAttrs{}
	for _, a := range c.Accounts {
		attrs[a.Account] = a
	}
	lbl := map[string]labels.Label{}
	for _, l := range c.Labels {
		lbl[l.ID] = l
	}
	// The cases are rendered on every core; the error reported is the first
	// case's in order, whichever goroutine met it first.
	errs := make([]error, len(refs))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for k, r := range refs {
		g.Go(func() error {
			v := newCaseView(c.Alerts[r.Alert], r, st.at(r.Alert), wins[k], &markets[k], attrs, lbl)
			var b bytes.Buffer
			if err := caseTmpl.Execute(&b, v); err != nil {
				errs[k] = fmt.Errorf("case %s: %w", r.ID, err)
				return nil
			}
			errs[k] = WriteFileAtomic(filepath.Join(dir, CasesDir, r.ID+".html"), b.Bytes())
			return nil
		})
	}
	g.Wait()
	return firstError(errs)
}

// firstError is the first non-nil error of errs, or nil.
func firstError(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// caseFilesPresent drops the links to case files dir does not hold (a
// re-rendered directory keeps the cases its run wrote, and no others).
func caseFilesPresent(dir string, groups []caseGroup) {
	has := func(l caseLink) bool {
		_, err := os.Stat(filepath.Join(dir, filepath.FromSlash(l.Href)))
		return err == nil
	}
	for g := range groups {
		for k := range groups[g].False {
			if !has(groups[g].False[k]) {
				groups[g].False[k].Href = ""
			}
		}
		for k := range groups[g].Top {
			if !has(groups[g].Top[k]) {
				groups[g].Top[k].Href = ""
			}
		}
	}
}

// clock is a time in UTC to the millisecond.
func clock(ns int64) string { return time.Unix(0, ns).UTC().Format("2006-01-02 15:04:05.000") }

// fixed prints v with d decimals.
func fixed(v float64, d int) string { return strconv.FormatFloat(v, 'f', d, 64) }
