package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"turbohttp"
)

// shutdownGrace is how long serve waits for requests in flight after
// SIGINT or SIGTERM before it closes their connections.
const shutdownGrace = 10 * time.Second

func runServe(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "plain `address` (HTTP/1.1, and HTTP/2 with prior knowledge); empty for none")
	tlsAddr := fs.String("tls-addr", "", "HTTPS `address` (HTTP/2 and HTTP/1.1 by ALPN); empty for none")
	certFile := fs.String("cert", "", "TLS certificate `file` (PEM); with -key; default a self-signed one made at start")
	keyFile := fs.String("key", "", "TLS key `file` (PEM)")
	dir := fs.String("dir", "", "serve this `folder` at / (the test routes stay where they are)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: turbohttp serve [flags]")
		fmt.Fprintln(stderr, "\nProtocols: on -addr, HTTP/1.1 and h2c (HTTP/2 with prior knowledge, as")
		fmt.Fprintln(stderr, "curl --http2-prior-knowledge or h2load send it); on -tls-addr, HTTP/2 (h2)")
		fmt.Fprintln(stderr, "and HTTP/1.1, chosen by ALPN.")
		fmt.Fprintln(stderr, "\nRoutes: GET / (Hello, World!), POST|PUT /echo, GET /bytes/{n}, GET /stream/{n},")
		fmt.Fprintln(stderr, "GET /status/{code}, GET /delay/{ms}, GET /headers; with -dir, the folder at /.")
		fmt.Fprintln(stderr, "\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 || (*certFile == "") != (*keyFile == "") || *addr == "" && *tlsAddr == "" {
		fs.Usage()
		return 2
	}
	var root *os.Root
	if *dir != "" {
		var err error
		if root, err = os.OpenRoot(*dir); err != nil {
			fmt.Fprintln(stderr, "turbohttp serve:", err)
			return 1
		}
		defer root.Close()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg := serveConfig{addr: *addr, tlsAddr: *tlsAddr, certFile: *certFile, keyFile: *keyFile, root: root}
	if err := serve(ctx, cfg, stdout, stderr); err != nil {
		fmt.Fprintln(stderr, "turbohttp serve:", err)
		return 1
	}
	return 0
}

type serveConfig struct {
	addr, tlsAddr     string
	certFile, keyFile string
	root              *os.Root // nil: no folder
}

// serve listens on the configured addresses, prints them, and serves until
// ctx ends; then it shuts down gracefully.
func serve(ctx context.Context, cfg serveConfig, stdout, stderr io.Writer) error {
	var fsys = rootFS(cfg.root)
	var protos turbohttp.Protocols
	protos.SetHTTP1(true)
	protos.SetHTTP2(true)
	protos.SetUnencryptedHTTP2(true) // a test server: h2c with prior knowledge too
	srv := &turbohttp.Server{
		Handler:   newRoutes(fsys),
		ErrorLog:  slog.New(slog.NewTextHandler(stderr, nil)),
		Protocols: &protos,
	}
	errc := make(chan error, 2)
	n := 0
	if cfg.addr != "" {
		ln, err := net.Listen("tcp", cfg.addr)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "serving http://%s/\n", ln.Addr())
		n++
		go func() { errc <- srv.Serve(ln) }()
	}
	if cfg.tlsAddr != "" {
		tlsCfg, err := tlsConfig(cfg.certFile, cfg.keyFile)
		if err != nil {
			return err
		}
		ln, err := net.Listen("tcp", cfg.tlsAddr)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "serving https://%s/\n", ln.Addr())
		n++
		srv.TLSConfig = tlsCfg
		go func() { errc <- srv.ServeTLS(ln, "", "") }()
	}
	var err error
	select {
	case <-ctx.Done():
	case err = <-errc:
		n--
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if serr := srv.Shutdown(shutCtx); serr != nil {
		srv.Close()
	}
	for ; n > 0; n-- {
		<-errc
	}
	if errors.Is(err, turbohttp.ErrServerClosed) {
		err = nil
	}
	return err
}

// tlsConfig loads the certificate and key, or makes a self-signed
// certificate for localhost when none is given.
func tlsConfig(certFile, keyFile string) (*tls.Config, error) {
	var cert tls.Certificate
	var err error
	if certFile != "" {
		cert, err = tls.LoadX509KeyPair(certFile, keyFile)
	} else {
		cert, err = selfSignedCert(time.Now())
	}
	if err != nil {
		return nil, err
	}
	// NextProtos left empty: ServeTLS offers h2, then http/1.1
	return &tls.Config{Certificates: []tls.Certificate{cert}}, nil
}
