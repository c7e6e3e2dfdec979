package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/term"
)

// globalState is everything a command reads from or writes to the world
// outside the library: the standard streams, the environment and signals.
// main builds it from the process; tests build it from buffers, so that every
// command runs in-process with its output captured (the shape k6 uses).
type globalState struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	env            map[string]string
	// stderrTerminal says whether stderr is a terminal (progress bars).
	stderrTerminal bool
	logger         *slog.Logger
	// signalNotify and signalStop are signal.Notify and signal.Stop; tests
	// replace them to deliver a signal without sending one to the process.
	signalNotify func(chan<- os.Signal, ...os.Signal)
	signalStop   func(chan<- os.Signal)
	// exits are run when execute returns (fetched inputs' copies).
	exits []func()
}

// atExit runs f when the command returns.
func (gs *globalState) atExit(f func()) { gs.exits = append(gs.exits, f) }

// newGlobalState builds the state of a process with these streams and
// environment (os.Environ's KEY=value form).
func newGlobalState(stdin io.Reader, stdout, stderr io.Writer, environ []string) *globalState {
	env := make(map[string]string, len(environ))
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	gs := &globalState{stdin: stdin, stdout: stdout, stderr: stderr, env: env, signalNotify: signal.Notify, signalStop: signal.Stop}
	if f, ok := stderr.(*os.File); ok {
		gs.stderrTerminal = term.IsTerminal(int(f.Fd()))
	}
	gs.logger = slog.New(slog.NewTextHandler(stderr, nil))
	return gs
}

// getenv returns the environment variable k ("" when unset).
func (gs *globalState) getenv(k string) string { return gs.env[k] }

// interruptGrace is how long a command may take to stop after the first
// SIGINT or SIGTERM before the process exits anyway.
const interruptGrace = 3 * time.Second

// execute runs the command line args (args[0] is the program name) and
// returns the exit status. The first SIGINT or SIGTERM cancels the run's
// context, so that the command stops where it is and cleans up; the exit
// status is then 130 whatever error the cancellation caused. A second signal
// exits at once, and so does a command still running interruptGrace later.
func (gs *globalState) execute(args []string) int {
	defer func() {
		for _, f := range gs.exits {
			f()
		}
		gs.exits = nil
	}()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sigs := make(chan os.Signal, 2)
	gs.signalNotify(sigs, os.Interrupt, syscall.SIGTERM)
	defer gs.signalStop(sigs)
	var interrupted atomic.Bool
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case s := <-sigs:
			interrupted.Store(true)
			fmt.Fprintf(gs.stderr, "tapetest: %v: stopping (again to exit at once)\n", s)
			cancel()
		case <-done:
			return
		}
		// A read that a cancelled context cannot reach — a FIFO no one
		// writes, a stalled network disk — must not hold the exit: after a
		// grace period, exit anyway. Every output is staged and renamed into
		// place, so leaving mid-write leaves no partial result.
		select {
		case <-sigs:
			fmt.Fprintln(gs.stderr, "tapetest: interrupted")
			os.Exit(exitInterrupted)
		case <-time.After(interruptGrace):
			fmt.Fprintf(gs.stderr, "tapetest: interrupted (still blocked after %v: an input that cannot be interrupted?)\n", interruptGrace)
			os.Exit(exitInterrupted)
		case <-done:
		}
	}()
	err := newRootCommand(gs).Run(ctx, args)
	code := exitCode(err, interrupted.Load())
	switch {
	case code == exitInterrupted:
		fmt.Fprintln(gs.stderr, "tapetest: interrupted")
	case err != nil:
		fmt.Fprintln(gs.stderr, "tapetest:", err)
	}
	return code
}

// writeJSON writes v to w as indented JSON (for --format json).
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
