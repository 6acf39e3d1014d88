// Package fpmconf is what php-fpm 8.2 accepts in its configuration
// (sapi/fpm/fpm/fpm_conf.c, checked against Debian's php-fpm 8.2.36): the
// directives of [global] and of a pool, how php-fpm reads each kind of value,
// and the error it prints for a value it refuses.
//
// The PHP-FPM loader (parsers/fpm) keeps every key as written and never
// judges a value; rules use this package to say what php-fpm itself would
// refuse. Both import it, so that the knowledge lives in one place and rules
// need not import a parser.
package fpmconf

import (
	"fmt"
	"strings"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

// KeyKind is how php-fpm reads a directive's value.
type KeyKind int

const (
	KeyString   KeyKind = iota + 1
	KeyInt              // fpm_conf_set_integer: [-]digits
	KeyTime             // fpm_conf_set_time: digits with s, m, h or d
	KeyBool             // fpm_conf_set_boolean
	KeyPM               // static, dynamic or ondemand
	KeyLogLevel         // debug, notice, warning, error or alert
	KeyFacility         // syslog facility name
	KeyRlimit           // rlimit_core: a number or "unlimited"
)

// globalKeys are the [global] directives of php-fpm 8.2 on Linux (built
// with syslog and systemd, as Debian and RHEL build it).
var globalKeys = map[string]KeyKind{
	"pid":                         KeyString,
	"error_log":                   KeyString,
	"syslog.ident":                KeyString,
	"syslog.facility":             KeyFacility,
	"log_buffering":               KeyBool,
	"log_level":                   KeyLogLevel,
	"log_limit":                   KeyInt,
	"emergency_restart_threshold": KeyInt,
	"emergency_restart_interval":  KeyTime,
	"process_control_timeout":     KeyTime,
	"process.max":                 KeyInt,
	"process.priority":            KeyInt,
	"daemonize":                   KeyBool,
	"rlimit_files":                KeyInt,
	"rlimit_core":                 KeyRlimit,
	"events.mechanism":            KeyString,
	"systemd_interval":            KeyTime,
}

// poolKeys are the pool directives of php-fpm 8.2 on Linux (with ACL and
// AppArmor support, as Debian builds it; listen.setfib is FreeBSD's).
var poolKeys = map[string]KeyKind{
	"prefix":                      KeyString,
	"user":                        KeyString,
	"group":                       KeyString,
	"listen":                      KeyString,
	"listen.backlog":              KeyInt,
	"listen.acl_users":            KeyString,
	"listen.acl_groups":           KeyString,
	"listen.owner":                KeyString,
	"listen.group":                KeyString,
	"listen.mode":                 KeyString,
	"listen.allowed_clients":      KeyString,
	"process.priority":            KeyInt,
	"process.dumpable":            KeyBool,
	"pm":                          KeyPM,
	"pm.max_children":             KeyInt,
	"pm.start_servers":            KeyInt,
	"pm.min_spare_servers":        KeyInt,
	"pm.max_spare_servers":        KeyInt,
	"pm.max_spawn_rate":           KeyInt,
	"pm.process_idle_timeout":     KeyTime,
	"pm.max_requests":             KeyInt,
	"pm.status_path":              KeyString,
	"pm.status_listen":            KeyString,
	"ping.path":                   KeyString,
	"ping.response":               KeyString,
	"access.log":                  KeyString,
	"access.format":               KeyString,
	"slowlog":                     KeyString,
	"request_slowlog_timeout":     KeyTime,
	"request_slowlog_trace_depth": KeyInt,
	"request_terminate_timeout":   KeyTime,
	"request_terminate_timeout_track_finished": KeyBool,
	"rlimit_files":              KeyInt,
	"rlimit_core":               KeyRlimit,
	"chroot":                    KeyString,
	"chdir":                     KeyString,
	"catch_workers_output":      KeyBool,
	"decorate_workers_output":   KeyBool,
	"clear_env":                 KeyBool,
	"security.limit_extensions": KeyString,
	"apparmor_hat":              KeyString,
}

// arrayKeys are the name[key] directives of a pool; their names are
// case-sensitive.
var arrayKeys = map[string]bool{
	"env":                  true,
	"php_value":            true,
	"php_admin_value":      true,
	"php_flag":             true,
	"php_admin_flag":       true,
	"access.suppress_path": true,
}

// PoolKey returns how php-fpm reads a pool directive; ok is false for a name
// php-fpm 8.2 does not know ("unknown entry"). Names are case-insensitive.
func PoolKey(name string) (kind KeyKind, ok bool) {
	kind, ok = poolKeys[lint.LowerASCII(name)]
	return kind, ok
}

// GlobalKey returns how php-fpm reads a [global] directive.
func GlobalKey(name string) (kind KeyKind, ok bool) {
	kind, ok = globalKeys[lint.LowerASCII(name)]
	return kind, ok
}

// KnownPoolKey reports whether php-fpm 8.2 accepts name in a pool.
func KnownPoolKey(name string) bool { _, ok := PoolKey(name); return ok }

// KnownGlobalKey reports whether php-fpm 8.2 accepts name in [global].
func KnownGlobalKey(name string) bool { _, ok := GlobalKey(name); return ok }

// KnownArrayKey reports whether name[…] is a pool array directive (env,
// php_value, php_admin_value, php_flag, php_admin_flag,
// access.suppress_path); the name is case-sensitive.
func KnownArrayKey(name string) bool { return arrayKeys[name] }

// ParseBool reads a boolean as php-fpm 8.2 does, after the INI scanner made
// unquoted yes/on/true "1" and no/off/false/none/null "": "1", "yes", "on"
// and "true" are true; "", "0", "no", "off", "false" and "none" are false;
// anything else (including a quoted "Yes") is "invalid boolean value".
func ParseBool(s string) (v, ok bool) {
	switch s {
	case "1", "yes", "on", "true":
		return true, true
	case "", "0", "no", "off", "false", "none":
		return false, true
	}
	return false, false
}

// ParseInt reads an integer as fpm_conf_set_integer: an optional leading '-'
// then digits only (the empty string is 0), the value being C's atoi (so
// out-of-range numbers wrap as php-fpm's do).
func ParseInt(s string) (n int, ok bool) {
	for i := 0; i < len(s); i++ {
		if i == 0 && s[i] == '-' {
			continue
		}
		if !isDigit(s[i]) {
			return 0, false
		}
	}
	return int(Atoi(s)), true
}

// ParseTime reads a time as fpm_conf_set_time, in seconds: a number with an
// optional suffix s, m, h or d (case-sensitive). Like php-fpm it takes the
// number with atoi, so "1.5m" is 60 and "x5" is 0; it refuses an empty
// value and any other last character.
func ParseTime(s string) (seconds int, ok bool) {
	if s == "" {
		return 0, false
	}
	mult := int32(1)
	last := s[len(s)-1]
	switch last {
	case 'm':
		mult = 60
	case 'h':
		mult = 3600
	case 'd':
		mult = 86400
	case 's':
	default:
		if !isDigit(last) {
			return 0, false
		}
		return int(Atoi(s)), true
	}
	return int(mult * Atoi(s[:len(s)-1])), true
}

// ParseRlimit reads rlimit_core: "unlimited" (any case) is -1.
func ParseRlimit(s string) (n int, ok bool) {
	if strings.EqualFold(s, "unlimited") {
		return -1, true
	}
	n, ok = ParseInt(s)
	return n, ok && n >= 0
}

var pmStyles = []string{"static", "dynamic", "ondemand"}

var logLevels = []string{"debug", "notice", "warning", "warn", "error", "alert"}

// syslogFacilities maps the names php-fpm accepts to their syslog numbers.
var syslogFacilities = map[string]int{
	"auth": 4 << 3, "authpriv": 10 << 3, "cron": 9 << 3, "daemon": 3 << 3, "ftp": 11 << 3,
	"kern": 0, "lpr": 6 << 3, "mail": 2 << 3, "news": 7 << 3, "syslog": 5 << 3, "user": 1 << 3,
	"uucp": 8 << 3, "local0": 16 << 3, "local1": 17 << 3, "local2": 18 << 3, "local3": 19 << 3,
	"local4": 20 << 3, "local5": 21 << 3, "local6": 22 << 3, "local7": 23 << 3,
}

// SyslogFacility returns the number of a syslog.facility name.
func SyslogFacility(name string) (int, bool) {
	n, ok := syslogFacilities[lint.LowerASCII(name)]
	return n, ok
}

func oneOfFold(s string, list []string) bool {
	for _, w := range list {
		if strings.EqualFold(s, w) {
			return true
		}
	}
	return false
}

// ValueError returns the error php-fpm 8.2 prints while reading the line
// key = value (value as the model holds it, after the INI scanner), without
// its "[file:line] " prefix; "" when php-fpm accepts it. global says
// whether the line is in [global]. It does not cover checks php-fpm makes
// after reading (pm ranges, paths, users…).
func ValueError(global bool, key, value string) string {
	var kind KeyKind
	var ok bool
	if global {
		kind, ok = GlobalKey(key)
	} else {
		kind, ok = PoolKey(key)
	}
	if !ok {
		return fmt.Sprintf("unknown entry '%s'", key)
	}
	canon := lint.LowerASCII(key)
	bad := func(why string) string {
		return fmt.Sprintf("unable to parse value for entry '%s': %s", canon, why)
	}
	switch kind {
	case KeyString:
		if global && strings.Contains(value, "$pool") {
			return bad("Can't use '$pool' when the pool is not defined")
		}
	case KeyInt:
		if _, ok := ParseInt(value); !ok {
			return bad("is not a valid number (greater or equal than zero)")
		}
	case KeyTime:
		if value == "" {
			return bad("invalid time value")
		}
		if _, ok := ParseTime(value); !ok {
			return bad("unknown suffix used in time value")
		}
	case KeyBool:
		if _, ok := ParseBool(value); !ok {
			return bad("invalid boolean value")
		}
	case KeyPM:
		if !oneOfFold(value, pmStyles) {
			return bad("invalid process manager (static, dynamic or ondemand)")
		}
	case KeyLogLevel:
		if !oneOfFold(value, logLevels) {
			return bad("invalid value for 'log_level'")
		}
	case KeyFacility:
		if _, ok := SyslogFacility(value); !ok {
			return bad("invalid value")
		}
	case KeyRlimit:
		if strings.EqualFold(value, "unlimited") {
			return ""
		}
		n, ok := ParseInt(value)
		if !ok {
			return bad("is not a valid number (greater or equal than zero)")
		}
		if n < 0 {
			return bad("must be greater than zero or 'unlimited'")
		}
	}
	return ""
}

// ArrayValueError is ValueError for name[key] = value in a pool, for the
// checks the loader leaves to rules: an empty env value, a php_flag that is
// no boolean, access.suppress_path's rules.
func ArrayValueError(name, key, value string) string {
	switch name {
	case "env":
		if value == "" {
			return "empty value"
		}
	case "php_flag", "php_admin_flag":
		if _, ok := ParseBool(value); !ok {
			return fmt.Sprintf("error while parsing '%s[%s]' : invalid boolean value", name, key)
		}
	case "access.suppress_path":
		if key != "" {
			return "Keys provided to field 'access.suppress_path' are ignored"
		}
		if !strings.HasPrefix(value, "/") {
			return "Values provided to field 'access.suppress_path' must begin with '/'"
		}
	}
	return ""
}
