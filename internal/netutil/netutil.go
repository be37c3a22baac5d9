// Package netutil holds small network helpers shared by the SDK's packages.
package netutil

import (
	"net"
	"strings"
)

// IsLoopbackHost reports whether host (no port) names this machine, the only
// place plain http is allowed to reach: "localhost", or a loopback IP.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}
