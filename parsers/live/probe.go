// Package live observes the host nginx502-lint runs on, for --live: the
// unix sockets and TCP addresses of every backend hop in the model (owner,
// group, mode, ACL, and a test connect()), the php-fpm masters running,
// and SELinux. It only reads and connects: it never creates, changes or
// removes anything, and connects only to the addresses the configuration
// names. The facts go into the model (Model.Live); the live rules judge them.
package live

import (
	"context"
	"errors"
	"net"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

// DefaultTimeout bounds each test connect().
const DefaultTimeout = time.Second

// maxParallel bounds the connects in flight.
const maxParallel = 8

// maxSiblings bounds the sockets listed from a socket's directory.
const maxSiblings = 20

// Options say where the probe looks. The zero value probes this host.
type Options struct {
	// ProcRoot is where /proc is ("" for /proc).
	ProcRoot string
	// SysRoot is where /sys is ("" for /sys).
	SysRoot string
	// EtcRoot is the directory holding passwd and group ("" for /etc).
	EtcRoot string
	// Timeout bounds each connect() (0 for DefaultTimeout).
	Timeout time.Duration
}

func (o Options) withDefaults() Options {
	if o.ProcRoot == "" {
		o.ProcRoot = "/proc"
	}
	if o.SysRoot == "" {
		o.SysRoot = "/sys"
	}
	if o.EtcRoot == "" {
		o.EtcRoot = "/etc"
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	return o
}

// Probe observes the backends of m's hops and the host, stores the facts in
// m.Live and returns them. When m has no accounts, the host's /etc/passwd
// and /etc/group become m.Accounts: the live permission check needs the
// nginx user's groups on this host.
func Probe(ctx context.Context, m *lint.Model, opts Options) *lint.LiveFacts {
	opts = opts.withDefaults()
	facts := &lint.LiveFacts{Root: os.Geteuid() == 0}
	ids, acc := readIDs(opts.EtcRoot)
	if acc == nil {
		facts.Notes = append(facts.Notes, "no "+path.Join(opts.EtcRoot, "passwd")+" or "+path.Join(opts.EtcRoot, "group")+": socket owners are shown as numbers and the nginx user's groups are unknown")
	}
	if m.Accounts == nil && acc != nil {
		m.Accounts = acc
	}
	sockets, tcps, notes := targets(m)
	facts.Notes = append(facts.Notes, notes...)

	var wg sync.WaitGroup
	sem := make(chan struct{}, maxParallel)
	for _, p := range sockets {
		s := &lint.LiveSocket{Path: p}
		facts.Sockets = append(facts.Sockets, s)
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			probeSocket(ctx, s, ids, opts.Timeout)
		}()
	}
	for _, hp := range tcps {
		t := &lint.LiveTCP{Host: hp.host, Port: hp.port}
		facts.TCP = append(facts.TCP, t)
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			t.Connect = dial(ctx, "tcp", t.Address(), opts.Timeout)
		}()
	}
	masters, err := ScanProc(opts.ProcRoot)
	if err != nil {
		facts.Notes = append(facts.Notes, "could not list processes in "+opts.ProcRoot+": "+err.Error()+"; running php-fpm masters were not compared with the configuration")
	} else {
		facts.ProcScanned = true
		facts.FPMMasters = masters
	}
	facts.SELinux = ReadSELinux(opts.SysRoot)
	wg.Wait()
	m.Live = facts
	return facts
}

type hostPort struct {
	host string
	port int
}

// targets lists the unix socket paths and TCP addresses the hops reach,
// directly or through an upstream's servers (those marked down are never
// connected to), each once, in file order.
func targets(m *lint.Model) (sockets []string, tcps []hostPort, notes []string) {
	if m.Nginx == nil {
		return nil, nil, []string{"no nginx configuration given: no backend to probe"}
	}
	seenSock := map[string]bool{}
	seenTCP := map[hostPort]bool{}
	relative := map[string]bool{}
	add := func(t lint.Target) {
		switch t.Kind {
		case lint.TargetUnix:
			if !strings.HasPrefix(t.Path, "/") {
				if !relative[t.Path] {
					relative[t.Path] = true
					notes = append(notes, "unix:"+t.Path+" is a relative path (nginx resolves it against its working directory): not probed")
				}
				return
			}
			p := path.Clean(t.Path)
			if !seenSock[p] {
				seenSock[p] = true
				sockets = append(sockets, p)
			}
		case lint.TargetTCP:
			if t.Port == 0 {
				return
			}
			hp := hostPort{strings.TrimSuffix(strings.TrimPrefix(t.Host, "["), "]"), t.Port}
			if !seenTCP[hp] {
				seenTCP[hp] = true
				tcps = append(tcps, hp)
			}
		}
	}
	for _, h := range m.Nginx.Hops {
		switch h.Target.Kind {
		case lint.TargetUpstream:
			for _, s := range h.Target.Upstream.Servers {
				if !s.Down {
					add(s.Target)
				}
			}
		default:
			add(h.Target)
		}
	}
	return sockets, tcps, notes
}

