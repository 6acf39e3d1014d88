package live

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

// masterTitle is the process title php-fpm gives its master:
// "php-fpm: master process (/etc/php/8.2/fpm/php-fpm.conf)".
var masterTitle = regexp.MustCompile(`^(php-fpm[\w.-]*): master process \((.*)\)\s*$`)

// fpmBinary matches the executable names of php-fpm: php-fpm, php-fpm8.2,
// php-fpm82.
var fpmBinary = regexp.MustCompile(`^php-fpm[\d.]*$`)

var (
	versionInPath   = regexp.MustCompile(`/php/(\d+\.\d+)/`)
	versionInBinary = regexp.MustCompile(`^php-fpm(\d+\.\d+)$`)
)

// ScanProc lists the php-fpm master processes in procRoot (/proc), by pid.
// The error is for procRoot itself; processes that vanish or cannot be read
// are skipped.
func ScanProc(procRoot string) ([]*lint.FPMMaster, error) {
	entries, err := os.ReadDir(procRoot)
	if err != nil {
		return nil, err
	}
	var out []*lint.FPMMaster
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid <= 0 {
			continue
		}
		data, err := os.ReadFile(filepath.Join(procRoot, e.Name(), "cmdline"))
		if err != nil || len(data) == 0 {
			continue
		}
		exe, _ := os.Readlink(filepath.Join(procRoot, e.Name(), "exe"))
		if m := ParseCmdline(data, exe); m != nil {
			m.PID = pid
			out = append(out, m)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].PID < out[j].PID })
	return out, nil
}

// ParseCmdline recognises a php-fpm master from its /proc/PID/cmdline (and
// the target of /proc/PID/exe, "" when unreadable): the process title
// php-fpm sets, or the plain arguments of a master that has not set it
// yet. It returns nil for anything else, php-fpm pool workers included.
func ParseCmdline(cmdline []byte, exe string) *lint.FPMMaster {
	args := strings.Split(strings.TrimRight(string(cmdline), "\x00"), "\x00")
	text := strings.TrimSpace(strings.Join(args, " "))
	m := &lint.FPMMaster{Cmdline: text}
	if exe != "" {
		m.Binary = filepath.Base(strings.TrimSuffix(exe, " (deleted)"))
	}
	if sub := masterTitle.FindStringSubmatch(text); sub != nil {
		m.Config = sub[2]
		if m.Binary == "" {
			m.Binary = sub[1]
		}
	} else {
		bin := filepath.Base(args[0])
		if !fpmBinary.MatchString(bin) {
			return nil
		}
		if m.Binary == "" {
			m.Binary = bin
		}
		for i := 1; i < len(args); i++ {
			a := args[i]
			switch {
			case (a == "-y" || a == "--fpm-config") && i+1 < len(args):
				m.Config = args[i+1]
				i++
			case strings.HasPrefix(a, "--fpm-config="):
				m.Config = strings.TrimPrefix(a, "--fpm-config=")
			case strings.HasPrefix(a, "-y") && len(a) > 2:
				m.Config = a[2:]
			}
		}
	}
	if v := versionInPath.FindStringSubmatch(m.Config); v != nil {
		m.Version = v[1]
	} else if v := versionInBinary.FindStringSubmatch(m.Binary); v != nil {
		m.Version = v[1]
	}
	return m
}
