//go:build !linux

package results

import "errors"

// exchangeDirs is not available here: CommitDir moves the old directory aside.
func exchangeDirs(a, b string) error { return errors.New("no atomic exchange on this system") }
