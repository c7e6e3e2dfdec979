package scenarios

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/tapetest/tapetest/labels"
	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
	"github.com/tapetest/tapetest/replay/orderlog"
	"github.com/tapetest/tapetest/scenarios/agents"
	"github.com/tapetest/tapetest/scenarios/venue"
)

// ParseSTP reads a self-trade-prevention mode name ("" means off).
func ParseSTP(s string) (orderbook.STPMode, error) {
	for m := orderbook.STPOff; m <= orderbook.STPDecrement; m++ {
		if m.String() == s {
			return m, nil
		}
	}
	if s == "" {
		return orderbook.STPOff, nil
	}
	return 0, fmt.Errorf("unknown self-trade prevention %q (off, expire_taker, expire_maker, expire_both, decrement)", s)
}

// Generator runs a scenario as a discrete-event simulation on one goroutine:
// actors (background agents and injections) act on a simulated venue — one
// orderbook.Book per instrument — at the times they ask for, and every order
// action becomes a canonical event. It is a replay.EventSource, generating in
// chunks as events are read; the actors act on its exchange (the venue
// interfaces), not on it.
type Generator struct {
	*market           // the state the exchange and the scheduler share
	x       *exchange // the venue the actors act on
	end     int64
	start   int64
	q       actorQueue
	qseq    uint64
	inj     []venue.Injection
	done    bool
	// historical background (nil without files)
	hist     *histFeed
	external []labels.Label // labels from the spec's external list
	err      error
	// lanes, when set, are the generators of the spec's lanes, merged by
	// Read; this generator then steps none itself, and its market is lane
	// 0's, read only for what setup fixed (lanes.go).
	lanes *laneMerge
}

// market is the simulated venue's state: the books, the latent fair values,
// positions, the events written so far. The Generator (the clock and the
// output) and the exchange (what actors act on) share it.
type market struct {
	spec       *Spec
	noWatchers bool // tests: agents get no watchers and look every order up
	insts      []replay.Instrument
	books      []*orderbook.Book
	fair       []float64
	last       []int64
	now        int64
	nextID     uint64
	idStep     uint64
	out        []replay.Event
	seq        uint64
	carry      replay.Flags // flags every emitted event takes (a historical reconciliation's)
	pos        map[[2]uint64]int64
	fills      []orderbook.Fill
	pop        *population
	counts     map[string]int64
	perps      []*perpState     // per instrument; nil for spot
	rules      [][]attachedRule // per instrument: the venue rules, in the order attached
	histSpecs  []InstrumentSpec // what injectors plan with on historical instruments
	paused     map[uint32]int64 // market makers stand aside on a symbol until then
	crowds     []*agents.Crowd  // per synthetic instrument: who reprices when the fair value moves
	attackRand *rand.Rand       // the preparing injection's own stream for drawing accounts
}

// exchange is the venue as actors see it: it implements venue.Venue,
// venue.PerpVenue, venue.MakerPauser and agents.Venue over the market.
type exchange struct{ *market }

// NewGenerator builds the simulation of spec: instruments, account
// population, background agents, venue rules and the planned injections. A
// synthetic spec's instruments are generated side by side in lanes and
// merged (lanes.go); the events are the same for any GOMAXPROCS.
func NewGenerator(spec *Spec) (*Generator, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	if n := laneCount(spec); n > 1 {
		return newLanes(spec, n)
	}
	return newGenerator(spec)
}

