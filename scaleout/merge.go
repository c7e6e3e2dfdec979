package scaleout

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/tapetest/tapetest/detectors"
	"github.com/tapetest/tapetest/replay"
	"github.com/tapetest/tapetest/results"
	"github.com/tapetest/tapetest/scoring"
)

// MergeError lists what keeps a sharded run from merging: shards with no
// committed attempt, and shards that are not of this plan (another spec,
// code version or inputs) or do not match their own manifest.
type MergeError struct {
	Missing    []int
	Mismatched []string
}

func (e *MergeError) Error() string {
	var parts []string
	if len(e.Missing) > 0 {
		ids := make([]string, len(e.Missing))
		for i, m := range e.Missing {
			ids[i] = fmt.Sprint(m)
		}
		parts = append(parts, "missing shard(s) "+strings.Join(ids, ", ")+" (no committed attempt)")
	}
	parts = append(parts, e.Mismatched...)
	return "merge: " + strings.Join(parts, "; ")
}

// MergeResult is what a merge wrote.
type MergeResult struct {
	Plan     *Plan
	Failures int // failed detector instances over the merged run
}

// Merge checks that every shard of the store's plan committed once, from
// the same spec, code version and inputs, and writes dir: the results
// directory the single process would have written, byte for byte but for
// the manifest's creation time. The scoring is recomputed from the merged
// alerts and labels; case files come from the shards that ran their
// instances.
func Merge(ctx context.Context, store *Store, dir string) (*MergeResult, error) {
	pb, err := store.Get(ctx, PlanKey)
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil, fmt.Errorf("merge: %s holds no plan (%s): no shard has committed there", store, PlanKey)
		}
		return nil, err
	}
	var p Plan
	if err := json.Unmarshal(pb, &p); err != nil {
		return nil, fmt.Errorf("merge: %s: %w", PlanKey, err)
	}
	if p.Version != PlanVersion || p.Shards < 1 || len(p.Units) == 0 {
		return nil, fmt.Errorf("merge: %s: not a plan this tapetest merges (version %d, %d shards)", PlanKey, p.Version, p.Shards)
	}
	digest := p.Digest()
	me := &MergeError{}
	manifests := make([]*ShardManifest, p.Shards)
	inputs := map[string]results.FileHash{} // every input a shard read, by path
	for i := 0; i < p.Shards; i++ {
		mb, err := store.Get(ctx, shardPrefix(i)+committedName)
		if errors.Is(err, ErrNotFound) {
			me.Missing = append(me.Missing, i)
			continue
		}
		if err != nil {
			return nil, err
		}
		var mk commitMarker
		if err := json.Unmarshal(mb, &mk); err != nil || mk.Attempt == "" || strings.ContainsAny(mk.Attempt, "/.") {
			me.Mismatched = append(me.Mismatched, fmt.Sprintf("shard %d: unreadable commit marker", i))
			continue
		}
		sb, err := store.Get(ctx, shardPrefix(i)+mk.Attempt+"/"+shardManifestN)
		if err != nil {
			me.Mismatched = append(me.Mismatched, fmt.Sprintf("shard %d: attempt %s: %v", i, mk.Attempt, err))
			continue
		}
		sum := sha256.Sum256(sb)
		var sm ShardManifest
		switch {
		case hex.EncodeToString(sum[:]) != mk.ManifestSHA256:
			me.Mismatched = append(me.Mismatched, fmt.Sprintf("shard %d: its manifest does not match its commit marker", i))
			continue
		case json.Unmarshal(sb, &sm) != nil:
			me.Mismatched = append(me.Mismatched, fmt.Sprintf("shard %d: unreadable manifest", i))
			continue
		case sm.Index != i:
			me.Mismatched = append(me.Mismatched, fmt.Sprintf("shard %d: its manifest says shard %d", i, sm.Index))
			continue
		case sm.PlanDigest != digest || sm.Plan == nil || sm.Plan.Digest() != digest:
			why := "another plan"
			switch {
			case sm.Plan != nil && sm.Plan.SpecSHA256 != p.SpecSHA256:
				why = "another spec (sha256 " + short(sm.Plan.SpecSHA256) + ", the plan's " + short(p.SpecSHA256) + ")"
			case sm.Plan != nil && sm.Plan.ToolVersion != p.ToolVersion:
				why = "another tapetest (" + sm.Plan.ToolVersion + ", the plan's " + p.ToolVersion + ")"
			case sm.Plan != nil && sm.Plan.Shards != p.Shards:
				why = fmt.Sprintf("a plan of %d shards, this one of %d", sm.Plan.Shards, p.Shards)
			}
			me.Mismatched = append(me.Mismatched, fmt.Sprintf("shard %d: from %s", i, why))
			continue
		}
		if d := sameInputs(inputs, sm.Inputs); len(d) > 0 {
			me.Mismatched = append(me.Mismatched, fmt.Sprintf("shard %d: read other inputs (%s)", i, strings.Join(d, "; ")))
			continue
		}
		for _, in := range sm.Inputs {
			inputs[in.Path] = in
		}
		manifests[i] = &sm
	}
	if len(me.Missing) > 0 || len(me.Mismatched) > 0 {
		return nil, me
	}
	tmp, err := os.MkdirTemp("", "tapetest-merge-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	unitDir := map[string]string{}
	for i, sm := range manifests {
		local := filepath.Join(tmp, fmt.Sprint(i))
		if err := store.GetDir(ctx, shardPrefix(i)+sm.Attempt+"/", local); err != nil {
			return nil, err
		}
		os.Remove(filepath.Join(local, shardManifestN))
		have, err := results.HashDir(local)
		if err != nil {
			return nil, err
		}
		if d := results.CompareFiles(sm.Files, have); len(d) > 0 {
			return nil, &MergeError{Mismatched: []string{fmt.Sprintf("shard %d: attempt %s does not match its manifest: %v", i, sm.Attempt, d)}}
		}
		for _, u := range sm.Units {
			unitDir[u.Name()] = filepath.Join(local, filepath.FromSlash(u.Name()))
		}
	}
	res := &MergeResult{Plan: &p}
	bySeed := map[uint64][]Unit{}
	var seeds []uint64
	for _, u := range p.Units {
		if _, ok := bySeed[u.Seed]; !ok {
			seeds = append(seeds, u.Seed)
		}
		bySeed[u.Seed] = append(bySeed[u.Seed], u)
	}
	err = results.CommitDir(dir, func(out string) error {
		spec, err := os.ReadFile(filepath.Join(unitDir[p.Units[0].Name()], "spec.yaml"))
		if err != nil {
			return err
		}
		if len(p.Seeds) == 0 {
			c, err := mergeUnits(bySeed[seeds[0]], unitDir, &p, out)
			if err != nil {
				return err
			}
			res.Failures += len(c.Failures)
			if err := results.WriteFileAtomic(filepath.Join(out, c.Manifest.Spec.File), spec); err != nil {
				return err
			}
			return results.WriteDir(out, c)
		}
		if err := results.WriteFileAtomic(filepath.Join(out, "spec.yaml"), spec); err != nil {
			return err
		}
		var draws []scoring.Draw
		var sels map[string]scoring.Selection
		for _, seed := range p.Seeds {
			sub := filepath.Join(out, results.SeedDir(seed))
			c, err := mergeUnits(bySeed[seed], unitDir, &p, sub)
			if err != nil {
				return err
			}
			res.Failures += len(c.Failures)
			if err := results.WriteFileAtomic(filepath.Join(sub, "spec.yaml"), spec); err != nil {
				return err
			}
			if err := results.WriteDir(sub, c); err != nil {
				return err
			}
			if sels == nil {
				sels = map[string]scoring.Selection{}
				for _, r := range c.Ran {
					sels[r.Instance] = r.Selection
				}
			}
			draws = append(draws, results.DrawOf(seed, c))
		}
		batch := 0
		fmt.Sscan(p.Options["batch_size"], &batch)
		return results.FinishSeedsDir(out, results.SeedsRun{SpecName: p.SpecName, SpecText: string(spec), Seeds: p.SeedsText, CalibrationSeeds: p.CalibrationSeeds,
			BatchSize: batch, ToolVersion: p.ToolVersion, CreatedAt: time.Now().UTC().Format(time.RFC3339)}, draws, sels)
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// mergeUnits merges one seed's groups into the contents of its single
// run, and copies their case files into out.
func mergeUnits(units []Unit, unitDir map[string]string, p *Plan, out string) (*results.Contents, error) {
	if p.Parts > 1 {
		return mergeParts(units, unitDir, p)
	}
	sort.Slice(units, func(i, j int) bool { return units[i].Group < units[j].Group })
	var cs []*results.Contents
	for _, u := range units {
		c, err := results.ReadDir(unitDir[u.Name()])
		if err != nil {
			return nil, fmt.Errorf("merge: %s: %w", u.Name(), err)
		}
		cs = append(cs, c)
		if err := copyCases(filepath.Join(unitDir[u.Name()], results.CasesDir), filepath.Join(out, results.CasesDir)); err != nil {
			return nil, err
		}
	}
	m := *cs[0]
	m.Alerts, m.Ran, m.Failures, m.NotEvaluable, m.Counts = nil, nil, nil, nil, nil
	byInst := map[string][]detectors.Alert{}
	ran := map[[2]string]bool{}
	var counts []replay.Count
	for g, c := range cs {
		for _, a := range c.Alerts {
			byInst[a.Instance] = append(byInst[a.Instance], a)
		}
		for _, r := range c.Ran {
			if k := [2]string{r.Instance, string(r.Typology)}; !ran[k] {
				ran[k] = true
				m.Ran = append(m.Ran, r)
			}
		}
		m.Failures = append(m.Failures, c.Failures...)
		for id, why := range c.NotEvaluable {
			if m.NotEvaluable == nil {
				m.NotEvaluable = map[string]string{}
			}
			m.NotEvaluable[id] = why
		}
		for _, k := range c.Counts { // the market's counts once (every group replays it); each group's own instances' counts
			if strings.HasPrefix(k.Kind, "alerts_outside_scope:") || g == 0 {
				counts = append(counts, k)
			}
		}
	}
	for _, id := range p.Instances { // the single run's order: its instances', each in the order raised
		m.Alerts = append(m.Alerts, byInst[id]...)
	}
	sort.SliceStable(m.Failures, func(i, j int) bool { return m.Failures[i].Instance < m.Failures[j].Instance })
	m.Counts = replay.SumCounts(counts)
	return &m, nil
}

// copyCases copies a unit's case files (there may be none).
func copyCases(from, to string) error {
	es, err := os.ReadDir(from)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := os.MkdirAll(to, 0o755); err != nil {
		return err
	}
	for _, e := range es {
		b, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil {
			return err
		}
		if err := results.WriteFileAtomic(filepath.Join(to, e.Name()), b); err != nil {
			return err
		}
	}
	return nil
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

// sameInputs lists the inputs that have and shard differ on: the same path
// with other contents.
func sameInputs(have map[string]results.FileHash, shard []results.FileHash) []string {
	var d []string
	for _, in := range shard {
		if h, ok := have[in.Path]; ok && h != in {
			d = append(d, fmt.Sprintf("%s: sha256 %s, another shard's %s", in.Path, short(in.SHA256), short(h.SHA256)))
		}
	}
	return d
}
