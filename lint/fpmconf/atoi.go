package fpmconf

import "sort"

// Atoi is C's atoi on glibc, as php-fpm reads numbers: strtol (leading
// blanks, a sign, decimal digits, saturating at the long range) truncated to
// a 32-bit int. Trailing junk is ignored; no digits is 0.
func Atoi(s string) int32 {
	return int32(strtol(s))
}

// strtol reads leading blanks, a sign and decimal digits, saturating.
func strtol(s string) int64 {
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] >= '\t' && s[i] <= '\r') {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	var n uint64
	over := false
	for ; i < len(s) && isDigit(s[i]); i++ {
		if n > (1<<63)/10 {
			over = true
			continue
		}
		n = n*10 + uint64(s[i]-'0')
		if n > 1<<63 {
			over = true
		}
	}
	switch {
	case neg && (over || n >= 1<<63):
		return -1 << 63
	case neg:
		return -int64(n)
	case over || n >= 1<<63:
		return 1<<63 - 1
	}
	return int64(n)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// PoolKeys returns the names of the pool directives, sorted (for
// suggestions: the closest name to a misspelt one).
func PoolKeys() []string { return sortedNames(poolKeys) }

// GlobalKeys returns the names of the [global] directives, sorted.
func GlobalKeys() []string { return sortedNames(globalKeys) }

func sortedNames(m map[string]KeyKind) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
