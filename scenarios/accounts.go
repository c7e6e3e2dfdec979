package scenarios

import (
	"fmt"
	"math/rand/v2"
	"sort"

	"github.com/tapetest/tapetest/replay"
)

// population is the scenario's accounts with the attributes an exchange holds.
// Ids are drawn at random from a wide range and handed out in random order, so
// that neither an id's size nor its parity tells an attacker from the
// background. Attributes are shared naturally in places (popular IP subnets,
// family devices, big funding sources, referral chains), so shared attributes
// alone do not single out a Sybil cluster.
type population struct {
	ids   []uint64
	attr  map[uint64]*replay.AccountAttrs
	next  int
	r     *rand.Rand
	clust int
	taken map[uint64]bool // accounts attackers were given
	real  []uint64        // accounts of a venue's table (addReal): attributes only
}

var countries = []string{"US", "DE", "GB", "SG", "KR", "JP", "TR", "BR", "NG", "VN", "IN", "FR"}

// newPopulation draws n synthetic accounts; reserved are real accounts (a
// venue's table) the draw skips.
func newPopulation(n int, t0 int64, r *rand.Rand, reserved map[uint64]bool) *population {
	p := &population{attr: make(map[uint64]*replay.AccountAttrs, n), r: r}
	seen := map[uint64]bool{}
	for len(p.ids) < n {
		id := 100_000 + r.Uint64N(90_000_000)
		if seen[id] || reserved[id] {
			continue
		}
		seen[id] = true
		p.ids = append(p.ids, id)
	}
	subnets := max(n/40, 4)
	for i, id := range p.ids {
		a := &replay.AccountAttrs{Account: id, CreatedAt: t0 - int64(r.IntN(3*365))*86400e9}
		a.Device = fmt.Sprintf("dev-%08x", r.Uint32())
		if i > 0 && r.IntN(25) == 0 { // family or office device
			a.Device = p.attr[p.ids[r.IntN(i)]].Device
		}
		// Zipf-like subnet popularity: mobile carriers and big ISPs.
		a.IPSubnet = fmt.Sprintf("10.%d.%d.0/24", int(float64(subnets)*r.Float64()*r.Float64())%250, r.IntN(4))
		a.Funding = fmt.Sprintf("bank-%06x", r.Uint32()&0xffffff)
		if r.IntN(10) == 0 {
			a.Funding = fmt.Sprintf("exchange-%d", r.IntN(6)) // deposits from another exchange's hot wallet
		}
		if i > 0 && r.IntN(6) == 0 {
			a.Referrer = p.ids[r.IntN(i)]
		}
		a.Country = countries[int(float64(len(countries))*r.Float64()*r.Float64())]
		p.attr[id] = a
	}
	r.Shuffle(len(p.ids), func(i, j int) { p.ids[i], p.ids[j] = p.ids[j], p.ids[i] })
	return p
}

// take hands out the next unused account (background agents and attackers alike).
func (p *population) take() uint64 {
	if p.next >= len(p.ids) {
		// The spec's validation guarantees enough accounts for the background;
		// attackers beyond the population reuse accounts from the start.
		p.next = 0
	}
	id := p.ids[p.next]
	p.next++
	return id
}

// takeKeyed hands out an account drawn with r among those nobody holds yet:
// an agent keyed by what it is gets the same account whatever else the
// scenario adds (unless two draws collide).
func (p *population) takeKeyed(r *rand.Rand) uint64 {
	if p.taken == nil {
		p.taken = map[uint64]bool{}
	}
	if len(p.taken) < len(p.ids)/2 {
		for {
			id := p.ids[r.IntN(len(p.ids))]
			if !p.taken[id] {
				p.taken[id] = true
				return id
			}
		}
	}
	for { // crowded: the next free one in order
		id := p.take()
		if !p.taken[id] {
			p.taken[id] = true
			return id
		}
	}
}

// attackers draws n accounts; linked ones share a device or subnet and a
// funding source, as a Sybil cluster controlled by one operator does. With r
// they are drawn at random from the accounts no background agent holds
// (another injection's draws do not change them, unless two collide);
// without r they are handed out in order.
func (p *population) attackers(n int, linked bool, r *rand.Rand) []uint64 {
	out := make([]uint64, n)
	if p.taken == nil {
		p.taken = map[uint64]bool{}
	}
	for i := range out {
		if r == nil || len(p.taken) >= len(p.ids)/2 {
			out[i] = p.takeKeyed(p.r)
			continue
		}
		for {
			id := p.ids[r.IntN(len(p.ids))]
			if !p.taken[id] {
				p.taken[id] = true
				out[i] = id
				break
			}
		}
	}
	rr := p.r
	if r != nil {
		rr = r
	}
	if linked && n > 1 {
		p.clust++
		lead := p.attr[out[0]]
		for _, id := range out[1:] {
			a := p.attr[id]
			a.Funding = lead.Funding
			if rr.IntN(2) == 0 {
				a.Device = lead.Device
			} else {
				a.IPSubnet = lead.IPSubnet
			}
			if rr.IntN(3) == 0 {
				a.Referrer = out[0]
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// addReal adds the attributes of real accounts (a venue's table beside its
// order log). They are never handed out to agents or attackers, and the
// synthetic population was drawn around them.
func (p *population) addReal(attrs []replay.AccountAttrs) error {
	for i := range attrs {
		a := attrs[i]
		if _, clash := p.attr[a.Account]; clash {
			return fmt.Errorf("account %d is listed twice", a.Account)
		}
		p.attr[a.Account] = &a
		p.real = append(p.real, a.Account)
	}
	return nil
}

func (p *population) attrs() []replay.AccountAttrs {
	out := make([]replay.AccountAttrs, 0, len(p.attr))
	for _, id := range p.ids {
		out = append(out, *p.attr[id])
	}
	for _, id := range p.real {
		out = append(out, *p.attr[id])
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Account < out[j].Account })
	return out
}
