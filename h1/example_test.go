package h1_test

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"turbohttp/h1"
)

// Example parses a request head from the bytes a connection has buffered,
// then reads its chunked body through a reusable BodyReader.
func Example() {
	conn := bufio.NewReader(strings.NewReader("POST /upload HTTP/1.1\r\nHost: example.com\r\n" +
		"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-Checksum: 42\r\n\r\n"))

	var head h1.RequestHead // reused for every request of the connection
	var body h1.BodyReader
	var n int
	for {
		buf, _ := conn.Peek(conn.Buffered())
		var err error
		n, err = h1.ParseRequest(buf, &head, nil)
		if err == h1.ErrIncomplete {
			if _, err := conn.Peek(conn.Buffered() + 1); err != nil { // read more
				fmt.Println("connection closed:", err)
				return
			}
			continue
		}
		if err != nil {
			fmt.Println("answer", h1.StatusOf(err), "and close:", err)
			return
		}
		break
	}
	fmt.Printf("%s %s host=%s body=%v\n", head.Method, head.Target, head.Host, head.Body)
	// The views in head point into conn's buffer: use them before
	// consuming the head.
	conn.Discard(n)

	body.Reset(conn, head.Framing, nil)
	data, err := io.ReadAll(&body)
	checksum, _ := body.Trailers().Get("X-Checksum")
	fmt.Printf("body %q err=%v done=%v trailer=%s\n", data, err, body.Done(), checksum)
	// Output:
	// POST /upload host=example.com body=chunked
	// body "hello" err=<nil> done=true trailer=42
}
