package errorlog

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "with NGINX502_E2E=1: rewrite testdata/logs/real-error.log from a run of real nginx and php-fpm8.2")

const (
	envSwitch   = "NGINX502_E2E"
	treeDir     = "../../testdata/logs/tree"
	realLogFile = "../../testdata/logs/real-error.log"
)

// The ports of testdata/logs/tree (26100–26199: the e2e stacks use
// 28000–29999).
const (
	closingBackendPort = 26191 // app.example.com's proxy_pass: accepts, then closes
)

// realRequest is one request to the tree and the cause it provokes.
type realRequest struct {
	host, path string
	times      int  // sent one after the other
	parallel   bool // sent all at once
	want       Cause
	// or is another cause the real programs may give instead (a race).
	or     Cause
	status int
}

var realRequests = []realRequest{
	{host: "shop.example.com", path: "/index.php", times: 3, want: CauseNoSuchFile, status: 502},
	{host: "blog.example.com", path: "/headers.php", times: 2, want: CauseTooBigHeader, status: 502},
	{host: "blog.example.com", path: "/slow.php", times: 1, want: CauseTimeout, status: 504},
	// The worker killed after reading the request: a reset, not a close.
	{host: "blog.example.com", path: "/crash.php", times: 1, want: CauseReset, status: 502},
	{host: "admin.example.com", path: "/index.php", times: 2, want: CausePermission, status: 502},
	{host: "api.example.com", path: "/index.php", times: 1, want: CauseRefused, status: 502},
	{host: "legacy.example.com", path: "/index.php", times: 1, want: CauseRefused, status: 502},
	{host: "reports.example.com", path: "/sleep.php", times: 6, parallel: true, want: CauseAgain, status: 502},
	{host: "app.example.com", path: "/", times: 1, want: CausePrematureClose, status: 502},
	{host: "cluster.example.com", path: "/index.php", times: 2, want: CauseNoLiveUpstreams, status: 502},
	// php-fpm drops a client that listen.allowed_clients does not list.
	// (a reset or a close, as the race goes).
	{host: "partner.example.com", path: "/index.php", times: 1, want: CausePrematureClose, or: CauseReset, status: 502},
}

// portOf is the listen port of each server of the tree.
var portOf = map[string]int{
	"shop.example.com": 26101, "blog.example.com": 26102, "admin.example.com": 26103,
	"api.example.com": 26104, "legacy.example.com": 26105, "reports.example.com": 26106,
	"app.example.com": 26107, "cluster.example.com": 26108, "partner.example.com": 26109,
}

