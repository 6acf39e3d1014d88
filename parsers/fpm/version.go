package fpm

import (
	"path/filepath"
	"regexp"
	"strings"
)

// versionDir matches a path element that names a PHP version: Debian's and
// Homebrew's /etc/php/8.2 (after a "php" element), and php74, php8.1,
// php-fpm7.4, php8.2-fpm, rh-php73 (Red Hat SCL), Remi's php81, Alpine's
// php82.
var (
	versionBare = regexp.MustCompile(`^([5-9])\.([0-9]{1,2})$`)
	versionName = regexp.MustCompile(`(?i)^(?:rh-)?php(?:-?fpm)?-?([5-9])\.?([0-9]{1,2})(?:-?fpm)?(?:\.conf|\.d)?$`)
)

// VersionFromPath reads the PHP version ("8.2") from where a php-fpm
// configuration file lives: /etc/php/8.2/fpm/php-fpm.conf,
// /etc/opt/remi/php81/php-fpm.conf, /etc/opt/rh/rh-php73/php-fpm.conf,
// /etc/php82/php-fpm.conf, /usr/local/etc/php-fpm7.4.conf. It returns ""
// when the path does not say (/etc/php-fpm.conf, Docker's /usr/local/etc).
// The path is the configuration's own path (not under --root).
func VersionFromPath(path string) string {
	parts := strings.Split(filepath.ToSlash(path), "/")
	for i := len(parts) - 1; i >= 0; i-- {
		el := parts[i]
		if m := versionName.FindStringSubmatch(el); m != nil {
			return m[1] + "." + m[2]
		}
		if m := versionBare.FindStringSubmatch(el); m != nil && i > 0 && strings.EqualFold(parts[i-1], "php") {
			return m[1] + "." + m[2]
		}
	}
	return ""
}

// GuessPrefix guesses php-fpm's compiled prefix (its -p default) from where
// its configuration lives: /usr/local for /usr/local/etc (Docker's official
// images, FreeBSD, source builds), /opt/remi/phpNN/root for Remi's SCL
// packages, /opt/rh/rh-phpNN/root for Red Hat's, /usr elsewhere (Debian,
// Ubuntu, RHEL, Alpine).
func GuessPrefix(confPath string) string {
	p := filepath.ToSlash(confPath)
	switch {
	case strings.HasPrefix(p, "/usr/local/"):
		return "/usr/local"
	case strings.HasPrefix(p, "/etc/opt/remi/"), strings.HasPrefix(p, "/etc/opt/rh/"):
		// /etc/opt/remi/php81/php-fpm.conf → /opt/remi/php81/root/usr
		if el := strings.Split(p, "/"); len(el) > 5 {
			return "/opt/" + el[3] + "/" + el[4] + "/root/usr"
		}
	case strings.HasPrefix(p, "/opt/"):
		if i := strings.Index(p, "/root/"); i >= 0 {
			return p[:i] + "/root/usr"
		}
	}
	return "/usr"
}
