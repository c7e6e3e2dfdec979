package scenarios

import (
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/tapetest/tapetest/replay"
	"github.com/tapetest/tapetest/scenarios/injectors"
	"github.com/tapetest/tapetest/scenarios/venue"
)

// planInjections plans every attack of the spec's injection entries and
// schedules it: Count attacks spread evenly over the middle of the run (with
// a jitter from the entry's stream), or at the entry's explicit offsets.
//
// Every attack's start is planned first: attacks of one typology on one
// instrument scheduled by count are kept InjectionGap apart by when they
// become visible (a later one moves forward, counted as
// injection_moved_for_gap), so that two entries of different intensities do
// not attack at once. Then each attack's accounts are drawn — attackers and
// their shared attributes exist before the run — with the attack's own
// stream, so other injections do not change which it gets.
func (g *Generator) planInjections(stream streams) error {
	spec := g.spec
	n := 0
	seen := map[string]uint64{}
	type plan struct {
		entry uint64
		k     int
		sym   uint32
		start int64
		lead  int64 // from start to where its label begins (leader)
		fixed bool  // an explicit offset (at:), never moved
		id    string
		inj   venue.Injection
	}
	plans := make([][]plan, len(spec.Injections))
	build := func(i int, pl *plan) error {
		is := spec.Injections[i]
		p := injectors.Params{ID: pl.id, Typology: replay.Typology(is.Typology), Symbol: pl.sym, SymbolName: is.Symbol,
			Start: pl.start, Intensity: is.Intensity, Params: is.Params, Rand: stream.injection(pl.entry, uint64(pl.k)), Instrument: g.injectorInstrument(pl.sym)}
		factory, err := injectors.Lookup(is.Typology)
		if err != nil {
			return fmt.Errorf("injections[%d]: %w", i, err)
		}
		inj, err := factory(p)
		if err != nil {
			return fmt.Errorf("injections[%d] #%d: %w", i, pl.k, err)
		}
		pl.inj = inj
		if l, ok := inj.(injectors.Leader); ok {
			pl.lead = l.Lead()
		}
		return nil
	}
	for i, is := range spec.Injections {
		// An entry's stream is keyed by what it asks for (and how many
		// identical entries came before), not by its position in the list:
		// removing one entry leaves the others' draws as they were.
		key := fmt.Sprintf("%s|%s|%s|%v|%s", is.Typology, is.Symbol, is.Intensity, is.At, injectors.ParamsJSON(is.Params))
		entry := fnv64(key) + seen[key]
		seen[key]++
		sym, ok := g.symbol(is.Symbol)
		if !ok {
			return fmt.Errorf("injections[%d]: unknown symbol %q", i, is.Symbol)
		}
		if len(is.At) > 0 {
			for k, at := range is.At {
				plans[i] = append(plans[i], plan{entry: entry, k: k, sym: sym, start: g.now + int64(at), fixed: true})
			}
		} else {
			span := float64(spec.Duration) * 0.8
			for k := 0; k < is.Count; k++ {
				off := float64(spec.Duration)*0.1 + span*(float64(k)+0.5)/float64(is.Count)
				jit := (stream.schedule(entry, uint64(k)).Float64() - 0.5) * span / float64(is.Count) * 0.3
				plans[i] = append(plans[i], plan{entry: entry, k: k, sym: sym, start: g.now + int64(off+jit)})
			}
		}
		for k := range plans[i] {
			n++
			plans[i][k].id = fmt.Sprintf("%s-%03d", is.Typology, n)
			if err := build(i, &plans[i][k]); err != nil {
				return err
			}
		}
	}
	gap := int64(10 * time.Minute)
	if spec.InjectionGap != nil {
		gap = int64(*spec.InjectionGap)
	}
	type slot struct{ i, k int }
	groups := map[string][]slot{}
	var order []string
	for i, ps := range plans {
		for k := range ps {
			key := fmt.Sprintf("%s|%d", spec.Injections[i].Typology, ps[k].sym)
			if _, ok := groups[key]; !ok {
				order = append(order, key)
			}
			groups[key] = append(groups[key], slot{i, k})
		}
	}
	for _, key := range order {
		ss := groups[key]
		// Kept apart by when they become visible: start + lead.
		vis := func(x slot) int64 { return plans[x.i][x.k].start + plans[x.i][x.k].lead }
		sort.SliceStable(ss, func(a, b int) bool { return vis(ss[a]) < vis(ss[b]) })
		last := int64(math.MinInt64)
		for _, x := range ss {
			p := &plans[x.i][x.k]
			if !p.fixed && last != math.MinInt64 && vis(x) < last+gap && last+gap < g.end {
				p.start = last + gap - p.lead
				if g.spec.active(spec.Injections[x.i].Symbol) { // a lane counts its own
					g.counts["injection_moved_for_gap"]++
				}
				if err := build(x.i, p); err != nil { // again, at its new start
					return err
				}
			}
			last = vis(x)
		}
	}
	for i := range spec.Injections {
		for _, pl := range plans[i] {
			if p, ok := pl.inj.(interface{ Prepare(venue.Venue) }); ok {
				// Attackers and their shared attributes exist before the run
				// starts; each injection draws its accounts with its own
				// stream, so other injections do not change which it gets.
				g.attackRand = stream.attackAccounts(pl.entry, uint64(pl.k))
				p.Prepare(g.x)
			}
			if !spec.active(spec.Injections[i].Symbol) {
				continue // planned and prepared alike everywhere; it acts where its instrument does
			}
			g.inj = append(g.inj, pl.inj)
			g.schedule(pl.inj.Start(), pl.inj)
		}
	}
	return nil
}

// injectorInstrument is instrument sym as an injector plans with it.
func (g *market) injectorInstrument(sym uint32) injectors.Instrument {
	in := g.instSpec(sym)
	out := injectors.Instrument{Kind: in.Kind, Tick: in.Tick, Lot: in.Lot, Size: in.Size}
	if in.Kind == "perp" {
		out.MarkBandBps = in.Perp.withDefaults().MarkBandBps
	}
	return out
}
