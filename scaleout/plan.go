// Package scaleout runs one spec as shards — Kubernetes Indexed Jobs, or
// local processes — and merges their results into the directory the
// single process would have written, byte for byte: a deterministic plan
// deals the work along the axes that are independent, each shard writes
// its part under its own prefix of an object store with an atomic commit
// marker, and the merge checks every shard and recomputes the scoring from
// the merged alerts and labels (docs/scale-out.md).
package scaleout

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/tapetest/tapetest/backtest"
)

// PlanVersion is the version of the plan's layout.
const PlanVersion = 2

// Axes a plan can deal work along.
const (
	AxisSeeds       = "seeds"              // the draws of a multi-seed run
	AxisInstruments = "instruments"        // parts of a historical run's files, each holding whole instruments
	AxisInstances   = "detector_instances" // groups of a run's detector instances, each replaying the whole market
	AxisTime        = "time"               // slices of a run's time (never used: see NotUsed)
)

// Plan is how a run is split into shards: the units of work (a seed and a
// group of detector instances), which shard runs each, and why.
type Plan struct {
	Version int `json:"plan_version"`
	// Command is the command the shards run (run or sweep): the merge
	// prints its result as that command would.
	Command     string `json:"command"`
	SpecName    string `json:"spec_name"`
	SpecSHA256  string `json:"spec_sha256"`
	ToolVersion string `json:"tool_version"`
	Shards      int    `json:"shards"`
	// Seeds are a multi-seed run's seeds (run --seeds; SeedsText as given,
	// CalibrationSeeds as given); empty for a run of the spec's own seed.
	Seeds            []uint64 `json:"seeds,omitempty"`
	SeedsText        string   `json:"seeds_text,omitempty"`
	CalibrationSeeds int      `json:"calibration_seeds,omitempty"`
	// Instances are the run's detector instances in its order; Groups is
	// how many groups they are dealt into (instance k to group k mod
	// Groups).
	Instances []string `json:"instances"`
	Groups    int      `json:"groups"`
	// Parts is how many parts a historical run's files are dealt into
	// (1: not dealt by instrument). When more, Symbols are every
	// instrument of the run in its order, and Start and End its span (ns):
	// each part replays its own files over the whole span.
	Parts   int      `json:"parts"`
	Symbols []string `json:"symbols,omitempty"`
	Start   int64    `json:"start,omitempty"`
	End     int64    `json:"end,omitempty"`
	// Inputs are the files the run reads, as its manifest names them (a
	// URL, else the absolute path), in its order.
	Inputs []string `json:"inputs,omitempty"`
	// Options are the run's options that change results (as the
	// manifest records them): every shard must run with the same.
	Options map[string]string `json:"options"`
	Axes    []string          `json:"axes"`
	Why     string            `json:"why"`
	// NotUsed says why each axis the plan leaves alone is left alone.
	NotUsed map[string]string `json:"not_used"`
	Units   []Unit            `json:"units"`
}

// Unit is one seed's part of the market and group of detector instances,
// run by one shard: it replays the part (the whole market when the plan
// has one part) and runs the group's instances.
type Unit struct {
	Shard     int      `json:"shard"`
	Seed      uint64   `json:"seed"`
	Part      int      `json:"part"`
	Group     int      `json:"group"`
	Instances []string `json:"instances"`
	// Files and Symbols are the part's background files (indices into the
	// spec's list) and instruments, when the plan has more than one part.
	Files   []int    `json:"files,omitempty"`
	Symbols []string `json:"symbols,omitempty"`
}

// Name is the unit's folder in a shard's results: seed-S/group-G, or
// seed-S/part-P/group-G when the run is dealt out by instrument.
func (u Unit) Name() string {
	if len(u.Files) > 0 {
		return fmt.Sprintf("seed-%d/part-%d/group-%d", u.Seed, u.Part, u.Group)
	}
	return fmt.Sprintf("seed-%d/group-%d", u.Seed, u.Group)
}