// newGenerator builds the simulation of spec, which NewGenerator validated,
// on one goroutine: a lane, or a spec that is generated whole (historical
// files, one instrument).
func newGenerator(spec *Spec) (*Generator, error) {
	r := rand.New(rand.NewPCG(spec.Seed, 0x7a9e7e57))
	m := &market{spec: spec, now: spec.Start.UnixNano(), pos: map[[2]uint64]int64{}, counts: map[string]int64{}}
	g := &Generator{market: m, x: &exchange{m}}
	var histInsts []replay.Instrument
	if spec.Historical() {
		var err error
		if g.hist, histInsts, g.histSpecs, err = openHistory(spec); err != nil {
			return nil, err
		}
		g.hist.g = g
		if first, ok := g.hist.first(); ok && spec.Start.IsZero() {
			g.now = first - first%int64(time.Second)
		}
	}
	g.start = g.now
	g.end = g.now + int64(spec.Duration)
	if spec.Duration == 0 { // until the historical files end
		g.end = max(g.hist.end, g.now)
	}
	if p := spec.Part; p != nil { // the whole run's span, not the part's files'
		g.now, g.start, g.end = p.Start, p.Start, p.End
	}
	g.nextID = 1_000_000 + r.Uint64N(9_000_000)
	g.idStep = 1
	if l := spec.lane; l != nil { // lane k of n numbers its orders k, k+n, k+2n, ... past the base
		g.nextID += uint64(l.index)
		g.idStep = uint64(l.of)
	}
	if err := g.openInstruments(histInsts); err != nil {
		return nil, err
	}
	var real []replay.AccountAttrs
	reserved := map[uint64]bool{}
	if f := spec.Background.AccountAttributes; f != "" {
		var err error
		if real, err = orderlog.LoadAccounts(spec.Path(f)); err != nil {
			return nil, fmt.Errorf("background.account_attributes: %w", err)
		}
		for _, a := range real {
			reserved[a.Account] = true
		}
	}
	g.pop = newPopulation(max(spec.Background.Accounts, 1), g.start, rand.New(rand.NewPCG(spec.Seed, 0xacc0)), reserved)
	if err := g.pop.addReal(real); err != nil {
		return nil, fmt.Errorf("background.account_attributes: %w", err)
	}
	stream := streams{seed: spec.Seed}
	g.addAgents(stream)
	g.rules = make([][]attachedRule, len(g.insts))
	if err := g.initPerps(stream); err != nil {
		return nil, err
	}
	if err := g.attachSpecRules(); err != nil {
		return nil, err
	}
	if err := g.historicalMakers(stream); err != nil {
		return nil, err
	}
	if err := g.planInjections(stream); err != nil {
		return nil, err
	}
	return g, nil
}

// openInstruments builds a book for every instrument: the spec's synthetic
// ones, then the historical files' (which schedule their feed and load the
// spec's external labels).
func (g *Generator) openInstruments(histInsts []replay.Instrument) error {
	for _, in := range g.spec.Instruments {
		stp, _ := ParseSTP(in.STP)
		g.insts = append(g.insts, replay.Instrument{Symbol: in.Symbol, Venue: "sim", Kind: replay.Spot, PriceExp: in.PriceExp, QtyExp: in.QtyExp, Tick: in.Tick, Lot: in.Lot})
		hint := 1 << 14
		if !g.spec.active(in.Symbol) {
			hint = 0 // it stands empty (another lane's instrument)
		}
		b, err := orderbook.New(orderbook.Config{Tick: in.Tick, Lot: in.Lot, STP: stp, SizeHint: hint})
		if err != nil {
			return err
		}
		g.books = append(g.books, b)
		g.fair = append(g.fair, float64(in.Price))
		g.last = append(g.last, in.Price)
	}
	if g.hist != nil {
		g.hist.off = uint32(len(g.insts))
		for k, in := range histInsts {
			hs := g.histSpecs[k]
			b, err := orderbook.New(orderbook.Config{Tick: hs.Tick, Lot: hs.Lot, SizeHint: 1 << 14})
			if err != nil {
				return fmt.Errorf("historical instrument %s: %w", in.Symbol, err)
			}
			for _, have := range g.insts {
				if have.Symbol == in.Symbol {
					return fmt.Errorf("historical instrument %s is also a synthetic instrument of the spec", in.Symbol)
				}
			}
			g.insts, g.books = append(g.insts, in), append(g.books, b)
			g.fair, g.last = append(g.fair, float64(hs.Price)), append(g.last, hs.Price)
		}
		if first, ok := g.hist.first(); ok {
			g.schedule(max(first, g.now), g.hist)
		}
		if err := g.loadExternalLabels(); err != nil {
			return err
		}
	}
	return nil
}

func (g *market) symbol(name string) (uint32, bool) {
	for i, in := range g.insts {
		if in.Symbol == name {
			return uint32(i), true
		}
	}
	return 0, false
}

func (g *Generator) schedule(at int64, a venue.Actor) {
	g.qseq++
	g.q.push(scheduled{at: at, seq: g.qseq, actor: a})
}

// scheduleAgent is schedule for a background agent.
func (g *Generator) scheduleAgent(at int64, a agents.Agent) {
	g.qseq++
	g.q.push(scheduled{at: at, seq: g.qseq, agent: a})
}

// step runs one actor; it reports false when the simulation is over.
func (g *Generator) step() bool {
	if g.q.len() == 0 {
		return false
	}
	// The actor stays in the queue while it acts (it is the earliest, and
	// what it schedules goes after it), and is then given its next time in
	// place: the same order of wake-ups as popping it and pushing it back.
	at, seq, a := g.q.top()
	if at > g.end {
		return false
	}
	g.now = at
	var next int64
	if agent := a.agent; agent != nil { // a is the queue's: read before Act schedules more
		next = agent.Act(g.x)
	} else {
		next = a.actor.Act(g.x)
	}
	if next >= 0 {
		if next <= g.now {
			next = g.now + 1
		}
		g.qseq++
		g.q.reschedule(seq, next, g.qseq)
	} else {
		g.q.reschedule(seq, -1, 0)
	}
	return true
}

