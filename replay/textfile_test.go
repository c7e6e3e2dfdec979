package replay

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
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

// TestReadLineIsTheFilesLines holds TextFile.ReadLine, which returns a line
// in place in the chunk read ahead or puts together one that crosses
// chunks, to the file's bytes split after each '\n': lines that end exactly
// at a chunk's end or start just after it, lines longer than several
// chunks, empty lines, a last line with and without its '\n', plain and
// gzip; and a line longer than the limit, at any place, to ErrLineTooLong.
func TestReadLineIsTheFilesLines(t *testing.T) {
	dir := t.TempDir()
	lens := []int{0, 1, 7, readAheadSize - 1, readAheadSize, readAheadSize + 1, 3*readAheadSize + 5}
	for fi, shape := range [][]int{
		{5, 5, 5},
		{readAheadSize - 1},                     // a line and its '\n' fill the first chunk
		{readAheadSize - 2, 0, 3},               // the second chunk starts with an empty line
		{readAheadSize, 10},                     // the '\n' is the second chunk's first byte
		{3*readAheadSize + 5, 2, readAheadSize}, // lines across many chunks
		lens, {10, 20, 30, 40, 50, 60, 70, 80},
	} {
		var file bytes.Buffer
		for i, n := range shape {
			file.WriteString(strings.Repeat(string(rune('a'+i%26)), n))
			file.WriteByte('\n')
		}
		for _, lastNL := range []bool{true, false} {
			data := file.Bytes()
			if !lastNL {
				data = append(data[:len(data):len(data)], "tail"...)
			}
			want := bytes.SplitAfter(data, []byte("\n"))
			if len(want[len(want)-1]) == 0 {
				want = want[:len(want)-1]
			}
			longest := 0
			for _, w := range want {
				longest = max(longest, len(w))
			}
			var gz bytes.Buffer
			zw := gzip.NewWriter(&gz)
			zw.Write(data)
			zw.Close()
			for _, c := range []struct {
				name string
				b    []byte
			}{{"plain", data}, {"gz", gz.Bytes()}} {
				path := filepath.Join(dir, c.name)
				if err := os.WriteFile(path, c.b, 0o644); err != nil {
					t.Fatal(err)
				}
				for _, limit := range []int{longest, longest - 1} {
					tf, err := OpenText(path)
					if err != nil {
						t.Fatal(err)
					}
					var got [][]byte
					for {
						b, err := tf.ReadLine(limit)
						if len(b) > 0 {
							got = append(got, append([]byte(nil), b...))
						}
						if err == io.EOF {
							break
						}
						if errors.Is(err, ErrLineTooLong) && limit < longest {
							break
						}
						if err != nil {
							t.Fatalf("file %d (%s, last newline %v, limit %d): line %d: %v", fi, c.name, lastNL, limit, len(got)+1, err)
						}
					}
					tf.Close()
					n := len(want)
					if limit < longest { // read up to the first line over the limit
						n = slices.IndexFunc(want, func(w []byte) bool { return len(w) > limit })
					}
					if len(got) != n {
						t.Fatalf("file %d (%s, last newline %v, limit %d): %d lines, want %d", fi, c.name, lastNL, limit, len(got), n)
					}
					for i := range got {
						if !bytes.Equal(got[i], want[i]) {
							t.Fatalf("file %d (%s, last newline %v, limit %d): line %d has %d bytes, want %d", fi, c.name, lastNL, limit, i+1, len(got[i]), len(want[i]))
						}
					}
				}
			}
		}
	}
}

// FuzzReadLine reads any bytes through TextFile.ReadLine in chunks of 1 to
// 32 bytes — so that lines cross chunks, end at a chunk's end or fill
// several — with any limit, against the bytes split after each '\n': the
// same lines up to the first longer than the limit, which is
// ErrLineTooLong; after the last, io.EOF.
func FuzzReadLine(f *testing.F) {
	f.Add([]byte("a,b\nc\n\nlast"), uint16(4), uint8(2))
	f.Add([]byte("\n\n\n"), uint16(1), uint8(0))
	f.Add([]byte("0123456789\n01234567890\n"), uint16(11), uint8(4))
	f.Fuzz(func(t *testing.T, data []byte, limit uint16, chunk uint8) {
		want := bytes.SplitAfter(data, []byte("\n"))
		if len(want[len(want)-1]) == 0 {
			want = want[:len(want)-1]
		}
		lim := int(limit)
		tf := &TextFile{ra: newReadAheadSized(bytes.NewReader(data), 2, 1+int(chunk%32)), f: io.NopCloser(nil)}
		defer tf.Close()
		for i := 0; ; i++ {
			b, err := tf.ReadLine(lim)
			switch {
			case i < len(want) && len(want[i]) > lim:
				if !errors.Is(err, ErrLineTooLong) {
					t.Fatalf("line %d of %d bytes over the limit %d: %q, %v", i+1, len(want[i]), lim, b, err)
				}
				return
			case i < len(want):
				if !bytes.Equal(b, want[i]) || (err != nil && !(err == io.EOF && i == len(want)-1 && !bytes.HasSuffix(b, []byte("\n")))) {
					t.Fatalf("line %d: %q, %v; want %q", i+1, b, err, want[i])
				}
				if err == io.EOF {
					return
				}
			default:
				if len(b) != 0 || err != io.EOF {
					t.Fatalf("after the last line: %q, %v", b, err)
				}
				return
			}
		}
	})
}
