package rules

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/nginx502-lint/nginx502-lint/lint"
	"github.com/nginx502-lint/nginx502-lint/parsers"
	"github.com/nginx502-lint/nginx502-lint/parsers/live"
)

// The live rules judge what parsers/live observed; these tests create the
// sockets, listeners, /proc and /sys fixtures, run the real probe and then
// the rule, as `nginx502-lint --live` does.

// liveRules are the rules of All() that judge live facts.
func liveRules() []*lint.Rule {
	var rs []*lint.Rule
	for _, r := range All() {
		if isLive(r) {
			rs = append(rs, r)
		}
	}
	return rs
}

func isLive(r *lint.Rule) bool {
	for _, tag := range r.Tags {
		if tag == "live" {
			return true
		}
	}
	return false
}

func TestLiveCatalogue(t *testing.T) {
	rs := liveRules()
	if len(rs) == 0 {
		t.Fatal("no rule tagged live in All()")
	}
	for _, r := range rs {
		if !strings.HasPrefix(r.ID, "live-") {
			t.Errorf("live rule id %q: want it to start with live-", r.ID)
		}
	}
	// Without --live there are no facts and the rules say nothing.
	m := loadTree(t, filepath.Join("..", "testdata", "example"))
	if fs := lint.Run(m, rs); len(fs) != 0 {
		t.Errorf("live rules on a model without live facts: %v", fs)
	}
}

// liveEnv is one test's host: a short directory for sockets (sun_path
// holds 108 bytes), the configuration tree, and fixture roots for /etc,
// /proc and /sys.
type liveEnv struct {
	t    *testing.T
	dir  string // sockets and the tree live here
	etc  string // passwd, group
	proc string
	sys  string
}

func newLiveEnv(t *testing.T) *liveEnv {
	t.Helper()
	dir, err := os.MkdirTemp("", "n502")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	// The nginx workers must reach the sockets: a temp dir is 0700.
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	e := &liveEnv{t: t, dir: dir, etc: filepath.Join(dir, "host-etc"), proc: filepath.Join(dir, "proc"), sys: filepath.Join(dir, "sys")}
	e.write("host-etc/passwd", "root:x:0:0:root:/root:/bin/bash\nwww-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\napp:x:1001:1001::/home/app:/bin/sh\n")
	e.write("host-etc/group", "root:x:0:\nwww-data:x:33:\napp:x:1001:\nshared:x:1002:www-data\n")
	if err := os.MkdirAll(e.proc, 0o755); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *liveEnv) path(rel string) string { return filepath.Join(e.dir, rel) }

func (e *liveEnv) write(rel, content string) {
	e.t.Helper()
	p := e.path(rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		e.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		e.t.Fatal(err)
	}
}

// tree writes etc/nginx/nginx.conf with one server whose location holds
// pass (e.g. "fastcgi_pass unix:…;"), plus extra http-level lines, and
// etc/php/8.2/fpm/php-fpm.conf with a pool listening on listen ("" for no
// php-fpm configuration).
func (e *liveEnv) tree(pass, httpExtra, listen string) {
	e.write("etc/nginx/nginx.conf", fmt.Sprintf(`user www-data;
events {}
http {
%s
    server {
        listen 127.0.0.1:20080;
        server_name shop.example.com;
        location ~ \.php$ {
            %s
        }
    }
}
`, httpExtra, pass))
	if listen != "" {
		e.write("etc/php/8.2/fpm/php-fpm.conf", fmt.Sprintf("[global]\npid = /run/php/php8.2-fpm.pid\n\n[www]\nuser = www-data\ngroup = www-data\nlisten = %s\nlisten.owner = www-data\nlisten.group = www-data\npm = static\npm.max_children = 2\n", listen))
	}
}

// master adds a php-fpm master with the given configuration to /proc.
func (e *liveEnv) master(pid int, config string) {
	e.write(fmt.Sprintf("proc/%d/cmdline", pid), "php-fpm: master process ("+config+")\x00")
}

