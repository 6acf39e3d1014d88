package parsers

import (
	"strings"
	"testing"

	"github.com/nginx502-lint/nginx502-lint/lint"
	"github.com/nginx502-lint/nginx502-lint/lint/linttest"
)

const (
	nginxConf = "user www-data;\nevents {}\nhttp {\n  server {\n    location ~ \\.php$ { fastcgi_pass unix:/run/php/php8.2-fpm.sock; }\n  }\n}\n"
	poolConf  = "[www]\nuser = www-data\nlisten = /run/php/php8.2-fpm.sock\npm = static\npm.max_children = 2\n"
)

func TestDiscover(t *testing.T) {
	cases := []struct {
		name        string
		files       map[string]string
		paths       []string
		wantNginx   bool
		wantPools   []string // pool names
		wantVersion string
		wantPrefix  string
		wantIni     bool
	}{
		{
			name: "debian /etc",
			files: map[string]string{
				"etc/nginx/nginx.conf":                  nginxConf,
				"etc/php/8.2/fpm/php-fpm.conf":          "[global]\ninclude=/etc/php/8.2/fpm/pool.d/*.conf\n",
				"etc/php/8.2/fpm/pool.d/www.conf":       poolConf,
				"etc/php/8.2/fpm/php.ini":               "[PHP]\nmax_execution_time = 30\n",
				"etc/php/8.2/fpm/conf.d/10-opcache.ini": "opcache.enable=1\n",
			},
			paths: []string{"/etc"}, wantNginx: true, wantPools: []string{"www"}, wantVersion: "8.2", wantPrefix: "/usr", wantIni: true,
		},
		{
			name: "rhel",
			files: map[string]string{
				"etc/php-fpm.conf":       "include=/etc/php-fpm.d/*.conf\n[global]\npid = /run/php-fpm/php-fpm.pid\n",
				"etc/php-fpm.d/www.conf": poolConf,
				"etc/php.ini":            "[PHP]\nmax_execution_time = 60\n",
			},
			paths: []string{"/etc/php-fpm.conf"}, wantPools: []string{"www"}, wantPrefix: "/usr", wantIni: true,
		},
		{
			name: "docker",
			files: map[string]string{
				"usr/local/etc/php-fpm.conf":          "[global]\ninclude=etc/php-fpm.d/*.conf\n",
				"usr/local/etc/php-fpm.d/www.conf":    poolConf,
				"usr/local/etc/php-fpm.d/docker.conf": "[www]\nlisten = 9000\n",
			},
			paths: []string{"/usr/local/etc"}, wantPools: []string{"www"}, wantPrefix: "/usr/local",
		},
		{
			name: "freebsd /usr/local/etc",
			files: map[string]string{
				"usr/local/etc/php-fpm.conf":              "[global]\ninclude=etc/php-fpm.d/*.conf\n",
				"usr/local/etc/php-fpm.d/www.conf":        poolConf,
				"usr/local/etc/nginx/nginx.conf":          nginxConf,
				"usr/local/etc/nginx/conf.d/nginx.conf":   "this is not read: below nginx.conf are its includes {",
				"usr/local/etc/nginx/conf.d/php-fpm.conf": "[bogus\n",
			},
			paths: []string{"/usr/local/etc"}, wantNginx: true, wantPools: []string{"www"}, wantPrefix: "/usr/local",
		},
		{
			name:  "a pool file alone",
			files: map[string]string{"pool.d/shop.conf": "; the shop\n[shop]\nlisten = 127.0.0.1:9001\n"},
			paths: []string{"/pool.d/shop.conf"}, wantPools: []string{"shop"},
		},
		{
			name:  "an nginx file named otherwise",
			files: map[string]string{"site.txt": "# a site\n" + nginxConf},
			paths: []string{"/site.txt"}, wantNginx: true,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := linttest.WriteTree(t, c.files)
			m, err := Load(Options{Root: root, Paths: c.paths})
			if err != nil {
				t.Fatal(err)
			}
			if (m.Nginx != nil) != c.wantNginx {
				t.Errorf("nginx loaded: %v, want %v", m.Nginx != nil, c.wantNginx)
			}
			var names []string
			for _, p := range m.Pools() {
				names = append(names, p.Name)
			}
			if strings.Join(names, ",") != strings.Join(c.wantPools, ",") {
				t.Errorf("pools %v, want %v", names, c.wantPools)
			}
			if len(m.FPMs) > 0 {
				f := m.FPMs[0]
				if f.Version != c.wantVersion {
					t.Errorf("version %q, want %q", f.Version, c.wantVersion)
				}
				if c.wantPrefix != "" && f.Prefix != c.wantPrefix {
					t.Errorf("prefix %q, want %q", f.Prefix, c.wantPrefix)
				}
				if (f.PHPIni != nil) != c.wantIni {
					t.Errorf("php.ini found: %v, want %v", f.PHPIni != nil, c.wantIni)
				}
			}
		})
	}
}

