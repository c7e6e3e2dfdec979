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

	"github.com/tapetest/tapetest/backtest"
)

// PlanVersion is the version of the plan's layout.
const PlanVersion = 1

// Axes a plan can deal work along.
const (
	AxisSeeds     = "seeds"              // the draws of a multi-seed run
	AxisInstances = "detector_instances" // groups of a run's detector instances, each replaying the whole market
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
	// Options are the run's options that change results (as the
	// manifest records them): every shard must run with the same.
	Options map[string]string `json:"options"`
	Axes    []string          `json:"axes"`
	Why     string            `json:"why"`
	// NotUsed says why each axis the plan leaves alone is left alone.
	NotUsed map[string]string `json:"not_used"`
	Units   []Unit            `json:"units"`
}

// Unit is one seed's group of detector instances, run by one shard: it
// replays the whole market of that seed and runs the group's instances.
type Unit struct {
	Shard     int      `json:"shard"`
	Seed      uint64   `json:"seed"`
	Group     int      `json:"group"`
	Instances []string `json:"instances"`
}

// Name is the unit's folder in a shard's results: seed-S/group-G.
func (u Unit) Name() string { return fmt.Sprintf("seed-%d/group-%d", u.Seed, u.Group) }

// NewPlan deals a run into shards. seeds empty: the spec's own seed. The
// plan is a function of its arguments only: every shard computes the same.
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
		Seeds: slices.Clone(seeds), SeedsText: seedsText, CalibrationSeeds: calibration, Instances: ids,
		Options: map[string]string{"batch_size": strconv.Itoa(opts.BatchSize)},
		NotUsed: map[string]string{
			"instruments": "instruments share one replay: an instrument's book, the accounts that trade across instruments and a swap's index constituents would have to go with it, and every detector reads across the instruments it scopes; the detector-instance axis divides the same work without that coupling",
			"time":        "a replay's state (books, positions, detectors' windows) carries across any cut in time: a slice would have to start from a snapshot the run does not write",
		}}
	seedList := seeds
	if len(seedList) == 0 {
		seedList = []uint64{rs.Scenario.Seed}
	}
	// Seeds first (each a whole replay of its own); instance groups when
	// there are fewer seeds than shards (each group replays the market too,
	// so groups cost replay time and save detector time).
	groups := min(max(1, (shards+len(seedList)-1)/len(seedList)), max(1, len(ids)))
	p.Groups = groups
	switch {
	case len(seeds) > 1 && groups > 1:
		p.Axes = []string{AxisSeeds, AxisInstances}
		p.Why = fmt.Sprintf("%d seeds are fewer than %d shards: each seed's %d detector instances are dealt into %d groups, each group replaying the seed's market", len(seeds), shards, len(ids), groups)
	case len(seeds) > 1:
		p.Axes = []string{AxisSeeds}
		p.Why = fmt.Sprintf("%d seeds over %d shards: each seed is a whole replay of its own, the cheapest independent unit", len(seeds), shards)
	case groups > 1:
		p.Axes = []string{AxisInstances}
		p.Why = fmt.Sprintf("one replay: its %d detector instances are dealt into %d groups, each replaying the market and running its share", len(ids), groups)
	default:
		p.Axes = []string{}
		p.Why = "one shard: the whole run"
	}
	if len(seeds) <= 1 {
		p.NotUsed[AxisSeeds] = "the run has one seed (run --seeds gives more)"
	}
	u := 0
	for _, seed := range seedList {
		for g := 0; g < groups; g++ {
			unit := Unit{Shard: u % shards, Seed: seed, Group: g}
			for k, id := range ids {
				if (backtest.Group{Index: g, Count: groups}).Has(k) {
					unit.Instances = append(unit.Instances, id)
				}
			}
			p.Units = append(p.Units, unit)
			u++
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
