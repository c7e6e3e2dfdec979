package replay

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/klauspost/compress/gzip"
)

// OpenText opens a text input file for buffered reading, decompressing it
// transparently when it starts with the gzip magic bytes (on a goroutine of
// its own, ahead of the reader). Closing the returned closer stops that
// goroutine and closes the file.
func OpenText(path string) (*bufio.Reader, io.Closer, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	br := bufio.NewReaderSize(f, 1<<16)
	if m, _ := br.Peek(2); len(m) == 2 && m[0] == 0x1f && m[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			f.Close()
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		ra := newReadAhead(zr)
		return bufio.NewReaderSize(ra, 1<<16), aheadCloser{ra, f}, nil
	}
	return br, f, nil
}

// aheadCloser stops a file's read-ahead before closing the file.
type aheadCloser struct {
	ra *readAhead
	f  io.Closer
}

func (c aheadCloser) Close() error {
	c.ra.Close()
	return c.f.Close()
}

// Lines reads the non-empty lines of one or more text files in order
// (gzip read transparently), tracking the current file and 1-based line
// number for error messages.
type Lines struct {
	paths []string
	cur   int
	r     *bufio.Reader
	c     io.Closer
	buf   []byte // the line being read, reused
	// File and Line name the line last returned.
	File string
	Line int64
}

// NewLines reads paths in order.
func NewLines(paths []string) *Lines { return &Lines{paths: paths, cur: -1} }

// FileIndex is the index in paths of the file being read (-1 before the first line).
func (l *Lines) FileIndex() int { return l.cur }

// Next returns the next non-empty line without its line ending (valid until
// the next call), or io.EOF after the last file.
func (l *Lines) Next() ([]byte, error) {
	for {
		if l.r == nil {
			l.cur++
			if l.cur >= len(l.paths) {
				return nil, io.EOF
			}
			r, c, err := OpenText(l.paths[l.cur])
			if err != nil {
				return nil, err
			}
			l.r, l.c, l.File, l.Line = r, c, l.paths[l.cur], 0
		}
		b, err := l.readLine()
		if errors.Is(err, ErrLineTooLong) {
			return nil, fmt.Errorf("%s:%d: %w", l.File, l.Line+1, err)
		}
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, gzip.ErrChecksum) {
			// Not a last line without its newline: the compressed stream
			// ends early or is damaged (a copy cut short).
			return nil, fmt.Errorf("%s: %w after line %d: %w", l.File, ErrTruncated, l.Line, err)
		}
		if len(b) == 0 && err != nil {
			if err != io.EOF {
				return nil, fmt.Errorf("%s: %w", l.File, err)
			}
			l.Close()
			l.r = nil
			continue
		}
		l.Line++
		b = bytes.TrimRight(b, "\r\n")
		if len(b) == 0 {
			continue
		}
		return b, nil
	}
}

// MaxLineBytes bounds a line of a text input: a longer one (a file that is
// not text, /dev/zero) is an error, not a read that grows until memory runs
// out. The largest real lines, a venue's full book snapshot, are well under
// a megabyte.
const MaxLineBytes = 16 << 20

// ErrTruncated is a compressed input that ends early or fails its checksum.
var ErrTruncated = errors.New("the compressed file is truncated or damaged")

// ErrLineTooLong is a line longer than MaxLineBytes.
var ErrLineTooLong = fmt.Errorf("a line longer than %d MiB: not a text feed", MaxLineBytes>>20)

// readLine reads up to and including the next '\n' into the reused buffer
// (the last line may lack it).
func (l *Lines) readLine() ([]byte, error) {
	l.buf = l.buf[:0]
	for {
		frag, err := l.r.ReadSlice('\n')
		if len(l.buf)+len(frag) > MaxLineBytes {
			return nil, ErrLineTooLong
		}
		l.buf = append(l.buf, frag...)
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		return l.buf, err
	}
}

// Close closes the file being read.
func (l *Lines) Close() error {
	if l.c == nil {
		return nil
	}
	err := l.c.Close()
	l.c = nil
	return err
}
