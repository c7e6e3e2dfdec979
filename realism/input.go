package realism

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/tapetest/tapetest/replay"
	"github.com/tapetest/tapetest/replay/formats"
	"github.com/tapetest/tapetest/scenarios"
)

// An input names what realism measures, as the command line writes it:
//   - "default": the embedded default suite's background;
//   - a scenario spec (.yaml or .yml): its background, injections left out;
//   - FORMAT:FILE[,FILE...]: files of any import format;
//   - a .parquet canonical event file;
//   - a LOBSTER message file (…_message_N.csv[.gz]), optionally followed by
//     its orderbook file after a comma (LOBSTER's own book);
//   - else a raw Binance depth feed (several files separated by commas).

// InputSpec returns the spec whose background the input names (default or a
// spec file, its injections left out), or nil for data.
func InputSpec(in string) (*scenarios.Spec, error) {
	var spec *scenarios.Spec
	var err error
	switch {
	case in == "default":
		spec, err = scenarios.Default()
	case strings.HasSuffix(in, ".yaml") || strings.HasSuffix(in, ".yml"):
		spec, _, err = scenarios.Load(in)
	default:
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	spec.Injections = nil // the background only
	return spec, nil
}

// onlyMeasured is spec generating only the synthetic instrument measured
// (symbol, or the first): every instrument draws from streams and accounts
// of its own, so its market is the one the whole spec generates
// (scenarios.Spec.Active; TestMeasuringOneInstrumentGeneratesOnlyIt) at a
// fraction of the cost. A spec with historical files is generated whole.
func onlyMeasured(spec *scenarios.Spec, symbol string) *scenarios.Spec {
	if spec.Historical() || len(spec.Instruments) == 0 {
		return spec
	}
	if symbol == "" {
		symbol = spec.Instruments[0].Symbol
	}
	if !slices.ContainsFunc(spec.Instruments, func(in scenarios.InstrumentSpec) bool { return in.Symbol == symbol }) {
		return spec // an unknown symbol: measuring says so
	}
	s := *spec
	s.Active = []string{symbol}
	return &s
}

// InputFormat tells a data input's import format and files.
func InputFormat(in string) (string, []string) {
	name, files := "binance-depth", in
	if f, rest, ok := strings.Cut(in, ":"); ok {
		if formats.Has(f) {
			name, files = f, rest
		}
	} else if strings.HasSuffix(in, ".parquet") {
		name = formats.Canonical
	} else if first, _, _ := strings.Cut(in, ","); strings.Contains(filepath.Base(first), "_message_") {
		name = "lobster"
	}
	return name, strings.Split(files, ",")
}

// DefaultWarmup is the warm-up an input needs: 10 minutes for a LOBSTER day,
// which starts without the book resting before its first message; else 0.
func DefaultWarmup(in string) time.Duration {
	if spec, _ := InputSpec(in); spec == nil {
		if name, _ := InputFormat(in); name == "lobster" {
			return 10 * time.Minute
		}
	}
	return 0
}

// MeasureInput measures the facts of the input in (a spec's background is
// generated; data is read in its format).
func MeasureInput(ctx context.Context, in string, o MeasureOptions) (*Facts, error) {
	var src replay.EventSource
	spec, err := InputSpec(in)
	switch {
	case err != nil:
		return nil, err
	case spec != nil:
		src, err = scenarios.NewGenerator(onlyMeasured(spec, o.Symbol))
	default:
		name, files := InputFormat(in)
		src, err = formats.Open(name, files, nil)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", in, err)
	}
	defer src.Close()
	return MeasureFacts(ctx, src, o)
}
