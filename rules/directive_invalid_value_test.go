package rules

import (
	"strings"
	"testing"
)

// TestInvalidArg pins what the rule leaves to nginx -t: values checked
// with nginx 1.22's own (see testdata/rules/directive-invalid-value and
// docs/startup-evidence.md), and the two leniencies of its Doc.
func TestInvalidArg(t *testing.T) {
	for _, c := range []struct {
		kind valueKind
		args string
		want int // index of the argument reported, -1 for none
	}{
		{sizeValue, "16k", -1},
		{sizeValue, "16K", -1},
		{sizeValue, "0", -1},
		{sizeValue, "1m", -1},
		{sizeValue, "1g", -1},                   // nginx 1.22 refuses g; others may not
		{sizeValue, "99999999999999999999", -1}, // only too large
		{sizeValue, "16kb", 0},
		{sizeValue, "1.5k", 0},
		{sizeValue, "-4k", 0},
		{sizeValue, "$size", 0},
		{sizeValue, "8 k", -1}, // two arguments: nginx's other error
		{bufsValue, "16 16k", -1},
		{bufsValue, "08 4k", -1},
		{bufsValue, "0 4k", 0},
		{bufsValue, "8k 4k", 0},
		{bufsValue, "x 4k", 0},
		{bufsValue, "8 0", 1},
		{bufsValue, "8 0k", 1},
		{bufsValue, "8 4x", 1},
		{bufsValue, "8", -1},
		{timeValue, "60", -1},
		{timeValue, "60s", -1},
		{timeValue, "1m30s", -1},
		{timeValue, "500ms", -1},
		{timeValue, "99999999999", -1}, // only too large
		{timeValue, "99999999999999999999w", -1},
		{timeValue, "30s1m", 0},
		{timeValue, "1y", 0},
		{timeValue, "1M", 0},
		{timeValue, "-5s", 0},
		{timeValue, "soon", 0},
		{timeValue, "$t", 0},
		{timeValue, "65 60", -1}, // two values: checked by the caller (keepalive_timeout) or nginx's argument count
	} {
		if got, _ := invalidArg(c.kind, strings.Fields(c.args)); got != c.want {
			t.Errorf("%d %q: argument %d reported, want %d", c.kind, c.args, got, c.want)
		}
	}
}
