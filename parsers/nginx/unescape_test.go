package nginx

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unsafe"
)

func TestUnescape(t *testing.T) {
	tests := []struct{ raw, want string }{
		{`\.php$`, `\.php$`},
		{`^(.+\.php)(/.+)$`, `^(.+\.php)(/.+)$`},
		{`a\"b`, `a"b`},
		{`\'`, `'`},
		{`\\`, `\`},
		{`\\.`, `\.`},
		{`a\tb\rc\nd`, "a\tb\rc\nd"},
		{`\.x\n`, "\\.x\n"},
		{`\x\y\"`, `\x\y"`},
		{`ab\`, `ab\`},
		{`\`, `\`},
		{"", ""},
	}
	for _, tc := range tests {
		if got := unescape(tc.raw); got != tc.want {
			t.Errorf("unescape(%q) = %q, want %q", tc.raw, got, tc.want)
		}
	}
	// A word without an escape is not copied.
	raw := `location_regex\.php$`
	if got := unescape(raw); unsafe.StringData(got) != unsafe.StringData(raw) {
		t.Errorf("unescape copied %q", raw)
	}
}

// TestUnescapeRandom compares unescape with a byte-by-byte reading of the
// same rules on random words made of the bytes that matter.
func TestUnescapeRandom(t *testing.T) {
	reference := func(raw string) string {
		var b strings.Builder
		for i := 0; i < len(raw); i++ {
			c := raw[i]
			if c == '\\' && i+1 < len(raw) {
				switch raw[i+1] {
				case '"', '\'', '\\':
					c = raw[i+1]
					i++
				case 't', 'r', 'n':
					c = map[byte]byte{'t': '\t', 'r': '\r', 'n': '\n'}[raw[i+1]]
					i++
				}
			}
			b.WriteByte(c)
		}
		return b.String()
	}
	const alphabet = `\\\\"'trnx.`
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		word := make([]byte, rng.IntN(12))
		for i := range word {
			word[i] = alphabet[rng.IntN(len(alphabet))]
		}
		if got, want := unescape(string(word)), reference(string(word)); got != want {
			t.Fatalf("unescape(%q) = %q, want %q", word, got, want)
		}
	}
}
