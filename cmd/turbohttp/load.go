package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"turbohttp"
)

// loadUsage documents load's flags.
const loadUsage = `usage: turbohttp load [flags] URL

Sends requests from -c connections, each with -streams workers (HTTP/2
streams; one with HTTP/1.1), until -n requests are done or -d has passed
(or SIGINT), then prints a summary: requests/s, body bytes, counts per
protocol, per status and per kind of error, and latency percentiles.
https URLs speak HTTP/2 when the server offers it. Flags may come before
or after the URL.

Flags:
  -c N            connections (default 50)
  -streams N      concurrent requests per connection, as h2load's -m
                  (default 1; HTTP/2 only: HTTP/1.1 takes them in turn)
  --http2-prior-knowledge
                  speak HTTP/2 to http URLs without asking (h2c)
  --http1.1       speak HTTP/1.1 only
  -n N            total requests (default 200; not with -d)
  -d DURATION     run this long instead (10s, 1m; not with -n)
  -m METHOD       method (default GET)
  -b STRING       request body
  -B @FILE        request body from a file (@- stdin)
  -H 'N: v'       add a header field (repeatable)
  -k              skip TLS certificate verification
  --timeout D     bound each request (default 20s; 0 none)
  -json           print the summary as JSON instead: url, method,
                  connections, streams, seconds, requests (responses +
                  errors), protocols (responses per protocol),
                  responses, errors, aborted (cut off by the end of -d or
                  SIGINT), requests_per_second, body_bytes, status (count
                  per code), error_kinds [{kind, count, message}],
                  latency_us {min, mean, p50, p90, p99, p99_9, max}, dials,
                  interrupted

Latencies run from the start of a request to the end of its body, for the
requests answered (any status); they are recorded in microseconds in an HDR
histogram (1 µs to 1 min, 3 significant figures).
`

// Defaults and limits of load.
const (
	defaultLoadConns    = 50
	defaultLoadRequests = 200 // hey's
	defaultLoadTimeout  = 20 * time.Second
	// maxLoadConns bounds -c and the workers (-c × -streams): each
	// worker holds a histogram of about 100 KiB.
	maxLoadConns = 10000
	// progressInterval is how often the progress line is redrawn.
	progressInterval = 250 * time.Millisecond
	loadUserAgent    = "turbohttp-load"
)

// loadOptions are the settings of one load run.
type loadOptions struct {
	url      string
	method   string
	conns    int
	streams  int // workers per connection
	h2prior  bool
	http1    bool
	requests int           // 0 with -d
	duration time.Duration // 0 with -n
	body     []byte        // nil: no body
	headers  headerList
	insecure bool
	timeout  time.Duration
	json     bool
}

// parseLoad parses load's arguments.
func parseLoad(args []string, stderr io.Writer) (*loadOptions, error) {
	o := &loadOptions{}
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, loadUsage) }
	fs.IntVar(&o.conns, "c", defaultLoadConns, "")
	fs.IntVar(&o.streams, "streams", 1, "")
	fs.BoolVar(&o.h2prior, "http2-prior-knowledge", false, "")
	fs.BoolVar(&o.http1, "http1.1", false, "")
	fs.IntVar(&o.requests, "n", defaultLoadRequests, "")
	fs.DurationVar(&o.duration, "d", 0, "")
	fs.StringVar(&o.method, "m", turbohttp.MethodGet, "")
	body := fs.String("b", "", "")
	bodyFile := fs.String("B", "", "")
	fs.Var(&o.headers, "H", "")
	fs.BoolVar(&o.insecure, "k", false, "")
	fs.DurationVar(&o.timeout, "timeout", defaultLoadTimeout, "")
	fs.BoolVar(&o.json, "json", false, "")
	if err := fs.Parse(normalizeArgs(fs, args)); err != nil {
		return nil, err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if err := o.check(fs, set); err != nil {
		return nil, err
	}
	return o, o.loadBody(set, *body, *bodyFile)
}

// check validates the options once parsed; set holds the flags given.
func (o *loadOptions) check(fs *flag.FlagSet, set map[string]bool) error {
	switch {
	case fs.NArg() != 1:
		return errors.New("want exactly one URL")
	case set["n"] && set["d"]:
		return errors.New("-n and -d exclude each other")
	case o.conns < 1 || o.conns > maxLoadConns:
		return fmt.Errorf("-c must be from 1 to %d", maxLoadConns)
	case o.streams < 1 || o.conns*o.streams > maxLoadConns:
		return fmt.Errorf("-streams must be at least 1, and -c × -streams at most %d", maxLoadConns)
	case o.http1 && o.h2prior:
		return errors.New("--http1.1 and --http2-prior-knowledge exclude each other")
	case set["d"] && o.duration <= 0:
		return errors.New("-d must be positive")
	case !set["d"] && o.requests < 1:
		return errors.New("-n must be positive")
	case o.timeout < 0:
		return errors.New("--timeout must not be negative")
	case !turbohttp.ValidFieldName(o.method):
		return fmt.Errorf("-m %q is not a method", o.method)
	case set["b"] && set["B"]:
		return errors.New("-b and -B exclude each other")
	}
	if set["d"] {
		o.requests = 0
	}
	o.url = fs.Arg(0)
	if !strings.Contains(o.url, "://") {
		o.url = "http://" + o.url
	}
	return nil
}

