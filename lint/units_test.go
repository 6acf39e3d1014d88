package lint_test

import (
	"testing"
	"time"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

func TestParseSize(t *testing.T) {
	cases := []struct {
		in     string
		want   int64
		wantOK bool
	}{
		{"512", 512, true},
		{"0", 0, true},
		{"4k", 4096, true},
		{"4K", 4096, true},
		{"16k", 16384, true},
		{"1m", 1 << 20, true},
		{"8M", 8 << 20, true},
		{"", 0, false},
		{"k", 0, false},
		{"m", 0, false},
		{"4kb", 0, false},
		{"4 k", 0, false},
		{" 4k", 0, false},
		{"1.5k", 0, false},
		{"-1", 0, false},
		{"+4k", 0, false},
		{"0x10", 0, false},
		{"4t", 0, false},
		// ngx_parse_size knows k and m only; g is for offsets (nginx -t: invalid value "1g")
		{"1g", 0, false},
		{"1G", 0, false},
		{"99999999999999999999", 0, false},
	}
	for _, c := range cases {
		got, ok := lint.ParseSize(c.in)
		if ok != c.wantOK || (ok && got != c.want) {
			t.Errorf("ParseSize(%q) = %d, %v; want %d, %v", c.in, got, ok, c.want, c.wantOK)
		}
		if ok && got < 0 {
			t.Errorf("ParseSize(%q) = %d: negative size", c.in, got)
		}
	}
}

func TestParseNginxTime(t *testing.T) {
	cases := []struct {
		in     string
		want   time.Duration
		wantOK bool
	}{
		{"30", 30 * time.Second, true}, // a bare number is seconds
		{"0", 0, true},
		{"60s", time.Minute, true},
		{"500ms", 500 * time.Millisecond, true},
		{"1m", time.Minute, true}, // m is minutes, not months
		{"1m30s", 90 * time.Second, true},
		{"1m 30s", 90 * time.Second, true}, // units may be separated by blanks
		{"1h 30m", 90 * time.Minute, true},
		{"1m30", 90 * time.Second, true}, // a trailing bare number adds seconds
		{"2h", 2 * time.Hour, true},
		{"1d", 24 * time.Hour, true},
		{"1w", 7 * 24 * time.Hour, true},
		{"1s500ms", 1500 * time.Millisecond, true},
		{"1h2m3s4ms", time.Hour + 2*time.Minute + 3*time.Second + 4*time.Millisecond, true},
		{"", 0, false},
		{"s", 0, false},
		{"ms", 0, false},
		{"abc", 0, false},
		{"10x", 0, false},
		{"-5s", 0, false},
		{"1.5s", 0, false},
		{"5 s", 0, false},
		// nginx wants units from the most to the least significant, each once
		{"30s1m", 0, false},
		{"1s1s", 0, false},
		{"500ms1s", 0, false},
		// timeouts are millisecond directives: ngx_parse_time refuses months and years there
		{"1M", 0, false},
		{"1y", 0, false},
		{"99999999999w", 0, false}, // does not fit a time.Duration
		{"999999999999999999999s", 0, false},
	}
	for _, c := range cases {
		got, ok := lint.ParseNginxTime(c.in)
		if ok != c.wantOK || (ok && got != c.want) {
			t.Errorf("ParseNginxTime(%q) = %v, %v; want %v, %v", c.in, got, ok, c.want, c.wantOK)
		}
	}
}

func TestParseFPMSeconds(t *testing.T) {
	cases := []struct {
		in     string
		want   int64
		wantOK bool
	}{
		{"0", 0, true},
		{"30", 30, true},
		{"30s", 30, true},
		{"5m", 300, true},
		{"1h", 3600, true},
		{"1d", 86400, true},
		{"120s", 120, true},
		{"1.5m", 60, true}, // atoi stops at the dot, as php-fpm's does
		{"", 0, false},
		{"30x", 0, false},
		{"abc", 0, false},
	}
	for _, c := range cases {
		got, ok := lint.ParseFPMSeconds(c.in)
		if ok != c.wantOK || (ok && got != c.want) {
			t.Errorf("ParseFPMSeconds(%q) = %d, %v; want %d, %v", c.in, got, ok, c.want, c.wantOK)
		}
	}
}