// probeSocket fills s: the directories on the way, the file, the siblings,
// and a test connect() when it is a socket.
func probeSocket(ctx context.Context, s *lint.LiveSocket, ids *idNames, timeout time.Duration) {
	dir := path.Dir(s.Path)
	for _, d := range ancestors(dir) {
		fi, err := os.Stat(d)
		if err != nil {
			s.DirMissing = d
			break
		}
		s.Dirs = append(s.Dirs, fileFacts(d, fi, ids))
	}
	if s.DirMissing == "" {
		s.Siblings = siblings(dir, path.Base(s.Path))
	}
	fi, err := os.Stat(s.Path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		s.Connect.Skipped = "the path does not exist"
		return
	case err != nil:
		s.StatError = errText(err)
		s.Connect.Skipped = "stat failed: " + s.StatError
		return
	}
	s.Exists = true
	s.File = fileFacts(s.Path, fi, ids)
	s.IsSocket = fi.Mode()&os.ModeSocket != 0
	if !s.IsSocket {
		s.Type = fileType(fi.Mode())
		s.Connect.Skipped = "not a socket"
		return
	}
	s.Connect = dial(ctx, "unix", s.Path, timeout)
}

// ancestors returns "/", "/run", "/run/php" for "/run/php".
func ancestors(dir string) []string {
	out := []string{"/"}
	cur := ""
	for _, part := range strings.Split(strings.Trim(dir, "/"), "/") {
		if part == "" {
			continue
		}
		cur += "/" + part
		out = append(out, cur)
	}
	return out
}

// siblings lists the other sockets in dir, sorted, at most maxSiblings.
func siblings(dir, self string) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		if e.Name() == self || e.Type()&os.ModeSocket == 0 {
			continue
		}
		out = append(out, e.Name())
		if len(out) == maxSiblings {
			break
		}
	}
	sort.Strings(out)
	return out
}

func fileType(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "directory"
	case m.IsRegular():
		return "regular file"
	case m&os.ModeNamedPipe != 0:
		return "named pipe"
	case m&os.ModeDevice != 0:
		return "device"
	}
	return "special file"
}

// fileFacts reads owner, group, mode and ACL.
func fileFacts(p string, fi os.FileInfo, ids *idNames) *lint.LiveFile {
	f := &lint.LiveFile{Path: p, Mode: uint32(fi.Mode().Perm())}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		f.UID, f.GID = int(st.Uid), int(st.Gid)
	}
	f.Owner, f.Group = ids.user(f.UID), ids.group(f.GID)
	acl, err := readACL(p, ids)
	switch {
	case err != nil:
		f.ACLUnknown = true
	default:
		f.ACL = acl
	}
	return f
}

// dial makes one bounded test connection and closes it at once.
func dial(ctx context.Context, network, addr string, timeout time.Duration) lint.Connect {
	start := time.Now()
	d := net.Dialer{Timeout: timeout}
	conn, err := d.DialContext(ctx, network, addr)
	c := lint.Connect{Tried: true, Millis: time.Since(start).Milliseconds()}
	if err == nil {
		c.OK = true
		_ = conn.Close()
		return c
	}
	var errno syscall.Errno
	var nerr net.Error
	switch {
	case errors.As(err, &errno):
		c.Errno, c.Error = int(errno), strerror(errno)
		c.TimedOut = errno == syscall.ETIMEDOUT
	case errors.As(err, &nerr) && nerr.Timeout():
		c.TimedOut = true
		c.Error = "connect timed out"
		c.Millis = timeout.Milliseconds()
	default:
		c.Error = err.Error()
	}
	return c
}

// strerror writes an errno as glibc's strerror does (and nginx logs it):
// "Connection refused".
func strerror(e syscall.Errno) string {
	s := e.Error()
	if s == "" {
		return "errno " + strconv.Itoa(int(e))
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func errText(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return "(" + strconv.Itoa(int(errno)) + ": " + strerror(errno) + ")"
	}
	return err.Error()
}
