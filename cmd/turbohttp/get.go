package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"

	"turbohttp"
)

// getUsage documents get's flags and exit statuses.
const getUsage = `usage: turbohttp get [flags] URL

Sends one request, like curl, and writes the response body to stdout.
A URL without a scheme gets http://. Flags may come before or after the URL.

Flags:
  -X, --request METHOD     method (default GET; POST with data; HEAD with -I)
  -H, --header 'N: v'      add a header field (repeatable); 'N:' removes a
                           default field (User-Agent, Accept), 'N;' sends it empty
  -d, --data DATA          body, as curl -d: several are joined with '&';
                           @file reads a file without its CR and LF, @- stdin
  --data-binary DATA       body; @file reads a file as it is
  --data-raw DATA          body; no @file
                           any body sets Content-Type:
                           application/x-www-form-urlencoded unless -H sets one
  -A, --user-agent NAME    User-Agent (default turbohttp-get)
  -u, --user USER:PASS     basic authentication
  -o, --output FILE        write the body to FILE ('-' stdout)
  -i, --include            write the response head(s) before the body
  -I, --head               send HEAD and write the response head
  -v, --verbose            connection notes (*), request head (>) and
                           response head (<) on stderr
  -s, --silent             no error messages;  -S, --show-error  them anyway
  -f, --fail               exit 22 without output on HTTP status >= 400
  -L, --location           follow redirects (at most --max-redirs)
  --max-redirs N           redirects followed with -L (default 50)
  -k, --insecure           skip TLS certificate verification
  -m, --max-time SECONDS   bound the whole exchange (5, 0.5 or 500ms)
  --connect-timeout SEC    bound the TCP connection and TLS handshake
  --compressed             ask for gzip and decode the body
  --http2                  offer HTTP/2 to https servers (the default)
  --http1.1                speak HTTP/1.1 only
  --http2-prior-knowledge  speak HTTP/2 to http URLs without asking (h2c)

Exit status (as curl's): 0 success; 1 other error; 2 usage or bad URL;
6 could not resolve the host; 7 could not connect; 22 HTTP status >= 400
with -f; 23 could not write the output; 26 could not read a @file;
28 timeout; 35 TLS handshake failed; 47 too many redirects; 56 connection
closed or reset while receiving; 60 server certificate not trusted (-k
skips the check).
`

// Defaults of get.
const (
	defaultMaxRedirs = 50 // curl's
	getUserAgent     = "turbohttp-get"
)

// getOptions are the settings of one get.
type getOptions struct {
	url            string
	method         string
	headers        headerList
	data           dataList
	output         string
	userAgent      string
	user           string
	maxRedirs      int
	maxTime        secondsFlag
	connectTimeout secondsFlag
	verbose        bool
	insecure       bool
	follow         bool
	include        bool
	head           bool
	silent         bool
	showError      bool
	fail           bool
	compressed     bool
	http2          bool
	http1          bool
	priorKnowledge bool
}

// getFlags defines get's flags, with curl's short and long names, on a new
// FlagSet.
func getFlags(o *getOptions, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("get", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, getUsage) }
	str := func(p *string, def string, names ...string) {
		for _, n := range names {
			fs.StringVar(p, n, def, "")
		}
	}
	boolean := func(p *bool, names ...string) {
		for _, n := range names {
			fs.BoolVar(p, n, false, "")
		}
	}
	str(&o.method, "", "X", "request")
	str(&o.output, "", "o", "output")
	str(&o.userAgent, getUserAgent, "A", "user-agent")
	str(&o.user, "", "u", "user")
	for _, n := range []string{"H", "header"} {
		fs.Var(&o.headers, n, "")
	}
	for _, n := range []string{"d", "data"} {
		fs.Var(dataFlag{&o.data, dataAscii}, n, "")
	}
	fs.Var(dataFlag{&o.data, dataBinary}, "data-binary", "")
	fs.Var(dataFlag{&o.data, dataRaw}, "data-raw", "")
	fs.IntVar(&o.maxRedirs, "max-redirs", defaultMaxRedirs, "")
	fs.Var(&o.maxTime, "m", "")
	fs.Var(&o.maxTime, "max-time", "")
	fs.Var(&o.connectTimeout, "connect-timeout", "")
	boolean(&o.verbose, "v", "verbose")
	boolean(&o.insecure, "k", "insecure")
	boolean(&o.follow, "L", "location")
	boolean(&o.include, "i", "include")
	boolean(&o.head, "I", "head")
	boolean(&o.silent, "s", "silent")
	boolean(&o.showError, "S", "show-error")
	boolean(&o.fail, "f", "fail")
	boolean(&o.compressed, "compressed")
	boolean(&o.http2, "http2")
	boolean(&o.http1, "http1.1")
	boolean(&o.priorKnowledge, "http2-prior-knowledge")
	return fs
}

// parseGet parses get's arguments.
func parseGet(args []string, stderr io.Writer) (*getOptions, error) {
	o := &getOptions{}
	fs := getFlags(o, stderr)
	if err := fs.Parse(normalizeArgs(fs, args)); err != nil {
		return nil, err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return nil, errors.New("want exactly one URL")
	}
	o.url = fs.Arg(0)
	if !strings.Contains(o.url, "://") {
		o.url = "http://" + o.url
	}
	if o.maxRedirs < 0 {
		return nil, errors.New("--max-redirs must not be negative")
	}
	if o.http1 && (o.http2 || o.priorKnowledge) {
		return nil, errors.New("--http1.1 excludes --http2 and --http2-prior-knowledge")
	}
	return o, nil
}

