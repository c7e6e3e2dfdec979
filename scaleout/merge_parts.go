package scaleout

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/tapetest/tapetest/backtest"
	"github.com/tapetest/tapetest/detectors"
	"github.com/tapetest/tapetest/labels"
	"github.com/tapetest/tapetest/replay"
	"github.com/tapetest/tapetest/results"
	"github.com/tapetest/tapetest/scoring"
)

// mergeParts merges one seed's units of a run dealt out by instrument —
// parts of its files, each perhaps in groups of detector instances — into
// the contents of the single run: each instrument's market (events, counts,
// timeline, exposure, labels) from the group 0 unit of its part, each
// instance's alerts from every part in the single run's order, the
// evaluability and coverage recomputed over all instruments, and a case
// tape of the markets the parts stored, from which the directory's writer
// picks and renders the case files as the single run does.
func mergeParts(units []Unit, unitDir map[string]string, p *Plan) (*results.Contents, error) {
	slices.SortFunc(units, func(a, b Unit) int {
		if a.Part != b.Part {
			return a.Part - b.Part
		}
		return a.Group - b.Group
	})
	rank := map[string]int{}
	for i, s := range p.Symbols {
		rank[s] = i
	}
	tape := results.NewStoredCaseTape()
	var m *results.Contents
	byInst := map[string][]detectors.Alert{}
	timelines := map[string]results.Timeline{}
	exposure := map[string]results.InstrumentExposure{}
	segments := map[string][]scoring.Segment{}
	inputs := map[string]results.FileHash{}
	has := map[string][2]bool{}
	needs := map[string]backtest.InstanceNeeds{}
	ran := map[string]scoring.Ref{}
	failed := map[string]results.Failure{}
	var lbls []labels.Label
	var counts []replay.Count
	var events int64
	var accounts []replay.AccountAttrs
	for _, u := range units {
		dir := unitDir[u.Name()]
		c, err := results.ReadDir(dir)
		if err != nil {
			return nil, fmt.Errorf("merge: %s: %w", u.Name(), err)
		}
		rb, err := os.ReadFile(filepath.Join(dir, partFile))
		if err != nil {
			return nil, fmt.Errorf("merge: %s: %w", u.Name(), err)
		}
		var rep backtest.PartReport
		if err := json.Unmarshal(rb, &rep); err != nil {
			return nil, fmt.Errorf("merge: %s: %s: %w", u.Name(), partFile, err)
		}
		if err := tape.Add(filepath.Join(dir, results.CaseMarketsFile)); err != nil {
			return nil, fmt.Errorf("merge: %s: %w", u.Name(), err)
		}
		if m == nil {
			m = c
			accounts = rep.Accounts
		}
		for _, a := range c.Alerts {
			byInst[a.Instance] = append(byInst[a.Instance], a)
		}
		for _, r := range c.Ran {
			// A part whose market gave an instance nothing to score writes
			// no selection for it: take one that does.
			if have, ok := ran[r.Instance]; !ok || (have.Selection.Rule == "" && have.Selection.Threshold == nil && (r.Selection.Rule != "" || r.Selection.Threshold != nil)) {
				ran[r.Instance] = r
			}
		}
		for _, f := range c.Failures {
			if _, ok := failed[f.Instance]; !ok {
				failed[f.Instance] = f
			}
		}
		for _, in := range rep.Instances {
			if _, ok := needs[in.ID]; !ok {
				needs[in.ID] = in
			}
		}
		for _, k := range c.Counts {
			if strings.HasPrefix(k.Kind, "alerts_outside_scope:") {
				counts = append(counts, k) // each group's own instances'
			}
		}
		if u.Group != 0 {
			continue
		}
		// The part's market, once.
		for _, in := range rep.Instruments {
			if _, ok := rank[in.Symbol]; !ok || !slices.Contains(u.Symbols, in.Symbol) {
				return nil, fmt.Errorf("merge: %s replayed %s, an instrument the plan did not give it", u.Name(), in.Symbol)
			}
			has[in.Symbol] = [2]bool{in.Accounts, in.OrderIDs}
		}
		lbls = append(lbls, c.Labels...)
		for _, t := range c.Timelines {
			timelines[t.Symbol] = t
		}
		for _, e := range c.Exposure.Instruments {
			exposure[e.Symbol] = e
		}
		for _, s := range c.Options.Segments {
			segments[s.Symbol] = append(segments[s.Symbol], s)
		}
		for _, in := range c.Manifest.Inputs {
			inputs[in.Path] = in
		}
		for _, k := range c.Counts {
			if !strings.HasPrefix(k.Kind, "alerts_outside_scope:") {
				counts = append(counts, k)
			}
		}
		events += c.Events
	}
	if m == nil {
		return nil, fmt.Errorf("merge: a seed with no units")
	}
	out := *m
	man := *m.Manifest
	out.Manifest = &man
	out.Alerts, out.Ran, out.Failures, out.Timelines, out.Labels = nil, nil, nil, nil, nil
	symIndex := map[string]int(rank)
	var insts []backtest.InstanceNeeds
	for _, id := range p.Instances { // the single run's order
		if n, ok := needs[id]; ok {
			insts = append(insts, n)
		}
		if f, ok := failed[id]; ok {
			out.Failures = append(out.Failures, f)
			continue // a failed instance's alerts are not the run's
		}
		out.Alerts = append(out.Alerts, backtest.RaisedOrder(byInst[id], symIndex)...)
		if r, ok := ran[id]; ok {
			out.Ran = append(out.Ran, r)
		}
	}
	slices.SortStableFunc(out.Failures, func(a, b results.Failure) int { return strings.Compare(a.Instance, b.Instance) })
	labels.SortByStart(lbls)
	out.Labels = lbls
	ex := results.Exposure{MaxGap: m.Exposure.MaxGap}
	var all []scoring.Segment
	for _, s := range p.Symbols {
		if t, ok := timelines[s]; ok {
			out.Timelines = append(out.Timelines, t)
		}
		e, ok := exposure[s]
		if !ok {
			return nil, fmt.Errorf("merge: no part replayed %s", s)
		}
		ex.Instruments = append(ex.Instruments, e)
		all = append(all, segments[s]...)
	}
	sum, union := scoring.Covered(all)
	const day = float64(24 * time.Hour)
	ex.InstrumentDays, ex.CoveredDays = float64(sum)/day, float64(union)/day
	out.Exposure = ex
	out.Options.Days, out.Options.InstrumentDays, out.Options.Segments = ex.CoveredDays, ex.InstrumentDays, all
	sj, err := json.Marshal(out.Options)
	if err != nil {
		return nil, err
	}
	man.Scoring = sj
	man.Inputs = nil
	for _, ref := range p.Inputs {
		in, ok := inputs[ref]
		if !ok {
			return nil, fmt.Errorf("merge: no part read %s", ref)
		}
		man.Inputs = append(man.Inputs, in)
	}
	out.NotEvaluable = backtest.NotEvaluable(insts, p.Symbols, func(s string) (bool, bool) { h := has[s]; return h[0], h[1] })
	out.Counts = replay.SumCounts(counts)
	out.Events = events
	out.Accounts = accounts
	out.Tape = tape
	return &out, nil
}