func TestDockerListenOverride(t *testing.T) {
	root := linttest.WriteTree(t, map[string]string{
		"usr/local/etc/php-fpm.conf":             "[global]\ninclude=etc/php-fpm.d/*.conf\n",
		"usr/local/etc/php-fpm.d/www.conf":       "[www]\nlisten = 127.0.0.1:9000\npm = static\npm.max_children = 1\n",
		"usr/local/etc/php-fpm.d/zz-docker.conf": "[global]\ndaemonize = no\n[www]\nlisten = 9000\n",
	})
	m, err := Load(Options{Root: root, Paths: []string{"/usr/local/etc/php-fpm.conf"}})
	if err != nil {
		t.Fatal(err)
	}
	l := m.Pools()[0].Listen
	if l.Kind != lint.ListenTCP || l.Port != 9000 || !l.AllInterfaces() {
		t.Errorf("zz-docker.conf's listen = 9000 must win (all interfaces), got %+v", l)
	}
}

func TestLoadErrors(t *testing.T) {
	root := linttest.WriteTree(t, map[string]string{
		"empty/README":           "nothing here\n",
		"etc/nginx/nginx.conf":   "events {}\nhttp {\n",
		"other/nginx/nginx.conf": nginxConf,
	})
	cases := []struct {
		name  string
		paths []string
		want  string
	}{
		{"nothing found", []string{"/empty"}, "no nginx.conf or php-fpm.conf found"},
		{"missing path", []string{"/nope"}, "nope: no such file or directory"},
		{"syntax error with its place", []string{"/etc/nginx"}, "nginx.conf:3:1: unexpected end of file"},
		{"two nginx", []string{"/other/nginx", "/other/nginx/../nginx/nginx.conf", "/etc/nginx"}, "a second nginx configuration"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Load(Options{Root: root, Paths: c.paths})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error containing %q", err, c.want)
			}
		})
	}
}

func TestSniff(t *testing.T) {
	cases := []struct {
		name, data string
		want       lint.SourceKind
	}{
		{"nginx.conf", "", lint.KindNginx},
		{"x.conf", "; pool\n[www]\nlisten = 9000\n", lint.KindFPM},
		{"x.conf", "pm = static\n", lint.KindFPM},
		{"x.conf", "# site\nserver {\n listen 80;\n}\n", lint.KindNginx},
		{"x.conf", "[PHP]\nengine = On\n", lint.KindPHPIni},
		{"php.ini", "", lint.KindPHPIni},
		{"dump", "nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\n# configuration file /etc/nginx/nginx.conf:\nuser x;\n", lint.KindNginx},
	}
	for _, c := range cases {
		if got := Sniff(c.name, []byte(c.data)); got != c.want {
			t.Errorf("Sniff(%q, %q) = %s, want %s", c.name, c.data, got, c.want)
		}
	}
}

func TestAccounts(t *testing.T) {
	root := linttest.WriteTree(t, map[string]string{
		"etc/nginx/nginx.conf": nginxConf,
		"etc/passwd":           "root:x:0:0::/root:/bin/sh\nwww-data:x:33:33::/var/www:/usr/sbin/nologin\n",
		"etc/group":            "root:x:0:\nwww-data:x:33:\nweb:x:1000:www-data,deploy\n",
	})
	m, err := Load(Options{Root: root, Paths: []string{"/etc/nginx"}})
	if err != nil {
		t.Fatal(err)
	}
	if in, known := m.Accounts.InGroup("www-data", "web"); !in || !known {
		t.Errorf("www-data in web: %v %v", in, known)
	}
	if in, known := m.Accounts.InGroup("www-data", "www-data"); !in || !known {
		t.Errorf("www-data's primary group: %v %v", in, known)
	}
	if in, known := m.Accounts.InGroup("www-data", "root"); in || !known {
		t.Errorf("www-data not in root: %v %v", in, known)
	}
}
