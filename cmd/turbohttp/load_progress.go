package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// progressCounts is a snapshot of a run's counters.
type progressCounts struct {
	done, failed uint64
}

// progress sums the workers' counters; each is written by its worker alone,
// so reading them takes no lock.
func (r *loadRun) progress() progressCounts {
	var c progressCounts
	for _, w := range r.workers {
		c.done += w.done.Load()
		c.failed += w.failed.Load()
	}
	return c
}

// progressLine redraws one line on a terminal with "\r": elapsed time,
// requests done, the current rate (since the previous draw) and errors.
// With a nil writer it draws nothing.
type progressLine struct {
	w        io.Writer
	start    time.Time
	lastAt   time.Time
	last     uint64
	drawnLen int
}

// draw redraws the line for the counts c at time now.
func (p *progressLine) draw(now time.Time, c progressCounts) {
	if p.w == nil {
		return
	}
	prev := p.lastAt
	if prev.IsZero() {
		prev = p.start
	}
	rate := 0.0
	if dt := now.Sub(prev).Seconds(); dt > 0 {
		rate = float64(c.done-p.last) / dt
	}
	p.lastAt, p.last = now, c.done
	line := fmt.Sprintf("%6.1fs  %d requests  %.0f req/s  %d errors",
		now.Sub(p.start).Seconds(), c.done, rate, c.failed)
	pad := max(0, p.drawnLen-len(line))
	fmt.Fprint(p.w, "\r"+line+strings.Repeat(" ", pad))
	p.drawnLen = len(line)
}

// clear erases the line, so that the summary starts on a clean one.
func (p *progressLine) clear() {
	if p.w == nil || p.drawnLen == 0 {
		return
	}
	fmt.Fprint(p.w, "\r"+strings.Repeat(" ", p.drawnLen)+"\r")
	p.drawnLen = 0
}
