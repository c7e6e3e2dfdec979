package scaleout

import (
	"cmp"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/tapetest/tapetest/backtest"
	"github.com/tapetest/tapetest/scenarios"
)

// instrumentPart is one part of a historical run's files: whole
// instruments, every file of each.
type instrumentPart struct {
	files   []int
	symbols []string
	bytes   int64
}

// dealInstruments deals a historical run's background files into at most n
// parts that share no instrument, balanced by the files' sizes, and sets
// the plan's instruments and span; or records in p.NotUsed why the run
// cannot be dealt by instrument and returns none.
func dealInstruments(rs *backtest.Spec, opts backtest.Options, n int, p *Plan) ([]instrumentPart, error) {
	sc := rs.Scenario
	notUsed := func(why string) ([]instrumentPart, error) {
		p.NotUsed[AxisInstruments] = why
		return nil, nil
	}
	switch {
	case !sc.Historical():
		return notUsed("the market is synthetic: its instruments share one generation (the account population, the attackers, a swap's index constituents) and one sequence of order ids")
	case len(sc.Instruments) > 0 || len(sc.Injections) > 0:
		return notUsed("the spec adds synthetic instruments or injections to its historical files: they share the generation's accounts and order ids with every instrument")
	case sc.Background.Format == "binance-depth":
		return notUsed("a raw Binance depth feed's files chain into one stream (each continues the previous file's book)")
	}
	across, err := backtest.AcrossInstruments(rs, opts)
	if err != nil {
		return nil, err
	}
	if len(across) > 0 {
		return notUsed(fmt.Sprintf("detector instance(s) %s may read across instruments (their detector does not declare that it reads each on its own): a part could not show them the whole market", strings.Join(across, ", ")))
	}
	groups, err := scenarios.HistoricalGroups(sc)
	if err != nil {
		return nil, err
	}
	// Groups that share an instrument are one component: an instrument's
	// files replay together, in order.
	parent := make([]int, len(groups))
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	owner := map[string]int{}
	var symbols []string // the run's instruments, in the order the merged files name them
	for g, fg := range groups {
		for _, s := range fg.Symbols {
			if o, ok := owner[s]; ok {
				a, b := find(o), find(g)
				parent[max(a, b)] = min(a, b)
				continue
			}
			owner[s] = g
			symbols = append(symbols, s)
		}
	}
	byRoot := map[int]*instrumentPart{}
	var comps []*instrumentPart
	for g, fg := range groups {
		r := find(g)
		c, ok := byRoot[r]
		if !ok {
			c = &instrumentPart{}
			byRoot[r] = c
			comps = append(comps, c)
		}
		c.files = append(c.files, fg.Files...)
		for _, s := range fg.Symbols {
			if !slices.Contains(c.symbols, s) {
				c.symbols = append(c.symbols, s)
			}
		}
		for _, f := range fg.Files {
			if st, err := os.Stat(sc.Path(sc.Background.Files[f])); err == nil {
				c.bytes += st.Size()
			}
		}
	}
	if len(comps) < 2 {
		if len(symbols) == 1 {
			return notUsed("the historical files hold one instrument")
		}
		return notUsed(fmt.Sprintf("the historical files' %d instruments cannot be separated: every source holds instruments of another", len(symbols)))
	}
	// The span every part replays over: the spec's, else the files' (one
	// read of every file, as the single run makes).
	if !sc.Start.IsZero() && sc.Duration > 0 {
		p.Start = sc.Start.UnixNano()
		p.End = p.Start + int64(sc.Duration)
	} else {
		gen, err := scenarios.NewGenerator(sc)
		if err != nil {
			return nil, err
		}
		p.Start, p.End = gen.Span()
		symbols = symbols[:0]
		for _, in := range gen.Instruments() {
			symbols = append(symbols, in.Symbol)
		}
		gen.Close()
	}
	p.Symbols = symbols
	// Largest first to the lightest part (ties: the earlier component, the
	// lower part): a deterministic balance of the files' bytes.
	order := make([]int, len(comps))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(comps[b].bytes, comps[a].bytes) })
	parts := make([]instrumentPart, min(n, len(comps)))
	for _, c := range order {
		light := 0
		for k := range parts {
			if parts[k].bytes < parts[light].bytes || (len(parts[k].files) == 0 && len(parts[light].files) > 0) {
				light = k
			}
		}
		parts[light].files = append(parts[light].files, comps[c].files...)
		parts[light].symbols = append(parts[light].symbols, comps[c].symbols...)
		parts[light].bytes += comps[c].bytes
	}
	rank := map[string]int{}
	for i, s := range symbols {
		rank[s] = i
	}
	for k := range parts {
		slices.Sort(parts[k].files)
		slices.SortFunc(parts[k].symbols, func(a, b string) int { return cmp.Compare(rank[a], rank[b]) })
	}
	return parts, nil
}
