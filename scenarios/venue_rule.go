package scenarios

import (
	"fmt"

	"github.com/tapetest/tapetest/component"
	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
	"github.com/tapetest/tapetest/scenarios/venue"
)

// VenueRule is a rule of the venue attached to one instrument, beside its
// matching engine: it sees every order before it trades (and may refuse it),
// the order's fills after, and the clock. The perpetual swap's margin, mark,
// funding and liquidation engine is one (attached to every instrument of kind
// perp); a spot price band with a trading halt (rule_price_band.go) is
// another, attached with an instrument's rules: entry. Every call happens on
// the generator's one goroutine, in time order.
type VenueRule interface {
	// PreTrade sees an order from account before it is matched; an error
	// refuses it (the agent that sent it is told, and the rule counts why).
	PreTrade(v RuleVenue, account uint64, o venue.OrderRequest) error
	// PostTrade sees the fills of an order that was matched (none if it
	// rested or found nothing).
	PostTrade(v RuleVenue, account uint64, fills []orderbook.Fill)
	// OnTime is called first at the start of the run, then at the time it
	// last asked for; it returns the next time (ns), or a negative number
	// when it needs the clock no more.
	OnTime(v RuleVenue) (next int64)
}

// RuleVenue is what a venue rule may see and do on its instrument.
type RuleVenue interface {
	// Now is the current simulated time, ns since the Unix epoch.
	Now() int64
	// Symbol is the rule's instrument; Instrument describes it.
	Symbol() uint32
	Instrument() *replay.Instrument
	// Top is the instrument's best bid and ask; LastPrice its last trade price
	// (the mid, or the reference price, before any trade).
	Top() orderbook.Top
	LastPrice() int64
	// Emit writes a venue event on the instrument at Now: its Action must be
	// a declared venue action (replay.DeclareVenueAction); TS and Symbol are
	// set by the venue.
	Emit(ev replay.Event) error
	// Submit sends an order of the venue's own (a liquidation engine's)
	// through the instrument's book, as an agent's order goes.
	Submit(account uint64, o venue.OrderRequest) (id uint64, fills []orderbook.Fill, err error)
	// Count adds n to the run's count called kind (shown with the results).
	Count(kind string, n int64)
}

// VenueRuleFactory makes a rule for one instrument from its parameters.
type VenueRuleFactory func(in *replay.Instrument, p *component.Values) (VenueRule, error)

var venueRules = component.NewRegistry[VenueRuleFactory](component.VenueRule)

// RegisterVenueRule adds a venue rule from any package; an instrument's
// rules: entry attaches it by name with its parameters.
func RegisterVenueRule(spec component.Spec, f VenueRuleFactory) error {
	if f == nil {
		return &component.Error{Kind: component.VenueRule, Component: spec.Name, Msg: "no factory"}
	}
	return venueRules.Register(spec, f)
}

func mustRegisterVenueRule(spec component.Spec, f VenueRuleFactory) {
	if err := RegisterVenueRule(spec, f); err != nil {
		panic(err)
	}
}

// VenueRules are the specs of every registered venue rule, by name.
func VenueRules() []*component.Spec { return venueRules.Specs() }

// RuleSpec attaches a venue rule to an instrument.
type RuleSpec struct {
	Name   string         `yaml:"name" json:"name" jsonschema:"description=a registered venue rule (tapetest venue-rules list)"`
	Params map[string]any `yaml:"params" json:"params,omitempty"`
}

// ruleVenue is the venue as one instrument's rules see it.
type ruleVenue struct {
	g   *exchange
	sym uint32
}

func (v *ruleVenue) Now() int64                     { return v.g.now }
func (v *ruleVenue) Symbol() uint32                 { return v.sym }
func (v *ruleVenue) Instrument() *replay.Instrument { return &v.g.insts[v.sym] }
func (v *ruleVenue) Top() orderbook.Top             { return v.g.books[v.sym].Top() }
func (v *ruleVenue) LastPrice() int64               { return v.g.LastPrice(v.sym) }
func (v *ruleVenue) Count(kind string, n int64)     { v.g.counts[kind] += n }

func (v *ruleVenue) Emit(ev replay.Event) error {
	if !ev.Action.IsVenue() {
		return fmt.Errorf("venue rule on %s: %v is not a venue action", v.g.insts[v.sym].Symbol, ev.Action)
	}
	ev.TS, ev.Symbol = v.g.now, v.sym
	v.g.emit(&ev)
	return nil
}

func (v *ruleVenue) Submit(account uint64, o venue.OrderRequest) (uint64, []orderbook.Fill, error) {
	return v.g.Submit(v.sym, account, o)
}

// attachedRule is an instrument's rule with the venue it sees.
type attachedRule struct {
	rule VenueRule
	v    *ruleVenue
}

// ruleClock gives a rule the clock: an actor that calls OnTime.
type ruleClock struct{ r attachedRule }

func (c *ruleClock) Act(venue.Venue) int64 { return c.r.rule.OnTime(c.r.v) }

// attachRule attaches rule to instrument sym and schedules its clock now
// (when sym is active).
func (g *Generator) attachRule(sym uint32, rule VenueRule) {
	r := attachedRule{rule: rule, v: &ruleVenue{g: g.x, sym: sym}}
	g.rules[sym] = append(g.rules[sym], r)
	if g.spec.active(g.insts[sym].Symbol) { // an instrument that stands empty has no clock
		g.schedule(g.now, &ruleClock{r: r})
	}
}

// attachSpecRules attaches the rules the spec's instruments name.
func (g *Generator) attachSpecRules() error {
	for s, in := range g.spec.Instruments {
		for i, rs := range in.Rules {
			spec, f, err := venueRules.Lookup(rs.Name)
			if err != nil {
				return fmt.Errorf("instruments[%d] %s: rules[%d]: %w", s, in.Symbol, i, err)
			}
			p, err := spec.Resolve(rs.Params, "")
			if err != nil {
				return fmt.Errorf("instruments[%d] %s: rules[%d]: %w", s, in.Symbol, i, err)
			}
			rule, err := f(&g.insts[s], p)
			if err == nil {
				err = p.Err()
			}
			if err != nil {
				return fmt.Errorf("instruments[%d] %s: rules[%d]: %w", s, in.Symbol, i, err)
			}
			g.attachRule(uint32(s), rule)
		}
	}
	return nil
}

// preTrade asks sym's rules about an order, in the order they were attached.
func (g *market) preTrade(sym uint32, account uint64, o venue.OrderRequest) error {
	for _, r := range g.rules[sym] {
		if err := r.rule.PreTrade(r.v, account, o); err != nil {
			return err
		}
	}
	return nil
}

// postTrade shows sym's rules an order's fills.
func (g *market) postTrade(sym uint32, account uint64, fills []orderbook.Fill) {
	for _, r := range g.rules[sym] {
		r.rule.PostTrade(r.v, account, fills)
	}
}
