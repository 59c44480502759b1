//go:build linux

package turbohttp

import (
	"crypto/tls"
	"net"
	"syscall"
)

// idleProbe checks, before an idle connection is reused, that the server
// has not closed it and sent nothing while it was idle: one non-blocking
// recvfrom with MSG_PEEK on the socket (of the TCP connection under TLS).
// It costs one system call per reuse (about a microsecond), no goroutine
// and no allocation: the peek function is made once per connection.
// Connections that are not sockets (custom dialers) are not probed; the
// retry rules of persistConn.retryable cover them.
type idleProbe struct {
	raw  syscall.RawConn
	peek func(fd uintptr) bool
	n    int
	err  error
	buf  [1]byte
}

func (ip *idleProbe) init(c net.Conn) {
	if tc, ok := c.(*tls.Conn); ok {
		c = tc.NetConn()
	}
	sc, ok := c.(syscall.Conn)
	if !ok {
		return
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return
	}
	ip.raw = raw
	ip.peek = func(fd uintptr) bool {
		ip.n, _, ip.err = syscall.Recvfrom(int(fd), ip.buf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		return true
	}
}

// quiet reports that the connection is open and nothing is waiting on it.
func (ip *idleProbe) quiet() bool {
	if ip.raw == nil {
		return true
	}
	if err := ip.raw.Read(ip.peek); err != nil {
		return false
	}
	// EAGAIN: open and nothing to read. n == 0 without error: EOF. n > 0:
	// unsolicited bytes. Any other error: reset.
	return ip.err == syscall.EAGAIN
}
