package replay

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLinesBoundLineLength: a file that is not a text feed (here, more zero
// bytes than a line may hold, as /dev/zero gives) is an error naming the file
// and line — the reader used to grow until memory ran out — while ordinary
// lines, long ones, gzip, CRLF and a last line without a newline read as
// before.
func TestLinesBoundLineLength(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	long := strings.Repeat("x", 1<<20)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("g1\ng2"))
	zw.Close()
	ok := []string{write("a.txt", []byte("one\r\n\ntwo\n"+long+"\nlast")), write("b.txt.gz", gz.Bytes())}
	l := NewLines(ok)
	var got []string
	for {
		b, err := l.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, string(b))
	}
	if len(got) != 6 || got[0] != "one" || got[1] != "two" || got[2] != long || got[3] != "last" || got[4] != "g1" || got[5] != "g2" {
		t.Fatalf("read %d lines: %q…", len(got), got[:min(len(got), 2)])
	}
	zeros := write("zero.bin", make([]byte, MaxLineBytes+1))
	l = NewLines([]string{ok[0], zeros})
	var err error
	for err == nil {
		_, err = l.Next()
	}
	if !errors.Is(err, ErrLineTooLong) || !strings.Contains(err.Error(), "zero.bin:1:") {
		t.Fatalf("an endless line: %v", err)
	}
}

// TestLinesReportTruncation: a gzip file cut short used to end in a partial
// last line that failed as a bad field; it is reported as truncation.
func TestLinesReportTruncation(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	for i := 0; i < 2000; i++ {
		zw.Write([]byte("1700000000000,buy,1.5,2\n"))
	}
	zw.Close()
	cut := gz.Bytes()[:gz.Len()/2]
	damaged := bytes.Clone(gz.Bytes())
	damaged[len(damaged)-6] ^= 0xff // the trailer's CRC-32
	for _, c := range []struct {
		name string
		b    []byte
	}{{"cut.csv.gz", cut}, {"damaged.csv.gz", damaged}} {
		p := filepath.Join(t.TempDir(), c.name)
		os.WriteFile(p, c.b, 0o644)
		l := NewLines([]string{p})
		var err error
		for err == nil {
			_, err = l.Next()
		}
		if !errors.Is(err, ErrTruncated) || !strings.Contains(err.Error(), c.name) {
			t.Fatalf("%s: %v", c.name, err)
		}
	}
}
