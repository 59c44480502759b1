//go:build !unix

package hpack

// processCPU is unknown on this system.
func processCPU() int64 { return -1 }
