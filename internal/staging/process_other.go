//go:build !unix

package staging

// processRuns cannot ask the system here: every staging counts as live, so
// nothing is swept.
func processRuns(int) bool { return true }
