package main

import (
	"errors"
	"fmt"
)

// Exit codes, documented in the README.
const (
	exitOK          = 0   // success
	exitCheckFailed = 1   // a check, verification or gate failed
	exitUsage       = 2   // usage, configuration or input error
	exitDetector    = 3   // the run finished but one or more detector instances failed
	exitInternal    = 4   // internal or I/O error (writing results, a bug)
	exitInterrupted = 130 // interrupted by SIGINT or SIGTERM
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

// usageError wraps err so that tapetest exits with status 2: the user's
// command line, configuration or input data is at fault.
func usageError(err error) error { return &exitError{code: exitUsage, err: err} }

// detectorFailed wraps err so that tapetest exits with status 3.
func detectorFailed(err error) error { return &exitError{code: exitDetector, err: err} }

// usageErrorf is usageError(fmt.Errorf(format, args...)).
func usageErrorf(format string, args ...any) error { return usageError(fmt.Errorf(format, args...)) }

// exitCode is the status for err: an interruption wins over whatever error it
// caused, a tagged error gives its own code, and anything untagged is an
// internal or I/O error.
func exitCode(err error, interrupted bool) int {
	if interrupted {
		return exitInterrupted
	}
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return exitInternal
}