// TestRealErrorLog runs testdata/logs/tree on real nginx and php-fpm8.2,
// sends the requests of realRequests, and checks that nginx's error log
// has a line of each cause; with -update it writes those lines, paths
// mapped back to the tree's, to testdata/logs/real-error.log.
//
//	NGINX502_E2E=1 go test ./parsers/errorlog -run TestRealErrorLog -update
func TestRealErrorLog(t *testing.T) {
	if os.Getenv(envSwitch) != "1" {
		t.Skipf("set %s=1 to run real nginx and php-fpm8.2 (as root)", envSwitch)
	}
	if os.Geteuid() != 0 {
		t.Fatalf("%s=1 needs root: nginx and php-fpm switch their workers to www-data", envSwitch)
	}
	nginxBin, err := exec.LookPath("nginx")
	if err != nil {
		t.Fatalf("nginx: %v (apt-get install nginx)", err)
	}
	fpmBin, err := exec.LookPath("php-fpm8.2")
	if err != nil {
		t.Fatalf("php-fpm8.2: %v (apt-get install php8.2-fpm)", err)
	}
	prefix, err := os.MkdirTemp("", "n502-logs")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(prefix) })
	if err := os.Chmod(prefix, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := install(treeDir, prefix); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"run/php", "var/log/nginx", "var/lib/nginx"} {
		if err := os.MkdirAll(filepath.Join(prefix, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// legacy.example.com's socket: left by a php-fpm that is gone.
	stale, err := net.Listen("unix", filepath.Join(prefix, "run/php/legacy.sock"))
	if err != nil {
		t.Fatal(err)
	}
	stale.(*net.UnixListener).SetUnlinkOnClose(false)
	stale.Close()
	// as php-fpm leaves it with listen.owner = www-data: a root-owned one
	// answers (13: Permission denied) before (111: Connection refused).
	if err := os.Chown(filepath.Join(prefix, "run/php/legacy.sock"), 33, 33); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(prefix, "run/php/legacy.sock"), 0o660); err != nil {
		t.Fatal(err)
	}
	// app.example.com's backend: reads the request, closes without a word.
	backend, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", closingBackendPort))
	if err != nil {
		t.Fatalf("port %d: %v", closingBackendPort, err)
	}
	defer backend.Close()
	go func() {
		for {
			c, err := backend.Accept()
			if err != nil {
				return
			}
			_ = c.SetReadDeadline(time.Now().Add(time.Second))
			_, _ = c.Read(make([]byte, 4096))
			c.Close()
		}
	}()

	env := []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C"}
	fpmConf := filepath.Join(prefix, "etc/php/8.2/fpm/php-fpm.conf")
	fpmArgs := []string{"-n", "-d", "extension=posix", "-y", fpmConf, "-p", prefix, "-R"}
	if out, err := exec.Command(fpmBin, append(fpmArgs, "-t")...).CombinedOutput(); err != nil {
		t.Fatalf("php-fpm8.2 -t: %v\n%s", err, out)
	}
	nginxLog := filepath.Join(prefix, "var/log/nginx/error.log")
	nginxArgs := []string{"-p", prefix + "/", "-c", filepath.Join(prefix, "etc/nginx/nginx.conf"), "-e", nginxLog}
	if out, err := exec.Command(nginxBin, append(nginxArgs, "-t")...).CombinedOutput(); err != nil {
		t.Fatalf("nginx -t: %v\n%s", err, out)
	}
	fpm := start(t, env, fpmBin, append(fpmArgs, "-F")...)
	waitFor(t, fpm, func() bool {
		return exists(filepath.Join(prefix, "run/php/reports.sock")) && exists(filepath.Join(prefix, "run/php/php8.2-fpm.sock"))
	})
	ng := start(t, env, nginxBin, append(nginxArgs, "-g", "daemon off;")...)
	waitFor(t, ng, func() bool { return canDial(portOf["shop.example.com"]) })

	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true}}
	for _, r := range realRequests {
		statuses := send(client, r)
		got := false
		for _, s := range statuses {
			got = got || s == r.status
		}
		if !got {
			t.Errorf("%s%s: statuses %v, want %d among them", r.host, r.path, statuses, r.status)
		}
	}
	ng.stop()
	fpm.stop()

	data, err := os.ReadFile(nginxLog)
	if err != nil {
		t.Fatal(err)
	}
	lines := unmap(string(data), prefix)
	type key struct {
		cause      Cause
		host, path string
	}
	seen := map[key]int{}
	var kept []string
	for _, line := range strings.Split(strings.TrimRight(lines, "\n"), "\n") {
		if e, ok := ParseLine(line); ok {
			path := strings.Fields(e.Request + " -")[1]
			seen[key{e.Cause, e.Server, path}]++
			kept = append(kept, line)
		}
	}
	for _, r := range realRequests {
		if seen[key{r.want, r.host, r.path}]+seen[key{r.or, r.host, r.path}] == 0 {
			t.Errorf("no %s line in nginx's error log for %s%s; the log:\n%s", r.want, r.host, r.path, lines)
		}
	}
	if *update && !t.Failed() {
		if err := os.WriteFile(realLogFile, []byte(strings.Join(kept, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %d lines to %s", len(kept), realLogFile)
	}
}

// send makes the requests of r and returns the statuses (0 for none).
func send(client *http.Client, r realRequest) []int {
	statuses := make([]int, r.times)
	get := func(i int) {
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, fmt.Sprintf("http://127.0.0.1:%d%s", portOf[r.host], r.path), nil)
		req.Host = r.host
		resp, err := client.Do(req)
		if err != nil {
			return
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		statuses[i] = resp.StatusCode
	}
	if !r.parallel {
		for i := range r.times {
			get(i)
		}
		return statuses
	}
	var wg sync.WaitGroup
	for i := range r.times {
		wg.Add(1)
		go func() { defer wg.Done(); get(i) }()
	}
	wg.Wait()
	return statuses
}

// pathPrefix finds the absolute paths of the tree in its files.
var pathPrefix = regexp.MustCompile(`(^|[\s"'=:])/(etc|run|var)/`)

// install copies the tree into prefix, moving every /etc/, /run/ and /var/
// path under it on the same line, so that line numbers stay the tree's.
func install(tree, prefix string) error {
	return filepath.WalkDir(tree, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(tree, p)
		dst := filepath.Join(prefix, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		data = pathPrefix.ReplaceAll(data, []byte("${1}"+prefix+"/${2}/"))
		return os.WriteFile(dst, data, 0o644)
	})
}

func unmap(s, prefix string) string { return strings.ReplaceAll(s, prefix+"/", "/") }

// lockedBuffer collects a process's output while it runs.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type proc struct {
	cmd  *exec.Cmd
	out  lockedBuffer
	done chan struct{}
	once sync.Once
}

func start(t *testing.T, env []string, bin string, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(bin, args...), done: make(chan struct{})}
	p.cmd.Env = env
	p.cmd.Stdout, p.cmd.Stderr = &p.out, &p.out
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	go func() { _ = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(p.stop)
	return p
}

// stop sends SIGTERM to the master, then SIGKILL to its process group
// after 3 s.
func (p *proc) stop() {
	p.once.Do(func() {
		pid := p.cmd.Process.Pid
		_ = syscall.Kill(pid, syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(3 * time.Second):
			_ = syscall.Kill(-pid, syscall.SIGKILL)
			<-p.done
		}
		_ = syscall.Kill(-pid, syscall.SIGKILL)
	})
}

func waitFor(t *testing.T, p *proc, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		select {
		case <-p.done:
			t.Fatalf("%s exited: %s", p.cmd.Path, p.out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not ready after 5s: %s", p.cmd.Path, p.out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }

func canDial(port int) bool {
	c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), 200*time.Millisecond)
	if err != nil {
		return false
	}
	c.Close()
	return true
}
