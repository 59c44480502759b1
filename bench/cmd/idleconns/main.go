// Command idleconns opens N keep-alive connections to a server, sends one
// request on each, reads the response, then holds them idle until it is
// killed or -hold passes. It prints "ready" once all are idle. It is the
// separate client process of the idle-memory benchmark. With -h2 each
// connection speaks h2c with prior knowledge instead: the preface and the
// SETTINGS exchange, both acknowledged, then nothing.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "server address")
	n := flag.Int("n", 10000, "connections")
	hold := flag.Duration("hold", time.Minute, "how long to hold them")
	h2c := flag.Bool("h2", false, "speak h2c with prior knowledge: hold each connection after the SETTINGS exchange")
	flag.Parse()
	conns := make([]net.Conn, 0, *n)
	req := []byte("GET / HTTP/1.1\r\nHost: bench\r\n\r\n")
	for i := 0; i < *n; i++ {
		c, err := net.Dial("tcp", *addr)
		if err != nil {
			log.Fatalf("dial %d: %v", i, err)
		}
		if *h2c {
			if err := settingsExchange(c); err != nil {
				log.Fatalf("conn %d: %v", i, err)
			}
			conns = append(conns, c)
			continue
		}
		if _, err := c.Write(req); err != nil {
			log.Fatal(err)
		}
		resp, err := http.ReadResponse(bufio.NewReaderSize(c, 512), nil)
		if err != nil {
			log.Fatalf("conn %d: %v", i, err)
		}
		resp.Body.Close()
		conns = append(conns, c)
	}
	fmt.Println("ready")
	os.Stdout.Sync()
	time.Sleep(*hold)
	for _, c := range conns {
		c.Close()
	}
}

// settingsExchange sends the HTTP/2 client preface with empty SETTINGS and
// reads frames until both sides' SETTINGS are acknowledged (the server's
// by us, at once).
func settingsExchange(c net.Conn) error {
	const preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
	settings := []byte{0, 0, 0, 4, 0, 0, 0, 0, 0}
	if _, err := c.Write(append([]byte(preface), settings...)); err != nil {
		return err
	}
	br := bufio.NewReaderSize(c, 512)
	var hdr [9]byte
	gotSettings, gotAck := false, false
	for !gotSettings || !gotAck {
		if _, err := io.ReadFull(br, hdr[:]); err != nil {
			return err
		}
		length := int(hdr[0])<<16 | int(hdr[1])<<8 | int(hdr[2])
		if _, err := br.Discard(length); err != nil {
			return err
		}
		if hdr[3] != 4 { // not SETTINGS
			continue
		}
		if hdr[4]&1 != 0 {
			gotAck = true
			continue
		}
		gotSettings = true
		if _, err := c.Write([]byte{0, 0, 0, 4, 1, 0, 0, 0, 0}); err != nil {
			return err
		}
	}
	return nil
}
