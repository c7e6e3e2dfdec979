package backtest

import (
	"bufio"
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"

	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
	"github.com/tapetest/tapetest/results"
)

// Case tape: what a case file shows of the market around an alert. Which
// alerts get a case is known only after scoring, so during the run a
// consumer keeps a compact tape of every instrument on disk — each trade
// with both accounts, and the depth ladder at most once a second — and the
// results directory reads the alerts' windows back from it in one
// sequential pass. The ladder comes from the run's own engine, which adds
// it to the batch after the record that left the book so (a consumer cannot
// read the books, which are ahead of it: replay.EngineOptions.Ladders); the
// tape used to replay a second engine of its own for it.
const (
	tapeLevels    = results.CaseLevels // levels per side in a ladder snapshot
	tapeBookEvery = int64(1e9)         // at most one snapshot per instrument per second
	tapeTrade     = byte('T')
	tapeBook      = byte('B')
)

// caseTape is the consumer that writes the tape, and the results.CaseTape
// that reads windows back.
type caseTape struct {
	insts []replay.Instrument
	f     *os.File
	path  string // "" once unlinked
	w     *bufio.Writer
	buf   []byte
}

func newCaseTape() *caseTape { return &caseTape{} }

// caseLadders are the depth snapshots the run's engine adds to its batches
// for the tape: one an instrument a second, tapeLevels a side.
var caseLadders = replay.LadderOptions{Every: tapeBookEvery, Levels: tapeLevels}

func (t *caseTape) Name() string { return "case-tape" }

func (t *caseTape) Start(_ context.Context, info *replay.RunInfo) error {
	f, err := os.CreateTemp("", "tapetest-case-tape-*")
	if err != nil {
		return fmt.Errorf("case tape: %w", err)
	}
	t.insts, t.f, t.path = info.Instruments, f, f.Name()
	if os.Remove(f.Name()) == nil { // unlinked: the file goes with the process whatever happens
		t.path = ""
	}
	t.w = bufio.NewWriterSize(f, 1<<20)
	return nil
}

func (t *caseTape) Consume(_ context.Context, b *replay.Batch) error {
	k := 0 // the next ladder the engine took (caseLadders)
	for i := range b.Records {
		r := &b.Records[i]
		sym, ts := r.Event.Symbol, r.Event.TS
		for _, f := range b.FillsOf(i) {
			t.buf = append(t.buf[:0], tapeTrade)
			t.buf = binary.LittleEndian.AppendUint32(t.buf, sym)
			t.buf = binary.LittleEndian.AppendUint64(t.buf, uint64(ts))
			t.buf = binary.LittleEndian.AppendUint64(t.buf, uint64(f.Price))
			t.buf = binary.LittleEndian.AppendUint64(t.buf, uint64(f.Qty))
			t.buf = append(t.buf, byte(f.Aggressor))
			t.buf = binary.LittleEndian.AppendUint64(t.buf, f.MakerAccount)
			t.buf = binary.LittleEndian.AppendUint64(t.buf, f.TakerAccount)
			if _, err := t.w.Write(t.buf); err != nil {
				return fmt.Errorf("case tape: %w", err)
			}
		}
		for ; k < len(b.Ladders) && int(b.Ladders[k].Record) == i; k++ {
			l := &b.Ladders[k]
			t.buf = append(t.buf[:0], tapeBook)
			t.buf = binary.LittleEndian.AppendUint32(t.buf, l.Symbol)
			t.buf = binary.LittleEndian.AppendUint64(t.buf, uint64(l.TS))
			bids, asks := b.LadderOf(k)
			for _, side := range [2][]orderbook.Level{bids, asks} {
				t.buf = append(t.buf, byte(len(side)))
				for _, lv := range side {
					t.buf = binary.LittleEndian.AppendUint64(t.buf, uint64(lv.Price))
					t.buf = binary.LittleEndian.AppendUint64(t.buf, uint64(lv.Qty))
					t.buf = binary.LittleEndian.AppendUint32(t.buf, uint32(lv.Orders))
				}
			}
			if _, err := t.w.Write(t.buf); err != nil {
				return fmt.Errorf("case tape: %w", err)
			}
		}
	}
	return nil
}

func (t *caseTape) Finish(context.Context) error {
	if t.w == nil {
		return nil
	}
	if err := t.w.Flush(); err != nil {
		return fmt.Errorf("case tape: %w", err)
	}
	return nil
}

// Close releases the tape's file.
func (t *caseTape) Close() error {
	if t.f == nil {
		return nil
	}
	err := t.f.Close()
	if t.path != "" {
		err = errors.Join(err, os.Remove(t.path))
	}
	t.f = nil
	return err
}

