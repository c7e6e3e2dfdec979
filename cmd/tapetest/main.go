// Command tapetest replays markets, injects labelled attacks, runs candidate
// market-abuse detectors in parallel and scores them. See the README for the
// commands and their exit codes.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"sort"
	"syscall"

	"github.com/urfave/cli/v3"
)

// Exit codes, documented in the README.
const (
	exitOK          = 0 // success
	exitCheckFailed = 1 // a check, verification or gate failed
	exitUsage       = 2 // usage, configuration or input error
	exitDetector    = 3 // the run finished but one or more detector instances failed
	exitInterrupted = 130
)

// exitError carries an exit code out of a command's action.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// checkFailed wraps err so that tapetest exits with status 1.
func checkFailed(err error) error { return &exitError{code: exitCheckFailed, err: err} }

// usageError wraps err so that tapetest exits with status 2.
func usageError(err error) error { return &exitError{code: exitUsage, err: err} }

var commands []*cli.Command

// register adds a top-level command; each command lives in its own file.
func register(c *cli.Command) { commands = append(commands, c) }

func newApp() *cli.Command {
	sort.Slice(commands, func(i, j int) bool { return commands[i].Name < commands[j].Name })
	attachSubcommands(commands)
	return &cli.Command{
		Name:                      "tapetest",
		Usage:                     "backtest market-abuse detectors on replayed and synthetic markets",
		Version:                   version,
		Commands:                  commands,
		ExitErrHandler:            func(context.Context, *cli.Command, error) {},
		DisableSliceFlagSeparator: true, // --detector values contain commas
	}
}

// version is the tool version written into manifests; set with -ldflags at release.
var version = "0.1.0-dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := newApp().Run(ctx, os.Args)
	stop()
	os.Exit(exitCode(ctx, err))
}

func exitCode(ctx context.Context, err error) int {
	if err == nil {
		return exitOK
	}
	fmt.Fprintln(os.Stderr, "tapetest:", err)
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	if ctx.Err() != nil {
		return exitInterrupted
	}
	return exitUsage
}
