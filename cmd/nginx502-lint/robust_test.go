package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nginx502-lint/nginx502-lint/lint/linttest"
)

// The bad-input suite: inputs that would crash, hang or exhaust a careless
// linter. Each must end in exit 2 (or 1 with the finding that explains it)
// with a message naming the file and line, without a panic, a goroutine
// left running, memory out of proportion to the input, or a change to the
// files read. TestBadInput (badinput_test.go) covers, with its own
// messages, the empty and comment-only nginx.conf, unbalanced braces, an
// unterminated quote, include of itself, an include cycle across three
// files, include of a directory, a binary file in an include glob, NUL
// bytes, invalid UTF-8, symlink loops, chmod 000 (not as root) and an
// nginx -T dump whose marker lacks its ':'. TestBadInputResources runs
// those trees again with this suite's resource checks.

// robustCase is one bad input.
type robustCase struct {
	name string
	// tree writes the input under a new directory and returns it (the
	// --root unless noRoot) and its size in bytes, for the memory bound.
	tree   func(t *testing.T) (dir string, size int64)
	noRoot bool     // give the paths under dir without --root
	args   []string // after --no-config [--root DIR]; "DIR" is replaced by the tree
	stdin  string
	code   int
	want   []string // in stdout: the file and line, and what is wrong
	// within bounds the run's duration, under the race detector too
	// (0: 20s).
	within time.Duration
	// maxOut bounds the output's size in bytes (0: no bound).
	maxOut int
	// skip says why the case cannot run here, or "".
	skip func() string
}

// small is a tree of small files (path → content, or link).
func small(files map[string]any) func(*testing.T) (string, int64) {
	return func(t *testing.T) (string, int64) {
		var size int64
		for _, c := range files {
			if s, ok := c.(string); ok {
				size += int64(len(s))
			}
		}
		return linttest.WriteTree(t, files), size
	}
}

const (
	fpmConf = "etc/php/8.2/fpm/php-fpm.conf"
	fpmPool = "etc/php/8.2/fpm/pool.d/www.conf"
	// poolGlob is a php-fpm.conf that includes the pools, as Debian's does.
	poolGlob = "[global]\npid = /run/php/php8.2-fpm.pid\ninclude=/etc/php/8.2/fpm/pool.d/*.conf\n"
	// goodPool is a pool php-fpm starts with.
	goodPool = "[www]\nuser = www-data\ngroup = www-data\nlisten = /run/php/php8.2-fpm.sock\nlisten.owner = www-data\nlisten.group = www-data\npm = dynamic\npm.max_children = 5\npm.start_servers = 2\npm.min_spare_servers = 1\npm.max_spare_servers = 3\n"
	// bigLine is the size of the "100 MB line" cases.
	bigLine = 100 << 20
	// unsetVar is an environment variable the tests make sure is unset.
	unsetVar = "NGINX502_LINT_TEST_UNSET"
)

