package binance

import "fmt"

// maxBuffered bounds the diffs buffered while waiting for the snapshot.
const maxBuffered = 1 << 20

// group is one atomic book change: the snapshot (which resets the book) or one
// diff-depth message.
type group struct {
	snapshot   bool
	final      int64 // last update id the book reflects after the group
	recvNS     int64
	bids, asks []level // the line's: they hold until the next line, unless owned (see push)
	line       int64
	file       string
	u, pu      int64 // first update id; previous final id (futures; -1 on spot)
	futures    bool  // from a futures feed
}

// sequencer implements Binance's documented way to keep a local order book:
// buffer the diffs that arrive before the REST snapshot, drop those older than
// it (spot: u <= lastUpdateId; futures: u < lastUpdateId), require the first
// applied diff to bridge the snapshot (spot: U <= lastUpdateId+1 <= u;
// futures: U <= lastUpdateId <= u), and then require continuity (spot: U ==
// previous u + 1; futures: pu == previous u). A break fails with a GapError naming the
// line and the update ids. Depth diffs before the snapshot and after it are
// handled alike across chained files.
type sequencer struct {
	synced   bool // a snapshot has been applied
	bridging bool // the next applied diff must bridge the snapshot
	last     int64
	buffered []group
	out      []group
	dropped  int64 // diffs with u <= lastUpdateId
	futures  bool  // a futures diff has been seen
}

func (s *sequencer) push(m *feedMsg, file string, line int64) error {
	switch m.kind {
	case kindSnapshot:
		s.out = append(s.out, group{snapshot: true, final: m.lastUpdateID, recvNS: m.recvNS, bids: m.bids, asks: m.asks, line: line, file: file, futures: m.futures || s.futures})
		s.synced, s.bridging, s.last = true, true, m.lastUpdateID
		buf := s.buffered
		s.buffered = nil
		for i := range buf {
			if err := s.diff(&buf[i]); err != nil {
				return err
			}
		}
	case kindDepth:
		s.futures = s.futures || m.futures
		g := group{final: m.final, recvNS: m.recvNS, bids: m.bids, asks: m.asks, line: line, file: file, u: m.first, pu: m.prev}
		if !s.synced {
			if len(s.buffered) >= maxBuffered {
				return fmt.Errorf("%s:%d: %d depth diffs arrived before any snapshot", file, line, len(s.buffered))
			}
			g.bids, g.asks = ownLevels(g.bids), ownLevels(g.asks) // kept past the line
			s.buffered = append(s.buffered, g)
			return nil
		}
		return s.diff(&g)
	}
	return nil
}

func (s *sequencer) diff(g *group) error {
	// Futures diffs carry pu; their documented rules differ from spot's:
	// drop u < lastUpdateId (spot: u <= lastUpdateId), and the first diff
	// applied has U <= lastUpdateId <= u (spot: U <= lastUpdateId+1 <= u).
	// A futures diff whose pu is the snapshot's id, or that bridges in the
	// spot form, also starts the chain.
	futures := g.pu >= 0
	if s.bridging && (g.final < s.last || !futures && g.final == s.last) {
		s.dropped++
		return nil
	}
	if s.bridging {
		spotBridge := g.u <= s.last+1 && s.last+1 <= g.final
		futuresBridge := futures && (g.u <= s.last && s.last <= g.final || g.pu == s.last)
		if !spotBridge && !futuresBridge {
			want := fmt.Sprintf("a diff with U <= %d <= u bridging snapshot lastUpdateId %d", s.last+1, s.last)
			if futures {
				want = fmt.Sprintf("a diff with U <= %d <= u (or pu == %d) bridging snapshot lastUpdateId %d", s.last, s.last, s.last)
			}
			return &GapError{File: g.file, Line: g.line, Expected: want, First: g.u, Final: g.final}
		}
		s.bridging = false
	} else if g.pu >= 0 {
		if g.pu != s.last {
			return &GapError{File: g.file, Line: g.line, Expected: fmt.Sprintf("pu == %d", s.last), First: g.u, Final: g.final}
		}
	} else if g.u != s.last+1 {
		return &GapError{File: g.file, Line: g.line, Expected: fmt.Sprintf("U == %d", s.last+1), First: g.u, Final: g.final}
	}
	s.last = g.final
	s.out = append(s.out, *g)
	return nil
}

// ownLevels copies levels and their bytes out of the line they point into.
func ownLevels(ls []level) []level {
	n := 0
	for _, l := range ls {
		n += len(l[0]) + len(l[1])
	}
	buf := make([]byte, 0, n)
	out := make([]level, len(ls))
	for i, l := range ls {
		for k := range l {
			start := len(buf)
			buf = append(buf, l[k]...)
			out[i][k] = buf[start:len(buf):len(buf)]
		}
	}
	return out
}
