package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Bounds of the real-program part: every wait ends.
const (
	startTimeout   = 5 * time.Second // php-fpm ready, nginx listening
	stopTimeout    = 3 * time.Second // SIGTERM, then SIGKILL of the process group
	requestTimeout = 5 * time.Second // the http.Client timeout
	checkTimeout   = 10 * time.Second
)

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

// proc is a server started by the harness, in its own process group so that
// its workers go with it.
type proc struct {
	name   string
	cmd    *exec.Cmd
	out    *lockedBuffer
	done   chan struct{}
	err    error // of Wait, once done is closed
	stopMu sync.Once
}

func startProc(t *testing.T, name, dir string, env []string, bin string, args ...string) *proc {
	t.Helper()
	p := &proc{name: name, out: &lockedBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Dir = dir
	p.cmd.Env = env
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() { p.stop(t) })
	return p
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop ends the process: SIGTERM to the master (both nginx and php-fpm end
// their workers on it), then SIGKILL to the whole process group after
// stopTimeout. It is safe to call more than once.
func (p *proc) stop(t *testing.T) {
	p.stopMu.Do(func() {
		if p.exited() {
			return
		}
		pid := p.cmd.Process.Pid
		_ = syscall.Kill(pid, syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(stopTimeout):
			t.Logf("%s (pid %d) still running %v after SIGTERM: killing its process group", p.name, pid, stopTimeout)
			_ = syscall.Kill(-pid, syscall.SIGKILL)
			<-p.done
		}
		// Workers that outlived their master (they should not) go too.
		_ = syscall.Kill(-pid, syscall.SIGKILL)
	})
}

// runCheck runs a config test (`nginx -t`, `php-fpm8.2 -t`) with a bound and
// returns its combined output and whether it succeeded.
func runCheck(t *testing.T, dir string, env []string, bin string, args ...string) (string, bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), checkTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("%s %s: no answer in %v", bin, strings.Join(args, " "), checkTimeout)
	}
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("%s: %v", bin, err)
	}
	return string(out), err == nil
}

// waitFor polls cond until it holds, the process exits or the bound passes.
func waitFor(t *testing.T, p *proc, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(startTimeout)
	for {
		if cond() {
			return
		}
		if p.exited() {
			t.Fatalf("%s exited (%v) before %s; its output:\n%s", p.name, p.err, what, p.out.String())
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not %s after %v; its output:\n%s", p.name, what, startTimeout, p.out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func fileContains(path, s string) bool {
	data, err := os.ReadFile(path)
	return err == nil && strings.Contains(string(data), s)
}

func canDial(port int) bool {
	c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), 200*time.Millisecond)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// portFree reports whether nothing listens on 127.0.0.1:port, so that a
// leftover process cannot answer for the stack.
func portFree(port int) error {
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return err
	}
	return l.Close()
}

// response is what one request got.
type response struct {
	Status int
	Body   string
	Err    error
}

var client = &http.Client{
	Timeout: requestTimeout,
	Transport: &http.Transport{
		Proxy:             nil, // never a proxy from the environment
		DisableKeepAlives: true,
	},
}

func get(url string) response {
	resp, err := client.Get(url)
	if err != nil {
		return response{Err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	return response{Status: resp.StatusCode, Body: string(body), Err: err}
}

// getParallel sends n requests, each started 200 ms after the one before,
// and returns their answers in order.
func getParallel(url string, n int) []response {
	out := make([]response, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = get(url)
		}()
		if i < n-1 {
			time.Sleep(200 * time.Millisecond)
		}
	}
	wg.Wait()
	return out
}

// getConcurrent sends n requests at the same moment (each from its own
// goroutine, released together) and returns their answers.
func getConcurrent(url string, n int) []response {
	out := make([]response, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			out[i] = get(url)
		}()
	}
	close(start)
	wg.Wait()
	return out
}

// ensureAccounts creates on the host every group and user of the stack's
// etc/group and etc/passwd that the host lacks (Debian has root, www-data,
// nobody and nogroup already), so that the pools and nginx's workers can
// run as the users the stack names. Running it again changes nothing.
func ensureAccounts(t *testing.T, c *stackCase) {
	t.Helper()
	groups, err := readAccountNames(c.Dir+"/etc/group", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range groups {
		if _, err := user.LookupGroup(g[0]); err == nil {
			continue
		}
		runAccountTool(t, "groupadd", "--system", g[0])
	}
	users, err := readAccountNames(c.Dir+"/etc/passwd", 3)
	if err != nil {
		t.Fatal(err)
	}
	gidName := map[string]string{}
	for _, g := range groups {
		gidName[g[1]] = g[0]
	}
	for _, u := range users {
		if _, err := user.Lookup(u[0]); err == nil {
			continue
		}
		args := []string{"--system", "--no-create-home", "--shell", "/usr/sbin/nologin"}
		if g := gidName[u[1]]; g != "" {
			args = append(args, "--gid", g)
		}
		runAccountTool(t, "useradd", append(args, u[0])...)
	}
}

// readAccountNames returns, for each record of a passwd or group file, its
// name and the field gidField (2 for group's GID, 3 for passwd's primary GID).
func readAccountNames(path string, gidField int) ([][2]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if gidField == 0 {
		gidField = 2
	}
	var out [][2]string
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Split(line, ":")
		if len(f) <= gidField || f[0] == "" || strings.HasPrefix(f[0], "#") {
			continue
		}
		out = append(out, [2]string{f[0], f[gidField]})
	}
	return out, nil
}

func runAccountTool(t *testing.T, tool string, args ...string) {
	t.Helper()
	out, err := exec.Command(tool, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", tool, strings.Join(args, " "), err, out)
	}
	t.Logf("created account: %s %s", tool, strings.Join(args, " "))
}

// findBinary looks for a program in PATH, then in /usr/sbin and /usr/bin
// (a non-login root shell may not have /usr/sbin in PATH).
func findBinary(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	for _, d := range []string{"/usr/sbin", "/usr/bin", "/sbin"} {
		p := d + "/" + name
		if fi, err := os.Stat(p); err == nil && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s: not found in PATH, /usr/sbin or /usr/bin", name)
}

// aclSupported reports whether setfacl can give a user an ACL entry on a
// file in dir (false also when setfacl is not installed).
func aclSupported(dir string) bool {
	f, err := os.CreateTemp(dir, "acl-probe-")
	if err != nil {
		return false
	}
	f.Close()
	defer os.Remove(f.Name())
	return exec.Command("setfacl", "-m", "u:nobody:rw", f.Name()).Run() == nil
}
