package lint

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// ParseSize reads an nginx size ("4k", "8K", "1m", "512") in bytes; ok is
// false for anything nginx would refuse. Sizes take k and m only, as
// ngx_parse_size does: g is for offsets (ngx_parse_offset).
func ParseSize(s string) (n int64, ok bool) {
	if s == "" {
		return 0, false
	}
	mult := int64(1)
	switch strings.ToLower(s[len(s)-1:]) {
	case "k":
		mult, s = 1024, s[:len(s)-1]
	case "m":
		mult, s = 1024*1024, s[:len(s)-1]
	}
	if s == "" {
		return 0, false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
		if n > 1<<40 {
			return 0, false
		}
	}
	if n > math.MaxInt64/mult {
		return 0, false
	}
	return n * mult, true
}

// ParseNginxTime reads an nginx time ("60s", "1m30s", "500ms", "2h", "30")
// as nginx's ngx_parse_time does for the millisecond directives (timeouts):
// a bare number is seconds, units go from the most to the least
// significant ("30s1m" and "1s1s" are refused; a bare number at the end
// adds seconds: "1m30" is 90s), and months and years are refused, as they
// are for every millisecond directive.
func ParseNginxTime(s string) (time.Duration, bool) {
	if s == "" {
		return 0, false
	}
	// from the most to the least significant, as ngx_parse_time's steps
	units := []struct {
		suffix string
		d      time.Duration
	}{{"w", 7 * 24 * time.Hour}, {"d", 24 * time.Hour}, {"h", time.Hour}, {"ms", time.Millisecond},
		{"m", time.Minute}, {"s", time.Second}}
	rank := map[string]int{"w": 1, "d": 2, "h": 3, "m": 4, "s": 5, "ms": 6}
	var total time.Duration
	step := 0 // rank of the last unit read
	rest := s
	for rest != "" {
		i := 0
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if i == 0 {
			return 0, false
		}
		n, err := strconv.ParseInt(rest[:i], 10, 64)
		if err != nil {
			return 0, false
		}
		rest = rest[i:]
		unit := time.Second
		if rest != "" {
			matched := false
			for _, u := range units {
				if strings.HasPrefix(rest, u.suffix) {
					if rank[u.suffix] <= step {
						return 0, false
					}
					step = rank[u.suffix]
					unit, rest, matched = u.d, rest[len(u.suffix):], true
					break
				}
			}
			if !matched {
				return 0, false
			}
			rest = strings.TrimLeft(rest, " ")
		}
		if n > math.MaxInt64/int64(unit) || total > math.MaxInt64-time.Duration(n)*unit {
			return 0, false
		}
		total += time.Duration(n) * unit
	}
	return total, true
}

// ParseFPMSeconds reads a PHP-FPM time value ("0", "30", "30s", "5m", "1h",
// "1d") in seconds, as fpm_conf_set_time does: an optional suffix s, m, h
// or d, and the number before it read with atoi ("1.5m" is 60). ok is false
// for an empty value or another last character, which php-fpm refuses.
func ParseFPMSeconds(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	mult := int64(1)
	last := s[len(s)-1]
	switch last {
	case 's':
		s = s[:len(s)-1]
	case 'm':
		mult, s = 60, s[:len(s)-1]
	case 'h':
		mult, s = 3600, s[:len(s)-1]
	case 'd':
		mult, s = 86400, s[:len(s)-1]
	default:
		if last < '0' || last > '9' {
			return 0, false
		}
	}
	return atoi(s) * mult, true
}

// atoi reads a number as C's atoi: leading blanks, a sign, digits; the
// rest is ignored, and no digits is 0.
func atoi(s string) int64 {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg, s = s[0] == '-', s[1:]
	}
	var n int64
	for i := 0; i < len(s) && s[i] >= '0' && s[i] <= '9' && n < 1<<40; i++ {
		n = n*10 + int64(s[i]-'0')
	}
	if neg {
		return -n
	}
	return n
}
