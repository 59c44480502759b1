// Command benchserver serves the hello-world response of the benchmarks
// with one of several implementations, so that they can be compared side
// by side under the same load generator.
//
//	benchserver -impl turbohttp|adapter|nethttp|fasthttp -addr 127.0.0.1:8080 [-tls]
//
// turbohttp is our native handler, adapter is net/http's ServeMux running on
// our server through package nethttp, nethttp is net/http's own server with
// the same ServeMux, fasthttp is fasthttp v1.70.0's server. All but fasthttp
// speak HTTP/1.1 and h2c with prior knowledge on a plain listener; with
// -tls, HTTP/2 and HTTP/1.1 by ALPN over TLS with a self-signed
// certificate.
package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"log"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/valyala/fasthttp"

	"turbohttp"
	"turbohttp/nethttp"
)

const hello = "Hello, World!"

func main() {
	impl := flag.String("impl", "turbohttp", "turbohttp, adapter, nethttp or fasthttp")
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile to `file` until SIGINT or SIGTERM")
	useTLS := flag.Bool("tls", false, "serve TLS (HTTP/2 and HTTP/1.1 by ALPN) with a self-signed certificate")
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
	var tlsCfg *tls.Config
	if *useTLS {
		tlsCfg = &tls.Config{Certificates: []tls.Certificate{selfSigned()}}
	}
	var protos turbohttp.Protocols
	protos.SetHTTP1(true)
	protos.SetHTTP2(true)
	protos.SetUnencryptedHTTP2(true)
	switch *impl {
	case "turbohttp", "adapter":
		var h turbohttp.Handler = turbohttp.HandlerFunc(func(w turbohttp.ResponseWriter, r *turbohttp.Request) {
			w.Header().Set("Content-Type", "text/plain")
			w.WriteString(hello)
		})
		if *impl == "adapter" {
			h = nethttp.Handler(netHTTPMux())
		}
		srv := &turbohttp.Server{Handler: h, Protocols: &protos, TLSConfig: tlsCfg}
		if *useTLS {
			err = srv.ServeTLS(ln, "", "")
		} else {
			err = srv.Serve(ln)
		}
	case "nethttp":
		var p http.Protocols
		p.SetHTTP1(true)
		p.SetHTTP2(true)
		p.SetUnencryptedHTTP2(true)
		srv := &http.Server{Handler: netHTTPMux(), Protocols: &p, TLSConfig: tlsCfg}
		if *useTLS {
			err = srv.ServeTLS(ln, "", "")
		} else {
			err = srv.Serve(ln)
		}
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

// selfSigned makes a certificate for 127.0.0.1 and localhost.
func selfSigned() tls.Certificate {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		log.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		log.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func netHTTPMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte(hello))
	})
	return mux
}
