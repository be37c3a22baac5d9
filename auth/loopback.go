package auth

import (
	"net"
	"strings"
)

// IsLoopbackHost reports whether host (no port) names this machine, the only
// place plain http may carry a credential.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}
