package scenarios

import (
	"math/rand/v2"

	"github.com/tapetest/tapetest/scenarios/agents"
)

// Every agent and injection draws from a random stream of its own, keyed by
// what it is — never by creation order — so that adding an instrument, an
// agent or an injection leaves everyone else's draws unchanged. A key is a
// purpose, then the parts that say whose stream it is.

// streamPurpose is what a random stream is for: the first part of its key.
type streamPurpose uint64

// The purposes. The numbers are part of every seed's output: never renumber.
const (
	streamAgent             streamPurpose = 1 // a synthetic agent's decisions: instrument, agents.Kind, index
	streamSchedule          streamPurpose = 2 // the jitter of a count-scheduled attack's start: entry, attack
	streamInjection         streamPurpose = 3 // an attack's own choices, parameter ranges included: entry, attack
	streamHistoricalAgent   streamPurpose = 4 // an agent added to a historical instrument: instrument, agents.Kind, index
	streamAttackAccounts    streamPurpose = 5 // the accounts an attack draws: entry, attack
	streamAgentAccount      streamPurpose = 6 // the account a synthetic agent takes: instrument, agents.Kind, index
	streamHistoricalAccount streamPurpose = 7 // the account of an agent added to a historical instrument: instrument, agents.Kind, index
)

// streams derives the random streams of one generation from its seed.
type streams struct{ seed uint64 }

// key is the stream for a purpose and the parts that say whose it is.
func (s streams) key(p streamPurpose, parts ...uint64) *rand.Rand {
	h := uint64(0x9e3779b97f4a7c15)
	for _, x := range append([]uint64{uint64(p)}, parts...) {
		h ^= x + 0x9e3779b97f4a7c15 + h<<6 + h>>2
		h ^= h >> 31
		h *= 0xbf58476d1ce4e5b9
		h ^= h >> 29
	}
	return rand.New(rand.NewPCG(s.seed, h))
}

// agent is the decisions stream of agent i of kind k on instrument sym.
func (s streams) agent(sym int, k agents.Kind, i int) *rand.Rand {
	return s.key(streamAgent, uint64(sym), uint64(k), uint64(i))
}

// agentAccount is the stream that picks that agent's account.
func (s streams) agentAccount(sym int, k agents.Kind, i int) *rand.Rand {
	return s.key(streamAgentAccount, uint64(sym), uint64(k), uint64(i))
}

// historicalAgent and historicalAccount are agent and agentAccount for an
// agent added to historical instrument k.
func (s streams) historicalAgent(k int, kind agents.Kind, i int) *rand.Rand {
	return s.key(streamHistoricalAgent, uint64(k), uint64(kind), uint64(i))
}

func (s streams) historicalAccount(k int, kind agents.Kind, i int) *rand.Rand {
	return s.key(streamHistoricalAccount, uint64(k), uint64(kind), uint64(i))
}

// injection, schedule and attackAccounts are attack k of injection entry's
// streams.
func (s streams) injection(entry, k uint64) *rand.Rand { return s.key(streamInjection, entry, k) }
func (s streams) schedule(entry, k uint64) *rand.Rand  { return s.key(streamSchedule, entry, k) }
func (s streams) attackAccounts(entry, k uint64) *rand.Rand {
	return s.key(streamAttackAccounts, entry, k)
}
