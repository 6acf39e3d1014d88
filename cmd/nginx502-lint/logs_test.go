package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nginx502-lint/nginx502-lint/lint/linttest"
)

func TestParseSince(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.Local)
	for _, c := range []struct {
		in, want string // want "" for an error
	}{
		{"30m", "2026/11/26 11:30:00"},
		{"2h", "2026/11/26 10:00:00"},
		{"1d", "2026/11/25 12:00:00"},
		{"1d12h", "2026/11/25 00:00:00"},
		{"2026/11/26 06:00", "2026/11/26 06:00:00"},
		{"2026/11/26 06:00:30", "2026/11/26 06:00:30"},
		{"2026-11-26 06:00", "2026/11/26 06:00:00"},
		{"2026-11-26T06:00:00", "2026/11/26 06:00:00"},
		{"-1h", ""},
		{"yesterday", ""},
		{"xd", ""},
		{"1w", ""},
	} {
		got, err := parseSince(c.in, now)
		switch {
		case c.want == "" && err == nil:
			t.Errorf("%q: %v, want an error", c.in, got)
		case c.want != "" && err != nil:
			t.Errorf("%q: %v", c.in, err)
		case c.want != "" && got.Format("2006/01/02 15:04:05") != c.want:
			t.Errorf("%q: %s, want %s", c.in, got.Format("2006/01/02 15:04:05"), c.want)
		}
	}
}

// TestLogsSince: --since leaves out the upstream errors logged before it and
// says how many.
func TestLogsSince(t *testing.T) {
	line := func(ago time.Duration, conn int) string {
		return time.Now().Add(-ago).Format("2006/01/02 15:04:05") +
			" [crit] 100#100: *" + string(rune('0'+conn)) + " connect() to unix:/run/php/php8.2-fpm.sock failed (2: No such file or directory) while connecting to upstream, client: 127.0.0.1, server: shop.example, request: \"GET /index.php HTTP/1.1\", upstream: \"fastcgi://unix:/run/php/php8.2-fpm.sock:\", host: \"shop.example\"\n"
	}
	dir := linttest.WriteTree(t, map[string]string{"error.log": line(3*time.Hour, 1) + line(10*time.Minute, 2)})
	log := filepath.Join(dir, "error.log")

	r := runCLI(t, "", "logs", "--no-config-tree", "--since", "1h", log)
	wantCode(t, r, 1)
	wantContains(t, "stdout", r.stdout, "1 upstream error", "1 upstream error logged before it left out", "error.log:2")
	if strings.Contains(r.stdout, "error.log:1") {
		t.Errorf("the error of 3 hours ago is shown:\n%s", r.stdout)
	}

	r = runCLI(t, "", "logs", "--no-config-tree", "--since", "2026/01/01 00:00", log)
	wantCode(t, r, 1)
	wantContains(t, "stdout", r.stdout, "0 upstream errors logged before it left out")

	r = runCLI(t, "", "logs", "--no-config-tree", "--since", "1m", log)
	wantCode(t, r, 0)
	wantContains(t, "stdout", r.stdout, "2 upstream errors logged before it left out")

	r = runCLI(t, "", "logs", "--no-config-tree", "--since", "soon", log)
	wantCode(t, r, 2)
	wantContains(t, "stderr", r.stderr, `--since "soon"`)
}

// TestLogsStream: the stream module's upstream errors are no 502: logs
// leaves them out and says so.
func TestLogsStream(t *testing.T) {
	dir := linttest.WriteTree(t, map[string]string{"error.log": `2026/11/26 07:26:14 [error] 5089#5089: *1 connect() failed (111: Connection refused) while connecting to upstream, client: 127.0.0.1, server: 127.0.0.1:23306, upstream: "127.0.0.1:23307", bytes from/to client:0/0, bytes from/to upstream:0/0` + "\n"})
	r := runCLI(t, "", "logs", "--no-config-tree", filepath.Join(dir, "error.log"))
	wantCode(t, r, 0)
	wantContains(t, "stdout", r.stdout, "no upstream errors", "1 upstream error of the stream module (TCP and UDP proxying) left out")
	if strings.Contains(r.stdout, "502") && !strings.Contains(r.stdout, "no 502") {
		t.Errorf("a stream error is shown as a 502:\n%s", r.stdout)
	}
}
