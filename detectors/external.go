package detectors

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/tapetest/tapetest/component"
	"github.com/tapetest/tapetest/replay"
)

func init() {
	mustRegister(Definition{
		Typology: "",
		Executes: true,
		Spec: component.Spec{Name: "external",
			Summary: "Any executable speaking the JSON-lines protocol of docs/external-detectors.md on stdin/stdout: tapetest sends a start " +
				"message, one line per batch of records and a finish message; the process answers each with its alerts and an ack. " +
				"A process that exits early, writes bad JSON or does not answer within timeout fails this instance only.",
			Params: []component.Param{
				{Name: "command", Type: component.String, Default: "", Meaning: "the executable and its arguments, separated by spaces"},
				{Name: "typology", Type: component.String, Default: "wash_trading", Meaning: "the typology the detector claims (alerts may override it)"},
				{Name: "timeout", Type: component.Duration, Default: 30 * time.Second, Unit: "s", Meaning: "how long the process may take to answer one message"},
			}},
		New: func(p Params) (Detector, error) {
			args := strings.Fields(p.String("command"))
			if len(args) == 0 {
				return nil, paramError("external", "command", "no command given")
			}
			return &External{Args: args, Typology: replay.Typology(p.String("typology")), Timeout: p.Duration("timeout")}, nil
		},
	})
}

// External runs a detector in another process (any language) over stdin/stdout.
type External struct {
	Args     []string
	Typology replay.Typology
	Timeout  time.Duration

	cmd    *exec.Cmd
	in     *os.File // the write end of the process's stdin: writes have deadlines
	out    bytes.Buffer
	stderr *tailBuffer // the last stderrKept bytes the process wrote there
	lines  chan lineOrErr
	msg    extBatch
	syms   []string
	killed sync.Once
}

// stderrKept bounds how much of an external detector's stderr is kept (its
// end is shown when it fails).
const stderrKept = 16 << 10

type lineOrErr struct {
	line []byte
	err  error
}

// Wire types of the protocol.
type extStart struct {
	Type        string                `json:"type"` // "start"
	Instruments []replay.Instrument   `json:"instruments"`
	Accounts    []replay.AccountAttrs `json:"accounts"`
	StartNS     int64                 `json:"start"`
	EndNS       int64                 `json:"end"`
}

type extFill struct {
	MakerOrder   uint64 `json:"maker_order"`
	TakerOrder   uint64 `json:"taker_order"`
	MakerAccount uint64 `json:"maker_account"`
	TakerAccount uint64 `json:"taker_account"`
	Price        int64  `json:"price"`
	Qty          int64  `json:"qty"`
	Aggressor    string `json:"aggressor"`
	Hidden       bool   `json:"hidden,omitempty"`
}

type extRecord struct {
	TS       int64     `json:"ts"`
	Seq      uint64    `json:"seq"`
	Symbol   string    `json:"symbol"`
	Action   string    `json:"action"`
	Side     string    `json:"side"`
	Flags    uint32    `json:"flags"`
	OrderID  uint64    `json:"order_id"`
	Account  uint64    `json:"account"`
	Price    int64     `json:"price"`
	Qty      int64     `json:"qty"`
	BidPrice int64     `json:"bid_price"`
	BidQty   int64     `json:"bid_qty"`
	AskPrice int64     `json:"ask_price"`
	AskQty   int64     `json:"ask_qty"`
	Outcome  string    `json:"outcome"`
	Fills    []extFill `json:"fills,omitempty"`
}

type extBatch struct {
	Type    string      `json:"type"` // "batch"
	Seq     uint64      `json:"seq"`
	Records []extRecord `json:"records"`
}

type extReply struct {
	Type string `json:"type"` // "alert" or "ack"
	Seq  int64  `json:"seq"`
	Alert
}

var outcomes = [...]string{replay.Applied: "applied", replay.Rejected: "rejected", replay.Reconciled: "reconciled"}

// Start launches the process and sends the start message.
func (e *External) Start(info *replay.RunInfo) error {
	e.syms = e.syms[:0]
	for _, in := range info.Instruments {
		e.syms = append(e.syms, in.Symbol)
	}
	e.cmd = exec.Command(e.Args[0], e.Args[1:]...)
	e.killed = sync.Once{}
	e.stderr = &tailBuffer{max: stderrKept}
	e.cmd.Stderr = e.stderr
	ownGroup(e.cmd)
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	e.cmd.Stdin, e.in = r, w
	out, err := e.cmd.StdoutPipe()
	if err != nil {
		r.Close()
		w.Close()
		return err
	}
	err = e.cmd.Start()
	r.Close() // the process holds its own copy
	if err != nil {
		w.Close()
		return fmt.Errorf("external detector %q: %w", strings.Join(e.Args, " "), err)
	}
	e.lines = make(chan lineOrErr, 64)
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 1<<20), 64<<20)
		for sc.Scan() {
			e.lines <- lineOrErr{line: append([]byte(nil), sc.Bytes()...)}
		}
		err := sc.Err()
		if err == nil {
			err = io.EOF
		}
		e.lines <- lineOrErr{err: err}
		close(e.lines)
	}()
	if err := e.send(extStart{Type: "start", Instruments: info.Instruments, Accounts: info.Accounts, StartNS: info.Start, EndNS: info.End}); err != nil {
		return err
	}
	return e.await(-2, func(Alert) {})
}

