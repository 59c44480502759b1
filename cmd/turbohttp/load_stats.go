package main

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// loadSummary is what a load run did; load prints it as text, or with
// -json as this object.
type loadSummary struct {
	// URL, Method and Connections repeat the settings.
	URL         string `json:"url"`
	Method      string `json:"method"`
	Connections int    `json:"connections"`
	// Streams is -streams, the workers per connection.
	Streams int `json:"streams"`
	// Seconds is the wall time of the run, from the first request to the
	// end of the last.
	Seconds float64 `json:"seconds"`
	// Requests counts the requests that finished: Responses + Errors.
	Requests uint64 `json:"requests"`
	// Responses counts the requests answered with a status (any status)
	// and read to the end.
	Responses uint64 `json:"responses"`
	// Errors counts the requests that failed without a complete response.
	Errors uint64 `json:"errors"`
	// Aborted counts the exchanges in flight cut off by the end of -d or
	// by SIGINT; they count nowhere else.
	Aborted uint64 `json:"aborted"`
	// RequestsPerSecond is Requests / Seconds.
	RequestsPerSecond float64 `json:"requests_per_second"`
	// BodyBytes counts the response body bytes received (as sent: load
	// does not ask for compression).
	BodyBytes uint64 `json:"body_bytes"`
	// Protocols counts the responses by protocol ("HTTP/2.0": 950,
	// "HTTP/1.1": 50).
	Protocols map[string]uint64 `json:"protocols"`
	// Status counts the responses by status code ("200": 195); codes
	// outside 0..599 count under "0".
	Status map[string]uint64 `json:"status"`
	// ErrorKinds counts the errors by kind, most frequent first.
	ErrorKinds []errorKindSummary `json:"error_kinds"`
	// LatencyMicros describes the latencies of the Responses, from the
	// start of the request to the end of its body, in microseconds.
	LatencyMicros latencySummary `json:"latency_us"`
	// Dials counts the connections the Transport dialed.
	Dials uint64 `json:"dials"`
	// Interrupted reports that SIGINT (or SIGTERM) ended the run.
	Interrupted bool `json:"interrupted"`
}

// errorKindSummary is one kind of error: its name (one of other, resolve,
// connect, timeout, tls, certificate, redirects, closed, malformed), how
// many there were, and the message of the first.
type errorKindSummary struct {
	Kind    string `json:"kind"`
	Count   uint64 `json:"count"`
	Message string `json:"message"`
}

// latencySummary holds the percentiles, min, mean and max of an HDR
// histogram (3 significant figures), in microseconds; all zero without
// responses.
type latencySummary struct {
	Min  int64   `json:"min"`
	Mean float64 `json:"mean"`
	P50  int64   `json:"p50"`
	P90  int64   `json:"p90"`
	P99  int64   `json:"p99"`
	P999 int64   `json:"p99_9"`
	Max  int64   `json:"max"`
}

// summarize merges the workers' records; it runs once they have all
// returned.
func (r *loadRun) summarize(elapsed time.Duration) *loadSummary {
	o := r.opts
	s := &loadSummary{URL: o.url, Method: o.method, Connections: o.conns, Streams: o.streams,
		Seconds: elapsed.Seconds(), Status: map[string]uint64{}, ErrorKinds: []errorKindSummary{},
		Protocols:   map[string]uint64{},
		Interrupted: r.interrupted.Load()}
	hist := hdrhistogram.New(histMinMicros, histMaxMicros, histSigFigs)
	var errs [numKinds]errorCount
	for _, w := range r.workers {
		hist.Merge(w.hist)
		s.BodyBytes += w.bodyBytes
		var answered uint64
		s.Aborted += w.aborted
		for code, n := range w.status {
			if n > 0 {
				s.Status[strconv.Itoa(code)] += n
				s.Responses += n
				answered += n
			}
		}
		addCount(s.Protocols, "HTTP/2.0", w.h2)
		addCount(s.Protocols, "HTTP/1.1", answered-w.h2)
		for k := range errs {
			if errs[k].n == 0 {
				errs[k].msg = w.errs[k].msg
			}
			errs[k].n += w.errs[k].n
		}
	}
	for k, e := range errs {
		if e.n > 0 {
			s.Errors += e.n
			s.ErrorKinds = append(s.ErrorKinds, errorKindSummary{errKind(k).String(), e.n, e.msg})
		}
	}
	slices.SortStableFunc(s.ErrorKinds, func(a, b errorKindSummary) int { return cmp.Compare(b.Count, a.Count) })
	s.Requests = s.Responses + s.Errors
	if s.Seconds > 0 {
		s.RequestsPerSecond = float64(s.Requests) / s.Seconds
	}
	s.LatencyMicros = latencyOf(hist)
	for _, tr := range r.trs {
		for _, st := range tr.Stats() {
			s.Dials += st.Dials
		}
	}
	return s
}

