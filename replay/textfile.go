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

// TextFile is a text input file open for reading line by line. It is read
// ahead on a goroutine of its own, in chunks that lines are returned from in
// place: a gzip file (known by its magic bytes) is inflated there, and a
// plain file's read calls are made there.
type TextFile struct {
	ra    *readAhead
	f     io.Closer
	cur   []byte // the unread part of the chunk being read
	carry []byte // a line that crosses chunks, put together
}

// OpenText opens a text input file, plain or gzip, for ReadLine.
func OpenText(path string) (*TextFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	br := bufio.NewReaderSize(f, 1<<16)
	var src io.Reader = br // past its buffered start a read goes straight to the file
	if m, _ := br.Peek(2); len(m) == 2 && m[0] == 0x1f && m[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		src = zr
	}
	return &TextFile{ra: newReadAhead(src), f: f}, nil
}

// ReadLine returns the next line up to and including its '\n' (the last
// line may lack it), valid until the next call: in place in the chunk read
// ahead when it lies in one, else put together. A line longer than limit
// bytes, its '\n' counted, is ErrLineTooLong. At the end of the file it
// returns what is left (nothing, or a last line without its '\n') with
// io.EOF, or with the source's error (a gzip stream cut short:
// io.ErrUnexpectedEOF).
func (t *TextFile) ReadLine(limit int) ([]byte, error) {
	if i := bytes.IndexByte(t.cur, '\n'); i >= 0 && i < limit {
		line := t.cur[:i+1]
		t.cur = t.cur[i+1:]
		return line, nil
	}
	t.carry = t.carry[:0]
	for {
		if i := bytes.IndexByte(t.cur, '\n'); i >= 0 {
			if len(t.carry)+i+1 > limit {
				return nil, ErrLineTooLong
			}
			if len(t.carry) == 0 { // the first line of a chunk: in place
				line := t.cur[:i+1]
				t.cur = t.cur[i+1:]
				return line, nil
			}
			t.carry = append(t.carry, t.cur[:i+1]...)
			t.cur = t.cur[i+1:]
			return t.carry, nil
		}
		if len(t.carry)+len(t.cur) > limit {
			return nil, ErrLineTooLong
		}
		t.carry = append(t.carry, t.cur...)
		var err error
		if t.cur, err = t.ra.chunk(); err != nil {
			return t.carry, err
		}
	}
}

// Close stops the reading ahead and closes the file.
func (t *TextFile) Close() error {
	t.ra.Close()
	return t.f.Close()
}

// Lines reads the non-empty lines of one or more text files in order
// (gzip read transparently), tracking the current file and 1-based line
// number for error messages.
type Lines struct {
	paths []string
	cur   int
	r     *TextFile
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
			r, err := OpenText(l.paths[l.cur])
			if err != nil {
				return nil, err
			}
			l.r, l.File, l.Line = r, l.paths[l.cur], 0
		}
		b, err := l.r.ReadLine(MaxLineBytes)
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

// ErrLineTooLong is a line longer than MaxLineBytes (Lines), or than the
// limit TextFile.ReadLine is given (its message names MaxLineBytes: a reader
// with another limit words its own error, as LOBSTER's does).
var ErrLineTooLong = fmt.Errorf("a line longer than %d MiB: not a text feed", MaxLineBytes>>20)

// Close closes the file being read.
func (l *Lines) Close() error {
	if l.r == nil {
		return nil
	}
	err := l.r.Close()
	l.r = nil
	return err
}
