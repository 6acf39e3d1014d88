package rules

import (
	"fmt"
	"iter"
	"path"
	"regexp"
	"strings"
	"syscall"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

// liveBackends yields every address nginx connects to, for every module
// (fastcgi, proxy, uwsgi, scgi, grpc): a hop's own unix or TCP target, or
// each server of the upstream it names that is not marked down.
func liveBackends(m *lint.Model) iter.Seq[backend] {
	if m.Live == nil {
		return func(func(backend) bool) {}
	}
	return backends(m, func(*lint.Hop) bool { return true })
}

// liveSocket returns the facts of a unix backend, nil for others.
func liveSocket(m *lint.Model, b backend) *lint.LiveSocket {
	if b.target.Kind != lint.TargetUnix || !strings.HasPrefix(b.target.Path, "/") {
		return nil
	}
	return m.Live.Socket(b.target.Path)
}

// liveFinding starts a finding at the line that holds the address, with the
// hop as related place when the address is an upstream's server.
func liveFinding(b backend, msg string) lint.Finding {
	f := lint.Finding{Span: b.directive().Span(), Message: msg}
	if b.server != nil {
		f.Related = append(f.Related, lint.Related{Pos: b.hop.Pos, Message: fmt.Sprintf("%s_pass %s uses this server", b.hop.Module, b.hop.Target.Raw)})
	}
	return f
}

// liveRelatePool adds the pool that should listen on the backend, if any.
func liveRelatePool(m *lint.Model, f *lint.Finding, b backend, why string) *lint.Pool {
	if b.hop.Module != "fastcgi" {
		return nil
	}
	p := matchPool(m, *b.target)
	if p != nil {
		f.Related = append(f.Related, lint.Related{Pos: p.Listen.Value.Pos, Message: fmt.Sprintf("%s %s", poolLabel(p), why)})
	}
	return p
}

// liveFPMService guesses the systemd unit of a php-fpm: php8.2-fpm on
// Debian/Ubuntu, php-fpm elsewhere.
func liveFPMService(f *lint.FPM) string {
	if f != nil && f.Version != "" && strings.HasPrefix(f.File, "/etc/php/") {
		return "php" + f.Version + "-fpm"
	}
	return "php-fpm"
}

var liveVersionInSocket = regexp.MustCompile(`php-?(\d+\.\d+)`)

// liveSocketVersion is the PHP version a socket path names ("8.2" for
// /run/php/php8.2-fpm.sock), "" when it names none.
func liveSocketVersion(p string) string {
	if v := liveVersionInSocket.FindStringSubmatch(path.Base(p)); v != nil {
		return v[1]
	}
	return ""
}

// nginxWorker is who the nginx workers are: the user and group of the user
// directive, plus the groups /etc/group lists the user in (nginx calls
// initgroups).
type nginxWorker struct {
	user, group string
	groups      map[string]bool
	// known is false when the host's accounts do not list the user: its
	// supplementary groups are then unknown.
	known bool
}

func liveWorker(m *lint.Model) nginxWorker {
	u := m.Nginx.User
	w := nginxWorker{user: u.Name, group: u.Group, groups: map[string]bool{u.Group: true}}
	if acc := m.Accounts; acc != nil {
		_, w.known = acc.Users[u.Name]
		for g, members := range acc.Members {
			for _, mem := range members {
				if mem == u.Name {
					w.groups[g] = true
				}
			}
		}
	}
	return w
}

func (w nginxWorker) String() string { return w.user + ":" + w.group }

// may reports whether the workers get the access want (2 write, 1 search)
// to f, as the kernel decides: root always; else the owner's, the
// group's or the others' bits, or the POSIX ACL when there is one.
func (w nginxWorker) may(f *lint.LiveFile, want uint32) bool {
	if w.user == "root" {
		return true
	}
	if f.ACL == nil {
		switch {
		case f.Owner == w.user:
			return (f.Mode>>6)&want == want
		case w.groups[f.Group]:
			return (f.Mode>>3)&want == want
		}
		return f.Mode&want == want
	}
	a := f.ACL
	mask := uint32(7)
	if a.HasMask {
		mask = a.Mask
	}
	if f.Owner == w.user {
		return a.UserObj&want == want
	}
	for _, u := range a.Users {
		if u.Name == w.user {
			return u.Perm&mask&want == want
		}
	}
	inGroup := false
	if w.groups[f.Group] {
		inGroup = true
		if a.GroupObj&mask&want == want {
			return true
		}
	}
	for _, g := range a.Groups {
		if w.groups[g.Name] {
			inGroup = true
			if g.Perm&mask&want == want {
				return true
			}
		}
	}
	if inGroup {
		return false
	}
	return a.Other&want == want
}

// describeLiveFile says who owns f and how: "root:root mode 0660" plus its ACL.
func describeLiveFile(f *lint.LiveFile) string {
	s := fmt.Sprintf("%s:%s mode %04o", f.Owner, f.Group, f.Mode)
	switch {
	case f.ACL != nil:
		var entries []string
		for _, u := range f.ACL.Users {
			entries = append(entries, fmt.Sprintf("user:%s:%s", u.Name, aclPerm(u.Perm)))
		}
		for _, g := range f.ACL.Groups {
			entries = append(entries, fmt.Sprintf("group:%s:%s", g.Name, aclPerm(g.Perm)))
		}
		if f.ACL.HasMask {
			entries = append(entries, "mask::"+aclPerm(f.ACL.Mask))
		}
		s += " with ACL " + strings.Join(entries, ",")
	case f.ACLUnknown:
		s += " (its ACL could not be read)"
	}
	return s
}

func aclPerm(p uint32) string {
	b := []byte("---")
	if p&4 != 0 {
		b[0] = 'r'
	}
	if p&2 != 0 {
		b[1] = 'w'
	}
	if p&1 != 0 {
		b[2] = 'x'
	}
	return string(b)
}

// liveErrnoLine is how nginx's error log shows a connect() failure of a
// backend: `connect() to unix:/run/php/x.sock failed (2: No such file or
// directory) while connecting to upstream`.
func liveErrnoLine(t lint.Target, errno syscall.Errno, text string) string {
	if t.Kind == lint.TargetUnix {
		return fmt.Sprintf("connect() to unix:%s failed (%d: %s) while connecting to upstream", t.Path, int(errno), text)
	}
	return fmt.Sprintf("connect() failed (%d: %s) while connecting to upstream", int(errno), text)
}