func (e *liveEnv) selinux(enforce, networkConnect string) {
	e.write("sys/fs/selinux/enforce", enforce+"\n")
	e.write("sys/fs/selinux/booleans/httpd_can_network_connect", networkConnect+" "+networkConnect+"\n")
}

// findings loads the tree, probes, and runs rule.
func (e *liveEnv) findings(rule *lint.Rule) []lint.Finding {
	e.t.Helper()
	paths := []string{e.path("etc/nginx")}
	if _, err := os.Stat(e.path("etc/php")); err == nil {
		paths = append(paths, e.path("etc/php"))
	}
	m, err := parsers.Load(parsers.Options{Paths: paths})
	if err != nil {
		e.t.Fatalf("load: %v", err)
	}
	m.Accounts = nil // the probe reads the fixture host's passwd and group
	live.Probe(context.Background(), m, live.Options{ProcRoot: e.proc, SysRoot: e.sys, EtcRoot: e.etc})
	return lint.Run(m, []*lint.Rule{rule})
}

func (e *liveEnv) listen(rel string) *net.UnixListener {
	e.t.Helper()
	l, err := net.Listen("unix", e.path(rel))
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { l.Close() })
	return l.(*net.UnixListener)
}

// stale leaves a socket file that nothing listens on: a crashed php-fpm.
func (e *liveEnv) stale(rel string) {
	l := e.listen(rel)
	l.SetUnlinkOnClose(false)
	l.Close()
}

// wantLiveFinding checks that fs is one finding at the nginx.conf line of the
// pass directive (line 7, or the upstream server's line) whose message
// holds every part.
func wantLiveFinding(t *testing.T, fs []lint.Finding, line int, parts ...string) {
	t.Helper()
	if len(fs) != 1 {
		t.Fatalf("got %d findings, want 1: %s", len(fs), dumpLive(fs))
	}
	f := fs[0]
	if !strings.HasSuffix(f.Span.Start.File, "nginx.conf") || int(f.Span.Start.Line) != line {
		t.Errorf("finding at %s, want nginx.conf:%d", f.Span.Start, line)
	}
	for _, p := range parts {
		if !strings.Contains(f.Message, p) {
			t.Errorf("message %q lacks %q", f.Message, p)
		}
	}
}

func wantNoLiveFinding(t *testing.T, fs []lint.Finding) {
	t.Helper()
	if len(fs) != 0 {
		t.Errorf("want no finding, got %s", dumpLive(fs))
	}
}

func dumpLive(fs []lint.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "\n  %s: %s: %s [%s]", f.Span.Start, f.Severity, f.Message, f.Rule)
		if f.Fix != nil {
			fmt.Fprintf(&b, "\n    fix: %s %s", f.Fix.Text, f.Fix.Replacement)
		}
	}
	return b.String()
}

const livePassLine = 9 // the line of %s in the location of tree()