// send writes one message; a process that does not take it within the
// timeout (it stopped reading) fails, as one that does not answer does.
func (e *External) send(v any) error {
	e.out.Reset()
	if err := json.NewEncoder(&e.out).Encode(v); err != nil {
		return err
	}
	e.in.SetWriteDeadline(time.Now().Add(e.Timeout))
	if _, err := e.in.Write(e.out.Bytes()); err != nil {
		e.kill()
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return e.failure("did not read its input within %v", e.Timeout)
		}
		return e.failure("write: %v (did the process exit?)", err)
	}
	return nil
}

// kill ends the process and every process it started, once.
func (e *External) kill() {
	e.killed.Do(func() {
		if e.cmd != nil && e.cmd.Process != nil {
			killGroup(e.cmd)
			e.in.Close()
			e.cmd.Wait()
		}
	})
}

// Abort ends the process at once (the run was interrupted or failed).
func (e *External) Abort() { e.kill() }

// failure is the error of a failed process, with the end of its stderr.
func (e *External) failure(format string, args ...any) error {
	err := fmt.Errorf("external detector %q %s", e.Args[0], fmt.Sprintf(format, args...))
	if tail := e.stderr.String(); tail != "" {
		err = fmt.Errorf("%w; its stderr ends: %s", err, tail)
	}
	return err
}

// await reads alerts until the ack of seq (start: -2, finish: -1).
func (e *External) await(seq int64, emit func(Alert)) error {
	timer := time.NewTimer(e.Timeout)
	defer timer.Stop()
	for {
		select {
		case l, ok := <-e.lines:
			if !ok || l.err != nil {
				e.kill()
				if l.err == io.EOF || !ok {
					return e.failure("exited before acknowledging message %d", seq)
				}
				return e.failure("read: %v", l.err)
			}
			var r extReply
			if err := json.Unmarshal(l.line, &r); err != nil {
				e.kill()
				return e.failure("wrote a bad JSON line %q: %v", truncate(l.line), err)
			}
			switch r.Type {
			case "ack":
				if r.Seq != seq {
					e.kill()
					return e.failure("acknowledged message %d, expected %d", r.Seq, seq)
				}
				return nil
			case "alert":
				if r.Alert.Typology == "" {
					r.Alert.Typology = e.Typology
				}
				emit(r.Alert)
			default:
				e.kill()
				return e.failure("wrote an unknown message type %q", r.Type)
			}
		case <-timer.C:
			e.kill()
			return e.failure("did not answer message %d within %v", seq, e.Timeout)
		}
	}
}

func truncate(b []byte) string {
	if len(b) > 80 {
		return string(b[:80]) + "…"
	}
	return string(b)
}

// Consume sends one batch and collects the process's alerts for it.
func (e *External) Consume(b *replay.Batch, emit func(Alert)) error {
	m := &e.msg
	m.Type, m.Seq, m.Records = "batch", b.Seq, m.Records[:0]
	for i := range b.Records {
		r := &b.Records[i]
		ev := &r.Event
		x := extRecord{TS: ev.TS, Seq: ev.Seq, Action: ev.Action.String(), Side: ev.Side.String(), Flags: uint32(ev.Flags), OrderID: ev.OrderID,
			Account: ev.Account, Price: ev.Price, Qty: ev.Qty, BidPrice: r.Top.BidPrice, BidQty: r.Top.BidQty, AskPrice: r.Top.AskPrice, AskQty: r.Top.AskQty,
			Outcome: outcomes[r.Outcome]}
		if int(ev.Symbol) < len(e.syms) {
			x.Symbol = e.syms[ev.Symbol]
		}
		for _, f := range b.FillsOf(i) {
			x.Fills = append(x.Fills, extFill{MakerOrder: f.MakerOrder, TakerOrder: f.TakerOrder, MakerAccount: f.MakerAccount, TakerAccount: f.TakerAccount,
				Price: f.Price, Qty: f.Qty, Aggressor: f.Aggressor.String(), Hidden: f.Hidden})
		}
		m.Records = append(m.Records, x)
	}
	if err := e.send(m); err != nil {
		return err
	}
	return e.await(int64(b.Seq), emit)
}

// Finish asks the process for its last alerts and waits for it to exit.
func (e *External) Finish(emit func(Alert)) error {
	if err := e.send(map[string]string{"type": "finish"}); err != nil {
		return err
	}
	if err := e.await(-1, emit); err != nil {
		return err
	}
	e.in.Close()
	done := make(chan error, 1)
	go func() { done <- e.cmd.Wait() }()
	select {
	case err := <-done:
		e.killed.Do(func() {}) // it has exited: nothing left to kill
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return e.failure("exited with %v", err)
		}
		return err
	case <-time.After(e.Timeout):
		e.killed.Do(func() {
			killGroup(e.cmd)
			<-done
		})
		return e.failure("did not exit within %v of finish", e.Timeout)
	}
}
