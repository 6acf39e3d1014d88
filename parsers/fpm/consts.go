package fpm

import (
	"strconv"
	"strings"
)

// phpConstants are the PHP constants an unquoted INI value can name and that
// do not depend on the build: the error levels php.ini's error_reporting is
// written with, and a few core ones. A name PHP would know but this table
// does not (an extension's constant, PHP_BINDIR…) stays as written.
var phpConstants = map[string]string{
	"E_ERROR":             "1",
	"E_WARNING":           "2",
	"E_PARSE":             "4",
	"E_NOTICE":            "8",
	"E_CORE_ERROR":        "16",
	"E_CORE_WARNING":      "32",
	"E_COMPILE_ERROR":     "64",
	"E_COMPILE_WARNING":   "128",
	"E_USER_ERROR":        "256",
	"E_USER_WARNING":      "512",
	"E_USER_NOTICE":       "1024",
	"E_STRICT":            "2048",
	"E_RECOVERABLE_ERROR": "4096",
	"E_DEPRECATED":        "8192",
	"E_USER_DEPRECATED":   "16384",
	"E_ALL":               "32767",
	"PHP_OS":              "Linux",
	"PHP_OS_FAMILY":       "Linux",
	"PHP_EOL":             "\n",
	"PHP_INT_MAX":         "9223372036854775807",
	"PHP_INT_MIN":         "-9223372036854775808",
	"PHP_INT_SIZE":        "8",
	"PHP_MAXPATHLEN":      "4096",
	"PHP_SHLIB_SUFFIX":    "so",
	"DIRECTORY_SEPARATOR": "/",
	"PATH_SEPARATOR":      ":",
	"PHP_DEBUG":           "0",
	"PHP_ZTS":             "0",
}

// constants returns the constant lookup for a PHP version ("8.2.36", "8.2"
// or ""): PHP_VERSION and its parts are known only as far as the version says.
func constants(version string) func(string) (string, bool) {
	parts := strings.Split(version, ".")
	return func(name string) (string, bool) {
		if v, ok := phpConstants[name]; ok {
			return v, true
		}
		switch name {
		case "PHP_VERSION":
			if len(parts) == 3 {
				return version, true
			}
		case "PHP_MAJOR_VERSION":
			if _, err := strconv.Atoi(parts[0]); err == nil {
				return parts[0], true
			}
		case "PHP_MINOR_VERSION":
			if len(parts) >= 2 {
				return parts[1], true
			}
		case "PHP_RELEASE_VERSION":
			if len(parts) == 3 {
				return parts[2], true
			}
		case "PHP_VERSION_ID":
			if len(parts) == 3 {
				a, e1 := strconv.Atoi(parts[0])
				b, e2 := strconv.Atoi(parts[1])
				c, e3 := strconv.Atoi(parts[2])
				if e1 == nil && e2 == nil && e3 == nil {
					return strconv.Itoa(a*10000 + b*100 + c), true
				}
			}
		}
		return "", false
	}
}

// hasFallback says whether ${NAME:-default} is understood: PHP 8.3 added it.
// An unknown version gets it, since only a PHP that has it makes people
// write it.
func hasFallback(version string) bool {
	parts := strings.SplitN(version, ".", 3)
	major, err := strconv.Atoi(parts[0])
	if err != nil {
		return true
	}
	if major != 8 {
		return major > 8
	}
	if len(parts) < 2 {
		return true
	}
	minor, err := strconv.Atoi(parts[1])
	if err != nil {
		return true
	}
	return minor >= 3
}
