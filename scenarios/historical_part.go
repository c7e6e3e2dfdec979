package scenarios

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tapetest/tapetest/replay"
	"github.com/tapetest/tapetest/replay/formats"
)

// Part restricts a historical run to some of its background files: one
// shard's share of a run dealt out by instrument (package scaleout). The
// part replays its files only, over the whole run's span, and keeps the
// label list's episodes on its own instruments; its results merge with the
// other parts' into the whole run's.
type Part struct {
	// Files are indices into Background.Files, in order: whole sources (a
	// LOBSTER message file with its orderbook file) and every file of each
	// instrument they hold.
	Files []int
	// Symbols are every instrument of the whole run: a label on one of them
	// that this part does not replay is another part's; a label on none of
	// them is an error, as in the whole run.
	Symbols []string
	// Start and End are the whole run's span (ns): the part's own files may
	// begin later or end sooner.
	Start, End int64
}

// FileGroup is one source of a historical background — a file, or a LOBSTER
// message file with its orderbook file — and the instruments it holds.
type FileGroup struct {
	Files   []int    // indices into Background.Files
	Symbols []string // the instruments the source names, in its order
}

// HistoricalGroups opens each source of the spec's historical background on
// its own and returns the instruments it holds, in the spec's order: a
// plan deals the run by instrument from them. A format whose files chain
// into one stream (binance-depth: each file continues the last one's book)
// has no groups to deal and is an error.
func HistoricalGroups(spec *Spec) ([]FileGroup, error) {
	name, err := spec.sourceFormat()
	if err != nil {
		return nil, err
	}
	if name == "binance-depth" {
		return nil, fmt.Errorf("background.format binance-depth: its files chain into one stream (each continues the previous file's book)")
	}
	params := spec.sourceParams()
	paths := make([]string, len(spec.Background.Files))
	idx := map[string][]int{}
	for i, p := range spec.Background.Files {
		paths[i] = spec.Path(p)
		idx[paths[i]] = append(idx[paths[i]], i)
	}
	var out []FileGroup
	at := 0
	buf := make([]replay.Event, 64)
	for _, group := range sourceFiles(name, paths) {
		g := FileGroup{}
		for range group {
			g.Files = append(g.Files, at)
			at++
		}
		src, err := formats.Open(name, group, params)
		if err != nil {
			return nil, fmt.Errorf("background.files: %w", err)
		}
		insts := src.Instruments()
		if len(insts) == 0 { // a format that names instruments as it reads them
			if _, err := src.Read(buf); err == nil {
				insts = src.Instruments()
			}
		}
		for _, in := range insts {
			if !slices.Contains(g.Symbols, in.Symbol) {
				g.Symbols = append(g.Symbols, in.Symbol)
			}
		}
		src.Close()
		if len(g.Symbols) == 0 {
			return nil, fmt.Errorf("background.files: %s: names no instrument before its events", group[0])
		}
		out = append(out, g)
	}
	return out, nil
}

// sourceFormat is the background's format: the spec's, canonical when it
// names none.
func (s *Spec) sourceFormat() (string, error) {
	name := s.Background.Format
	if name == "" {
		name = formats.Canonical
	}
	if !formats.Has(name) {
		return "", fmt.Errorf("background.format %q: unknown (known: %s)", name, strings.Join(formats.Names(), ", "))
	}
	return name, nil
}

// sourceParams are the format's parameters as the spec gives them, with a
// mapping file resolved relative to the spec.
func (s *Spec) sourceParams() map[string]any {
	params := map[string]any{"skip_bad": s.Background.SkipBad}
	for k, v := range s.Background.Params {
		if f, ok := v.(string); ok && k == "mapping" {
			v = s.Path(f) // a file the format reads: relative to the spec
		}
		params[k] = v
	}
	return params
}

// active reports whether the synthetic instrument symbol's background acts
// (Spec.Active).
func (s *Spec) active(symbol string) bool {
	return len(s.Active) == 0 || slices.Contains(s.Active, symbol)
}

// backgroundFiles are the background files a run reads: all of them, or
// its part's.
func (s *Spec) backgroundFiles() []string {
	if s.Part == nil {
		return s.Background.Files
	}
	out := make([]string, 0, len(s.Part.Files))
	for _, i := range s.Part.Files { // in range: Validate checks them
		out = append(out, s.Background.Files[i])
	}
	return out
}
