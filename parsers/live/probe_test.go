package live

import (
	"context"
	"encoding/binary"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

func TestScanProc(t *testing.T) {
	masters, err := ScanProc("testdata/proc")
	if err != nil {
		t.Fatal(err)
	}
	want := []lint.FPMMaster{
		{PID: 812, Config: "/etc/php/8.1/fpm/php-fpm.conf", Binary: "php-fpm", Version: "8.1", Cmdline: "php-fpm: master process (/etc/php/8.1/fpm/php-fpm.conf)"},
		{PID: 900, Config: "/etc/php/8.2/fpm/php-fpm.conf", Binary: "php-fpm8.2", Version: "8.2", Cmdline: "/usr/sbin/php-fpm8.2 --nodaemonize --fpm-config /etc/php/8.2/fpm/php-fpm.conf"},
		{PID: 950, Config: "/usr/local/etc/php-fpm.conf", Binary: "php-fpm", Cmdline: "php-fpm: master process (/usr/local/etc/php-fpm.conf)"},
	}
	if len(masters) != len(want) {
		t.Fatalf("got %d masters, want %d: %+v", len(masters), len(want), masters)
	}
	for i, m := range masters {
		if *m != want[i] {
			t.Errorf("master %d:\n got %+v\nwant %+v", i, *m, want[i])
		}
	}
	if _, err := ScanProc(filepath.Join(t.TempDir(), "none")); err == nil {
		t.Error("ScanProc of a missing directory: want an error")
	}
}

func TestParseCmdline(t *testing.T) {
	tests := []struct {
		cmdline, exe string
		config       string // "-" for not a master
		binary       string
		version      string
	}{
		{"php-fpm: master process (/etc/php/8.2/fpm/php-fpm.conf)\x00", "/usr/sbin/php-fpm8.2", "/etc/php/8.2/fpm/php-fpm.conf", "php-fpm8.2", "8.2"},
		{"php-fpm: master process (/etc/php-fpm.conf)      \x00\x00", "/usr/sbin/php-fpm (deleted)", "/etc/php-fpm.conf", "php-fpm", ""},
		{"php-fpm8.1: master process (/etc/php/8.1/fpm/php-fpm.conf)", "", "/etc/php/8.1/fpm/php-fpm.conf", "php-fpm8.1", "8.1"},
		{"/usr/sbin/php-fpm8.3\x00-F\x00-y\x00/srv/fpm.conf\x00", "", "/srv/fpm.conf", "php-fpm8.3", "8.3"},
		{"php-fpm\x00--fpm-config=/usr/local/etc/php-fpm.conf\x00", "", "/usr/local/etc/php-fpm.conf", "php-fpm", ""},
		{"/usr/sbin/php-fpm8.2\x00--nodaemonize\x00", "", "", "php-fpm8.2", "8.2"},
		{"php-fpm: pool www\x00\x00\x00", "/usr/sbin/php-fpm8.2", "-", "", ""},
		{"nginx: master process /usr/sbin/nginx\x00", "/usr/sbin/nginx", "-", "", ""},
		{"/usr/bin/php\x00-r\x00echo 1;\x00", "/usr/bin/php8.2", "-", "", ""},
	}
	for _, tt := range tests {
		m := ParseCmdline([]byte(tt.cmdline), tt.exe)
		if tt.config == "-" {
			if m != nil {
				t.Errorf("%q: a master %+v, want none", tt.cmdline, *m)
			}
			continue
		}
		if m == nil {
			t.Errorf("%q: not a master", tt.cmdline)
			continue
		}
		if m.Config != tt.config || m.Binary != tt.binary || m.Version != tt.version {
			t.Errorf("%q: got config %q binary %q version %q, want %q %q %q", tt.cmdline, m.Config, m.Binary, m.Version, tt.config, tt.binary, tt.version)
		}
	}
}

func TestReadSELinux(t *testing.T) {
	s := ReadSELinux("testdata/sys-enforcing")
	if s == nil || !s.Enforcing {
		t.Fatalf("enforcing fixture: got %+v", s)
	}
	if on, ok := s.Booleans["httpd_can_network_connect"]; !ok || on {
		t.Errorf("enforcing fixture: httpd_can_network_connect = %v (known %v), want off", on, ok)
	}
	s = ReadSELinux("testdata/sys-permissive")
	if s == nil || s.Enforcing || !s.Booleans["httpd_can_network_connect"] {
		t.Errorf("permissive fixture: got %+v", s)
	}
	if s := ReadSELinux(t.TempDir()); s != nil {
		t.Errorf("no selinuxfs: got %+v, want nil", s)
	}
}

// aclBytes encodes ACL entries as the kernel stores them.
func aclBytes(entries ...[3]int) []byte {
	b := binary.LittleEndian.AppendUint32(nil, 2)
	for _, e := range entries {
		b = binary.LittleEndian.AppendUint16(b, uint16(e[0]))
		b = binary.LittleEndian.AppendUint16(b, uint16(e[1]))
		b = binary.LittleEndian.AppendUint32(b, uint32(e[2]))
	}
	return b
}

func TestParseACL(t *testing.T) {
	data := aclBytes([3]int{aclUserObj, 6, -1}, [3]int{aclUser, 6, 33}, [3]int{aclGroupObj, 6, -1},
		[3]int{aclGroup, 4, 1002}, [3]int{aclMask, 6, -1}, [3]int{aclOther, 0, -1})
	acl, err := ParseACL(data)
	if err != nil {
		t.Fatal(err)
	}
	if acl.UserObj != 6 || acl.GroupObj != 6 || acl.Other != 0 || !acl.HasMask || acl.Mask != 6 {
		t.Errorf("got %+v", acl)
	}
	if len(acl.Users) != 1 || acl.Users[0] != (lint.ACLEntry{Name: "#33", ID: 33, Perm: 6}) {
		t.Errorf("users: %+v", acl.Users)
	}
	if len(acl.Groups) != 1 || acl.Groups[0] != (lint.ACLEntry{Name: "#1002", ID: 1002, Perm: 4}) {
		t.Errorf("groups: %+v", acl.Groups)
	}
	for _, bad := range [][]byte{nil, {2, 0, 0}, aclBytes()[:3], append(binary.LittleEndian.AppendUint32(nil, 1), make([]byte, 8)...), aclBytes([3]int{0x40, 7, 0})} {
		if _, err := ParseACL(bad); err == nil {
			t.Errorf("ParseACL(%x): want an error", bad)
		}
	}
}

// TestReadACLReal sets an ACL with setfacl on a file of the test and reads
// it back through the xattr.
func TestReadACLReal(t *testing.T) {
	setfacl, err := exec.LookPath("setfacl")
	if err != nil {
		t.Skip("setfacl not installed (apt-get install acl)")
	}
	f := filepath.Join(t.TempDir(), "sock")
	if err := os.WriteFile(f, nil, 0o660); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(setfacl, "-m", "u:33:rw,g:1002:r", f).CombinedOutput(); err != nil {
		t.Skipf("the temp dir's filesystem takes no ACL: %v: %s", err, out)
	}
	ids, _ := readIDs("testdata/etc")
	acl, err := readACL(f, ids)
	if err != nil || acl == nil {
		t.Fatalf("readACL: %+v, %v", acl, err)
	}
	if len(acl.Users) != 1 || acl.Users[0].Name != "www-data" || acl.Users[0].Perm != 6 {
		t.Errorf("users: %+v", acl.Users)
	}
	if len(acl.Groups) != 1 || acl.Groups[0].Name != "shared" || acl.Groups[0].Perm != 4 {
		t.Errorf("groups: %+v", acl.Groups)
	}
	plain := filepath.Join(t.TempDir(), "plain")
	if err := os.WriteFile(plain, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if acl, err := readACL(plain, ids); acl != nil || err != nil {
		t.Errorf("a file without ACL: got %+v, %v", acl, err)
	}
}

// socketDir returns a short directory for sockets: t.TempDir() paths can
// exceed the 108 bytes of sun_path.
func socketDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "n502")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func listenUnix(t *testing.T, p string) *net.UnixListener {
	t.Helper()
	l, err := net.Listen("unix", p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l.(*net.UnixListener)
}

// staleSocket leaves a socket file with no listener, as a crashed php-fpm.
func staleSocket(t *testing.T, p string) {
	t.Helper()
	l := listenUnix(t, p)
	l.SetUnlinkOnClose(false)
	l.Close()
}

// freePort returns a port on 127.0.0.1 that nothing listens on.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}

func modelWith(targets ...lint.Target) *lint.Model {
	_, root := lint.NewPlace(&lint.NginxFile{Path: "nginx.conf"})
	ng := &lint.Nginx{Root: root}
	for _, tg := range targets {
		ng.Hops = append(ng.Hops, &lint.Hop{Module: "fastcgi", Target: tg})
	}
	return &lint.Model{Nginx: ng}
}

func TestProbe(t *testing.T) {
	dir := socketDir(t)
	live := filepath.Join(dir, "live.sock")
	listenUnix(t, live)
	stale := filepath.Join(dir, "stale.sock")
	staleSocket(t, stale)
	regular := filepath.Join(dir, "file.sock")
	if err := os.WriteFile(regular, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "php8.1-fpm.sock")
	noDir := filepath.Join(dir, "nodir", "x.sock")
	tcp, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer tcp.Close()
	open := tcp.Addr().(*net.TCPAddr).Port
	closed := freePort(t)

	upstream := &lint.Upstream{Name: "php", Servers: []*lint.UpstreamServer{
		{Target: lint.Target{Kind: lint.TargetUnix, Path: live}},
		{Target: lint.Target{Kind: lint.TargetUnix, Path: filepath.Join(dir, "down.sock")}, Down: true},
	}}
	m := modelWith(
		lint.Target{Kind: lint.TargetUnix, Path: live},
		lint.Target{Kind: lint.TargetUnix, Path: stale},
		lint.Target{Kind: lint.TargetUnix, Path: regular},
		lint.Target{Kind: lint.TargetUnix, Path: missing},
		lint.Target{Kind: lint.TargetUnix, Path: noDir},
		lint.Target{Kind: lint.TargetUnix, Path: "relative.sock"},
		lint.Target{Kind: lint.TargetTCP, Host: "127.0.0.1", Port: open},
		lint.Target{Kind: lint.TargetTCP, Host: "127.0.0.1", Port: closed},
		lint.Target{Kind: lint.TargetUpstream, Upstream: upstream},
		lint.Target{Kind: lint.TargetVariable, Raw: "$backend"},
	)
	facts := Probe(context.Background(), m, Options{ProcRoot: "testdata/proc", SysRoot: "testdata/sys-enforcing", EtcRoot: "testdata/etc"})
	if m.Live != facts {
		t.Fatal("Probe did not store its facts in the model")
	}
	if len(facts.Sockets) != 5 {
		t.Fatalf("got %d sockets, want 5 (each path once, relative and down ones left out): %+v", len(facts.Sockets), facts.Sockets)
	}
	if s := facts.Socket(live); s == nil || !s.Exists || !s.IsSocket || !s.Connect.OK {
		t.Errorf("listening socket: %+v", s)
	} else if s.File.Owner != "root" || len(s.Dirs) < 2 || s.Dirs[0].Path != "/" {
		t.Errorf("listening socket: owner %q, dirs %+v", s.File.Owner, s.Dirs)
	}
	if s := facts.Socket(stale); s == nil || !s.Exists || !s.IsSocket || s.Connect.OK || s.Connect.Errno != int(syscall.ECONNREFUSED) || s.Connect.Error != "Connection refused" {
		t.Errorf("stale socket: %+v", s)
	}
	if s := facts.Socket(regular); s == nil || !s.Exists || s.IsSocket || s.Type != "regular file" || s.Connect.Tried {
		t.Errorf("regular file: %+v", s)
	}
	s := facts.Socket(missing)
	if s == nil || s.Exists || s.Connect.Tried || s.DirMissing != "" {
		t.Errorf("missing socket: %+v", s)
	} else if got := s.Siblings; len(got) != 2 || got[0] != "live.sock" || got[1] != "stale.sock" {
		t.Errorf("missing socket: siblings %v, want [live.sock stale.sock]", got)
	}
	if s := facts.Socket(noDir); s == nil || s.Exists || s.DirMissing != filepath.Join(dir, "nodir") {
		t.Errorf("socket in a missing directory: %+v", s)
	}
	if c := facts.TCPAddr("127.0.0.1", open); c == nil || !c.Connect.OK {
		t.Errorf("open port: %+v", c)
	}
	if c := facts.TCPAddr("127.0.0.1", closed); c == nil || c.Connect.OK || c.Connect.Errno != int(syscall.ECONNREFUSED) {
		t.Errorf("closed port: %+v", c)
	}
	if len(facts.TCP) != 2 {
		t.Errorf("got %d TCP addresses, want 2", len(facts.TCP))
	}
	if !facts.ProcScanned || len(facts.FPMMasters) != 3 {
		t.Errorf("proc: scanned %v, %d masters", facts.ProcScanned, len(facts.FPMMasters))
	}
	if facts.SELinux == nil || !facts.SELinux.Enforcing {
		t.Errorf("selinux: %+v", facts.SELinux)
	}
	if m.Accounts == nil || m.Accounts.Users["www-data"] != "www-data" {
		t.Errorf("accounts from testdata/etc: %+v", m.Accounts)
	}
	if len(facts.Notes) != 1 {
		t.Errorf("notes: %q, want one about the relative socket", facts.Notes)
	}
}

// TestProbeOwner checks that real owners and modes are read and named from
// the host's passwd/group (here a fixture). chown needs root.
func TestProbeOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("chown to another user needs root")
	}
	dir := socketDir(t)
	p := filepath.Join(dir, "php.sock")
	listenUnix(t, p)
	if err := os.Chown(p, 33, 1002); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, 0o620); err != nil {
		t.Fatal(err)
	}
	unnamed := filepath.Join(dir, "unnamed.sock")
	listenUnix(t, unnamed)
	if err := os.Chown(unnamed, 4242, 4343); err != nil {
		t.Fatal(err)
	}
	m := modelWith(lint.Target{Kind: lint.TargetUnix, Path: p}, lint.Target{Kind: lint.TargetUnix, Path: unnamed})
	facts := Probe(context.Background(), m, Options{ProcRoot: "testdata/proc", SysRoot: t.TempDir(), EtcRoot: "testdata/etc"})
	f := facts.Socket(p).File
	if f.Owner != "www-data" || f.Group != "shared" || f.Mode != 0o620 || f.UID != 33 || f.GID != 1002 {
		t.Errorf("got %+v, want www-data:shared 0620", f)
	}
	if f := facts.Socket(unnamed).File; f.Owner != "#4242" || f.Group != "#4343" {
		t.Errorf("ids without names: got %s:%s", f.Owner, f.Group)
	}
	if facts.SELinux != nil {
		t.Errorf("no selinuxfs: got %+v", facts.SELinux)
	}
}