// Read generates events until dst is full or the scenario ends.
func (g *Generator) Read(dst []replay.Event) (int, error) {
	if g.lanes != nil {
		return g.lanes.read(dst)
	}
	if g.err != nil {
		return 0, g.err
	}
	for len(g.out) < len(dst) && !g.done {
		if !g.step() {
			g.done = true
		}
	}
	n := copy(dst, g.out)
	g.out = g.out[:copy(g.out, g.out[n:])]
	if n == 0 && g.done {
		return 0, io.EOF
	}
	return n, nil
}

// Instruments is the scenario's instrument table.
func (g *Generator) Instruments() []replay.Instrument { return g.insts }

// Close closes the historical files.
func (g *Generator) Close() error {
	if g.lanes != nil {
		return g.lanes.close()
	}
	if g.hist != nil {
		return g.hist.src.Close()
	}
	return nil
}

// Counts reports what the venue rejected (orders an agent sent that the book refused).
func (g *Generator) Counts() []replay.Count {
	if g.lanes != nil {
		return g.lanes.counts()
	}
	var out []replay.Count
	for k, n := range g.counts {
		out = append(out, replay.Count{Kind: k, N: n})
	}
	if g.hist != nil {
		// What the historical files' own readers reconciled or skipped.
		if c, ok := g.hist.src.(replay.Counter); ok {
			for _, n := range c.Counts() {
				out = append(out, replay.Count{Kind: "historical_source_" + n.Kind, N: n.N})
			}
		}
	}
	out = replay.SumCounts(out)
	sort.Slice(out, func(i, j int) bool { return out[i].Kind < out[j].Kind })
	return out
}

// Labels returns the ground truth of every injection (call after the events were read).
func (g *Generator) Labels() []labels.Label {
	if g.lanes != nil {
		return g.lanes.labels()
	}
	out := make([]labels.Label, 0, len(g.inj)+len(g.external))
	out = append(out, g.external...)
	for _, inj := range g.inj {
		l := inj.Label()
		if l.End < l.Start {
			l.End = l.Start
		}
		out = append(out, l)
	}
	labels.SortByStart(out)
	return out
}

// Accounts returns the account population's attributes, sorted by account.
func (g *Generator) Accounts() []replay.AccountAttrs { return g.pop.attrs() }

// Span is the simulated time range [start, end].
func (g *Generator) Span() (int64, int64) { return g.start, g.end }

// --- Venue ---

// Now is the simulated time.
func (g *exchange) Now() int64 { return g.now }

// Instrument returns instrument sym.
func (g *exchange) Instrument(sym uint32) *replay.Instrument { return &g.insts[sym] }

// Top is sym's best bid and ask.
func (g *exchange) Top(sym uint32) orderbook.Top { return g.books[sym].Top() }

// Depth fills dst with sym's levels on side.
func (g *exchange) Depth(sym uint32, side orderbook.Side, dst []orderbook.Level) []orderbook.Level {
	return g.books[sym].Depth(side, dst)
}

// LastPrice is the last trade price of sym (its initial price before any trade).
func (g *exchange) LastPrice(sym uint32) int64 { return g.last[sym] }

// Fair is the background's latent fair value of sym (background agents only).
func (g *exchange) Fair(sym uint32) float64 { return g.fair[sym] }

// SetFair sets sym's fair value (agents.Venue).
func (g *exchange) SetFair(sym uint32, value float64) { g.fair[sym] = value }

// FairMoved tells sym's market makers and ladder traders that the fair value
// moved from before (agents.Venue).
func (g *exchange) FairMoved(sym uint32, before float64) {
	if int(sym) < len(g.crowds) {
		g.crowds[sym].FairMoved(g, before)
	}
}

// Order is a live order's side, price, quantity and account (agents.Venue).
func (g *exchange) Order(sym uint32, id uint64) (orderbook.OrderInfo, bool) {
	return g.books[sym].Get(id)
}

// NewWatcher makes a watcher of sym's orders (agents.Venue).
func (g *exchange) NewWatcher(sym uint32) (uint16, error) {
	if g.noWatchers {
		return 0, errors.New("no watchers")
	}
	return g.books[sym].NewWatcher()
}

