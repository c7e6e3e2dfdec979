package scaleout

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fsouza/fake-gcs-server/fakestorage"
	"github.com/tapetest/tapetest/backtest"
	"github.com/tapetest/tapetest/results"
	"github.com/tapetest/tapetest/scenarios"
	"github.com/tapetest/tapetest/scoring"
)

// shortSpec is the default suite shortened to ten minutes with one
// injection of each attack: every detector instance has work, and a shard
// replays in a second or two.
func shortSpec(t *testing.T) (*backtest.Spec, []byte) {
	t.Helper()
	s, err := backtest.Default()
	if err != nil {
		t.Fatal(err)
	}
	s.Scenario.Duration = scenarios.Duration(10 * 60e9)
	for i := range s.Scenario.Injections {
		s.Scenario.Injections[i].Count = 1
	}
	return s, []byte("the default suite, shortened")
}

func opts(text []byte) backtest.Options {
	return backtest.Options{SpecName: "short", SpecText: text, ToolVersion: "test", BatchSize: 4096}
}

// singleRun is what one process writes: the reference a merge must equal.
func singleRun(t *testing.T, spec *backtest.Spec, text []byte) []results.FileHash {
	t.Helper()
	out, err := backtest.Run(context.Background(), spec, opts(text))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	dir := filepath.Join(t.TempDir(), "single")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := results.WriteFileAtomic(filepath.Join(dir, "spec.yaml"), text); err != nil {
		t.Fatal(err)
	}
	if err := results.WriteDir(dir, out.Contents); err != nil {
		t.Fatal(err)
	}
	m, err := results.ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	return m.Files
}

// fakeGCS starts an in-process GCS-compatible server with one bucket and
// points gs:// URLs at it.
func fakeGCS(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0") // a free port: the server must know its public host:port to serve downloads
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	srv, err := fakestorage.NewServerWithOptions(fakestorage.Options{Scheme: "http", Host: "127.0.0.1", Port: uint16(port), PublicHost: fmt.Sprintf("127.0.0.1:%d", port)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	srv.CreateBucketWithOpts(fakestorage.CreateBucketOpts{Name: "tapetest-results"})
	u, err := url.Parse(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("STORAGE_EMULATOR_HOST", u.Host)
	return "gs://tapetest-results"
}

func openStore(t *testing.T, where string) *Store {
	t.Helper()
	s, err := OpenStore(context.Background(), where)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// runShards runs the plan's shards in a random order (seeded: the test is
// repeatable) into the store.
func runShards(t *testing.T, store *Store, p *Plan, spec *backtest.Spec, text []byte, order *rand.Rand) {
	t.Helper()
	for _, i := range order.Perm(p.Shards) {
		if _, err := RunShard(context.Background(), store, ShardRequest{Plan: p, Index: i, Spec: spec, SpecText: text, Options: opts(text)}); err != nil {
			t.Fatalf("shard %d: %v", i, err)
		}
	}
}

// mergeIsSingle merges the store and fails unless every file is the single
// run's (ref).
func mergeIsSingle(t *testing.T, store *Store, ref []results.FileHash, shards int) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "merged")
	if _, err := Merge(context.Background(), store, dir); err != nil {
		t.Fatal(err)
	}
	m, err := results.ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	if d := results.CompareFiles(ref, m.Files); len(d) > 0 {
		t.Fatalf("%d shards merged into other files than the single run: %v", shards, d)
	}
}

// TestMergeIsTheSingleRun: the merged results of 1, 2, 3 and 7 shards,
// finished in random order through a GCS-compatible object store, are
// byte-identical to the single-process run (every file but the manifest's
// creation time).
func TestMergeIsTheSingleRun(t *testing.T) {
	if testing.Short() {
		t.Skip("replays the suite fourteen times")
	}
	spec, text := shortSpec(t)
	ref := singleRun(t, spec, text)
	bucket := fakeGCS(t)
	order := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 2, 3, 7} {
		t.Run(fmt.Sprintf("shards=%d", n), func(t *testing.T) {
			p, err := NewPlan("run", spec, text, "short", "test", opts(text), nil, "", 0, n)
			if err != nil {
				t.Fatal(err)
			}
			if n > 1 && (len(p.Axes) != 1 || p.Axes[0] != AxisInstances) {
				t.Fatalf("axes %v", p.Axes)
			}
			store := openStore(t, fmt.Sprintf("%s/run-%d?anonymous=true", bucket, n))
			runShards(t, store, p, spec, text, order)
			mergeIsSingle(t, store, ref, n)
		})
	}
}

// TestMergeRefusesWhatIsNotThePlan: a shard killed between its upload and
// its commit marker is missing (named), its retry merges as if nothing
// happened; a shard of another spec is refused with its index named.
func TestMergeRefusesWhatIsNotThePlan(t *testing.T) {
	if testing.Short() {
		t.Skip("replays the suite five times")
	}
	spec, text := shortSpec(t)
	ref := singleRun(t, spec, text)
	store := openStore(t, t.TempDir())
	p, err := NewPlan("run", spec, text, "short", "test", opts(text), nil, "", 0, 2)
	if err != nil {
		t.Fatal(err)
	}
	killed := errors.New("killed")
	_, err = RunShard(context.Background(), store, ShardRequest{Plan: p, Index: 1, Spec: spec, SpecText: text, Options: opts(text), AfterUpload: func() error { return killed }})
	if !errors.Is(err, killed) {
		t.Fatalf("the killed shard returned %v", err)
	}
	if _, err := RunShard(context.Background(), store, ShardRequest{Plan: p, Index: 0, Spec: spec, SpecText: text, Options: opts(text)}); err != nil {
		t.Fatal(err)
	}
	var me *MergeError
	if _, err := Merge(context.Background(), store, filepath.Join(t.TempDir(), "x")); !errors.As(err, &me) || len(me.Missing) != 1 || me.Missing[0] != 1 {
		t.Fatalf("merge with shard 1 killed before its commit: %v", err)
	}
	if _, err := RunShard(context.Background(), store, ShardRequest{Plan: p, Index: 1, Spec: spec, SpecText: text, Options: opts(text)}); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "merged")
	if _, err := Merge(context.Background(), store, dir); err != nil {
		t.Fatal(err)
	}
	m, _ := results.ReadManifest(dir)
	if d := results.CompareFiles(ref, m.Files); len(d) > 0 {
		t.Fatalf("after the retry: %v", d)
	}
	// A shard of another spec, committed at index 0.
	other := []byte("another spec")
	q, err := NewPlan("run", spec, other, "short", "test", opts(other), nil, "", 0, 2)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := RunShard(context.Background(), store, ShardRequest{Plan: q, Index: 0, Spec: spec, SpecText: other, Options: opts(other)}); err != nil {
		t.Fatal(err)
	}
	// The plan file is now the other spec's: the merge reads that plan and
	// finds shard 1 of this one.
	pb, _ := store.Get(context.Background(), PlanKey)
	if !strings.Contains(string(pb), q.SpecSHA256) {
		t.Fatal("the other shard did not write its plan")
	}
	_, err = Merge(context.Background(), store, filepath.Join(t.TempDir(), "y"))
	if !errors.As(err, &me) || len(me.Mismatched) != 1 || !strings.Contains(me.Mismatched[0], "shard 1: from another spec") {
		t.Fatalf("merge with a foreign shard: %v", err)
	}
}

