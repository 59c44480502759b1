// Command benchserver serves the hello-world response of the benchmarks
// with one of several HTTP/1.1 implementations, so that they can be
// compared side by side under the same load generator.
//
//	benchserver -impl turbohttp|adapter|nethttp|fasthttp -addr 127.0.0.1:8080
//
// turbohttp is our native handler, adapter is net/http's ServeMux running on
// our server through package nethttp, nethttp is net/http's own server with
// the same ServeMux, fasthttp is fasthttp v1.70.0's server.
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"

	"github.com/valyala/fasthttp"

	"turbohttp"
	"turbohttp/nethttp"
)

const hello = "Hello, World!"

func main() {
	impl := flag.String("impl", "turbohttp", "turbohttp, adapter, nethttp or fasthttp")
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile to `file` until SIGINT or SIGTERM")
	flag.Parse()
	if *cpuprofile != "" {
		stop := profile(*cpuprofile)
		defer stop()
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Fprintf(os.Stderr, "%s listening on %s\n", *impl, ln.Addr())
	switch *impl {
	case "turbohttp":
		srv := &turbohttp.Server{Handler: turbohttp.HandlerFunc(func(w turbohttp.ResponseWriter, r *turbohttp.Request) {
			w.Header().Set("Content-Type", "text/plain")
			w.WriteString(hello)
		})}
		err = srv.Serve(ln)
	case "adapter":
		srv := &turbohttp.Server{Handler: nethttp.Handler(netHTTPMux())}
		err = srv.Serve(ln)
	case "nethttp":
		err = (&http.Server{Handler: netHTTPMux()}).Serve(ln)
	case "fasthttp":
		err = fasthttp.Serve(ln, func(ctx *fasthttp.RequestCtx) {
			ctx.SetContentType("text/plain")
			ctx.WriteString(hello)
		})
	default:
		log.Fatalf("unknown -impl %q", *impl)
	}
	log.Fatal(err)
}

// profile starts a CPU profile into file and exits the program, writing the
// profile, on SIGINT or SIGTERM.
func profile(file string) (stop func()) {
	f, err := os.Create(file)
	if err != nil {
		log.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		log.Fatal(err)
	}
	stop = func() {
		pprof.StopCPUProfile()
		f.Close()
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sig
		stop()
		os.Exit(0)
	}()
	return stop
}

func netHTTPMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte(hello))
	})
	return mux
}