func runGet(args []string, stdout, stderr io.Writer) int {
	o, err := parseGet(args, stderr)
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stderr, "turbohttp get:", err)
		}
		return exitUsage
	}
	g := &getter{opts: o, stdout: stdout, stderr: stderr}
	code, err := g.run()
	if err != nil && (!o.silent || o.showError) {
		fmt.Fprintf(stderr, "turbohttp get: (%d) %v\n", code, err)
	}
	return code
}

// getter carries out one get.
type getter struct {
	opts           *getOptions
	stdout, stderr io.Writer
	dialer         net.Dialer
	tr             *turbohttp.Transport
	tap            *headTap // nil without -v
}

// run makes the exchange and writes its result, returning the exit status
// and, for a failure, the error to report.
func (g *getter) run() (int, error) {
	o := g.opts
	req, code, err := g.newRequest()
	if err != nil {
		return code, err
	}
	c, heads := g.newClient()
	defer g.tr.CloseIdleConnections()
	resp, err := c.Do(req)
	if err != nil {
		return exitCode(err), err
	}
	defer resp.Body.Close()
	if o.fail && resp.StatusCode >= 400 {
		return exitHTTP, fmt.Errorf("the requested URL returned error: %d", resp.StatusCode)
	}
	out, closeOut, err := g.openOutput()
	if err != nil {
		return exitWrite, err
	}
	code, err = g.copyResponse(out, resp, heads)
	if cerr := closeOut(); cerr != nil && err == nil {
		return exitWrite, cerr
	}
	return code, err
}

// copyResponse writes the heads (with -i or -I) and the body to out.
func (g *getter) copyResponse(out io.Writer, resp *turbohttp.Response, heads *bytes.Buffer) (int, error) {
	if heads != nil {
		if _, err := out.Write(heads.Bytes()); err != nil {
			return exitWrite, err
		}
	}
	if g.opts.head {
		return exitOK, nil
	}
	_, err := io.Copy(writerOnly{out}, resp.Body)
	var we *writeError
	switch {
	case errors.As(err, &we):
		return exitWrite, we.err
	case err != nil:
		return exitCode(err), err
	}
	return exitOK, nil
}

// writerOnly hides io.ReaderFrom, so that io.Copy tells write errors from
// read errors through writeError.
type writerOnly struct{ w io.Writer }

func (w writerOnly) Write(p []byte) (int, error) {
	n, err := w.w.Write(p)
	if err != nil {
		err = &writeError{err}
	}
	return n, err
}

// writeError is a failure to write the output.
type writeError struct{ err error }

func (e *writeError) Error() string { return "write output: " + e.err.Error() }

// openOutput returns the writer of the body (-o or stdout) and the function
// that closes it.
func (g *getter) openOutput() (io.Writer, func() error, error) {
	if g.opts.output == "" || g.opts.output == "-" {
		return g.stdout, func() error { return nil }, nil
	}
	f, err := os.Create(g.opts.output)
	if err != nil {
		return nil, nil, err
	}
	return f, f.Close, nil
}

// newRequest builds the request of the options: method, URL, body and
// header fields.
func (g *getter) newRequest() (*turbohttp.Request, int, error) {
	o := g.opts
	body, err := o.data.load()
	if err != nil {
		return nil, exitRead, err
	}
	method := o.method
	switch {
	case method != "":
	case o.head:
		method = turbohttp.MethodHead
	case body != nil:
		method = turbohttp.MethodPost
	default:
		method = turbohttp.MethodGet
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := turbohttp.NewRequestWithContext(context.Background(), method, o.url, rd)
	if err != nil {
		return nil, exitUsage, err
	}
	g.setHeaders(req, body != nil)
	return req, exitOK, nil
}

// setHeaders sets the default fields, then those of -H, -A and -u.
func (g *getter) setHeaders(req *turbohttp.Request, hasBody bool) {
	o := g.opts
	h := &req.Header
	h.Set("User-Agent", o.userAgent)
	h.Set("Accept", "*/*")
	if o.user != "" {
		h.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(o.user)))
	}
	if hasBody { // as curl, for -d, --data-binary and --data-raw alike
		h.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	applyHeaders(req, o.headers)
}

// newClient returns the Client of the options and, with -i or -I, the
// buffer that collects the response heads.
func (g *getter) newClient() (*turbohttp.Client, *bytes.Buffer) {
	o := g.opts
	g.dialer = net.Dialer{KeepAlive: 30 * time.Second}
	g.tr = &turbohttp.Transport{
		DialContext:         g.dial,
		DialTLSContext:      g.dialTLS,
		TLSClientConfig:     g.tlsConfig(),
		Proxy:               turbohttp.ProxyFromEnvironment,
		DisableCompression:  !o.compressed,
		MaxIdleConnsPerHost: 1,
		DisableHTTP2:        o.http1,
		HTTP2PriorKnowledge: o.priorKnowledge,
	}
	rt := &headTripper{rt: g.tr}
	if o.verbose {
		rt.log = g.stderr
		g.tap = &headTap{w: g.stderr}
		rt.tap = g.tap
	}
	if o.include || o.head {
		rt.heads = &bytes.Buffer{}
	}
	c := &turbohttp.Client{Transport: rt, Timeout: time.Duration(o.maxTime)}
	c.CheckRedirect = func(req *turbohttp.Request, via []*turbohttp.Request) error {
		switch {
		case !o.follow:
			return turbohttp.ErrUseLastResponse
		case len(via) > o.maxRedirs:
			return fmt.Errorf("%w: more than %d", errTooManyRedirects, o.maxRedirs)
		}
		return nil
	}
	return c, rt.heads
}