func TestLiveSocketMissing(t *testing.T) {
	t.Run("other version's socket exists", func(t *testing.T) {
		e := newLiveEnv(t)
		e.listen("php8.2-fpm.sock")
		e.listen("admin.sock")
		e.tree("fastcgi_pass unix:"+e.path("php8.1-fpm.sock")+";", "", e.path("php8.2-fpm.sock"))
		fs := e.findings(LiveSocketMissing)
		wantLiveFinding(t, fs, livePassLine, "php8.1-fpm.sock does not exist on this host", "holds admin.sock, php8.2-fpm.sock")
		if fx := fs[0].Fix; fx == nil || fx.Replacement != "fastcgi_pass unix:"+e.path("php8.2-fpm.sock")+";" {
			t.Errorf("fix: %+v", fx)
		}
	})
	t.Run("pool's socket missing", func(t *testing.T) {
		e := newLiveEnv(t)
		e.tree("fastcgi_pass unix:"+e.path("php8.2-fpm.sock")+";", "", e.path("php8.2-fpm.sock"))
		fs := e.findings(LiveSocketMissing)
		wantLiveFinding(t, fs, livePassLine, "does not exist", "holds no socket")
		if len(fs[0].Related) != 1 || !strings.Contains(fs[0].Related[0].Message, "pool [www] (php-fpm 8.2) should create it") {
			t.Errorf("related: %+v", fs[0].Related)
		}
		if fx := fs[0].Fix; fx == nil || !strings.Contains(fx.Text, "systemctl start php-fpm") {
			t.Errorf("fix: %+v", fx)
		}
	})
	t.Run("directory missing", func(t *testing.T) {
		e := newLiveEnv(t)
		e.tree("fastcgi_pass unix:"+e.path("php/php8.2-fpm.sock")+";", "", "")
		wantLiveFinding(t, e.findings(LiveSocketMissing), livePassLine, "(no directory "+e.path("php")+")")
	})
	t.Run("through an upstream", func(t *testing.T) {
		e := newLiveEnv(t)
		e.listen("a.sock")
		e.tree("fastcgi_pass php;", "upstream php { server unix:"+e.path("a.sock")+"; server unix:"+e.path("b.sock")+"; server unix:"+e.path("c.sock")+" down; }", "")
		fs := e.findings(LiveSocketMissing)
		wantLiveFinding(t, fs, 4, "b.sock does not exist")
		if len(fs[0].Related) == 0 || fs[0].Related[0].Pos.Line != livePassLine {
			t.Errorf("related: %+v, want the fastcgi_pass", fs[0].Related)
		}
	})
	t.Run("exists", func(t *testing.T) {
		e := newLiveEnv(t)
		e.listen("php8.2-fpm.sock")
		e.tree("fastcgi_pass unix:"+e.path("php8.2-fpm.sock")+";", "", e.path("php8.2-fpm.sock"))
		wantNoLiveFinding(t, e.findings(LiveSocketMissing))
	})
}

func TestLiveSocketStale(t *testing.T) {
	t.Run("no listener", func(t *testing.T) {
		e := newLiveEnv(t)
		e.stale("php8.2-fpm.sock")
		e.tree("fastcgi_pass unix:"+e.path("php8.2-fpm.sock")+";", "", e.path("php8.2-fpm.sock"))
		fs := e.findings(LiveSocketStale)
		wantLiveFinding(t, fs, livePassLine, "exists (root:root mode", "nothing listens on it", "(111: Connection refused)", "stale")
		if !strings.Contains(fs[0].Consequence, "failed (111: Connection refused)") {
			t.Errorf("consequence: %q", fs[0].Consequence)
		}
	})
	t.Run("regular file", func(t *testing.T) {
		e := newLiveEnv(t)
		e.write("php.sock", "")
		e.tree("fastcgi_pass unix:"+e.path("php.sock")+";", "", "")
		wantLiveFinding(t, e.findings(LiveSocketStale), livePassLine, "is a regular file, not a socket")
	})
	t.Run("listening", func(t *testing.T) {
		e := newLiveEnv(t)
		e.listen("php.sock")
		e.tree("fastcgi_pass unix:"+e.path("php.sock")+";", "", "")
		wantNoLiveFinding(t, e.findings(LiveSocketStale))
	})
}

