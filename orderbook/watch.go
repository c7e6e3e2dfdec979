package orderbook

import (
	"fmt"
	"math"
)

// watchLeftCap is how many departed orders a watcher's list holds before
// WatchLeft reports it incomplete: an owner that drains its list now and
// then never reaches it, and one that never does costs the book no more
// than this.
const watchLeftCap = 4096

// watcher is one owner's watch of its orders: which of them left the book
// for good since the owner last asked.
type watcher struct {
	left []uint64 // ids, in the order they left, since the last WatchLeft
	lost bool     // more left than watchLeftCap since the last WatchLeft
}

// leave records that watched order id left the book.
func (w *watcher) leave(id uint64) {
	if len(w.left) == watchLeftCap {
		w.lost = true
		return
	}
	w.left = append(w.left, id)
}

// back takes id's leaving back: an amendment unlinked it and it rests
// again. It is the latest of the ids recorded since (what the amendment's
// trades removed came after it), so the search from the end is short.
func (w *watcher) back(id uint64) {
	for i := len(w.left) - 1; i >= 0; i-- {
		if w.left[i] == id {
			w.left = append(w.left[:i], w.left[i+1:]...)
			return
		}
	}
	// Not found: the list was full when it left (lost is set).
}

// NewWatcher returns a new watcher of the book's orders: an owner of many
// orders (a synthetic trader) that marks them with Watch and reads
// WatchLeft. Watchers are numbered in the order they are made,
// from 1; a book has at most 65,535.
func (b *Book) NewWatcher() (uint16, error) {
	if len(b.watchers) == 0 {
		b.watchers = append(b.watchers, watcher{}) // 0 is no watcher
	}
	if len(b.watchers) > math.MaxUint16 {
		return 0, fmt.Errorf("orderbook: %d watchers: at most %d", len(b.watchers)-1, math.MaxUint16)
	}
	b.watchers = append(b.watchers, watcher{})
	return uint16(len(b.watchers) - 1), nil
}

// Watch marks a live order for watcher w: from now until it leaves the book
// — filled, cancelled, reduced to nothing, expired by self-trade
// prevention, cleared — its leaving is listed by WatchLeft(w); an
// amendment keeps it marked. It returns the order as it
// rests (as Get does: one lookup for both) and whether it is live. An owner
// of many orders learns which of them left from WatchLeft instead of
// looking each one up.
func (b *Book) Watch(id uint64, w uint16) (info OrderInfo, ok bool) {
	ok = b.WatchInto(id, w, &info)
	return info, ok
}

// WatchInto is Watch writing the order to *info (Book.GetInto says why);
// *info is left as it was when the order is not live.
func (b *Book) WatchInto(id uint64, w uint16, info *OrderInfo) bool {
	oi, ok := b.ids.get(id, b.orders)
	if !ok || id == 0 {
		return false
	}
	if w != 0 && int(w) < len(b.watchers) {
		b.orders[oi].watch = w
	}
	b.infoTo(oi, info)
	return true
}

// WatchLeft appends to dst the ids of watcher w's orders that left the book
// for good since w's last WatchLeft, in the order they left, and forgets
// them. complete is false when more left than the book keeps for a watcher
// (4,096) — dst then lacks some, and the owner must look its orders up —
// or when w is not a watcher.
func (b *Book) WatchLeft(w uint16, dst []uint64) (ids []uint64, complete bool) {
	if w == 0 || int(w) >= len(b.watchers) {
		return dst, false
	}
	wt := &b.watchers[w]
	dst = append(dst, wt.left...)
	complete = !wt.lost
	wt.left, wt.lost = wt.left[:0], false
	return dst, complete
}