// Watch marks a live order of sym for watcher w (agents.Venue).
func (g *exchange) Watch(sym uint32, id uint64, w uint16) (info orderbook.OrderInfo, ok bool) {
	ok = g.books[sym].WatchInto(id, w, &info) // in place: Book.GetInto says why
	return info, ok
}

// WatchLeft lists watcher w's orders of sym that left the book since its
// last WatchLeft (agents.Venue).
func (g *exchange) WatchLeft(sym uint32, w uint16, dst []uint64) ([]uint64, bool) {
	return g.books[sym].WatchLeft(w, dst)
}

// Submit sends an order from account at Now.
func (g *exchange) Submit(sym uint32, account uint64, o venue.OrderRequest) (uint64, []orderbook.Fill, error) {
	return g.submitID(sym, g.newID(), account, &o)
}

// newID is the next order id of the one sequence every order draws from.
func (g *market) newID() uint64 {
	g.nextID += g.idStep
	return g.nextID
}

// submitID sends an order with a given id through the book and writes its
// event. The order and the event are written field by field (copies of
// literals read their stores back 16 bytes at a time: SubmitOrder).
func (g *market) submitID(sym uint32, id, account uint64, o *venue.OrderRequest) (uint64, []orderbook.Fill, error) {
	var bo orderbook.Order
	bo.ID, bo.Account, bo.Side, bo.Type, bo.TIF, bo.Price, bo.Qty = id, account, o.Side, o.Type, o.TIF, o.Price, o.Qty
	var ev replay.Event
	ev.TS, ev.Symbol, ev.Action, ev.Side, ev.Flags = g.now, sym, replay.ActionAdd, o.Side, o.Flags
	ev.OrderID, ev.Account, ev.Price, ev.Qty = id, account, o.Price, o.Qty
	switch o.TIF {
	case orderbook.IOC:
		ev.Flags |= replay.FlagIOC
	case orderbook.FOK:
		ev.Flags |= replay.FlagFOK
	case orderbook.PostOnly:
		ev.Flags |= replay.FlagPostOnly
	}
	if o.Type == orderbook.Market {
		ev.Action, ev.Price, bo.Price = replay.ActionMarket, 0, 0
	}
	if err := g.preTrade(sym, account, *o); err != nil {
		return 0, nil, err
	}
	var err error
	g.fills, _, err = g.books[sym].SubmitOrder(&bo, g.fills[:0])
	if err != nil {
		g.counts["agent_order_rejected"]++
		return 0, nil, err
	}
	g.emit(&ev)
	g.booked(sym, g.fills)
	g.postTrade(sym, account, g.fills)
	return id, g.fills, nil
}

// booked records fills' last price and positions, and moves the fair value
// of an instrument with a trade_impact towards the last fill's price.
func (g *market) booked(sym uint32, fills []orderbook.Fill) {
	if len(fills) > 0 && int(sym) < len(g.spec.Instruments) {
		if w := g.spec.Instruments[sym].TradeImpact; w > 0 && g.paused[sym] <= g.now {
			// (Not while the makers stand aside: trades in an emptied book
			// say little about the value.)
			g.fair[sym] += w * (float64(fills[len(fills)-1].Price) - g.fair[sym])
		}
	}
	for _, f := range fills {
		g.last[sym] = f.Price
		buyer, seller := f.TakerAccount, f.MakerAccount
		if f.Aggressor == orderbook.Sell {
			buyer, seller = seller, buyer
		}
		g.pos[[2]uint64{uint64(sym), buyer}] += f.Qty
		g.pos[[2]uint64{uint64(sym), seller}] -= f.Qty
	}
}

func (g *market) emit(ev *replay.Event) {
	g.seq++
	n := len(g.out)
	if n == cap(g.out) {
		g.out = append(g.out, replay.Event{})
	} else {
		g.out = g.out[:n+1]
	}
	// Copied field by field: the event was just written field by field,
	// and copying it whole read those stores back 16 bytes at a time, which
	// the processor cannot forward from them (it stalled every event); by
	// pointer, as a value passed on the stack is such a copy.
	// TestEmitKeepsEveryField holds this to Event's fields.
	p := &g.out[n]
	p.TS, p.Seq, p.Symbol, p.Action, p.Side, p.Flags = ev.TS, g.seq, ev.Symbol, ev.Action, ev.Side, ev.Flags|g.carry
	p.OrderID, p.Account, p.Price, p.Qty = ev.OrderID, ev.Account, ev.Price, ev.Qty
}

// Cancel cancels a live order.
func (g *exchange) Cancel(sym uint32, id uint64) error {
	info, err := g.books[sym].CancelGet(id)
	if err != nil {
		return err
	}
	g.cancelled(sym, id, &info)
	return nil
}