// addCount adds n to m[key], leaving zero counts out.
func addCount(m map[string]uint64, key string, n uint64) {
	if n > 0 {
		m[key] += n
	}
}

// latencyOf reads the summary of a histogram.
func latencyOf(h *hdrhistogram.Histogram) latencySummary {
	if h.TotalCount() == 0 {
		return latencySummary{}
	}
	return latencySummary{
		Min:  h.Min(),
		Mean: h.Mean(),
		P50:  h.ValueAtQuantile(50),
		P90:  h.ValueAtQuantile(90),
		P99:  h.ValueAtQuantile(99),
		P999: h.ValueAtQuantile(99.9),
		Max:  h.Max(),
	}
}

// writeText prints the summary for people.
func (s *loadSummary) writeText(out io.Writer) error {
	fmt.Fprintf(out, "Summary: %s %s, %d connections", s.Method, s.URL, s.Connections)
	if s.Streams > 1 {
		fmt.Fprintf(out, " × %d streams", s.Streams)
	}
	if s.Interrupted {
		fmt.Fprint(out, " (interrupted)")
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "\n  Total:\t%.3f s\n", s.Seconds)
	fmt.Fprintf(tw, "  Requests:\t%d (%d responses, %d errors", s.Requests, s.Responses, s.Errors)
	if s.Aborted > 0 {
		fmt.Fprintf(tw, "; %d cut off at the end", s.Aborted)
	}
	fmt.Fprintf(tw, ")\n  Requests/sec:\t%.1f\n", s.RequestsPerSecond)
	fmt.Fprintf(tw, "  Body bytes:\t%d\n  Connections dialed:\t%d\n", s.BodyBytes, s.Dials)
	for _, p := range []string{"HTTP/2.0", "HTTP/1.1"} {
		if n := s.Protocols[p]; n > 0 {
			fmt.Fprintf(tw, "  %s responses:\t%d\n", p, n)
		}
	}
	s.writeLatency(tw)
	s.writeCounts(tw)
	return tw.Flush()
}

// writeLatency prints the latency percentiles.
func (s *loadSummary) writeLatency(w io.Writer) {
	fmt.Fprintln(w, "\nLatency (start of request to end of body):")
	if s.Responses == 0 {
		fmt.Fprintln(w, "  no responses")
		return
	}
	l := s.LatencyMicros
	for _, row := range []struct {
		name string
		us   float64
	}{{"min", float64(l.Min)}, {"mean", l.Mean}, {"p50", float64(l.P50)}, {"p90", float64(l.P90)},
		{"p99", float64(l.P99)}, {"p99.9", float64(l.P999)}, {"max", float64(l.Max)}} {
		fmt.Fprintf(w, "  %s\t%s\n", row.name, formatMicros(row.us))
	}
}

// writeCounts prints the status and error counts.
func (s *loadSummary) writeCounts(w io.Writer) {
	fmt.Fprintln(w, "\nStatus codes:")
	codes := make([]int, 0, len(s.Status))
	for c := range s.Status {
		n, _ := strconv.Atoi(c)
		codes = append(codes, n)
	}
	slices.Sort(codes)
	if len(codes) == 0 {
		fmt.Fprintln(w, "  none")
	}
	for _, c := range codes {
		fmt.Fprintf(w, "  [%d]\t%d responses\n", c, s.Status[strconv.Itoa(c)])
	}
	if len(s.ErrorKinds) == 0 {
		return
	}
	fmt.Fprintln(w, "\nErrors:")
	for _, e := range s.ErrorKinds {
		fmt.Fprintf(w, "  %s\t%d\t%s\n", e.Kind, e.Count, e.Message)
	}
}

// formatMicros renders microseconds in a readable unit.
func formatMicros(us float64) string {
	switch {
	case us >= 1e6:
		return strconv.FormatFloat(us/1e6, 'f', 3, 64) + " s"
	case us >= 1e3:
		return strconv.FormatFloat(us/1e3, 'f', 3, 64) + " ms"
	}
	return strconv.FormatFloat(us, 'f', 0, 64) + " µs"
}
