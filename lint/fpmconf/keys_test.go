package fpmconf

import (
	"fmt"
	"testing"
)

func TestKeyHelpers(t *testing.T) {
	bools := []struct{ in, want string }{
		{"1", "true"}, {"yes", "true"}, {"on", "true"}, {"true", "true"}, {"", "false"}, {"0", "false"},
		{"no", "false"}, {"off", "false"}, {"false", "false"}, {"none", "false"}, {"Yes", "invalid"},
		{"null", "invalid"}, {"2", "invalid"}, {"\tyes", "invalid"},
	}
	for _, b := range bools {
		v, ok := ParseBool(b.in)
		got := fmt.Sprint(v)
		if !ok {
			got = "invalid"
		}
		if got != b.want {
			t.Errorf("ParseBool(%q) = %s, want %s", b.in, got, b.want)
		}
	}
	times := map[string]string{"0": "0", "30": "30", "30s": "30", "5m": "300", "1h": "3600", "2d": "172800", "1.5": "1",
		"1.5m": "60", "s": "0", "-5": "-5", "x5": "0", "": "invalid", "5S": "invalid", "30x": "invalid", "99999999999": "1215752191"}
	for in, want := range times {
		n, ok := ParseTime(in)
		got := fmt.Sprint(n)
		if !ok {
			got = "invalid"
		}
		if got != want {
			t.Errorf("ParseTime(%q) = %s, want %s", in, got, want)
		}
	}
	ints := map[string]string{"0": "0", "007": "7", "-5": "-5", "": "0", "-": "0", "+5": "invalid", "5k": "invalid", "5 000": "invalid", "5.0": "invalid", "--5": "invalid"}
	for in, want := range ints {
		n, ok := ParseInt(in)
		got := fmt.Sprint(n)
		if !ok {
			got = "invalid"
		}
		if got != want {
			t.Errorf("ParseInt(%q) = %s, want %s", in, got, want)
		}
	}
	if !KnownPoolKey("PM.MAX_CHILDREN") || KnownPoolKey("pm.max_childs") || KnownPoolKey("process_control_timeout") ||
		!KnownGlobalKey("process_control_timeout") || KnownGlobalKey("pm") || !KnownArrayKey("php_admin_flag") || KnownArrayKey("PHP_VALUE") {
		t.Error("known keys")
	}
	values := []struct {
		global     bool
		key, value string
		want       string
	}{
		{false, "pm", "STATIC", ""},
		{false, "pm", "static2", "unable to parse value for entry 'pm': invalid process manager (static, dynamic or ondemand)"},
		{true, "log_level", "DEBUG", ""},
		{true, "log_level", "verbose", "unable to parse value for entry 'log_level': invalid value for 'log_level'"},
		{true, "syslog.facility", "local0", ""},
		{false, "rlimit_core", "Unlimited", ""},
		{false, "rlimit_core", "-1", "unable to parse value for entry 'rlimit_core': must be greater than zero or 'unlimited'"},
		{false, "request_terminate_timeout", "", "unable to parse value for entry 'request_terminate_timeout': invalid time value"},
		{false, "listen", "/run/$pool.sock", ""},
		{true, "pid", "/run/$pool.pid", "unable to parse value for entry 'pid': Can't use '$pool' when the pool is not defined"},
	}
	for _, v := range values {
		if got := ValueError(v.global, v.key, v.value); got != v.want {
			t.Errorf("ValueError(%v, %q, %q) = %q, want %q", v.global, v.key, v.value, got, v.want)
		}
	}
	if ArrayValueError("php_flag", "x", "maybe") != "error while parsing 'php_flag[x]' : invalid boolean value" ||
		ArrayValueError("access.suppress_path", "", "ping") == "" || ArrayValueError("php_value", "x", "") != "" {
		t.Error("ArrayValueError")
	}
}
