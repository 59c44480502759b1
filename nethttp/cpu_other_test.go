//go:build !unix

package nethttp

// processCPU is not available on this platform.
func processCPU() (int64, bool) { return 0, false }
