package fpm

import (
	"path/filepath"
	"strings"

	"github.com/nginx502-lint/nginx502-lint/lint"
	"github.com/nginx502-lint/nginx502-lint/lint/fpmconf"
)

// ParseListen reads a `listen` value as php-fpm 8.2 does
// (fpm_sockets_domain_from_address, fpm_socket_af_inet_listening_socket):
// a value with a ':' is TCP, host:port, the port being the part after the
// last ':' (read with atoi, so a bad port shows as it is and a rule says
// so); all digits is a port on every interface (php-fpm binds [::] with
// IPv4 mapped); anything else is a unix socket path, made absolute against
// base (the pool's prefix, or php-fpm's) and cleaned. Value is left nil.
func ParseListen(value, base string) lint.Listen {
	if strings.Contains(value, ":") {
		i := strings.LastIndexByte(value, ':')
		host := value[:i]
		if len(host) >= 2 && host[0] == '[' && host[len(host)-1] == ']' {
			host = host[1 : len(host)-1]
		}
		switch host {
		case "0.0.0.0", "::", "*", "":
			host = ""
		}
		return lint.Listen{Kind: lint.ListenTCP, Host: host, Port: int(fpmconf.Atoi(value[i+1:]))}
	}
	if value != "" && strings.Trim(value, "0123456789") == "" {
		return lint.Listen{Kind: lint.ListenTCP, Port: int(fpmconf.Atoi(value))}
	}
	if value == "" {
		return lint.Listen{}
	}
	return lint.Listen{Kind: lint.ListenUnix, Path: resolvePath(value, base)}
}

// resolvePath makes a relative path absolute as fpm_evaluate_full_path:
// base + "/" + path, cleaned.
func resolvePath(path, base string) string {
	if strings.HasPrefix(path, "/") {
		return filepath.Clean(path)
	}
	return filepath.Clean(base + "/" + path)
}

// PoolPrefix returns the directory a pool's relative paths (listen, slowlog,
// access.log, chdir, php_value[error_log]…) are resolved against: its
// `prefix` (itself made absolute against php-fpm's prefix) when set, else
// php-fpm's prefix.
func PoolPrefix(p *lint.Pool, fpmPrefix string) string {
	if v, ok := p.Values["prefix"]; ok {
		if v.Value == "" {
			// php-fpm keeps an empty prefix and joins "" + "/" + path.
			return ""
		}
		return resolvePath(v.Value, fpmPrefix)
	}
	return fpmPrefix
}

// PoolPath resolves a path a pool's directive names (slowlog, access.log,
// chdir…) as php-fpm does after reading its configuration.
func PoolPath(p *lint.Pool, fpmPrefix, path string) string {
	if path == "" || strings.HasPrefix(path, "/") {
		return path
	}
	return resolvePath(path, PoolPrefix(p, fpmPrefix))
}
