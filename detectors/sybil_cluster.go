package detectors

import (
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/tapetest/tapetest/component"
	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
)

func init() {
	mustRegister(Definition{
		Needs:    []Need{NeedAccounts},
		Typology: replay.SybilCluster,
		Spec: component.Spec{Name: "sybil_cluster",
			Summary: "Sybil clusters: a graph of accounts linked by a shared device or funding source (values shared by more than max_share " +
				"accounts — an exchange's hot wallet, a public network — link nobody) whose connected components of at least min_size " +
				"accounts are candidate clusters; a cluster alerts when its members take the same side within co_window of each other " +
				"min_coord times within horizon (and again each time that count doubles; an episode ends when the count falls below " +
				"min_coord). Alerts carry the cluster's accounts; score = coordinated trades within horizon × log2(cluster size): a burst " +
				"of coordination scores, the steady trading of linked accounts over hours does not add up.",
			Params: []component.Param{
				{Name: "min_size", Type: component.Int, Default: int64(3), Meaning: "accounts in a cluster"},
				{Name: "max_share", Type: component.Int, Default: int64(12), Meaning: "an attribute value shared by more accounts than this is not a link"},
				{Name: "co_window", Type: component.Duration, Default: 30 * time.Second, Unit: "s", Meaning: "members trading the same side this close together are coordinated"},
				{Name: "min_coord", Type: component.Int, Default: int64(4), Meaning: "coordinated trades within horizon before a cluster alerts"},
				{Name: "horizon", Type: component.Duration, Default: 10 * time.Minute, Unit: "s", Meaning: "how far back coordinated trades count"},
			}},
		New: func(p Params) (Detector, error) {
			return &sybilCluster{minSize: int(p.Int("min_size")), maxShare: int(p.Int("max_share")), coWindow: int64(p.Duration("co_window")), minCoord: int(p.Int("min_coord")),
				horizon: int64(p.Duration("horizon"))}, nil
		},
	})
}

type sybilState struct {
	members []uint64
	last    map[uint64]struct {
		ts   int64
		side orderbook.Side
	}
	coord []int64 // times of coordinated trades within the horizon
	next  int     // the count that raises the next alert of the episode
}

type sybilCluster struct {
	minSize, maxShare, minCoord int
	coWindow, horizon           int64
	insts                       []replay.Instrument
	of                          map[uint64]*sybilState // account -> its cluster
}

func (s *sybilCluster) Start(info *replay.RunInfo) error {
	s.insts = info.Instruments
	s.of = map[uint64]*sybilState{}
	parent := map[uint64]uint64{}
	find := func(x uint64) uint64 {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	byVal := map[string][]uint64{}
	for _, a := range info.Accounts {
		parent[a.Account] = a.Account
		byVal["d:"+a.Device] = append(byVal["d:"+a.Device], a.Account)
		byVal["f:"+a.Funding] = append(byVal["f:"+a.Funding], a.Account)
	}
	keys := make([]string, 0, len(byVal))
	for k := range byVal {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		ids := byVal[k]
		if len(ids) < 2 || len(ids) > s.maxShare {
			continue
		}
		for _, id := range ids[1:] {
			if ra, rb := find(ids[0]), find(id); ra != rb {
				parent[rb] = ra
			}
		}
	}
	comps := map[uint64][]uint64{}
	for _, a := range info.Accounts {
		r := find(a.Account)
		comps[r] = append(comps[r], a.Account)
	}
	for _, m := range comps {
		if len(m) < s.minSize {
			continue
		}
		sort.Slice(m, func(i, j int) bool { return m[i] < m[j] })
		st := &sybilState{members: m, next: s.minCoord, last: map[uint64]struct {
			ts   int64
			side orderbook.Side
		}{}}
		for _, id := range m {
			s.of[id] = st
		}
	}
	return nil
}

func (s *sybilCluster) Consume(b *replay.Batch, emit func(Alert)) error {
	for _, i := range b.Traded {
		r := &b.Records[i]
		now := r.Event.TS
		for _, f := range b.FillsOf(int(i)) {
			st := s.of[f.TakerAccount]
			if st == nil || f.TakerAccount == 0 {
				continue
			}
			// Coordinated if another member took the same side within the window.
			for _, other := range st.members {
				if other == f.TakerAccount {
					continue
				}
				if l, ok := st.last[other]; ok && l.side == f.Aggressor && now-l.ts <= s.coWindow {
					st.coord = append(st.coord, now)
					break
				}
			}
			st.last[f.TakerAccount] = struct {
				ts   int64
				side orderbook.Side
			}{now, f.Aggressor}
			k := 0
			for k < len(st.coord) && st.coord[k] < now-s.horizon {
				k++
			}
			st.coord = st.coord[k:]
			n := len(st.coord)
			if n < s.minCoord {
				st.next = s.minCoord // the episode, if any, is over
			}
			if n < st.next {
				continue
			}
			st.next *= 2
			emit(Alert{Symbol: s.insts[r.Event.Symbol].Symbol, RaisedAt: now, Start: st.coord[0], End: now, Accounts: append([]uint64(nil), st.members...),
				Score: float64(n) * math.Log2(float64(len(st.members))),
				Evidence: fmt.Sprintf("%d accounts sharing a device or funding source made %d same-side trades within %v of each other in %v",
					len(st.members), n, time.Duration(s.coWindow), time.Duration(now-st.coord[0]))})
		}
	}
	return nil
}

func (s *sybilCluster) Finish(func(Alert)) error { return nil }