func TestRobust(t *testing.T) {
	t.Setenv(unsetVar, "")
	os.Unsetenv(unsetVar) // restored (to unset) by t.Setenv's cleanup
	cases := []robustCase{
		// PHP-FPM: files that read fine but that php-fpm refuses are
		// findings of fpm-pool-incomplete.
		{name: "empty php-fpm.conf", tree: small(map[string]any{fpmConf: ""}), args: []string{"/etc/php"}, code: 1,
			want: []string{fpmConf + ":1:1: error:", "No pool defined", "[fpm-pool-incomplete]"}},
		{name: "php-fpm.conf with only comments", tree: small(map[string]any{fpmConf: "; php-fpm.conf\n;include=/etc/php/8.2/fpm/pool.d/*.conf\n"}), args: []string{"/etc/php"}, code: 1,
			want: []string{fpmConf + ":1:1: error:", "No pool defined", "[fpm-pool-incomplete]"}},
		{name: "[global] only", tree: small(map[string]any{fpmConf: "[global]\npid = /run/php/php8.2-fpm.pid\nerror_log = /var/log/php8.2-fpm.log\n"}), args: []string{"/etc/php"}, code: 1,
			want: []string{fpmConf + ":1:1: error:", "defines no pool", `"No pool defined. at least one pool section must be specified in config file"`, "[fpm-pool-incomplete]"}},
		{name: "include= glob whose only match is a directory", tree: small(map[string]any{fpmConf: poolGlob, fpmPool + "/x.conf": goodPool}), args: []string{"/etc/php"}, code: 1,
			want: []string{fpmConf + ":3:1: error:", "include=/etc/php/8.2/fpm/pool.d/*.conf matches no file", "No pool defined", "[fpm-pool-incomplete]"}},
		{name: "pool without listen", tree: copied(badData + "/pool-without-listen"), args: []string{"/etc/php"}, code: 1,
			want: []string{fpmPool + ":1:1: error:", "sets no listen", `"[pool www] no listen address have been defined!"`, "[fpm-pool-incomplete]"}},
		{name: "${VAR} unset expands to nothing", tree: small(map[string]any{fpmConf: poolGlob, fpmPool: strings.Replace(goodPool, "/run/php/php8.2-fpm.sock", "${"+unsetVar+"}", 1)}), args: []string{"/etc/php"}, code: 1,
			want: []string{fpmPool + ":4:1: error:", "listen is empty", "[fpm-pool-incomplete]"}},
		{name: "php-fpm include= nested more than 5 files", tree: small(fpmChain(6)), args: []string{"/etc/php"}, code: 2,
			want: []string{"etc/php/8.2/fpm/pool.d/4.conf:1:1: error:", "include= nests more than 5 files deep", "failed to include more than 5 files recursively", "[load-error]"}},
		{name: "php-fpm pool that includes itself", tree: small(map[string]any{fpmConf: poolGlob, fpmPool: "include=/etc/php/8.2/fpm/pool.d/www.conf\n" + goodPool}), args: []string{"/etc/php"}, code: 2,
			want: []string{fpmPool + ":1:1: error:", "include= nests more than 5 files deep", "[load-error]"}},
		{name: "NUL byte in a pool", tree: small(map[string]any{fpmConf: poolGlob, fpmPool: "[www]\nuser = www\x00data\n"}), args: []string{"/etc/php"}, code: 2,
			want: []string{fpmPool + ":2:11: error:", "NUL byte", "binary file"}},
		{name: "invalid UTF-8 in php.ini", tree: small(map[string]any{fpmConf: poolGlob, fpmPool: goodPool, "etc/php/8.2/fpm/php.ini": "[PHP]\n; caf\xe9\nmemory_limit = 128M\n"}), args: []string{"/etc/php"}, code: 0,
			want: []string{"etc/php/8.2/fpm/php.ini:2:6: note:", "not UTF-8", "[file-not-utf8]"}},

		// nginx
		{name: "binary nginx.conf", tree: small(map[string]any{"etc/nginx/nginx.conf": "\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00"}), args: []string{"/etc/nginx"}, code: 2,
			want: []string{"etc/nginx/nginx.conf:1:8: error:", "NUL byte", "binary file"}},
		{name: "100 MB line over the default limit", tree: bigFile("#", 'x', "\nevents {}\n"), args: []string{"/etc/nginx"}, code: 2,
			want: []string{"etc/nginx/nginx.conf: error:", fmt.Sprintf("file is %d bytes, over the 67108864-byte limit", bigLine+12), "--max-file-size"}},
		{name: "100 MB comment with the limit raised", tree: bigFile("#", 'x', "\nevents {}\n"), args: []string{"--max-file-size", "200000000", "/etc/nginx"}, code: 2,
			want: []string{"etc/nginx/nginx.conf:1:1: error:", `too long parameter "#xxxxxxxxx..." started`, "at most 4096 bytes"}},
		{name: "100 MB word with the limit raised", tree: bigFile("events {}\nuser ", 'w', ";\n"), args: []string{"--max-file-size", "200000000", "/etc/nginx"}, code: 2,
			want: []string{"etc/nginx/nginx.conf:2:6: error:", `too long parameter "wwwwwwwwww..." started`, "at most 4096 bytes"}},
		{name: "100 MB quoted string with the limit raised", tree: bigFile("events {}\nuser \"", 'q', "\";\n"), args: []string{"--max-file-size", "200000000", "/etc/nginx"}, code: 2,
			want: []string{"etc/nginx/nginx.conf:2:6: error:", "too long parameter, probably missing terminating"}},
		{name: "100 MB php-fpm value with the limit raised", tree: bigFPMLine, args: []string{"--max-file-size", "200000000", "/etc/php"}, code: 1,
			want: []string{fpmPool + ":1:1: error:", "[fpm-pool-incomplete]"}},
		// "Did you mean" once compared each misspelt key whole with every
		// directive name (10 s for these 5 MB), and the messages quoted it
		// whole three times (15 MB of output).
		{name: "1 MB misspelt keys in a pool file", tree: small(map[string]any{fpmConf: poolGlob,
			fpmPool: "[www]\nuser = www-data\nlisten = /run/php/php8.2-fpm.sock\n" + strings.Repeat(strings.Repeat("k", 1<<20)+" = 1\n", 5)}),
			args: []string{"/etc/php"}, code: 1, maxOut: 64 << 10,
			want: []string{fpmPool + ":4:1: error:", "unknown directive kkkk", "…(1048576 bytes)"}},
		{name: "10,000 nested blocks", tree: nested(10000), args: []string{"/etc/nginx"}, code: 2,
			want: []string{"etc/nginx/nginx.conf:1002:1: error:", "blocks nested more than 1000 deep", "[load-error]"}},
		{name: "include glob matching 10,000 files", tree: manySites(10000), args: []string{"/etc/nginx"}, code: 0, within: 90 * time.Second,
			want: []string{"sites-enabled/site00000.conf:11:3: note:", "(and 9999 other places)", "[buffer-size-default]", "1 note in 10002 files"}},
		{name: "nginx.conf is a directory", tree: small(map[string]any{"etc/nginx/nginx.conf/default.conf": "events {}\n"}), args: []string{"--nginx", "/etc/nginx/nginx.conf"}, code: 2,
			want: []string{"etc/nginx/nginx.conf: error:", "no nginx.conf or php-fpm.conf found in this directory"}},
		{name: "FIFO matched by an include glob", tree: fifoTree, args: []string{"/etc/nginx"}, code: 2,
			want: []string{"etc/nginx/nginx.conf:3:2: error:", "conf.d/pipe.conf", "is not a regular file"}},
		// As root, which reads any file whatever its mode, a read that
		// fails: /proc/self/mem at offset 0, which is never mapped.
		{name: "file that fails to read (EIO)", tree: small(map[string]any{"etc/nginx/nginx.conf": "events {}\nhttp {\n\tinclude /proc/self/mem;\n}\n"}), noRoot: true, args: []string{"DIR/etc/nginx"}, code: 2,
			skip: func() string {
				if _, err := os.ReadFile("/proc/self/mem"); err == nil || !strings.Contains(err.Error(), "input/output error") {
					return fmt.Sprintf("reading /proc/self/mem does not fail with EIO here (%v)", err)
				}
				return ""
			},
			want: []string{"etc/nginx/nginx.conf:3:2: error:", `include "/proc/self/mem"`, "input/output error"}},
		{name: "file deleted between glob and open (dangling symlink)", tree: small(map[string]any{
			"etc/nginx/nginx.conf":                "events {}\nhttp {\n\tinclude /etc/nginx/sites-enabled/*;\n}\n",
			"etc/nginx/sites-enabled/gone.conf":   link("../sites-available/gone.conf"),
			"etc/nginx/sites-enabled/here.conf":   link("../sites-available/here.conf"),
			"etc/nginx/sites-available/here.conf": "server { listen 80; }\n",
		}), args: []string{"/etc/nginx"}, code: 2,
			want: []string{"etc/nginx/nginx.conf:3:2: error:", "sites-enabled/gone.conf", "no such file", "1 error in 2 files"}},
		{name: "nginx -T dump over --max-file-size", args: []string{"--max-file-size", "100", "-"}, stdin: "# configuration file /etc/nginx/nginx.conf:\nevents {}\n" + strings.Repeat("# padding\n", 20), code: 2,
			want: []string{"<stdin>: error:", "over the 100-byte limit", "--max-file-size"}},
		{name: "nginx -T dump with an empty marker path", args: []string{"-"}, stdin: "# configuration file :\nevents {}\n", code: 2,
			want: []string{"<stdin>:1:1: error:", "malformed nginx -T marker", `expected "# configuration file PATH:"`}},
		{name: "nginx -T dump holding two dumps", args: []string{"-"},
			stdin: "# configuration file /etc/nginx/nginx.conf:\nevents {}\n\n# configuration file /etc/nginx/nginx.conf:\nevents {}\n", code: 2,
			want: []string{"<stdin>:4:1: error:", "appears twice in the dump (first at line 1)"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.skip != nil {
				if why := c.skip(); why != "" {
					t.Skip(why)
				}
			}
			var args []string
			var dir string
			var size int64
			if c.tree != nil {
				dir, size = c.tree(t)
				if !c.noRoot {
					args = append(args, "--root", dir)
				}
			}
			for _, a := range c.args {
				args = append(args, strings.Replace(a, "DIR", dir, 1))
			}
			var before map[string]string
			if dir != "" {
				before = snapshot(t, dir)
			}
			size += int64(len(c.stdin))
			start := time.Now()
			r := guarded(t, size, func() cliResult { return runCLI(t, c.stdin, append([]string{"--no-config"}, args...)...) })
			if within := max(c.within, 20*time.Second); time.Since(start) > within {
				t.Errorf("took %v, more than %v", time.Since(start).Round(time.Millisecond), within)
			}
			wantCode(t, r, c.code)
			wantContains(t, "stdout", r.stdout, c.want...)
			if c.maxOut > 0 && len(r.stdout) > c.maxOut {
				t.Errorf("%d bytes of output, more than %d", len(r.stdout), c.maxOut)
			}
			if c.code == 2 && r.stderr != "" {
				t.Errorf("a load error printed on stderr: %q", r.stderr)
			}
			if dir != "" {
				if after := snapshot(t, dir); !maps.Equal(before, after) {
					t.Errorf("the tree changed during the run:\nbefore %v\nafter  %v", before, after)
				}
			}
		})
	}
}

