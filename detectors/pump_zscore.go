package detectors

import (
	"fmt"
	"math"
	"time"

	"github.com/tapetest/tapetest/component"
	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
)

func init() {
	mustRegister(Definition{
		Typology: replay.PumpAndDump,
		Spec: component.Spec{Name: "pump_zscore",
			Summary: "Pump-and-dump: per symbol, trades are bucketed into windows; at each window's end the buy volume, trade count and return are " +
				"compared with their exponentially weighted history (moving-window z-scores and rush orders, after La Morgia et al., 2020). " +
				"Alerts when the return reaches min_return_bps (and at least one price step) and the volume z-score passes min_z; score = z(volume) + z(trades) + z(return). " +
				"Works on trades-only public data: alerts carry no accounts.",
			Params: []component.Param{
				{Name: "window", Type: component.Duration, Default: 60 * time.Second, Unit: "s", Meaning: "bucket length"},
				{Name: "halflife", Type: component.Int, Default: int64(60), Unit: "windows", Meaning: "half-life of the baseline's exponential weights"},
				{Name: "min_z", Type: component.Float, Default: 2.0, Meaning: "volume z-score needed to alert"},
				{Name: "min_return_bps", Type: component.Float, Default: 30.0, Unit: "bps", Meaning: "window return needed to alert (a pump moves the price, heavy buying alone is not one)"},
			}},
		New: func(p Params) (Detector, error) {
			return &pumpZ{window: int64(p.Duration("window")), alpha: 1 - math.Exp2(-1/float64(max(p.Int("halflife"), 1))), minZ: p.Float("min_z"),
				minRet: p.Float("min_return_bps") / 1e4}, nil
		},
	})
}

// ewm is an exponentially weighted mean and variance.
type ewm struct {
	mean, vari float64
	n          int
}

func (e *ewm) z(x float64) float64 {
	if e.n < 5 {
		return 0
	}
	return (x - e.mean) / math.Sqrt(e.vari+1e-12)
}

func (e *ewm) add(x, alpha float64) {
	if e.n == 0 {
		e.mean = x
	}
	d := x - e.mean
	e.mean += alpha * d
	e.vari = (1 - alpha) * (e.vari + alpha*d*d)
	e.n++
}

type pumpBucket struct {
	start          int64
	buyVol, trades float64
	open, last     int64
	vol, cnt, ret  ewm
	started        bool
}

type pumpZ struct {
	window int64
	alpha  float64
	minZ   float64
	minRet float64
	insts  []replay.Instrument
	b      []pumpBucket
}

func (p *pumpZ) Start(info *replay.RunInfo) error {
	p.insts = info.Instruments
	p.b = make([]pumpBucket, len(info.Instruments))
	return nil
}

func (p *pumpZ) close(sym uint32, end int64, emit func(Alert)) {
	b := &p.b[sym]
	ret := 0.0
	if b.open > 0 && b.last > 0 {
		ret = math.Log(float64(b.last) / float64(b.open))
	}
	lv, lc := math.Log1p(b.buyVol), math.Log1p(b.trades)
	zv, zc, zr := b.vol.z(lv), b.cnt.z(lc), b.ret.z(ret)
	// The rise must also span a price step: on a coin whose tick is 67 bps,
	// 30 bps is less than one.
	if zv >= p.minZ && ret > 0 && ret >= p.minRet && b.last-b.open >= max(p.insts[sym].Tick, 1) {
		emit(Alert{Symbol: p.insts[sym].Symbol, RaisedAt: end, Start: b.start, End: end, Score: zv + zc + zr,
			Evidence: fmt.Sprintf("window of %v: buy volume z=%.1f, trades z=%.1f, return %.2f%% (z=%.1f)", time.Duration(p.window), zv, zc, 100*ret, zr)})
	}
	b.vol.add(lv, p.alpha)
	b.cnt.add(lc, p.alpha)
	b.ret.add(ret, p.alpha)
	b.buyVol, b.trades, b.open = 0, 0, b.last
}

func (p *pumpZ) Consume(bt *replay.Batch, emit func(Alert)) error {
	for i := range bt.Records {
		r := &bt.Records[i]
		sym, now := r.Event.Symbol, r.Event.TS
		b := &p.b[sym]
		if !b.started {
			b.started, b.start = true, now-now%p.window
		}
		for now >= b.start+p.window {
			p.close(sym, b.start+p.window, emit)
			b.start += p.window
		}
		for _, f := range bt.FillsOf(i) {
			if b.open == 0 {
				b.open = f.Price
			}
			b.last = f.Price
			b.trades++
			if f.Aggressor == orderbook.Buy {
				b.buyVol += float64(f.Qty)
			}
		}
	}
	return nil
}

func (p *pumpZ) Finish(func(Alert)) error { return nil }
