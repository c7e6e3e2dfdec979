package lobster

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/tapetest/tapetest/internal/golden"
)

// synExchange is a tiny full-depth exchange that writes what LOBSTER would
// write for it at level L: a message only when the event changes the top-L
// book (plus every execution and halt, as LOBSTER does), and after each
// message the top-L book with dummy padding for empty levels. Orders resting
// before the first message and orders beyond level L are never announced,
// exactly the situation the window rule must handle. Because the generator
// knows the true book, a faithful file pair must verify with unexplained=0.
type synExchange struct {
	rng    *rand.Rand
	levels int
	orders map[uint64]*synOrder
	queue  []uint64 // ids in arrival order (time priority), may hold dead ids
	nextID uint64
	ts     int64 // ns after midnight
	msgs   bytes.Buffer
	book   bytes.Buffer
	rows   int
	last   string
}

type synOrder struct {
	id    uint64
	dir   int // 1 buy, -1 sell
	price int64
	qty   int64
}

const synMid = 5_000_000 // $500.00

func newSynExchange(seed uint64, levels int) *synExchange {
	x := &synExchange{rng: rand.New(rand.NewPCG(seed, 7)), levels: levels, orders: map[uint64]*synOrder{}, nextID: 1000, ts: 34200 * 1e9}
	// The book before the first message: never announced.
	for i := 0; i < 12; i++ {
		x.rest(1, synMid-int64(1+x.rng.IntN(12))*100)
		x.rest(-1, synMid+int64(1+x.rng.IntN(12))*100)
	}
	x.last = x.snapshot()
	return x
}

func (x *synExchange) rest(dir int, price int64) *synOrder {
	x.nextID++
	o := &synOrder{id: x.nextID, dir: dir, price: price, qty: int64(1+x.rng.IntN(20)) * 10}
	x.orders[o.id] = o
	x.queue = append(x.queue, o.id)
	return o
}

// best returns the best price on a side and whether the side has orders.
func (x *synExchange) best(dir int) (int64, bool) {
	var b int64
	ok := false
	for _, o := range x.orders {
		if o.dir == dir && (!ok || (dir == 1 && o.price > b) || (dir == -1 && o.price < b)) {
			b, ok = o.price, true
		}
	}
	return b, ok
}

// snapshot is the LOBSTER orderbook row of the top L levels.
func (x *synExchange) snapshot() string {
	agg := [2]map[int64]int64{{}, {}} // 0 ask, 1 bid
	for _, o := range x.orders {
		k := 0
		if o.dir == 1 {
			k = 1
		}
		agg[k][o.price] += o.qty
	}
	var sides [2][]int64
	for k := range agg {
		for p := range agg[k] {
			sides[k] = append(sides[k], p)
		}
		if k == 0 {
			sort.Slice(sides[k], func(i, j int) bool { return sides[k][i] < sides[k][j] })
		} else {
			sort.Slice(sides[k], func(i, j int) bool { return sides[k][i] > sides[k][j] })
		}
	}
	var sb strings.Builder
	for l := 0; l < x.levels; l++ {
		if l > 0 {
			sb.WriteByte(',')
		}
		if l < len(sides[0]) {
			fmt.Fprintf(&sb, "%d,%d,", sides[0][l], agg[0][sides[0][l]])
		} else {
			sb.WriteString("9999999999,0,")
		}
		if l < len(sides[1]) {
			fmt.Fprintf(&sb, "%d,%d", sides[1][l], agg[1][sides[1][l]])
		} else {
			sb.WriteString("-9999999999,0")
		}
	}
	return sb.String()
}

// emit writes the message if the event changed the visible book or always is true.
func (x *synExchange) emit(typ int, id uint64, size, price int64, dir int, always bool) {
	x.ts += int64(x.rng.IntN(3)) * int64(1+x.rng.IntN(50_000_000))
	snap := x.snapshot()
	if !always && snap == x.last {
		return
	}
	x.last = snap
	secs, ns := x.ts/1e9, x.ts%1e9
	fmt.Fprintf(&x.msgs, "%d.%09d,%d,%d,%d,%d,%d\n", secs, ns, typ, id, size, price, dir)
	x.book.WriteString(snap)
	x.book.WriteByte('\n')
	x.rows++
}

// randomLive picks a live order (deterministically: by arrival order).
func (x *synExchange) randomLive() *synOrder {
	if len(x.orders) == 0 {
		return nil
	}
	for {
		i := x.rng.IntN(len(x.queue))
		if o, ok := x.orders[x.queue[i]]; ok {
			return o
		}
		x.queue = append(x.queue[:i], x.queue[i+1:]...)
	}
}

