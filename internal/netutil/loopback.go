// Package netutil holds the network helpers the SDK's packages share.
package netutil

import (
	"net"
	"strings"
)

// IsLoopbackHost reports whether host (no port; an IPv6 literal may keep its
// brackets) names this machine: "localhost" in any case, or a loopback IP
// address. It is the only kind of host plain http may carry a credential to.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	if strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]") {
		host = host[1 : len(host)-1]
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
