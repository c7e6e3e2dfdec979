package replay

import (
	"fmt"
	"sync"
)

// A venue action is an event of a venue's own story — a mark price, a
// liquidation, a trading halt — written between book actions by a venue
// rule. It has no book effect: the engine passes it to the detectors as it
// is. The engine knows no venue action by name: a rule declares the ones it
// writes, and Action.IsVenue tells them apart.

var (
	actionsMu   sync.RWMutex
	venueAction [maxActions]bool
	// nextVenueAction is the first code DeclareVenueAction hands out: the
	// codes below are the canonical schema's.
	nextVenueAction Action = 32
)

// The perpetual swap's venue actions are part of the canonical schema: files
// carry them by name whether or not a program links the perpetual venue.
func init() {
	for a, name := range map[Action]string{ActionIndex: "index", ActionMark: "mark", ActionLiquidation: "liquidation",
		ActionADL: "adl", ActionFund: "fund", ActionFunding: "funding"} {
		actionNames[a], venueAction[a] = name, true
		actionBytes[a] = []byte(name)
	}
}

// IsVenue reports whether a is a venue action (no book effect).
func (a Action) IsVenue() bool {
	actionsMu.RLock()
	defer actionsMu.RUnlock()
	return int(a) < maxActions && venueAction[a]
}

// DeclareVenueAction declares a venue action called name (what files carry)
// and returns its code. Declaring a name again returns its code; a name of a
// book action is refused, and so is a declaration when every code is taken.
// Call it from a venue rule's init, so that a program that reads the rule's
// events has declared them.
func DeclareVenueAction(name string) (Action, error) {
	if name == "" || name == "unknown" {
		return 0, fmt.Errorf("replay: venue action %q: want a name", name)
	}
	actionsMu.Lock()
	defer actionsMu.Unlock()
	for i, n := range actionNames {
		if n != name {
			continue
		}
		if !venueAction[i] {
			return 0, fmt.Errorf("replay: venue action %q: the name of a book action", name)
		}
		return Action(i), nil
	}
	if int(nextVenueAction) >= maxActions {
		return 0, fmt.Errorf("replay: venue action %q: every one of the %d action codes is taken", name, maxActions)
	}
	a := nextVenueAction
	nextVenueAction++
	actionNames[a], venueAction[a] = name, true
	actionBytes[a] = []byte(name)
	return a, nil
}
