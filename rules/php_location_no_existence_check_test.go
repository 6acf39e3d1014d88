package rules

import "testing"

func TestOnlyNamedScripts(t *testing.T) {
	tests := []struct {
		re   string
		want bool
	}{
		{`^/index\.php$`, true},
		{`^/(index|app|config)\.php(/|$)`, true},
		{`(?i)^/INDEX\.PHP$`, true},
		{`\.php$`, false},
		{`^/.+\.php$`, false},
		{`^/(.*)\.php$`, false},
		{`^/uploads/\w+\.php$`, false},
		// Bytes that are not UTF-8 (a Latin-1 file): the fuzzer's input
		// that sent an offset of the lowered regex past its end.
		{"^/(index|caf\xe9)\\.php$", true},
		{"^/(index|pl\xff\xff\xff\xff\xff\xff)\\.php$", true},
		{"^/\xff\xff\xff\xff\xff\xff.+\\.php$", false},
	}
	for _, tc := range tests {
		if got := onlyNamedScripts(tc.re); got != tc.want {
			t.Errorf("onlyNamedScripts(%q) = %v, want %v", tc.re, got, tc.want)
		}
	}
}