func TestLiveSocketPermission(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("chown of the test's sockets to other users needs root")
	}
	setfacl, _ := exec.LookPath("setfacl")
	tests := []struct {
		name     string
		uid, gid int
		mode     os.FileMode
		acl      string // setfacl -m argument, with numeric ids (names are the fixture host's)
		dirMode  os.FileMode
		want     string // "" for no finding
	}{
		{name: "root owner", uid: 0, gid: 0, mode: 0o660, want: "is root:root mode 0660: they may not connect"},
		{name: "nginx user owns it", uid: 33, gid: 33, mode: 0o660},
		{name: "nginx user owns it read-only", uid: 33, gid: 33, mode: 0o460, want: "www-data:www-data mode 0460"},
		{name: "open to all", uid: 0, gid: 0, mode: 0o666},
		{name: "group member", uid: 1001, gid: 1002, mode: 0o660},
		{name: "other group", uid: 1001, gid: 1001, mode: 0o660, want: "app:app mode 0660"},
		{name: "unnamed owner", uid: 4242, gid: 4242, mode: 0o660, want: "#4242:#4242 mode 0660"},
		{name: "acl grants the user", uid: 0, gid: 0, mode: 0o660, acl: "u:33:rw"},
		{name: "acl grants a group of the user", uid: 0, gid: 0, mode: 0o660, acl: "g:1002:rw"},
		{name: "acl masked", uid: 0, gid: 0, mode: 0o660, acl: "u:33:rw,m::r", want: "with ACL user:www-data:rw-,mask::r--"},
		{name: "directory not searchable", uid: 33, gid: 33, mode: 0o660, dirMode: 0o700, want: "but directory"},
		{name: "directory searchable", uid: 33, gid: 33, mode: 0o660, dirMode: 0o711},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.acl != "" && setfacl == "" {
				t.Skip("setfacl not installed")
			}
			e := newLiveEnv(t)
			if err := os.Mkdir(e.path("php"), 0o755); err != nil {
				t.Fatal(err)
			}
			sock := e.path("php/app.sock")
			e.listen("php/app.sock")
			if err := os.Chown(sock, tt.uid, tt.gid); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(sock, tt.mode); err != nil {
				t.Fatal(err)
			}
			if tt.acl != "" {
				if out, err := exec.Command(setfacl, "-n", "-m", tt.acl, sock).CombinedOutput(); err != nil {
					t.Skipf("no ACLs on this filesystem: %v %s", err, out)
				}
			}
			if tt.dirMode != 0 {
				if err := os.Chmod(e.path("php"), tt.dirMode); err != nil {
					t.Fatal(err)
				}
			}
			e.tree("fastcgi_pass unix:"+sock+";", "", "")
			fs := e.findings(LiveSocketPermission)
			if tt.want == "" {
				wantNoLiveFinding(t, fs)
				return
			}
			wantLiveFinding(t, fs, livePassLine, "nginx workers run as www-data:www-data", tt.want, "only because it runs as root")
			if !strings.Contains(fs[0].Consequence, "(13: Permission denied)") {
				t.Errorf("consequence: %q", fs[0].Consequence)
			}
		})
	}
}

// TestNginxWorkerMay covers the kernel's permission algorithm without
// files: mode bits, then ACL entries with their mask.
func TestNginxWorkerMay(t *testing.T) {
	w := nginxWorker{user: "www-data", group: "www-data", groups: map[string]bool{"www-data": true, "shared": true}, known: true}
	file := func(owner, group string, mode uint32, acl *lint.ACL) *lint.LiveFile {
		return &lint.LiveFile{Owner: owner, Group: group, Mode: mode, ACL: acl}
	}
	tests := []struct {
		name string
		f    *lint.LiveFile
		want bool
	}{
		{"owner without w", file("www-data", "root", 0o466, nil), false},
		{"owner bits decide, not others", file("www-data", "root", 0o066, nil), false},
		{"group bits decide", file("root", "shared", 0o606, nil), false},
		{"group w", file("root", "shared", 0o620, nil), true},
		{"others", file("root", "root", 0o602, nil), true},
		{"acl user", file("root", "root", 0o660, &lint.ACL{UserObj: 6, GroupObj: 6, Users: []lint.ACLEntry{{Name: "www-data", Perm: 6}}, Mask: 6, HasMask: true}), true},
		{"acl user masked", file("root", "root", 0o640, &lint.ACL{UserObj: 6, GroupObj: 6, Users: []lint.ACLEntry{{Name: "www-data", Perm: 6}}, Mask: 4, HasMask: true}), false},
		{"acl named group", file("root", "root", 0o660, &lint.ACL{UserObj: 6, GroupObj: 6, Groups: []lint.ACLEntry{{Name: "shared", Perm: 6}}, Mask: 6, HasMask: true}), true},
		{"acl matching group denies, others not consulted", file("root", "root", 0o666, &lint.ACL{UserObj: 6, GroupObj: 6, Groups: []lint.ACLEntry{{Name: "shared", Perm: 4}}, Mask: 6, HasMask: true, Other: 6}), false},
		{"acl others", file("root", "root", 0o666, &lint.ACL{UserObj: 6, GroupObj: 6, Users: []lint.ACLEntry{{Name: "app", Perm: 6}}, Mask: 6, HasMask: true, Other: 6}), true},
	}
	for _, tt := range tests {
		if got := w.may(tt.f, 2); got != tt.want {
			t.Errorf("%s: may write = %v, want %v", tt.name, got, tt.want)
		}
	}
	root := nginxWorker{user: "root", group: "root", groups: map[string]bool{"root": true}}
	if !root.may(file("app", "app", 0o600, nil), 2) {
		t.Error("root workers may always connect")
	}
}

