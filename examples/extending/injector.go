package extending

import (
	"github.com/tapetest/tapetest/component"
	"github.com/tapetest/tapetest/labels"
	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/scenarios/injectors"
	"github.com/tapetest/tapetest/scenarios/venue"
)

// RegisterFatPrint registers the fat_print injector: one market buy of
// size_x typical sizes.
func RegisterFatPrint() error {
	return injectors.Register(component.Spec{Name: string(FatPrint), Summary: "One market buy of size_x typical sizes.",
		Params: []component.Param{
			{Name: "size_x", Type: component.Float, Meaning: "the order in typical sizes of the instrument", ByIntensity: component.PerIntensity(200.0, 100.0, 50.0, 20.0)},
		}}, newFatPrint)
}

type fatPrint struct {
	p       injectors.Params
	size    int64
	account uint64
	at      int64
}

func newFatPrint(p injectors.Params) (venue.Injection, error) {
	k, err := injectors.Knobs(p)
	if err != nil {
		return nil, err
	}
	size := int64(k.Float("size_x") * float64(p.Instrument.Size))
	return &fatPrint{p: p, size: size}, k.Err()
}

// Prepare draws the trader's account before the run (the generator calls it).
func (f *fatPrint) Prepare(v venue.Venue) { f.account = v.AttackAccounts(1, false)[0] }

func (f *fatPrint) Start() int64 { return f.p.Start }

func (f *fatPrint) Act(v venue.Venue) int64 {
	f.at = v.Now()
	v.Submit(f.p.Symbol, f.account, venue.OrderRequest{Side: orderbook.Buy, Type: orderbook.Market, Qty: f.size})
	return -1
}

func (f *fatPrint) Label() labels.Label {
	at := max(f.at, f.p.Start)
	return labels.Label{ID: f.p.ID, Typology: FatPrint, Symbol: f.p.SymbolName, Start: at, End: at,
		Accounts: []uint64{f.account}, Intensity: f.p.Intensity, Params: "{}"}
}
