package detectors

import (
	"slices"

	"github.com/tapetest/tapetest/replay"
)

// accountLinks answers whether two accounts are linked by what an exchange
// knows of them: the same device, IP subnet or funding source — values shared
// by more than maxShare accounts (a carrier's subnet, another exchange's hot
// wallet) link nobody — or one referred the other.
type accountLinks struct {
	keys    map[uint64][]string // account -> its linking attribute values
	members map[string][]uint64 // attribute value -> accounts, ascending
	ref     map[uint64]uint64
}

func newAccountLinks(attrs []replay.AccountAttrs, maxShare int) *accountLinks {
	l := &accountLinks{keys: map[uint64][]string{}, members: map[string][]uint64{}, ref: map[uint64]uint64{}}
	for _, a := range attrs {
		for _, k := range [...]string{"d:" + a.Device, "i:" + a.IPSubnet, "f:" + a.Funding} {
			if len(k) > 2 {
				l.members[k] = append(l.members[k], a.Account)
			}
		}
		if a.Referrer != 0 {
			l.ref[a.Account] = a.Referrer
		}
	}
	for k, ids := range l.members {
		if len(ids) < 2 || len(ids) > maxShare {
			delete(l.members, k)
			continue
		}
		slices.Sort(ids)
		for _, id := range ids {
			l.keys[id] = append(l.keys[id], k)
		}
	}
	for _, ks := range l.keys {
		slices.Sort(ks)
	}
	return l
}

// linked reports whether a and b are distinct linked accounts.
func (l *accountLinks) linked(a, b uint64) bool {
	if a == b || a == 0 || b == 0 {
		return false
	}
	if l.ref[a] == b || l.ref[b] == a {
		return true
	}
	for _, k := range l.keys[a] {
		if _, ok := slices.BinarySearch(l.members[k], b); ok {
			return true
		}
	}
	return false
}

// any reports whether some account linked to a satisfies f.
func (l *accountLinks) any(a uint64, f func(b uint64) bool) bool {
	if r := l.ref[a]; r != 0 && f(r) {
		return true
	}
	for _, k := range l.keys[a] {
		for _, b := range l.members[k] {
			if b != a && f(b) {
				return true
			}
		}
	}
	return false
}
