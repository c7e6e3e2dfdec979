//go:build !unix

package detectors

import "os/exec"

// ownGroup does nothing here: the detector shares tapetest's group.
func ownGroup(*exec.Cmd) {}

// killGroup kills the detector's process.
func killGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		cmd.Process.Kill()
	}
}
