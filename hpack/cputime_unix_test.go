//go:build unix

package hpack

import "syscall"

// processCPU returns the CPU time the process has used, user and system,
// in nanoseconds, or -1 if it is unknown.
func processCPU() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return -1
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