// TestMergeOfSeeds: a multi-seed run over more shards than seeds deals
// seeds and instance groups, and merges into the multi-seed directory the
// single process writes.
func TestMergeOfSeeds(t *testing.T) {
	if testing.Short() {
		t.Skip("replays the suite six times")
	}
	spec, text := shortSpec(t)
	seeds := []uint64{1, 2}
	// The single process, as run --seeds 1-2 writes it.
	single := filepath.Join(t.TempDir(), "single")
	os.MkdirAll(single, 0o755)
	results.WriteFileAtomic(filepath.Join(single, "spec.yaml"), text)
	var draws []scoring.Draw
	var sels map[string]scoring.Selection
	for _, seed := range seeds {
		out, err := backtest.Run(context.Background(), backtest.WithSeed(spec, seed), opts(text))
		if err != nil {
			t.Fatal(err)
		}
		sub := filepath.Join(single, results.SeedDir(seed))
		os.MkdirAll(sub, 0o755)
		results.WriteFileAtomic(filepath.Join(sub, "spec.yaml"), text)
		if err := results.WriteDir(sub, out.Contents); err != nil {
			t.Fatal(err)
		}
		out.Close()
		if sels == nil {
			sels = map[string]scoring.Selection{}
			for _, r := range out.Contents.Ran {
				sels[r.Instance] = r.Selection
			}
		}
		draws = append(draws, results.DrawOf(seed, out.Contents))
	}
	if err := results.FinishSeedsDir(single, results.SeedsRun{SpecName: "short", SpecText: string(text), Seeds: "1-2", CalibrationSeeds: 1, BatchSize: 4096, ToolVersion: "test"}, draws, sels); err != nil {
		t.Fatal(err)
	}
	ref, _ := results.ReadManifest(single)

	p, err := NewPlan("run", spec, text, "short", "test", opts(text), seeds, "1-2", 1, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Axes) != 2 || p.Groups != 2 || len(p.Units) != 4 {
		t.Fatalf("plan: axes %v, %d groups, %d units", p.Axes, p.Groups, len(p.Units))
	}
	store := openStore(t, t.TempDir())
	runShards(t, store, p, spec, text, rand.New(rand.NewPCG(3, 4)))
	dir := filepath.Join(t.TempDir(), "merged")
	if _, err := Merge(context.Background(), store, dir); err != nil {
		t.Fatal(err)
	}
	m, _ := results.ReadManifest(dir)
	for _, d := range results.CompareFiles(ref.Files, m.Files) {
		// Each seed's manifest records when it was written, as every
		// manifest does; all else in it must agree.
		if strings.HasSuffix(d.Path, "/manifest.json") && sameManifest(t, filepath.Join(single, d.Path), filepath.Join(dir, d.Path)) {
			continue
		}
		t.Errorf("merged seeds differ from the single run: %v", d)
	}
}

// sameManifest compares two manifests but for their creation times.
func sameManifest(t *testing.T, a, b string) bool {
	t.Helper()
	var ma, mb results.Manifest
	for p, m := range map[string]*results.Manifest{a: &ma, b: &mb} {
		raw, err := os.ReadFile(p)
		if err != nil || json.Unmarshal(raw, m) != nil {
			return false
		}
		m.CreatedAt = ""
	}
	x, _ := json.Marshal(ma)
	y, _ := json.Marshal(mb)
	return string(x) == string(y)
}