// NewPlan deals a run into shards. seeds empty: the spec's own seed. The
// plan is a function of its arguments (and of the historical files it opens
// to deal a run by instrument): every shard computes the same.
func NewPlan(command string, rs *backtest.Spec, text []byte, name, toolVersion string, opts backtest.Options, seeds []uint64, seedsText string, calibration, shards int) (*Plan, error) {
	if shards < 1 {
		return nil, fmt.Errorf("plan: %d shards: want 1 or more", shards)
	}
	ids, err := backtest.Instances(rs, opts)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(text)
	p := &Plan{Version: PlanVersion, Command: command, SpecName: name, SpecSHA256: hex.EncodeToString(sum[:]), ToolVersion: toolVersion, Shards: shards,
		Seeds: slices.Clone(seeds), SeedsText: seedsText, CalibrationSeeds: calibration, Instances: ids, Inputs: rs.Scenario.InputRefs(),
		Options: map[string]string{"batch_size": strconv.Itoa(opts.BatchSize)},
		NotUsed: map[string]string{
			AxisTime: "each instrument's files stay in one unit: a replay's state (the book, positions, detectors' windows and baselines, some a day or longer) carries from one file to the next, and a slice that started afresh at a session boundary would change the alerts of any detector whose memory spans the cut",
		}}
	seedList := seeds
	if len(seedList) == 0 {
		seedList = []uint64{rs.Scenario.Seed}
	}
	// Per seed, a budget of shards: seeds first (each a whole replay of
	// its own), then parts of a historical run's instruments (each replays
	// only its files), then groups of detector instances (each replays its
	// part again, so groups save detector time and repeat replay time).
	budget := max(1, (shards+len(seedList)-1)/len(seedList))
	var parts [][]int // each part's file indices
	var partSyms [][]string
	if budget == 1 {
		p.NotUsed[AxisInstruments] = "one shard for each seed: nothing left to deal"
	} else {
		split, err := dealInstruments(rs, opts, budget, p)
		if err != nil {
			return nil, err
		}
		for _, s := range split {
			parts, partSyms = append(parts, s.files), append(partSyms, s.symbols)
		}
	}
	p.Parts = max(1, len(parts))
	groups := min(max(1, budget/p.Parts), max(1, len(ids)))
	p.Groups = groups
	var why []string
	if len(seeds) > 1 {
		p.Axes = append(p.Axes, AxisSeeds)
		why = append(why, fmt.Sprintf("%d seeds over %d shards: each seed is a whole replay of its own, the cheapest independent unit", len(seeds), shards))
	} else {
		p.NotUsed[AxisSeeds] = "the run has one seed (run --seeds gives more)"
	}
	if p.Parts > 1 {
		p.Axes = append(p.Axes, AxisInstruments)
		why = append(why, fmt.Sprintf("the historical files hold %d instruments: they are dealt into %d parts by size, each part replaying only its files (every file of each of its instruments)", len(p.Symbols), p.Parts))
	}
	if groups > 1 {
		p.Axes = append(p.Axes, AxisInstances)
		why = append(why, fmt.Sprintf("%d detector instances are dealt into %d groups, each group replaying its market and running its share", len(ids), groups))
	} else if budget == 1 {
		p.NotUsed[AxisInstances] = "one shard for each seed: nothing left to deal"
	} else {
		p.NotUsed[AxisInstances] = "the instruments' parts fill the shards"
	}
	if p.Axes == nil {
		p.Axes = []string{}
		why = append(why, "one shard: the whole run")
	}
	p.Why = strings.Join(why, "; ")
	u := 0
	for _, seed := range seedList {
		for part := 0; part < p.Parts; part++ {
			for g := 0; g < groups; g++ {
				unit := Unit{Shard: u % shards, Seed: seed, Part: part, Group: g}
				if p.Parts > 1 {
					unit.Files, unit.Symbols = parts[part], partSyms[part]
				}
				for k, id := range ids {
					if (backtest.Group{Index: g, Count: groups}).Has(k) {
						unit.Instances = append(unit.Instances, id)
					}
				}
				p.Units = append(p.Units, unit)
				u++
			}
		}
	}
	return p, nil
}

// UnitsOf are the units shard i runs.
func (p *Plan) UnitsOf(i int) []Unit {
	var out []Unit
	for _, u := range p.Units {
		if u.Shard == i {
			out = append(out, u)
		}
	}
	return out
}

// Digest is the SHA-256 of the plan's JSON: shards of one run agree on it.
func (p *Plan) Digest() string {
	b, _ := json.Marshal(p)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