func TestLiveConnectFailed(t *testing.T) {
	t.Run("tcp refused", func(t *testing.T) {
		e := newLiveEnv(t)
		port := liveFreePort(t)
		e.tree(fmt.Sprintf("fastcgi_pass 127.0.0.1:%d;", port), "", fmt.Sprintf("127.0.0.1:%d", port))
		fs := e.findings(LiveConnectFailed)
		wantLiveFinding(t, fs, livePassLine, fmt.Sprintf("a test connect() to 127.0.0.1:%d failed with (111: Connection refused): nothing listens", port))
		if len(fs[0].Related) != 1 || !strings.Contains(fs[0].Fix.Text, "start php-fpm") {
			t.Errorf("related %+v, fix %+v: want the pool and a start", fs[0].Related, fs[0].Fix)
		}
	})
	t.Run("tcp listening", func(t *testing.T) {
		e := newLiveEnv(t)
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		e.tree(fmt.Sprintf("proxy_pass http://%s;", l.Addr()), "", "")
		wantNoLiveFinding(t, e.findings(LiveConnectFailed))
	})
	t.Run("unix backlog full", func(t *testing.T) {
		e := newLiveEnv(t)
		p := e.path("busy.sock")
		fd, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer syscall.Close(fd)
		if err := syscall.Bind(fd, &syscall.SockaddrUnix{Name: p}); err != nil {
			t.Fatal(err)
		}
		if err := syscall.Listen(fd, 0); err != nil {
			t.Fatal(err)
		}
		for range 4 {
			c, err := net.Dial("unix", p)
			if err != nil {
				break
			}
			defer c.Close()
		}
		e.tree("fastcgi_pass unix:"+p+";", "", "")
		wantLiveFinding(t, e.findings(LiveConnectFailed), livePassLine, "(11: Resource temporarily unavailable)", "listen queue is full")
	})
	t.Run("stale is another rule's", func(t *testing.T) {
		e := newLiveEnv(t)
		e.stale("php.sock")
		e.tree("fastcgi_pass unix:"+e.path("php.sock")+";", "", "")
		wantNoLiveFinding(t, e.findings(LiveConnectFailed))
	})
}

func liveFreePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}

