package turbohttp

import "runtime"

func countGoroutines() int { return runtime.NumGoroutine() }

func runtimeStack(buf []byte) int { return runtime.Stack(buf, true) }
