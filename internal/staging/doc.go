// Package staging names the temporary files and directories that writers fill
// before renaming them into place, and clears away the ones a killed process
// left behind.
//
// A staged name is ".BASE.tmp-PID-RANDOM" beside its destination: hidden, tied
// to the destination's name and to the process that made it. Each new staging
// for a destination first removes that destination's earlier stagings whose
// process no longer runs, so that SIGKILLed imports and runs do not pile up
// hidden files. A staging of a live process (another tapetest writing the same
// destination) is never touched; on systems where liveness cannot be asked,
// nothing is removed.
package staging
