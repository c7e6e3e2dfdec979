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