func TestLiveFPMNotRunning(t *testing.T) {
	t.Run("master of another config", func(t *testing.T) {
		e := newLiveEnv(t)
		e.tree("fastcgi_pass unix:"+e.path("php8.2-fpm.sock")+";", "", e.path("php8.2-fpm.sock"))
		e.master(812, "/etc/php/8.1/fpm/php-fpm.conf")
		fs := e.findings(LiveFPMNotRunning)
		wantLiveFinding(t, fs, livePassLine, "no php-fpm master runs for "+e.path("etc/php/8.2/fpm/php-fpm.conf"), "running: php-fpm 8.1 (pid 812, /etc/php/8.1/fpm/php-fpm.conf)")
	})
	t.Run("master running", func(t *testing.T) {
		e := newLiveEnv(t)
		e.tree("fastcgi_pass unix:"+e.path("php8.2-fpm.sock")+";", "", e.path("php8.2-fpm.sock"))
		e.master(900, e.path("etc/php/8.2/fpm/php-fpm.conf"))
		wantNoLiveFinding(t, e.findings(LiveFPMNotRunning))
	})
	t.Run("other version runs, no pool given", func(t *testing.T) {
		e := newLiveEnv(t)
		e.tree("fastcgi_pass unix:"+e.path("php8.2-fpm.sock")+";", "", "")
		e.master(812, "/etc/php/8.1/fpm/php-fpm.conf")
		wantLiveFinding(t, e.findings(LiveFPMNotRunning), livePassLine, "php8.1-fpm is running, but nginx points at the 8.2 socket php8.2-fpm.sock")
	})
	t.Run("none runs", func(t *testing.T) {
		e := newLiveEnv(t)
		port := liveFreePort(t)
		e.tree(fmt.Sprintf("fastcgi_pass 127.0.0.1:%d;", port), "", "")
		wantLiveFinding(t, e.findings(LiveFPMNotRunning), livePassLine, "no php-fpm master runs on this host")
	})
	t.Run("backend answers", func(t *testing.T) {
		e := newLiveEnv(t)
		e.listen("php8.2-fpm.sock")
		e.tree("fastcgi_pass unix:"+e.path("php8.2-fpm.sock")+";", "", e.path("php8.2-fpm.sock"))
		wantNoLiveFinding(t, e.findings(LiveFPMNotRunning))
	})
}

func TestLiveSELinuxBlocks(t *testing.T) {
	tests := []struct {
		name, enforce, boolean, pass string
		fires                        bool
	}{
		{"enforcing, boolean off, port 3000", "1", "0", "proxy_pass http://127.0.0.1:3000;", true},
		{"enforcing, boolean off, fastcgi 9001", "1", "0", "fastcgi_pass 127.0.0.1:9001;", true},
		{"http_port_t port 9000", "1", "0", "fastcgi_pass 127.0.0.1:9000;", false},
		{"unix socket", "1", "0", "fastcgi_pass unix:/run/php/php8.2-fpm.sock;", false},
		{"boolean on", "1", "1", "proxy_pass http://127.0.0.1:3000;", false},
		{"permissive", "0", "0", "proxy_pass http://127.0.0.1:3000;", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newLiveEnv(t)
			e.selinux(tt.enforce, tt.boolean)
			e.tree(tt.pass, "", "")
			fs := e.findings(LiveSELinuxBlocks)
			if !tt.fires {
				wantNoLiveFinding(t, fs)
				return
			}
			wantLiveFinding(t, fs, livePassLine, "SELinux is enforcing and httpd_can_network_connect is off", "this is SELinux, not a file or socket permission")
			if !strings.Contains(fs[0].Fix.Text, "setsebool -P httpd_can_network_connect 1") {
				t.Errorf("fix: %+v", fs[0].Fix)
			}
		})
	}
	t.Run("no selinuxfs", func(t *testing.T) {
		e := newLiveEnv(t)
		e.tree("proxy_pass http://127.0.0.1:3000;", "", "")
		wantNoLiveFinding(t, e.findings(LiveSELinuxBlocks))
	})
}

func TestNearestSibling(t *testing.T) {
	tests := []struct {
		name     string
		siblings []string
		want     string
	}{
		{"php8.1-fpm.sock", []string{"php8.2-fpm.sock"}, "php8.2-fpm.sock"},
		{"php8.1-fpm.sock", []string{"admin.sock", "php8.2-fpm.sock"}, "php8.2-fpm.sock"},
		{"php8.1-fpm.sock", []string{"php8.2-fpm.sock", "php8.3-fpm.sock"}, ""},
		{"php-fpm.sock", []string{"admin.sock", "reports.sock"}, ""},
	}
	for _, tt := range tests {
		if got := nearestSibling(tt.name, tt.siblings); got != tt.want {
			t.Errorf("nearestSibling(%q, %q) = %q, want %q", tt.name, tt.siblings, got, tt.want)
		}
	}
}