// TestProbeBacklogFull fills a unix socket's listen queue (backlog 0, no
// accept) as busy php-fpm children do: connect() then fails with EAGAIN.
func TestProbeBacklogFull(t *testing.T) {
	dir := socketDir(t)
	p := filepath.Join(dir, "busy.sock")
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
	var held []net.Conn
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	for range 4 {
		c, err := net.Dial("unix", p)
		if err != nil {
			break
		}
		held = append(held, c)
	}
	m := modelWith(lint.Target{Kind: lint.TargetUnix, Path: p})
	facts := Probe(context.Background(), m, Options{ProcRoot: "testdata/proc", SysRoot: t.TempDir(), EtcRoot: "testdata/etc"})
	c := facts.Socket(p).Connect
	if c.OK || c.Errno != int(syscall.EAGAIN) || c.Describe() != "(11: Resource temporarily unavailable)" {
		t.Errorf("full backlog: got %+v (%s), want (11: Resource temporarily unavailable)", c, c.Describe())
	}
}

func TestConnectDescribe(t *testing.T) {
	tests := map[string]lint.Connect{
		"connected":                 {Tried: true, OK: true},
		"(111: Connection refused)": {Tried: true, Errno: 111, Error: "Connection refused"},
		"no answer within 1000ms (connect timed out)": {Tried: true, TimedOut: true, Millis: 1000},
		"not tried: not a socket":                     {Skipped: "not a socket"},
	}
	for want, c := range tests {
		if got := c.Describe(); got != want {
			t.Errorf("Describe(%+v) = %q, want %q", c, got, want)
		}
	}
	if got := strerror(syscall.ENOENT); got != "No such file or directory" {
		t.Errorf("strerror(ENOENT) = %q", got)
	}
	if got := errText(&os.PathError{Op: "stat", Path: "/x", Err: syscall.EACCES}); got != "(13: Permission denied)" {
		t.Errorf("errText = %q", got)
	}
}