// Pull cancels an order if it is live and reports whether it was
// (agents.Venue): Cancel with one lookup and no error for an order gone.
func (g *exchange) Pull(sym uint32, id uint64) bool {
	var info orderbook.OrderInfo
	ok := g.books[sym].CancelLiveInto(id, &info) // in place: Book.GetInto says why
	if ok {
		g.cancelled(sym, id, &info)
	}
	return ok
}

// cancelled writes the cancel event of order id, as it stood.
func (g *market) cancelled(sym uint32, id uint64, info *orderbook.OrderInfo) {
	g.emit(&replay.Event{TS: g.now, Symbol: sym, Action: replay.ActionCancel, Side: info.Side, OrderID: id, Account: info.Account, Price: info.Price, Qty: info.Qty})
}

// Move gives a live order a new price, keeping its open quantity (its
// fills, if it crosses, are booked like any order's), writes the modify
// event, and returns the price the order rests at after and whether it
// still rests (agents.Venue). A rejected move leaves the order where it
// was, live.
func (g *exchange) Move(sym uint32, id uint64, price int64) (int64, bool) {
	var before orderbook.OrderInfo
	var live bool
	var err error
	before, g.fills, live, err = g.books[sym].Move(id, price, g.fills[:0])
	switch {
	case err != nil && !live: // not there
		return 0, false
	case err != nil:
		g.counts["agent_modify_rejected"]++
		return before.Price, true
	}
	g.emit(&replay.Event{TS: g.now, Symbol: sym, Action: replay.ActionModify, Side: before.Side, OrderID: id, Account: before.Account, Price: price, Qty: before.Qty})
	g.booked(sym, g.fills)
	if !live {
		return 0, false
	}
	return price, true
}

// Reduce removes qty from a live order.
func (g *exchange) Reduce(sym uint32, id uint64, qty int64) error {
	info, _ := g.books[sym].Get(id)
	if _, err := g.books[sym].Reduce(id, qty); err != nil {
		return err
	}
	g.emit(&replay.Event{TS: g.now, Symbol: sym, Action: replay.ActionReduce, Side: info.Side, OrderID: id, Account: info.Account, Price: info.Price, Qty: qty})
	return nil
}

// Remaining is a live order's open quantity.
func (g *exchange) Remaining(sym uint32, id uint64) (int64, bool) {
	var info orderbook.OrderInfo
	ok := g.books[sym].GetInto(id, &info) // in place: Book.GetInto says why
	return info.Qty, ok
}

// Position is account's net position in sym.
func (g *exchange) Position(sym uint32, account uint64) int64 {
	return g.pos[[2]uint64{uint64(sym), account}]
}

// PauseMakers makes the market makers on sym pull their quotes and stand
// aside until the given time (a liquidity withdrawal).
func (g *exchange) PauseMakers(sym uint32, until int64) {
	if g.paused == nil {
		g.paused = map[uint32]int64{}
	}
	g.paused[sym] = max(g.paused[sym], until)
}

func (g *exchange) MakersPausedUntil(sym uint32) int64 { return g.paused[sym] }

// AttackAccounts draws n accounts from the population.
func (g *exchange) AttackAccounts(n int, linked bool) []uint64 {
	return g.pop.attackers(n, linked, g.attackRand)
}

// --- helpers shared by agents and injectors ---

// fnv64 is the FNV-1a hash of s.
func fnv64(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// addAgents builds and schedules every synthetic instrument's background
// agents (package agents), each with its own random streams and an account
// of the population.
func (g *Generator) addAgents(stream streams) {
	for s, in := range g.spec.Instruments {
		bg := g.spec.agents(s)
		placed, crowd := agents.Populate(agents.Builder{
			Sym: uint32(s), Market: in.market(), Start: g.now,
			Counts: agents.Counts{MarketMakers: bg.MarketMakers, NoiseTraders: bg.NoiseTraders, MomentumTraders: bg.MomentumTraders,
				MeanReversionTraders: bg.MeanReversionTraders, InformedTraders: bg.InformedTraders, DepthProviders: bg.DepthProviders, NoiseRate: bg.NoiseRate},
			Account: func(k agents.Kind, i int) uint64 { return g.pop.takeKeyed(stream.agentAccount(s, k, i)) },
			Rand:    func(k agents.Kind, i int) *rand.Rand { return stream.agent(s, k, i) },
		})
		g.crowds = append(g.crowds, crowd)
		if !g.spec.active(in.Symbol) {
			continue // its agents drew their accounts and streams, and stand aside
		}
		for _, p := range placed {
			g.scheduleAgent(p.At, p.Agent)
		}
	}
}