// front returns the first order in time priority at the best price of a side.
func (x *synExchange) front(dir int) *synOrder {
	b, ok := x.best(dir)
	if !ok {
		return nil
	}
	for _, id := range x.queue {
		if o, ok := x.orders[id]; ok && o.dir == dir && o.price == b {
			return o
		}
	}
	return nil
}

// step performs one random event. Phases alternate between filling the book
// and draining it, so that sides run thin (dummy levels) and deep (hidden
// levels beyond the window) in turn.
func (x *synExchange) step(i int) {
	drain := (i/150)%3 == 2
	r := x.rng.IntN(100)
	addP := 45
	if drain {
		addP = 15
	}
	switch {
	case r < addP:
		dir := 1 - 2*x.rng.IntN(2)
		ref, ok := x.best(-dir)
		if !ok {
			ref = synMid + int64(dir)*100
		}
		// Strictly passive: 1..15 ticks away from the opposite best.
		p := ref - int64(dir)*int64(1+x.rng.IntN(15))*100
		o := x.rest(dir, p)
		x.emit(1, o.id, o.qty, o.price, o.dir, false)
	case r < addP+35:
		if o := x.randomLive(); o != nil {
			delete(x.orders, o.id)
			x.emit(3, o.id, o.qty, o.price, o.dir, false)
		}
	case r < addP+42:
		if o := x.randomLive(); o != nil && o.qty > 10 {
			c := int64(1+x.rng.IntN(int(o.qty/10)-1)) * 10 // leaves at least 10
			o.qty -= c
			x.emit(2, o.id, c, o.price, o.dir, false)
		}
	case r < addP+54:
		dir := 1 - 2*x.rng.IntN(2)
		if o := x.front(dir); o != nil {
			q := min(o.qty, int64(1+x.rng.IntN(30))*10)
			o.qty -= q
			if o.qty == 0 {
				delete(x.orders, o.id)
			}
			x.emit(4, o.id, q, o.price, o.dir, true)
		}
	case r < addP+58:
		dir := 1 - 2*x.rng.IntN(2)
		if b, ok := x.best(dir); ok {
			x.emit(5, 0, int64(1+x.rng.IntN(9))*10, b, dir, true)
		}
	case r < addP+59:
		x.emit(7, 0, 0, -1, -1, true)
		x.emit(7, 0, 0, 0, -1, true)
		x.emit(7, 0, 0, 1, -1, true)
	case r < addP+60:
		x.emit(6, 0, 100, synMid, 1, true)
	}
}

func generate(seed uint64, levels, steps int) (msgs, book []byte) {
	x := newSynExchange(seed, levels)
	for i := 0; i < steps; i++ {
		x.step(i)
	}
	return x.msgs.Bytes(), x.book.Bytes()
}

func writePair(t testing.TB, dir, name string, levels int, msgs, book []byte) (string, string) {
	t.Helper()
	mp := filepath.Join(dir, fmt.Sprintf("%s_2012-06-21_34200000_57600000_message_%d.csv", name, levels))
	bp := filepath.Join(dir, fmt.Sprintf("%s_2012-06-21_34200000_57600000_orderbook_%d.csv", name, levels))
	if err := os.WriteFile(mp, msgs, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bp, book, 0o644); err != nil {
		t.Fatal(err)
	}
	return mp, bp
}