// TestBadInputResources runs the trees of TestBadInput again, checking what
// that test does not: no goroutine left running, memory in proportion to
// the input, every file as it was.
func TestBadInputResources(t *testing.T) {
	entries, err := os.ReadDir(badData)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		t.Run(e.Name(), func(t *testing.T) {
			root := filepath.Join(badData, e.Name())
			args := []string{"--no-config"}
			var stdin string
			if e.Name() == "dump-bad-marker" {
				stdin = readFile(t, filepath.Join(root, "nginx-T.txt"))
				args = append(args, "-")
			} else {
				args = append(args, "--root", root)
				for _, p := range []string{"/etc/nginx", "/etc/php"} {
					if _, err := os.Stat(filepath.Join(root, p)); err == nil {
						args = append(args, p)
					}
				}
			}
			before := hashTree(t, root)
			r := guarded(t, treeSize(t, root), func() cliResult { return runCLI(t, stdin, args...) })
			if r.code < 0 || r.code > 2 {
				t.Errorf("exit %d", r.code)
			}
			wantUnchanged(t, root, before)
		})
	}
}

// guarded runs fn and checks that no goroutine outlives it and that its
// memory stays in proportion to the input's size.
func guarded(t *testing.T, size int64, fn func() cliResult) cliResult {
	t.Helper()
	runtime.GC()
	var m0 runtime.MemStats
	runtime.ReadMemStats(&m0)
	g0 := runtime.NumGoroutine()

	r := fn()

	// Goroutines a run starts must have ended when it returns; give the
	// scheduler a moment to retire them.
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > g0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > g0 {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		t.Errorf("%d goroutines before the run, %d after:\n%s", g0, n, buf)
	}

	runtime.GC()
	var m1 runtime.MemStats
	runtime.ReadMemStats(&m1)
	// What the run keeps: its output only (a leak of the input would be
	// its size).
	if kept, limit := int64(m1.HeapAlloc)-int64(m0.HeapAlloc), 8<<20+size/8; kept > limit {
		t.Errorf("the heap grew by %d bytes over the run, more than %d for %d bytes of input", kept, limit, size)
	}
	// What it allocated in all: a few copies of the input, plus room for
	// the model and the rules on a large tree.
	if alloc, limit := m1.TotalAlloc-m0.TotalAlloc, uint64(4*size+512<<20); alloc > limit {
		t.Errorf("the run allocated %d bytes, more than %d for %d bytes of input", alloc, limit, size)
	}
	t.Logf("%d bytes of input: allocated %d bytes, heap %+d bytes after", size, m1.TotalAlloc-m0.TotalAlloc, int64(m1.HeapAlloc)-int64(m0.HeapAlloc))
	return r
}

