// Command tapetest replays markets, injects labelled attacks, runs candidate
// market-abuse detectors in parallel and scores them. It is a thin layer over
// the library: flags, exit codes, progress and wiring (see the README for the
// commands and docs/architecture.md for what each package owns).
package main

import (
	"os"
)

// version is the tool version written into manifests; set with -ldflags at release.
var version = "0.1.0-dev"

func main() {
	gs := newGlobalState(os.Stdin, os.Stdout, os.Stderr, os.Environ())
	os.Exit(gs.execute(os.Args))
}