// Instruments is what the tape recorded, indexed by symbol number.
func (t *caseTape) Instruments() []replay.Instrument { return t.insts }

// Read implements results.CaseTape: one sequential pass over the tape fills
// every window's trades and ladders.
func (t *caseTape) Read(ctx context.Context, wins []results.CaseWindow) ([]results.CaseMarket, error) {
	out := make([]results.CaseMarket, len(wins))
	if t.f == nil || len(wins) == 0 {
		return out, nil
	}
	if err := t.w.Flush(); err != nil {
		return nil, fmt.Errorf("case tape: %w", err)
	}
	symOf := map[string]uint32{}
	for i, in := range t.insts {
		symOf[in.Symbol] = uint32(i)
	}
	bySym := make([][]int, len(t.insts))
	span := make([][2]int64, len(t.insts))
	for i, w := range wins {
		out[i].Instrument = results.CaseInstrument{Symbol: w.Symbol}
		s, ok := symOf[w.Symbol]
		if !ok {
			continue
		}
		out[i].Instrument = caseInstrument(t.insts[s])
		if len(bySym[s]) == 0 {
			span[s] = [2]int64{w.From, w.To}
		}
		span[s] = [2]int64{min(span[s][0], w.From), max(span[s][1], w.To)}
		bySym[s] = append(bySym[s], i)
	}
	r := bufio.NewReaderSize(io.NewSectionReader(t.f, 0, 1<<62), 1<<20)
	var scratch []byte
	times := make([]windowTimes, len(t.insts))
	for s, is := range bySym {
		times[s] = newWindowTimes(wins, is)
	}
	// held is each instrument's latest snapshot not yet delivered, raw:
	// before its span, or in it but in no window. A window takes the
	// snapshots inside it (its quotes) and, for each of its moments, the
	// latest at or before it (its ladder); a held snapshot is decoded and
	// delivered only when a moment falls between it and the next one.
	// Decoding every snapshot of the span was 248 MB of the writing's
	// allocations at 60 hours (BENCHMARKS.md).
	shown := make([]bool, len(t.insts))  // a snapshot came before the span's end
	held := make([][]byte, len(t.insts)) // its buffer kept while none is held
	holding := make([]bool, len(t.insts))
	heldTS := make([]int64, len(t.insts))
	hold := func(sym uint32, ts int64, raw []byte) {
		held[sym], heldTS[sym], holding[sym] = append(held[sym][:0], raw...), ts, true
	}
	deliver := func(sym uint32, ts int64, raw []byte) {
		b := decodeBook(&t.insts[sym], ts, raw)
		for _, i := range bySym[sym] {
			out[i].AddBook(wins[i], b)
		}
	}
	// settle delivers sym's held snapshot if a moment falls in [its time,
	// until), and lets it go.
	settle := func(sym uint32, until int64) {
		if holding[sym] && times[sym].momentIn(heldTS[sym], until) {
			deliver(sym, heldTS[sym], held[sym])
		}
		holding[sym] = false
	}
	var hdr [13]byte
	var body [33]byte // a trade's; one for the pass (read through an interface, it escapes)
	var n int64
	for {
		if n++; n%(1<<20) == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if _, err := io.ReadFull(r, hdr[:]); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("case tape: %w", err)
		}
		sym := binary.LittleEndian.Uint32(hdr[1:])
		ts := int64(binary.LittleEndian.Uint64(hdr[5:]))
		if int(sym) >= len(t.insts) {
			return nil, fmt.Errorf("case tape: symbol %d out of range", sym)
		}
		in := &t.insts[sym]
		switch hdr[0] {
		case tapeTrade:
			if _, err := io.ReadFull(r, body[:]); err != nil {
				return nil, fmt.Errorf("case tape: %w", err)
			}
			if len(bySym[sym]) == 0 || ts < span[sym][0] || ts > span[sym][1] {
				continue
			}
			tr := decodeTrade(in, ts, body[:])
			for _, i := range bySym[sym] {
				if ts >= wins[i].From && ts <= wins[i].To {
					out[i].AddTrade(wins[i], tr)
				}
			}
		case tapeBook:
			// Raw first: most snapshots fall outside every window and are
			// never decoded. Before its span an instrument keeps only its
			// latest snapshot, the ladder as its first window opens.
			scratch = scratch[:0]
			for side := 0; side < 2; side++ {
				k, err := r.ReadByte()
				if err != nil {
					return nil, fmt.Errorf("case tape: %w", err)
				}
				scratch = append(scratch, k)
				n := len(scratch)
				scratch = append(scratch, make([]byte, 20*int(k))...)
				if _, err := io.ReadFull(r, scratch[n:]); err != nil {
					return nil, fmt.Errorf("case tape: %w", err)
				}
			}
			shown[sym] = shown[sym] || len(bySym[sym]) > 0 && ts <= span[sym][1]
			switch {
			case len(bySym[sym]) == 0:
			case ts > span[sym][1]: // past the span: none is delivered
				settle(sym, math.MaxInt64)
			case ts < span[sym][0]: // before it: the latest is held
				hold(sym, ts, scratch)
			default:
				settle(sym, ts)
				if times[sym].inside(ts) {
					deliver(sym, ts, scratch)
				} else {
					hold(sym, ts, scratch)
				}
			}
		default:
			return nil, fmt.Errorf("case tape: record kind %q", hdr[0])
		}
	}
	for sym := range held { // the latest held: before its span or in it
		settle(uint32(sym), math.MaxInt64)
		if shown[sym] {
			// A window shows the instrument's ladders (empty where no
			// snapshot came before a moment) once any snapshot came before
			// the span's end, whether or not one was decoded for it.
			for _, i := range bySym[sym] {
				if out[i].Ladders == nil {
					out[i].Ladders = make([]results.CaseBook, len(wins[i].Moments))
				}
			}
		}
	}
	return out, nil
}

