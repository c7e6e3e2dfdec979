package replay

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrCaptureTime marks a capture line whose receive time cannot be read.
var ErrCaptureTime = errors.New("not a receive time")

// CaptureLine splits one line of a recorded websocket capture into the
// message's receive time (Unix ns) and the message. Two recorders' forms
// are read: cryptofeed's raw recorder ("<epoch seconds>: <json>", where lines
// starting with the URL are connection notes and messages it sent), and
// tapetest's collector ("<receive_ns> <json>"). msg is "" for a line that
// holds no received message. The time must lie in the event-time window.
func CaptureLine(line string) (recvNS int64, msg string, err error) {
	line = strings.TrimRight(line, "\r\n")
	if line == "" || strings.HasPrefix(line, "wss://") || strings.HasPrefix(line, "ws://") || strings.HasPrefix(line, "https://") {
		return 0, "", nil
	}
	at, rest, ok := strings.Cut(line, " ")
	if !ok {
		return 0, "", fmt.Errorf("%w: a line is \"<time> <message>\"", ErrCaptureTime)
	}
	if s, cut := strings.CutSuffix(at, ":"); cut { // cryptofeed: seconds with a fraction
		if recvNS, err = ParseDecimal(s, 9); err != nil {
			return 0, "", fmt.Errorf("%w: %q is not epoch seconds", ErrCaptureTime, s)
		}
	} else if recvNS, err = strconv.ParseInt(at, 10, 64); err != nil {
		return 0, "", fmt.Errorf("%w: %q is not epoch nanoseconds", ErrCaptureTime, at)
	}
	if err := CheckEventTime(recvNS); err != nil {
		return 0, "", fmt.Errorf("%w: %v", ErrCaptureTime, err)
	}
	return recvNS, rest, nil
}

// CaptureReader reads the received messages of recorded websocket captures
// (files chained in order, gzip read transparently) as CaptureLine splits
// them, remembering where the last one came from for errors.
type CaptureReader struct {
	lines *Lines
	File  string // file and 1-based line of the message last returned
	Line  int64
}

// NewCaptureReader reads paths in order.
func NewCaptureReader(paths []string) *CaptureReader { return &CaptureReader{lines: NewLines(paths)} }

// Close closes the current file.
func (r *CaptureReader) Close() error { return r.lines.Close() }

// Next returns the next line's receive time and message (msg "" for a line
// holding none); io.EOF after the last file; a *RowError (field "time") for
// a receive time it cannot read.
func (r *CaptureReader) Next() (recvNS int64, msg string, err error) {
	b, err := r.lines.Next()
	if err != nil {
		return 0, "", err
	}
	r.File, r.Line = r.lines.File, r.lines.Line
	recvNS, msg, err = CaptureLine(string(b))
	if err != nil {
		return 0, "", r.Bad("time", "%v", err)
	}
	return recvNS, msg, nil
}

// Bad is a *RowError at the message last returned.
func (r *CaptureReader) Bad(field, format string, args ...any) error {
	return &RowError{File: r.File, Line: r.Line, Field: field, Reason: fmt.Sprintf(format, args...)}
}

// EventQueue holds the events a source has decoded but not yet handed out,
// numbering them in order.
type EventQueue struct {
	pending []Event
	seq     uint64
}

// Push queues ev with the next sequence number.
func (q *EventQueue) Push(ev Event) {
	q.seq++
	ev.Seq = q.seq
	q.pending = append(q.pending, ev)
}

// Len is the number of queued events.
func (q *EventQueue) Len() int { return len(q.pending) }

// MarkLastInGroup flags the i-th queued event as the end of its group.
func (q *EventQueue) MarkLastInGroup(i int) { q.pending[i].Flags |= FlagLastInGroup }

// Drain moves up to len(dst) queued events into dst and returns how many.
func (q *EventQueue) Drain(dst []Event) int {
	n := copy(dst, q.pending)
	q.pending = q.pending[:copy(q.pending, q.pending[n:])]
	return n
}
