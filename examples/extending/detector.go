package extending

import (
	"fmt"
	"time"

	"github.com/tapetest/tapetest/component"
	"github.com/tapetest/tapetest/detectors"
	"github.com/tapetest/tapetest/replay"
)

// FatPrint is the example's typology: one market order far larger than the
// market's usual ones, as a fat-fingered or a manipulating trader sends it.
const FatPrint replay.Typology = "fat_print"

// RegisterBigOrders registers the big_orders detector.
func RegisterBigOrders() error {
	return detectors.Register(detectors.Definition{
		Spec: component.Spec{Name: "big_orders", Summary: "Alerts on every market order of min_qty or more; score = its quantity.",
			Params: []component.Param{
				{Name: "min_qty", Type: component.Int, Default: int64(1000), Unit: "lots", Meaning: "the smallest order that alerts"},
				{Name: "window", Type: component.Duration, Default: time.Second, Meaning: "the alert's window after the order"},
			}},
		Typology: FatPrint,
		New: func(p detectors.Params) (detectors.Detector, error) {
			return &bigOrders{min: p.Int("min_qty"), window: int64(p.Duration("window"))}, nil
		},
	})
}

type bigOrders struct {
	min, window int64
	insts       []replay.Instrument
}

func (d *bigOrders) Start(info *replay.RunInfo) error { d.insts = info.Instruments; return nil }

func (d *bigOrders) Consume(b *replay.Batch, emit func(detectors.Alert)) error {
	for i := range b.Records {
		ev := &b.Records[i].Event
		if ev.Action != replay.ActionMarket || ev.Qty < d.min*d.insts[ev.Symbol].Lot {
			continue
		}
		emit(detectors.Alert{Typology: FatPrint, Symbol: d.insts[ev.Symbol].Symbol, RaisedAt: ev.TS, Start: ev.TS, End: ev.TS + d.window,
			Accounts: []uint64{ev.Account}, Score: float64(ev.Qty), Evidence: fmt.Sprintf("market order of %d", ev.Qty)})
	}
	return nil
}

func (d *bigOrders) Finish(func(detectors.Alert)) error { return nil }
