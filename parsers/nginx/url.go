package nginx

import (
	"net/netip"
	"strings"
)

// url is an address as ngx_parse_url reads it.
type url struct {
	unix bool
	path string // unix socket path
	// host as nginx keeps it (an IPv6 address in brackets): what upstream
	// names are matched against and what its messages quote.
	host   string
	port   int
	noPort bool // no port written; port is then the default
}

// addr returns the host without IPv6 brackets.
func (u url) addr() string {
	return strings.TrimSuffix(strings.TrimPrefix(u.host, "["), "]")
}

// sunPathMax is sizeof(sockaddr_un.sun_path) on Linux.
const sunPathMax = 108

// parseURL reads an address the way ngx_parse_url does for an upstream
// (not for listen): unix:PATH, [IPv6]:port or host:port. uriPart allows a
// /uri after the address (proxy_pass). problem is nginx's error, without
// the ` in upstream "…"` it adds.
func parseURL(s string, defaultPort int, uriPart bool) (u url, problem string) {
	switch {
	case hasPrefixFold(s, "unix:"):
		path := s[5:]
		if uriPart {
			if i := strings.IndexByte(path, ':'); i >= 0 {
				path = path[:i]
			}
		}
		if path == "" {
			return u, "no path in the unix domain socket"
		}
		if len(path)+1 > sunPathMax {
			return u, "too long path in the unix domain socket"
		}
		return url{unix: true, path: path, host: path}, ""
	case strings.HasPrefix(s, "["):
		return parseInet6(s, defaultPort, uriPart)
	}
	return parseInet(s, defaultPort, uriPart)
}

// parseInet follows ngx_parse_inet_url.
func parseInet(s string, defaultPort int, uriPart bool) (u url, problem string) {
	last := len(s)
	port := strings.IndexByte(s, ':')
	uri := strings.IndexAny(s, "/?")
	if uri >= 0 {
		if !uriPart {
			return u, "invalid host"
		}
		last = uri
		if uri < port {
			port = -1
		}
	}
	if port >= 0 {
		n, ok := atoi(s[port+1 : last])
		if !ok || n < 1 || n > 65535 {
			return u, "invalid port"
		}
		u.port = n
		last = port
	} else {
		u.noPort, u.port = true, defaultPort
	}
	if last == 0 {
		return u, "no host"
	}
	u.host = s[:last]
	return u, ""
}

// parseInet6 follows ngx_parse_inet6_url.
func parseInet6(s string, defaultPort int, uriPart bool) (u url, problem string) {
	end := strings.IndexByte(s, ']')
	if end < 0 {
		return u, "invalid host"
	}
	rest := s[end+1:]
	if uri := strings.IndexByte(rest, '/'); uri >= 0 {
		if !uriPart {
			return u, "invalid host"
		}
		rest = rest[:uri]
	}
	if rest != "" {
		if rest[0] != ':' {
			return u, "invalid host"
		}
		n, ok := atoi(rest[1:])
		if !ok || n < 1 || n > 65535 {
			return u, "invalid port"
		}
		u.port = n
	} else {
		u.noPort, u.port = true, defaultPort
	}
	if end == 1 {
		return u, "no host"
	}
	if ip, err := netip.ParseAddr(s[1:end]); err != nil || !ip.Is6() || ip.Zone() != "" {
		return u, "invalid IPv6 address"
	}
	u.host = s[:end+1]
	return u, ""
}

// atoi reads a decimal number as ngx_atoi: digits only, no sign.
func atoi(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
		if n > 1<<30 {
			return 0, false
		}
	}
	return n, true
}
