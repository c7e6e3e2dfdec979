package kraken

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tapetest/tapetest/internal/realdata"
	"github.com/tapetest/tapetest/replay"
)

// captureLines is the shared Kraken capture, line by line.
func captureLines(t *testing.T) []string {
	return realdata.Lines(t, "crypto-ws-capture-cryptofeed/KRAKEN.ws.50.0.gz")
}

func writeLines(t *testing.T, lines []string) string { return realdata.TempLines(t, lines) }

// TestVerifyRealCapture: the shared 31-second capture of ten pairs' 1000-deep
// books carries 4,269 checksums; the rebuilt books match every one. A volume
// changed in one update, or an update dropped, is caught at once; and
// without truncating to the subscribed depth the books drift from Kraken's
// (the feed never deletes a level pushed out of range).
func TestVerifyRealCapture(t *testing.T) {
	lines := captureLines(t)
	rep, err := Verify(context.Background(), []string{writeLines(t, lines)})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Checked != 4269 || rep.Mismatched != 0 || len(rep.Pairs) != 10 {
		t.Fatalf("%s over %d pairs: %v", rep.Summary(), len(rep.Pairs), rep.Examples)
	}
	// An update with another volume.
	changed := append([]string(nil), lines...)
	i := 0
	for i = range changed {
		if strings.Contains(changed[i], `[992,{"b":[["354.15000000","5.00000000"`) {
			changed[i] = strings.Replace(changed[i], `"5.00000000"`, `"5.00000001"`, 1)
			break
		}
	}
	if rep, err := Verify(context.Background(), []string{writeLines(t, changed)}); err != nil || rep.Mismatched == 0 {
		t.Fatalf("a changed volume: %v %+v", err, rep)
	}
	// An update dropped.
	dropped := append(append([]string(nil), lines[:i]...), lines[i+1:]...)
	if rep, err := Verify(context.Background(), []string{writeLines(t, dropped)}); err != nil || rep.Mismatched == 0 {
		t.Fatalf("a dropped update: %v %+v", err, rep)
	}
}

// TestTruncationMatters: in a book of depth 2, an update inserts a better
// bid without deleting the worst, which leaves the subscribed range; Kraken's
// checksum is of the truncated book (prices and volumes without the point and
// leading zeros: "1010" "100000000" ...), and a book kept untruncated fails it.
func TestTruncationMatters(t *testing.T) {
	snap := `1618678133.1: [1,{"as":[["10.10","1.00000000","1"],["10.20","2.00000000","1"]],"bs":[["9.90","1.00000000","1"],["9.80","3.00000000","1"]]},"book-2","X/Y"]`
	upd := `1618678133.2: [1,{"b":[["9.95","4.00000000","2"]],"c":"%d"},"book-2","X/Y"]`
	asks := "1010" + "100000000" + "1020" + "200000000"
	truncated := crc32.ChecksumIEEE([]byte(asks + "995" + "400000000" + "990" + "100000000"))
	untruncated := crc32.ChecksumIEEE([]byte(asks + "995" + "400000000" + "990" + "100000000" + "980" + "300000000"))
	for _, c := range []struct {
		sum        uint32
		mismatched int64
	}{{truncated, 0}, {untruncated, 1}} {
		rep, err := Verify(context.Background(), []string{writeLines(t, []string{snap, fmt.Sprintf(upd, c.sum)})})
		if err != nil || rep.Checked != 1 || rep.Mismatched != c.mismatched {
			t.Fatalf("checksum %d: %v %+v", c.sum, err, rep)
		}
	}
}

func TestMalformedMessages(t *testing.T) {
	for _, c := range []struct{ line, field string }{
		{`1618678133.1: [1,{"as":[["x","1.0","1"]],"bs":[]},"book-10","X/Y"]`, "data"},
		{`1618678133.1: [1,{"as":[["10.1"]],"bs":[]},"book-10","X/Y"]`, "as"},
		{`1618678133.1: [1,{"as":[],"bs":[]},"book-x","X/Y"]`, "channelName"},
		{`5: [1,{"as":[["10.1","1.0","1"]],"bs":[]},"book-10","X/Y"]`, "time"},
		{`1618678133.1: [1,{"as":[["10.1","1.0","1"]],"bs":[]},"book-10","X/Y"`, "json"},
	} {
		_, err := Verify(context.Background(), []string{writeLines(t, []string{c.line})})
		var re *replay.RowError
		if !errors.As(err, &re) || re.Field != c.field || re.Line != 1 {
			t.Errorf("%s: %v, want field %s", c.line, err, c.field)
		}
	}
}

func FuzzCaptureLine(f *testing.F) {
	f.Add(`1618678134.213106: [992,{"b":[["354.15000000","5.00000000","1618678133.365913"]],"c":"2583817756"},"book-1000","XMR/USD"]`)
	f.Add(`1618678145.9513211: [1920,{"a":[["0.042990","364630.28272081","1618678145.920470"]]},{"b":[["0.042990","0.00000000","1618678145.920708"]],"c":"4105471083"},"book-1000","SC/EUR"]`)
	f.Add(`1700000000000000000 {"event":"heartbeat"}`)
	f.Fuzz(func(t *testing.T, line string) {
		_, err := Verify(context.Background(), []string{writeLinesF(t, line)})
		var re *replay.RowError
		if err != nil && !errors.As(err, &re) && !strings.Contains(err.Error(), "no book messages") {
			t.Fatalf("%q: an error that names no line: %v", line, err)
		}
	})
}

func writeLinesF(t *testing.T, line string) string {
	p := filepath.Join(t.TempDir(), "c.txt")
	os.WriteFile(p, bytes.TrimSpace([]byte(line+"\n")), 0o644)
	return p
}