// TestSyntheticWindowsVerify: faithful LOBSTER output of a known exchange, at
// levels 1, 2, 3, 5, 10 and 50, verifies with no unexplained row, while the window
// rule does real work (hidden levels re-enter, empty levels are padded).
func TestSyntheticWindowsVerify(t *testing.T) {
	dir := t.TempDir()
	var resynced int64
	for _, levels := range []int{1, 2, 3, 5, 10, 50} {
		for seed := uint64(1); seed <= 6; seed++ {
			msgs, book := generate(seed, levels, 3000)
			mp, bp := writePair(t, dir, fmt.Sprintf("S%d", seed), levels, msgs, book)
			rep, err := Verify(context.Background(), mp, bp, VerifyOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Levels != levels {
				t.Fatalf("levels %d, want %d", rep.Levels, levels)
			}
			if rep.Unexplained != 0 {
				t.Errorf("L%d seed %d: %s\n%s", levels, seed, rep.Summary(), strings.Join(rep.Examples, "\n"))
			}
			resynced += rep.Resynced
		}
	}
	if resynced == 0 {
		t.Fatal("the window rule never had to resynchronise: the generator does not exercise it")
	}
}

// TestSyntheticDroppedMessagesAreCaught drops, one at a time, every add,
// partial cancel, delete and visible execution of a synthetic level-3 file
// after the first (turning it into a message with no book effect, so rows
// stay aligned).
// LOBSTER writes exactly the messages that change the visible book, so each
// dropped message must show up as an unexplained row.
func TestSyntheticDroppedMessagesAreCaught(t *testing.T) {
	msgs, book := generate(3, 3, 400)
	dir := t.TempDir()
	_, bp := writePair(t, dir, "D", 3, msgs, book)
	lines := strings.Split(strings.TrimSuffix(string(msgs), "\n"), "\n")
	tried, caught := 0, 0
	var missed []string
	for i, l := range lines {
		f := strings.Split(l, ",")
		// The first row is the opening book, which the check adopts as is.
		if i == 0 || (f[1] != "1" && f[1] != "2" && f[1] != "3" && f[1] != "4") {
			continue
		}
		mut := append([]string(nil), lines...)
		mut[i] = strings.Join([]string{f[0], "6", "0", "1", f[4], "1"}, ",") // a cross print: no visible effect
		mp := filepath.Join(dir, "D_2012-06-21_34200000_57600000_message_3.csv")
		if err := os.WriteFile(mp, []byte(strings.Join(mut, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		rep, err := Verify(context.Background(), mp, bp, VerifyOptions{})
		if err != nil {
			t.Fatal(err)
		}
		tried++
		if rep.Unexplained > 0 {
			caught++
		} else {
			missed = append(missed, fmt.Sprintf("line %d %s", i+1, l))
		}
	}
	t.Logf("dropped %d messages one at a time: %d caught", tried, caught)
	if tried < 100 || caught != tried {
		t.Fatalf("%d of %d dropped messages went unnoticed:\n%s", tried-caught, tried, strings.Join(missed, "\n"))
	}
}

// TestSyntheticGolden pins a small generated level-3 pair in testdata/ (the
// generator must still produce it byte for byte) and the verify report on it.
// go test ./replay/lobster -run SyntheticGolden -update rewrites both.
func TestSyntheticGolden(t *testing.T) {
	msgs, book := generate(42, 3, 600)
	const name = "SYN_2012-06-21_34200000_57600000_%s_3.csv"
	mp := filepath.Join("testdata", fmt.Sprintf(name, "message"))
	bp := filepath.Join("testdata", fmt.Sprintf(name, "orderbook"))
	report := filepath.Join("testdata", "verify_SYN_3.golden")
	for _, c := range []struct {
		path string
		got  []byte
	}{{mp, msgs}, {bp, book}} {
		golden.Check(t, c.path, c.got, "the generator writes another fixture (run with -update if the change is intended)")
	}
	rep, err := Verify(context.Background(), mp, bp, VerifyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	fmt.Fprintf(&out, "levels=%d\n", rep.Levels)
	for _, k := range rep.Counts {
		fmt.Fprintf(&out, "%s %d\n", k.Kind, k.N)
	}
	for _, e := range rep.Examples {
		fmt.Fprintln(&out, "unexplained:", e)
	}
	fmt.Fprintln(&out, rep.Summary())
	golden.Check(t, report, out.Bytes(), "the verify report differs:\n"+out.String())
	if rep.Unexplained != 0 || rep.Resynced == 0 {
		t.Fatalf("fixture should exercise the window rule and verify: %s", rep.Summary())
	}
}

// FuzzVerify feeds arbitrary message files (against a constant reference
// row) to the check: it may report mismatches or return an error, but never
// panic, and its counts stay consistent.
func FuzzVerify(f *testing.F) {
	msgs, _ := generate(9, 2, 60)
	f.Add(msgs)
	f.Add([]byte("34200,1,1,100,5000000,1\n34200,4,1,100,5000000,1\n34200,3,1,5,5000000,1\n"))
	f.Add([]byte("34200,2,7,100,5000000,-1\n34200,5,0,100,5000000,-1\n34200,7,0,0,-1,-1\n"))
	const row = "5000100,10,4999900,20,5000200,5,-9999999999,0\n"
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 4096 {
			return
		}
		dir := t.TempDir()
		mp := filepath.Join(dir, "m.csv")
		os.WriteFile(mp, b, 0o644)
		n := bytes.Count(b, []byte{'\n'}) + 1
		bp := filepath.Join(dir, "b.csv")
		os.WriteFile(bp, bytes.Repeat([]byte(row), n), 0o644)
		rep, err := Verify(context.Background(), mp, bp, VerifyOptions{})
		if err != nil {
			return
		}
		if rep.Mismatched != rep.Unexplained+rep.Resynced || rep.Mismatched > rep.Rows {
			t.Fatalf("inconsistent report %s", rep.Summary())
		}
	})
}