// loadBody sets the body from -b or -B.
func (o *loadOptions) loadBody(set map[string]bool, body, file string) error {
	switch {
	case set["b"]:
		o.body = []byte(body)
	case set["B"]:
		b, err := readArgFile(strings.TrimPrefix(file, "@"))
		if err != nil {
			return err
		}
		o.body = b
	}
	return nil
}

func runLoad(args []string, stdout, stderr io.Writer) int {
	o, err := parseLoad(args, stderr)
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stderr, "turbohttp load:", err)
		}
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var progress io.Writer
	if isTerminal(stderr) {
		progress = stderr
	}
	sum, err := runLoadTest(ctx, o, progress)
	if err != nil {
		fmt.Fprintln(stderr, "turbohttp load:", err)
		return exitUsage
	}
	if o.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(sum)
	} else {
		err = sum.writeText(stdout)
	}
	if err != nil {
		fmt.Fprintln(stderr, "turbohttp load:", err)
		return exitWrite
	}
	return exitOK
}

// isTerminal reports whether w is a terminal, where a progress line can be
// redrawn.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// loadRun is one run of the load generator: the shared Transport, the
// workers, and what tells them to stop.
type loadRun struct {
	opts *loadOptions
	// trs holds one Transport per connection (-c), each with at most one
	// connection, shared by its -streams workers.
	trs     []*turbohttp.Transport
	workers []*worker
	// tickets counts the requests still to start with -n; workers take
	// one each with an atomic decrement (no lock).
	tickets atomic.Int64
	// stopped ends the run: no worker starts another request, and the
	// exchanges in flight are cut off (see loadConns.abort).
	stopped     atomic.Bool
	interrupted atomic.Bool
	conns       loadConns
	// stopCtx ends with the run, cancelling dials in progress.
	stopCtx    context.Context
	cancelStop context.CancelFunc
}

// runLoadTest runs the load until -n is done, -d has passed or ctx ends,
// and summarizes it. progress, when not nil, gets the live progress line.
func runLoadTest(ctx context.Context, o *loadOptions, progress io.Writer) (*loadSummary, error) {
	r := newLoadRun(o)
	defer r.cancelStop()
	defer r.closeIdle()
	r.tickets.Store(int64(o.requests))
	for i := range o.conns * o.streams {
		w, err := newWorker(r, r.trs[i%o.conns])
		if err != nil {
			return nil, err
		}
		r.workers = append(r.workers, w)
	}
	start := time.Now()
	done := r.start()
	r.watch(ctx, done, progress, start)
	return r.summarize(time.Since(start)), nil
}

// newLoadRun prepares a run of o, without its workers.
func newLoadRun(o *loadOptions) *loadRun {
	r := &loadRun{opts: o}
	r.stopCtx, r.cancelStop = context.WithCancel(context.Background())
	for range o.conns {
		r.trs = append(r.trs, newLoadTransport(r))
	}
	return r
}

// closeIdle closes the connections of the run's Transports.
func (r *loadRun) closeIdle() {
	for _, tr := range r.trs {
		tr.CloseIdleConnections()
	}
}

// newLoadTransport returns the Transport of one connection of a run: at
// most one connection, kept idle between requests, through the run's
// dialer, with no compression (so that body bytes are counted as sent);
// its workers share it (as HTTP/2 streams, or in turn over HTTP/1.1).
func newLoadTransport(r *loadRun) *turbohttp.Transport {
	o := r.opts
	return &turbohttp.Transport{
		DialContext:         r.dial,
		TLSClientConfig:     tlsConfigInsecure(o.insecure),
		MaxConnsPerHost:     1,
		MaxIdleConnsPerHost: 1,
		MaxIdleConns:        1,
		DisableCompression:  true,
		DisableHTTP2:        o.http1,
		HTTP2PriorKnowledge: o.h2prior,
	}
}

// start starts the workers and returns a channel closed when all have
// returned.
func (r *loadRun) start() <-chan struct{} {
	var wg sync.WaitGroup
	for _, w := range r.workers {
		wg.Go(w.run)
	}
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	return done
}

// watch waits for the workers to finish, stopping them at the end of -d
// or of ctx, and draws the progress line meanwhile.
func (r *loadRun) watch(ctx context.Context, done <-chan struct{}, progress io.Writer, start time.Time) {
	var expire <-chan time.Time
	if d := r.opts.duration; d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		expire = t.C
	}
	var tick <-chan time.Time
	p := progressLine{w: progress, start: start}
	if progress != nil {
		t := time.NewTicker(progressInterval)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case <-done:
			p.clear()
			return
		case <-expire:
			r.stop()
		case <-ctx.Done():
			r.interrupted.Store(true)
			r.stop()
			ctx = context.Background()
		case now := <-tick:
			p.draw(now, r.progress())
		}
	}
}

// stop ends the run: workers start no more requests, and the exchanges in
// flight are cut off.
func (r *loadRun) stop() {
	r.stopped.Store(true)
	r.cancelStop()
	r.conns.abort()
}

// take reports whether the worker may start another request.
func (r *loadRun) take() bool {
	if r.stopped.Load() {
		return false
	}
	return r.opts.requests == 0 || r.tickets.Add(-1) >= 0
}
