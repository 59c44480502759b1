//go:build !linux

package turbohttp

import "net"

// idleProbe does not probe on this platform: a connection the server
// closed while idle is found on use, and persistConn.retryable decides
// whether the request is sent again on a fresh connection.
type idleProbe struct{}

func (ip *idleProbe) init(c net.Conn) {}

func (ip *idleProbe) quiet() bool { return true }
