// Command idleconns opens N keep-alive connections to a server, sends one
// request on each, reads the response, then holds them idle until it is
// killed or -hold passes. It prints "ready" once all are idle. It is the
// separate client process of the idle-memory benchmark.
package main

import (
	"bufio"
	"flag"
	"fmt"
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
	flag.Parse()
	conns := make([]net.Conn, 0, *n)
	req := []byte("GET / HTTP/1.1\r\nHost: bench\r\n\r\n")
	for i := 0; i < *n; i++ {
		c, err := net.Dial("tcp", *addr)
		if err != nil {
			log.Fatalf("dial %d: %v", i, err)
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
