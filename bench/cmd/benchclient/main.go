// Command benchclient is the closed-loop load generator of the client
// benchmark: -c workers each send GET requests to -url one after the
// other, reading every body to its end, through one of several HTTP/1.1
// clients, so that they can be compared side by side against the same
// server. With -proto h2 the clients speak HTTP/2 instead (fasthttp
// cannot): h2c by prior knowledge for an http:// URL, ALPN h2 for https://
// (certificates not verified), and the -c workers share one connection,
// as many streams.
//
//	benchclient -impl native|roundtripper|nethttp|fasthttp -url http://127.0.0.1:8080/ -c 64 -d 10s
//	benchclient -proto h2 -impl native|roundtripper|nethttp -url https://127.0.0.1:8443/ -c 64
//
// native is turbohttp's Transport.Do with a reused Request and Response per
// worker; roundtripper is net/http's Client over turbohttp's Transport
// through nethttp.RoundTripper; nethttp is net/http's Client with its own
// Transport; fasthttp is fasthttp v1.70.0's Client with a reused request and
// response per worker. All keep connections alive with room for one idle
// connection per worker.
//
// After a warm-up (-warmup), it measures for -d the requests completed and
// the process's own CPU time (getrusage, user + system) and prints one
// line:
//
//	impl=native requests=N errors=E seconds=S rps=R cpu_us_per_req=U
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/valyala/fasthttp"

	"turbohttp"
	"turbohttp/nethttp"
)

func main() {
	impl := flag.String("impl", "native", "native, roundtripper, nethttp or fasthttp")
	proto := flag.String("proto", "h1", "h1 (HTTP/1.1, a connection per worker) or h2 (HTTP/2, one connection)")
	url := flag.String("url", "http://127.0.0.1:8080/", "URL to GET")
	conns := flag.Int("c", 64, "concurrent workers (and connections)")
	dur := flag.Duration("d", 10*time.Second, "measured duration")
	warmup := flag.Duration("warmup", 2*time.Second, "warm-up before measuring")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the measured phase to this file")
	flag.Parse()
	var newWorker func() worker
	var err error
	if *proto == "h2" {
		newWorker, err = h2WorkerFactory(*impl, *url)
	} else {
		newWorker, err = workerFactory(*impl, *url, *conns)
	}
	if err != nil {
		log.Fatal(err)
	}
	l := load{profile: *cpuProfile}
	l.run(newWorker, *conns, *warmup, *dur)
	fmt.Printf("impl=%s proto=%s requests=%d errors=%d seconds=%.2f rps=%.0f cpu_us_per_req=%.2f\n",
		*impl, *proto, l.requests, l.errors, l.seconds, float64(l.requests)/l.seconds,
		l.cpu.Seconds()*1e6/float64(max(l.requests, 1)))
	if l.firstErr != nil {
		fmt.Fprintf(os.Stderr, "first error: %v\n", l.firstErr)
	}
}

// worker sends one request and reads its response to the end. Each
// worker is used by one goroutine only.
type worker func() error

// load runs the workers and measures one window of their work.
type load struct {
	done, failed atomic.Int64
	errOnce      sync.Once
	firstErr     error

	profile string // CPU profile file of the measured phase, or ""

	requests, errors int64
	seconds          float64
	cpu              time.Duration
}

func (l *load) run(newWorker func() worker, n int, warmup, d time.Duration) {
	var stop atomic.Bool
	var wg sync.WaitGroup
	for range n {
		w := newWorker()
		wg.Go(func() {
			for !stop.Load() {
				if err := w(); err != nil {
					l.failed.Add(1)
					l.errOnce.Do(func() { l.firstErr = err })
					continue
				}
				l.done.Add(1)
			}
		})
	}
	time.Sleep(warmup)
	stopProfile := startProfile(l.profile)
	r0, e0, c0, t0 := l.done.Load(), l.failed.Load(), cpuTime(), time.Now()
	time.Sleep(d)
	r1, e1, c1, t1 := l.done.Load(), l.failed.Load(), cpuTime(), time.Now()
	stopProfile()
	stop.Store(true)
	wg.Wait()
	l.requests, l.errors = r1-r0, e1-e0
	l.seconds, l.cpu = t1.Sub(t0).Seconds(), c1-c0
}

// startProfile starts a CPU profile into file, unless file is "", and
// returns the function that stops it.
func startProfile(file string) func() {
	if file == "" {
		return func() {}
	}
	f, err := os.Create(file)
	if err != nil {
		log.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		log.Fatal(err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}

// cpuTime returns the CPU time of the process, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		log.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

var errStatus = errors.New("status is not 200")

func workerFactory(impl, url string, conns int) (func() worker, error) {
	switch impl {
	case "native":
		t := &turbohttp.Transport{MaxIdleConnsPerHost: conns}
		return func() worker { return nativeWorker(t, url) }, nil
	case "roundtripper":
		c := &http.Client{Transport: nethttp.RoundTripper(&turbohttp.Transport{MaxIdleConnsPerHost: conns})}
		return func() worker { return netHTTPWorker(c, url) }, nil
	case "nethttp":
		c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conns, MaxIdleConns: 2 * conns}}
		return func() worker { return netHTTPWorker(c, url) }, nil
	case "fasthttp":
		c := &fasthttp.Client{MaxConnsPerHost: conns}
		return func() worker { return fastHTTPWorker(c, url) }, nil
	}
	return nil, fmt.Errorf("unknown -impl %q", impl)
}

// nativeWorker reuses one Request, one Response and one read buffer.
func nativeWorker(t *turbohttp.Transport, url string) worker {
	req, resp := new(turbohttp.Request), new(turbohttp.Response)
	if err := req.SetURL(url); err != nil {
		log.Fatal(err)
	}
	buf := make([]byte, 16<<10)
	return func() error {
		if err := t.Do(req, resp); err != nil {
			return err
		}
		err := readAll(resp.Body, buf)
		resp.Body.Close()
		if err == nil && resp.StatusCode != 200 {
			err = errStatus
		}
		return err
	}
}

// netHTTPWorker reuses one *http.Request (which http.Client.Do does not
// modify) and reads every body into one buffer.
func netHTTPWorker(c *http.Client, url string) worker {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		log.Fatal(err)
	}
	buf := make([]byte, 16<<10)
	return func() error {
		resp, err := c.Do(req)
		if err != nil {
			return err
		}
		err = readAll(resp.Body, buf)
		resp.Body.Close()
		if err == nil && resp.StatusCode != 200 {
			err = errStatus
		}
		return err
	}
}

// fastHTTPWorker reuses one fasthttp request and response; fasthttp reads
// the body into the response.
func fastHTTPWorker(c *fasthttp.Client, url string) worker {
	req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	req.SetRequestURI(url)
	return func() error {
		if err := c.Do(req, resp); err != nil {
			return err
		}
		if resp.StatusCode() != 200 {
			return errStatus
		}
		return nil
	}
}

// readAll reads r to its end into buf, over and over.
func readAll(r io.Reader, buf []byte) error {
	for {
		_, err := r.Read(buf)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}
