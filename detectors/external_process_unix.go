//go:build unix

package detectors

import (
	"os/exec"
	"syscall"
)

// ownGroup starts cmd in a process group of its own: a terminal's Ctrl-C
// reaches tapetest alone (which then ends the detector), and killGroup ends
// the detector with every process it started.
func ownGroup(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} }

// killGroup kills cmd's process group.
func killGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Process.Kill()
	}
}