// windowTimes are one instrument's case windows as Read asks after them:
// their moments, and the stretches they cover, both in time order.
type windowTimes struct {
	moments []int64
	spans   [][2]int64 // [From, To], merged where they overlap
}

func newWindowTimes(wins []results.CaseWindow, is []int) windowTimes {
	var w windowTimes
	for _, i := range is {
		w.moments = append(w.moments, wins[i].Moments...)
		w.spans = append(w.spans, [2]int64{wins[i].From, wins[i].To})
	}
	slices.Sort(w.moments)
	slices.SortFunc(w.spans, func(a, b [2]int64) int { return cmp.Compare(a[0], b[0]) })
	merged := w.spans[:0]
	for _, sp := range w.spans {
		if n := len(merged); n > 0 && sp[0] <= merged[n-1][1] {
			merged[n-1][1] = max(merged[n-1][1], sp[1])
			continue
		}
		merged = append(merged, sp)
	}
	w.spans = merged
	return w
}

// momentIn reports whether a moment falls in [from, until).
func (w *windowTimes) momentIn(from, until int64) bool {
	k, _ := slices.BinarySearch(w.moments, from)
	return k < len(w.moments) && w.moments[k] < until
}

// inside reports whether ts lies in a window (ends included).
func (w *windowTimes) inside(ts int64) bool {
	// The first span that does not end before ts.
	k, _ := slices.BinarySearchFunc(w.spans, ts, func(sp [2]int64, ts int64) int { return cmp.Compare(sp[1], ts) })
	return k < len(w.spans) && w.spans[k][0] <= ts
}

// decodeTrade reads a trade: price, quantity, the aggressor's side, the
// maker's and the taker's accounts.
func decodeTrade(in *replay.Instrument, ts int64, body []byte) results.CaseTrade {
	return results.CaseTrade{TS: ts, Price: in.PriceFloat(int64(binary.LittleEndian.Uint64(body[0:]))), Qty: in.QtyFloat(int64(binary.LittleEndian.Uint64(body[8:]))),
		Buy: orderbook.Side(body[16]) == orderbook.Buy, Maker: binary.LittleEndian.Uint64(body[17:]), Taker: binary.LittleEndian.Uint64(body[25:])}
}

// decodeBook reads a ladder snapshot's levels: per side a count, then
// price, quantity and orders per level.
func decodeBook(in *replay.Instrument, ts int64, raw []byte) results.CaseBook {
	b := results.CaseBook{TS: ts}
	for side := 0; side < 2 && len(raw) > 0; side++ {
		k := int(raw[0])
		raw = raw[1:]
		levels := make([]results.CaseLevel, k)
		for j := range levels {
			lv := raw[20*j:]
			levels[j] = results.CaseLevel{Price: in.PriceFloat(int64(binary.LittleEndian.Uint64(lv[0:]))), Qty: in.QtyFloat(int64(binary.LittleEndian.Uint64(lv[8:]))),
				Orders: int32(binary.LittleEndian.Uint32(lv[16:]))}
		}
		raw = raw[20*k:]
		if side == 0 {
			b.Bids = levels
		} else {
			b.Asks = levels
		}
	}
	return b
}

func caseInstrument(in replay.Instrument) results.CaseInstrument {
	return results.CaseInstrument{Symbol: in.Symbol, PriceDecimals: max(int(in.PriceExp), 0), QtyDecimals: max(int(in.QtyExp), 0)}
}

var _ results.CaseTape = (*caseTape)(nil)