// snapshot is hashTree without opening what is not a regular file (a FIFO
// would block): the SHA-256 of each file, the target of each symlink, the
// type of anything else.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	sums := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir():
			return nil
		case d.Type()&os.ModeSymlink != 0:
			target, err := os.Readlink(p)
			sums[p] = "symlink:" + target
			return err
		case !d.Type().IsRegular():
			sums[p] = d.Type().String()
			return nil
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		h := sha256.New()
		if _, err := io.Copy(h, f); err != nil {
			return err
		}
		sums[p] = hex.EncodeToString(h.Sum(nil))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return sums
}

// copied copies a tree of testdata, so that a run cannot change the
// original (and the test sees it if it tries).
func copied(src string) func(*testing.T) (string, int64) {
	return func(t *testing.T) (string, int64) {
		dir := copyTree(t, src, nil)
		return dir, treeSize(t, dir)
	}
}

func treeSize(t *testing.T, dir string) int64 {
	t.Helper()
	var size int64
	err := filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			fi, err := d.Info()
			if err != nil {
				return err
			}
			size += fi.Size()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return size
}

// bigFile writes an nginx.conf of head, bigLine bytes of c, then tail.
func bigFile(head string, c byte, tail string) func(*testing.T) (string, int64) {
	return func(t *testing.T) (string, int64) {
		if testing.Short() {
			t.Skip("-short: not writing a 100 MB file")
		}
		dir := t.TempDir()
		p := filepath.Join(dir, "etc/nginx/nginx.conf")
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		data := make([]byte, 0, len(head)+bigLine+len(tail))
		data = append(data, head...)
		data = append(data, bytes.Repeat([]byte{c}, bigLine)...)
		data = append(data, tail...)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return dir, int64(len(data))
	}
}

