package scaleout

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/tapetest/tapetest/backtest"
	"github.com/tapetest/tapetest/results"
	"github.com/tapetest/tapetest/scenarios"
)

// The store's layout. A shard writes everything of an attempt under
// shards/I/ATTEMPT/ and then, last, shards/I/COMMITTED naming the attempt:
// a retried pod writes a new attempt and moves the marker in one write, so
// the merge reads one complete attempt or sees the shard missing, never a
// half-written one.
const (
	PlanKey        = "plan.json"
	shardsPrefix   = "shards/"
	committedName  = "COMMITTED"
	shardManifestN = "shard.json"
)

func shardPrefix(i int) string { return fmt.Sprintf("%s%d/", shardsPrefix, i) }

// ShardManifest records what one shard attempt ran and wrote.
type ShardManifest struct {
	Index       int                 `json:"index"`
	Attempt     string              `json:"attempt"`
	PlanDigest  string              `json:"plan_digest"`
	Plan        *Plan               `json:"plan"`
	SpecSHA256  string              `json:"spec_sha256"`
	ToolVersion string              `json:"tool_version"`
	Inputs      []results.FileHash  `json:"inputs"` // historical files the spec read, as each unit's manifest records them
	Units       []Unit              `json:"units"`
	Files       []results.FileHash  `json:"files"`
	Failures    map[string][]string `json:"failures,omitempty"` // unit → failed detector instances
	CreatedAt   string              `json:"created_at"`
}

// commitMarker is shards/I/COMMITTED.
type commitMarker struct {
	Attempt        string `json:"attempt"`
	ManifestSHA256 string `json:"manifest_sha256"`
}

// ShardRequest is one shard's work.
type ShardRequest struct {
	Plan     *Plan
	Index    int
	Spec     *backtest.Spec
	SpecText []byte
	Options  backtest.Options // as for the single run; the plan sets the group
	// AfterUpload, when set, is called after the attempt's files are up
	// and before its commit marker: tests kill a shard there.
	AfterUpload func() error
}

// ShardResult is what a shard ran.
type ShardResult struct {
	Units    int
	Failures int // detector instances that failed, over the units
	Attempt  string
}

// RunShard runs shard Index of the plan and commits its results to the
// store.
func RunShard(ctx context.Context, store *Store, req ShardRequest) (*ShardResult, error) {
	p := req.Plan
	if req.Index < 0 || req.Index >= p.Shards {
		return nil, fmt.Errorf("shard %d: the plan has shards 0 to %d", req.Index, p.Shards-1)
	}
	var rnd [8]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return nil, err
	}
	attempt := time.Now().UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(rnd[:])
	tmp, err := os.MkdirTemp("", "tapetest-shard-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	sm := &ShardManifest{Index: req.Index, Attempt: attempt, PlanDigest: p.Digest(), Plan: p, SpecSHA256: p.SpecSHA256, ToolVersion: p.ToolVersion,
		Units: p.UnitsOf(req.Index), CreatedAt: time.Now().UTC().Format(time.RFC3339)}
	res := &ShardResult{Attempt: attempt}
	for _, u := range sm.Units {
		spec := req.Spec
		if len(p.Seeds) > 0 {
			spec = backtest.WithSeed(spec, u.Seed)
		}
		if len(u.Files) > 0 {
			spec = backtest.WithPart(spec, scenarios.Part{Files: u.Files, Symbols: p.Symbols, Start: p.Start, End: p.End})
		}
		opts := req.Options
		opts.Group = backtest.Group{Index: u.Group, Count: p.Groups}
		out, err := backtest.Run(ctx, spec, opts)
		if err != nil {
			return nil, fmt.Errorf("shard %d: %s: %w", req.Index, u.Name(), err)
		}
		dir := filepath.Join(tmp, filepath.FromSlash(u.Name()))
		err = writeUnit(ctx, dir, req.SpecText, out)
		out.Close()
		if err != nil {
			return nil, fmt.Errorf("shard %d: %s: %w", req.Index, u.Name(), err)
		}
		if out.Contents.Manifest != nil {
			for _, in := range out.Contents.Manifest.Inputs {
				if !slices.Contains(sm.Inputs, in) {
					sm.Inputs = append(sm.Inputs, in)
				}
			}
		}
		for _, f := range out.Contents.Failures {
			if sm.Failures == nil {
				sm.Failures = map[string][]string{}
			}
			sm.Failures[u.Name()] = append(sm.Failures[u.Name()], f.Instance)
			res.Failures++
		}
		res.Units++
	}
	if sm.Files, err = results.HashDir(tmp); err != nil {
		return nil, err
	}
	prefix := shardPrefix(req.Index) + attempt + "/"
	if err := store.PutDir(ctx, tmp, prefix); err != nil {
		return nil, err
	}
	mb, err := json.MarshalIndent(sm, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := store.Put(ctx, prefix+shardManifestN, mb); err != nil {
		return nil, err
	}
	pb, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := store.Put(ctx, PlanKey, append(pb, '\n')); err != nil { // every shard writes the same bytes
		return nil, err
	}
	if req.AfterUpload != nil {
		if err := req.AfterUpload(); err != nil {
			return nil, err
		}
	}
	sum := sha256.Sum256(mb)
	marker, _ := json.Marshal(commitMarker{Attempt: attempt, ManifestSHA256: hex.EncodeToString(sum[:])})
	if err := store.Put(ctx, shardPrefix(req.Index)+committedName, marker); err != nil {
		return nil, err
	}
	return res, nil
}

// partFile is a part's report in its unit's folder (backtest.PartReport).
const partFile = "part.json"

// writeUnit writes one unit's results directory. A part of a run dealt out
// by instrument writes no case files — it cannot know the whole run's
// operating points — but the market around every alert that may get one
// (results.WriteCaseMarkets), and its part report.
func writeUnit(ctx context.Context, dir string, specText []byte, out *backtest.Outcome) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := results.WriteFileAtomic(filepath.Join(dir, "spec.yaml"), specText); err != nil {
		return err
	}
	c := out.Contents
	if out.Part != nil {
		b, err := json.MarshalIndent(out.Part, "", "  ")
		if err != nil {
			return err
		}
		if err := results.WriteFileAtomic(filepath.Join(dir, partFile), append(b, '\n')); err != nil {
			return err
		}
		if c.Tape != nil {
			if err := results.WriteCaseMarkets(ctx, dir, c); err != nil {
				return err
			}
			part := *c
			part.Tape = nil
			c = &part
		}
	}
	return results.WriteDir(dir, c)
}
