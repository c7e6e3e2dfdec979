package results

import (
	"bufio"
	"cmp"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/tapetest/tapetest/scoring"
)

// CaseMarketsFile holds, in a part of a run dealt out by instrument
// (package scaleout), the market around every alert whose case file the
// whole run may write: the part cannot know the whole run's operating
// points, so the merge picks the cases and renders them from these.
const CaseMarketsFile = "case-markets.jsonl.gz"

// caseMarketLine is one line of CaseMarketsFile.
type caseMarketLine struct {
	Window CaseWindow `json:"window"`
	Market CaseMarket `json:"market"`
}

// caseCandidates are the alerts of a part of a run whose case files the
// whole run may write, whatever its operating points: per instance and
// typology, every alert scoring at least the caseTopAlerts-th highest
// score, and every alert that matches no label scoring at least the
// caseFalseMax-th highest such score. Matching is per instrument, and a
// part holds all of an instrument's alerts and labels, so the whole run's
// choice (selectCases) on the part's instruments is among these.
func caseCandidates(c *Contents) []int {
	matched := make([]bool, len(c.Alerts))
	for _, p := range scoring.Match(c.Alerts, c.Labels, c.Options) {
		matched[p.Alert] = true
	}
	byKey := map[[2]string][]int{}
	var keys [][2]string
	for i, a := range c.Alerts {
		k := [2]string{a.Instance, string(a.Typology)}
		if _, ok := byKey[k]; !ok {
			keys = append(keys, k)
		}
		byKey[k] = append(byKey[k], i)
	}
	var out []int
	for _, k := range keys {
		idx := byKey[k]
		var all, unmatched []float64
		for _, i := range idx {
			all = append(all, c.Alerts[i].Score)
			if !matched[i] {
				unmatched = append(unmatched, c.Alerts[i].Score)
			}
		}
		top, falseMin := nth(all, caseTopAlerts), nth(unmatched, caseFalseMax)
		for _, i := range idx {
			s := c.Alerts[i].Score
			if s >= top || (!matched[i] && s >= falseMin) {
				out = append(out, i)
			}
		}
	}
	slices.Sort(out)
	return out
}

// nth is the n-th highest of scores (the lowest when there are fewer).
func nth(scores []float64, n int) float64 {
	if len(scores) == 0 {
		return 0
	}
	s := slices.Clone(scores)
	slices.SortFunc(s, func(a, b float64) int { return cmp.Compare(b, a) })
	return s[min(n, len(s))-1]
}

// WriteCaseMarkets reads from c's tape the market around every alert a
// whole run may give a case file (caseCandidates) and writes them to
// dir/CaseMarketsFile, for the merge of a run dealt out by instrument.
func WriteCaseMarkets(ctx context.Context, dir string, c *Contents) error {
	if c.Tape == nil {
		return errors.New("case markets: the run kept no case tape")
	}
	idx := caseCandidates(c)
	wins := make([]CaseWindow, len(idx))
	for k, i := range idx {
		wins[k] = caseWindow(c.Alerts[i])
	}
	markets, err := c.Tape.Read(ctx, wins)
	if err != nil {
		return fmt.Errorf("case markets: %w", err)
	}
	return WriteAtomic(filepath.Join(dir, CaseMarketsFile), func(w io.Writer) error {
		zw := gzip.NewWriter(w)
		enc := json.NewEncoder(zw)
		for k := range wins {
			if err := enc.Encode(caseMarketLine{Window: wins[k], Market: markets[k]}); err != nil {
				return err
			}
		}
		return zw.Close()
	})
}

// StoredCaseTape is a case tape read back from parts' CaseMarketsFile: it
// answers the windows the parts stored.
type StoredCaseTape struct {
	markets map[string]CaseMarket
}

// NewStoredCaseTape returns an empty stored tape.
func NewStoredCaseTape() *StoredCaseTape { return &StoredCaseTape{markets: map[string]CaseMarket{}} }

// Add reads one part's CaseMarketsFile (absent: a part with no alerts).
func (t *StoredCaseTape) Add(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	dec := json.NewDecoder(bufio.NewReader(zr))
	for line := 1; ; line++ {
		var l caseMarketLine
		err := dec.Decode(&l)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: line %d: %w", path, line, err)
		}
		t.markets[windowKey(l.Window)] = l.Market
	}
}

// Read returns the stored market of each window; a window no part stored
// is an error.
func (t *StoredCaseTape) Read(_ context.Context, wins []CaseWindow) ([]CaseMarket, error) {
	out := make([]CaseMarket, len(wins))
	for k, w := range wins {
		m, ok := t.markets[windowKey(w)]
		if !ok {
			return nil, fmt.Errorf("the market of %s from %s to %s: stored by no part", w.Symbol, clock(w.From), clock(w.To))
		}
		out[k] = m
	}
	return out, nil
}

// windowKey is what identifies a window, whether its slices are empty or
// absent.
func windowKey(w CaseWindow) string {
	return fmt.Sprintf("%s|%d|%d|%v|%v", w.Symbol, w.From, w.To, w.Moments, w.Accounts)
}