// bigFPMLine writes a pool whose one value is bigLine bytes long: php-fpm
// has no limit on a line; the pool then lacks what php-fpm requires.
func bigFPMLine(t *testing.T) (string, int64) {
	if testing.Short() {
		t.Skip("-short: not writing a 100 MB file")
	}
	dir := linttest.WriteTree(t, map[string]any{fpmConf: poolGlob})
	data := append([]byte("[www]\nlisten = /run/php/php8.2-fpm.sock\nslowlog = /"), bytes.Repeat([]byte{'s'}, bigLine)...)
	data = append(data, '\n')
	if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(fpmPool)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, fpmPool), data, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, int64(len(data) + len(poolGlob))
}

// nested writes an nginx.conf with n location blocks one in another.
func nested(n int) func(*testing.T) (string, int64) {
	return func(t *testing.T) (string, int64) {
		var b strings.Builder
		b.WriteString("events {}\nhttp {\n")
		for i := range n {
			fmt.Fprintf(&b, "location /%d {\n", i)
		}
		b.WriteString(strings.Repeat("}\n", n+1))
		return linttest.WriteTree(t, map[string]any{"etc/nginx/nginx.conf": b.String()}), int64(b.Len())
	}
}

// manySites writes an nginx.conf whose include glob matches n site files,
// each with a PHP location, all passing to one upstream.
func manySites(n int) func(*testing.T) (string, int64) {
	return func(t *testing.T) (string, int64) {
		files := map[string]any{
			"etc/nginx/nginx.conf": "user www-data;\nevents {}\nhttp {\n\tupstream php {\n\t\tserver unix:/run/php/php8.2-fpm.sock;\n\t}\n\tinclude /etc/nginx/sites-enabled/*.conf;\n}\n",
			"etc/nginx/fastcgi.conf": "fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;\nfastcgi_param QUERY_STRING $query_string;\n" +
				"fastcgi_param REQUEST_METHOD $request_method;\n",
		}
		for i := range n {
			files[fmt.Sprintf("etc/nginx/sites-enabled/site%05d.conf", i)] = fmt.Sprintf(`server {
	listen 80;
	server_name site%d.example;
	root /var/www/site%d;
	location / {
		try_files $uri $uri/ /index.php?$args;
	}
	location ~ \.php$ {
		try_files $uri =404;
		include fastcgi.conf;
		fastcgi_pass php;
	}
}
`, i, i)
		}
		return small(files)(t)
	}
}

// fifoTree has a named pipe where an include glob expects a file: opening it
// would block for ever. As root, which reads any file whatever its mode,
// it is also what "a file that cannot be read" can be made of.
func fifoTree(t *testing.T) (string, int64) {
	dir := linttest.WriteTree(t, map[string]any{
		"etc/nginx/nginx.conf":      "events {}\nhttp {\n\tinclude /etc/nginx/conf.d/*.conf;\n}\n",
		"etc/nginx/conf.d/app.conf": "server { listen 80; }\n",
	})
	if err := syscall.Mkfifo(filepath.Join(dir, "etc/nginx/conf.d/pipe.conf"), 0o644); err != nil {
		t.Skipf("no FIFO here: %v", err)
	}
	return dir, treeSize(t, dir)
}

// fpmChain writes a php-fpm.conf that includes 1.conf, which includes
// 2.conf, and so on to n.conf: n+1 files deep.
func fpmChain(n int) map[string]any {
	files := map[string]any{fpmConf: "[global]\ninclude=/etc/php/8.2/fpm/pool.d/1.conf\n"}
	for i := 1; i <= n; i++ {
		files[fmt.Sprintf("etc/php/8.2/fpm/pool.d/%d.conf", i)] = fmt.Sprintf("include=/etc/php/8.2/fpm/pool.d/%d.conf\n[p%d]\nlisten = /run/php/p%d.sock\n", i+1, i, i)
	}
	return files
}
