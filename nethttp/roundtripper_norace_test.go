//go:build !race

package nethttp

// raceEnabled reports a build with the race detector, under which
// sync.Pool drops items at random and allocation counts mean little.
const raceEnabled = false
