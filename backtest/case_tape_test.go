package backtest

import (
	"context"
	"encoding/binary"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tapetest/tapetest/results"
	"github.com/tapetest/tapetest/scoring"
)

// TestCaseFilesShowTheReplayedMarket: on a run of the default suite
// (shortened), every false alert at its instance's operating point has a
// case file, and every case shows the book the replay held (a ladder with
// prices on both sides) and the trades of its window.
func TestCaseFilesShowTheReplayedMarket(t *testing.T) {
	out, err := Run(context.Background(), shortSpec(t), Options{SpecName: "short", SpecText: []byte("short"), ToolVersion: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	dir := filepath.Join(t.TempDir(), "out")
	c := out.Contents
	if err := results.WriteDir(dir, c); err != nil {
		t.Fatal(err)
	}
	ev := scoring.Evaluate(c.Alerts, c.Labels, c.Options, c.Ran...)
	thr := map[[2]string]float64{}
	for _, r := range ev.Instances {
		t0 := r.Best.Threshold
		if r.OperatingPoint != nil {
			t0 = r.OperatingPoint.Threshold
		}
		thr[[2]string{r.Instance, string(r.Typology)}] = t0
	}
	matched := map[int]bool{}
	for _, p := range scoring.Match(c.Alerts, c.Labels, c.Options) {
		matched[p.Alert] = true
	}
	ids := results.AlertIDs(c.Alerts)
	falseAlerts := 0
	for i, a := range c.Alerts {
		if t0, ok := thr[[2]string{a.Instance, string(a.Typology)}]; ok && a.Score >= t0 && !matched[i] {
			falseAlerts++
			if _, err := os.Stat(filepath.Join(dir, results.CasesDir, ids[i]+".html")); err != nil {
				t.Errorf("false alert %s (%s at %g) has no case file: %v", ids[i], a.Instance, a.Score, err)
			}
		}
	}
	files, err := filepath.Glob(filepath.Join(dir, results.CasesDir, "*.html"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no case files: %v", err)
	}
	t.Logf("%d case files, %d false alerts at the operating points", len(files), falseAlerts)
	bid := regexp.MustCompile(`<td class="bid">[0-9.]+</td><td class="ask">[0-9.]+</td>`)
	trades := regexp.MustCompile(`([0-9]+) trades in the window`)
	for _, f := range files {
		b, _ := os.ReadFile(f)
		page := string(b)
		if !bid.MatchString(page) {
			t.Errorf("%s: no ladder with both sides", filepath.Base(f))
		}
		if m := trades.FindStringSubmatch(page); m == nil || m[1] == "0" {
			t.Errorf("%s: no trades in its window", filepath.Base(f))
		}
		if !strings.Contains(page, "<circle") {
			t.Errorf("%s: the chart draws no trade", filepath.Base(f))
		}
	}
}

// TestCaseTapeReadIsEveryBook: Read, which decodes a snapshot only when a
// window shows it, gives every window the quotes, ladders and trades that
// delivering each snapshot of the windows' span (and the latest before it)
// gives — for windows overlapping, apart, on one instrument and on others,
// with moments inside, before and after them, and windows past the tape.
func TestCaseTapeReadIsEveryBook(t *testing.T) {
	out, err := Run(context.Background(), shortSpec(t), Options{SpecName: "short", SpecText: []byte("short"), ToolVersion: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	tape, ok := out.Contents.Tape.(*caseTape)
	if !ok {
		t.Fatalf("the run's tape is a %T", out.Contents.Tape)
	}
	start, end := out.Stats.First, out.Stats.Last
	snaps := snapshotTimes(t, tape) // by instrument
	r := rand.New(rand.NewPCG(11, 12))
	for trial := range 40 {
		var wins []results.CaseWindow
		for range 1 + r.IntN(12) {
			s := r.IntN(len(tape.insts))
			from := start + r.Int64N(end-start+1)
			to := from + r.Int64N(int64(20*time.Minute))
			if trial == 0 {
				from, to = end+1e9, end+2e9 // past the tape
			}
			var moments []int64
			for range 3 {
				moments = append(moments, from-int64(5*time.Minute)+r.Int64N(to-from+int64(10*time.Minute)))
			}
			if ts := snaps[s]; trial%2 == 1 && len(ts) > 2 {
				// On snapshots' times: the window's ends and its moments.
				k := r.IntN(len(ts) - 2)
				from, to = ts[k], ts[k+1+r.IntN(min(len(ts)-k-1, 600))]
				moments = []int64{ts[r.IntN(len(ts))], from, to}
				if trial%4 == 3 { // no moment at the window's ends
					moments = []int64{ts[r.IntN(len(ts))], ts[r.IntN(len(ts))] + 1, ts[r.IntN(len(ts))] - 1}
				}
			}
			wins = append(wins, results.CaseWindow{Symbol: tape.insts[s].Symbol, From: from, To: to, Moments: moments})
		}
		got, err := tape.Read(context.Background(), wins)
		if err != nil {
			t.Fatal(err)
		}
		want := readEveryBook(t, tape, wins)
		for i := range wins {
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Fatalf("trial %d, window %d %+v: %d quotes, ladders %v; every book gives %d quotes, ladders %v",
					trial, i, wins[i], len(got[i].Quotes), got[i].Ladders, len(want[i].Quotes), want[i].Ladders)
			}
		}
	}
}

// snapshotTimes lists the times of the tape's ladder snapshots, by
// instrument.
func snapshotTimes(t *testing.T, tp *caseTape) [][]int64 {
	t.Helper()
	if err := tp.w.Flush(); err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(io.NewSectionReader(tp.f, 0, 1<<62))
	if err != nil {
		t.Fatal(err)
	}
	out := make([][]int64, len(tp.insts))
	for len(raw) > 0 {
		kind, sym, ts := raw[0], binary.LittleEndian.Uint32(raw[1:]), int64(binary.LittleEndian.Uint64(raw[5:]))
		raw = raw[13:]
		if kind == tapeTrade {
			raw = raw[33:]
			continue
		}
		n := 0
		for side := 0; side < 2; side++ {
			n += 1 + 20*int(raw[n])
		}
		raw = raw[n:]
		out[sym] = append(out[sym], ts)
	}
	return out
}

// readEveryBook is Read as it was written first: every snapshot in an
// instrument's span of windows decoded and delivered, and the latest
// before the span when the span begins (or at the end).
func readEveryBook(t *testing.T, tp *caseTape, wins []results.CaseWindow) []results.CaseMarket {
	t.Helper()
	out := make([]results.CaseMarket, len(wins))
	bySym := make([][]int, len(tp.insts))
	span := make([][2]int64, len(tp.insts))
	for i, w := range wins {
		out[i].Instrument = results.CaseInstrument{Symbol: w.Symbol}
		for s, in := range tp.insts {
			if in.Symbol == w.Symbol {
				out[i].Instrument = caseInstrument(in)
				if len(bySym[s]) == 0 {
					span[s] = [2]int64{w.From, w.To}
				}
				span[s] = [2]int64{min(span[s][0], w.From), max(span[s][1], w.To)}
				bySym[s] = append(bySym[s], i)
			}
		}
	}
	if err := tp.w.Flush(); err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(io.NewSectionReader(tp.f, 0, 1<<62)) // the file is unlinked
	if err != nil {
		t.Fatal(err)
	}
	pre := make([][]byte, len(tp.insts))
	preTS := make([]int64, len(tp.insts))
	deliver := func(sym int, ts int64, b []byte) {
		book := decodeBook(&tp.insts[sym], ts, b)
		for _, i := range bySym[sym] {
			out[i].AddBook(wins[i], book)
		}
	}
	for len(raw) > 0 {
		kind, sym, ts := raw[0], int(binary.LittleEndian.Uint32(raw[1:])), int64(binary.LittleEndian.Uint64(raw[5:]))
		raw = raw[13:]
		in := &tp.insts[sym]
		if kind == tapeTrade {
			body := raw[:33]
			raw = raw[33:]
			if len(bySym[sym]) == 0 || ts < span[sym][0] || ts > span[sym][1] {
				continue
			}
			tr := decodeTrade(in, ts, body)
			for _, i := range bySym[sym] {
				if ts >= wins[i].From && ts <= wins[i].To {
					out[i].AddTrade(wins[i], tr)
				}
			}
			continue
		}
		n := 0
		for side := 0; side < 2; side++ {
			n += 1 + 20*int(raw[n])
		}
		book := raw[:n]
		raw = raw[n:]
		switch {
		case len(bySym[sym]) == 0 || ts > span[sym][1]:
		case ts < span[sym][0]:
			pre[sym], preTS[sym] = book, ts
		default:
			if pre[sym] != nil {
				deliver(sym, preTS[sym], pre[sym])
				pre[sym] = nil
			}
			deliver(sym, ts, book)
		}
	}
	for sym := range pre {
		if pre[sym] != nil {
			deliver(sym, preTS[sym], pre[sym])
		}
	}
	return out
}
