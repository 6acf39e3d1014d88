package nginx

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/nginx502-lint/nginx502-lint/parsers/source"
)

// sharedDir returns ../shared of the repository root, or skips the test.
func sharedDir(t testing.TB) string {
	t.Helper()
	dir := "../../../shared"
	if _, err := os.Stat(filepath.Join(dir, "corpus")); err != nil {
		t.Skipf("shared corpus not found at %s", dir)
	}
	return dir
}

// Files of corpus/nginx that nginx refuses (each checked by hand against
// nginx's tokenizer; the regex cases with nginx 1.22), so Parse must fail.
var corpusParseFailures = map[string]string{
	"crossplane/tests/configs/includes-globbed/servers/locations/not-included.conf": "fixture never included: a bare word without \";\"",
	"crossplane/tests/configs/includes-regular/conf.d/bar.conf":                     "fixture never included: a bare word without \";\"",
	"crossplane/tests/configs/includes-regular/conf.d/foo.conf":                     "fixture never included: a bare word without \";\"",
	"crossplane/tests/configs/missing-semicolon/broken-above.conf":                  "missing \";\" before \"}\"",
	"crossplane/tests/configs/missing-semicolon/broken-below.conf":                  "missing \";\" before \"}\"",
	"crossplane/tests/configs/quote-behavior/nginx.conf":                            "text right after a closing quote (\"left\"-quote)",

	"nginx-go-crossplane/testdata/configs/braces/extra-brace.conf":                                       "extra \"}\" at the top level",
	"nginx-go-crossplane/testdata/configs/braces/missing-brace.conf":                                     "block \"http\" never closed",
	"nginx-go-crossplane/testdata/configs/includes-globbed/servers/locations/not-included.conf":          "fixture never included: a bare word without \";\"",
	"nginx-go-crossplane/testdata/configs/includes-regular/conf.d/bar.conf":                              "fixture never included: a bare word without \";\"",
	"nginx-go-crossplane/testdata/configs/includes-regular/conf.d/foo.conf":                              "fixture never included: a bare word without \";\"",
	"nginx-go-crossplane/testdata/configs/missing-semicolon/broken-above.conf":                           "missing \";\" before \"}\"",
	"nginx-go-crossplane/testdata/configs/missing-semicolon/broken-below.conf":                           "missing \";\" before \"}\"",
	"nginx-go-crossplane/testdata/configs/missing-semicolon-above/nginx.conf":                            "missing \";\" before \"}\"",
	"nginx-go-crossplane/testdata/configs/missing-semicolon-below/nginx.conf":                            "missing \";\" before \"}\"",
	"nginx-go-crossplane/testdata/configs/premature-eof/nginx.conf":                                      "file ends inside a directive",
	"nginx-go-crossplane/testdata/configs/quote-behavior/nginx.conf":                                     "text right after a closing quote (\"left\"-quote)",
	"nginx-go-crossplane/testdata/configs/testdata/braces/extra-brace.conf":                              "extra \"}\" at the top level",
	"nginx-go-crossplane/testdata/configs/testdata/braces/missing-brace.conf":                            "block \"http\" never closed",
	"nginx-go-crossplane/testdata/configs/testdata/includes-globbed/servers/locations/not-included.conf": "fixture never included: a bare word without \";\"",
	"nginx-go-crossplane/testdata/configs/testdata/includes-regular/conf.d/bar.conf":                     "fixture never included: a bare word without \";\"",
	"nginx-go-crossplane/testdata/configs/testdata/includes-regular/conf.d/foo.conf":                     "fixture never included: a bare word without \";\"",
	"nginx-go-crossplane/testdata/configs/testdata/missing-semicolon-above/nginx.conf":                   "missing \";\" before \"}\"",
	"nginx-go-crossplane/testdata/configs/testdata/missing-semicolon-below/nginx.conf":                   "missing \";\" before \"}\"",
	"nginx-go-crossplane/testdata/configs/testdata/quote-behavior/nginx.conf":                            "text right after a closing quote (\"left\"-quote)",

	// Generated fixtures with unquoted regular expressions such as
	// ^/id/[0-9]{6}$: nginx 1.22 says `unknown directive "6}$"`.
	walf443Gen + "0020_static_server.conf":          "unquoted regex with {n}",
	walf443Gen + "0021_regex_quantifiers.conf":      "unquoted regex with {n}",
	walf443Gen + "0027_regex_modifiers.conf":        "unquoted regex with {n}",
	walf443Gen + "0028_regex_complex.conf":          "unquoted regex with {n}",
	walf443Gen + "0029_regex_rewrites.conf":         "unquoted regex with {n}",
	walf443Gen + "0030_regex_edge_cases.conf":       "unquoted regex with {n}",
	walf443Gen + "0041_regex_capture_groups.conf":   "unquoted regex with {n}",
	walf443Gen + "0043_regex_api_versioning.conf":   "unquoted regex with {n}",
	walf443Gen + "0044_regex_locale.conf":           "unquoted regex with {n}",
	walf443Gen + "0048_regex_rewrite_advanced.conf": "unquoted regex with {n}",
	walf443Gen + "0049_regex_media_streaming.conf":  "unquoted regex with {n}",
	walf443Gen + "0050_regex_microservices.conf":    "unquoted regex with {n}",

	walf443Syntax + "missing_semicolon/001_basic/error/nginx.conf":             "missing \";\" before \"}\"",
	walf443Syntax + "unclosed_quote/001_basic/error/nginx.conf":                "unterminated quoted string",
	walf443Syntax + "unclosed_quote/002_single_quote/error/nginx.conf":         "unterminated quoted string",
	walf443Syntax + "unclosed_quote/003_in_location/error/nginx.conf":          "unterminated quoted string",
	walf443Syntax + "unclosed_quote/004_with_escaped/error/nginx.conf":         "unterminated quoted string",
	walf443Syntax + "unclosed_quote/005_no_semicolon/error/nginx.conf":         "text right after a closing quote",
	walf443Syntax + "unmatched_braces/001_basic/error/nginx.conf":              "block never closed",
	walf443Syntax + "unmatched_braces/002_without_comment/error/nginx.conf":    "block never closed",
	walf443Syntax + "unmatched_braces/003_extra_closing/error/nginx.conf":      "extra \"}\"",
	walf443Syntax + "unmatched_braces/004_nested_missing/error/nginx.conf":     "block never closed",
	walf443Syntax + "unmatched_braces/005_multiple_blocks/error/nginx.conf":    "block never closed",
	walf443Syntax + "unmatched_braces/006_missing_opening/error/nginx.conf":    "extra \"}\"",
	walf443Syntax + "unmatched_braces/007_unmatched_location/error/nginx.conf": "extra \"}\"",

	"nginx-tests/ssl_engine_keys/softhsm2.conf":   "SoftHSM's configuration from the test, not an nginx file",
	"nginx-tests/ssl_provider_keys/softhsm2.conf": "SoftHSM's configuration from the test, not an nginx file",
}

const (
	walf443Gen    = "nginx-lint-walf443/crates/nginx-lint-parser/tests/fixtures/test_generated/"
	walf443Syntax = "nginx-lint-walf443/tests/fixtures/rules/syntax/"
)

// Main files that Load must refuse beyond those of corpusParseFailures.
var corpusLoadFailures = map[string]string{
	"crossplane/tests/configs/includes-regular/nginx.conf":                      "includes bar.conf, which is only conf.d/bar.conf (crossplane expects this error)",
	"nginx-go-crossplane/testdata/configs/includes-regular/nginx.conf":          "includes bar.conf, which is only conf.d/bar.conf",
	"nginx-go-crossplane/testdata/configs/testdata/includes-regular/nginx.conf": "includes bar.conf, which is only conf.d/bar.conf",
	"nginx-go-crossplane/testdata/configs/includes-cycle/invalid/nginx.conf":    "include cycle location1.conf → location2.conf → location1.conf",

	"docker-openresty/nginx.conf":                                         "mime.types is not in the corpus",
	"richarvey-nginx-php-fpm/conf/nginx.conf":                             "mime.types is not in the corpus",
	"trafex-docker-php-nginx/config/nginx.conf":                           "mime.types is not in the corpus",
	nextcloudWeb("insecure/mariadb"):                                      "mime.types and fastcgi_params are not in the corpus",
	nextcloudWeb("insecure/postgres"):                                     "mime.types and fastcgi_params are not in the corpus",
	nextcloudWeb("with-nginx-proxy/mariadb"):                              "mime.types and fastcgi_params are not in the corpus",
	nextcloudWeb("with-nginx-proxy/postgres"):                             "mime.types and fastcgi_params are not in the corpus",
	"perusio-drupal-with-nginx/nginx.conf":                                "includes /etc/nginx/mime.types and fastcgi.conf of the host it is installed on",
	"perusio-wordpress-nginx/nginx.conf":                                  "includes /etc/nginx/mime.types and fastcgi.conf of the host it is installed on",
	"nginx-go-crossplane/testdata/configs/limit-req-zone/nginx.conf":      "includes /etc/nginx/mime.types of the host",
	"nginx-go-crossplane/testdata/configs/nap-waf-v4/nginx.conf":          "includes /etc/nginx/mime.types of the host",
	"nginx-go-crossplane/testdata/configs/nap-waf-v5/nginx.conf":          "includes /etc/nginx/mime.types of the host",
	"webdevops-dockerfile/provisioning/nginx/alpine/etc/nginx/nginx.conf": "includes /etc/nginx/mime.types, which its image's package provides",
	"webdevops-dockerfile/provisioning/nginx/centos/etc/nginx/nginx.conf": "includes /etc/nginx/mime.types, which its image's package provides",
	"nginx-tests/config_dump/nginx.conf":                                  "the test writes inc.conf and map.conf at run time",
	"nginx-tests/geo/nginx.conf":                                          "the test writes geo.conf and geo-ranges.conf at run time",
	"nginx-tests/geo_binary/nginx.conf":                                   "the test writes base.conf at run time",
	"nginx-tests/http_include/nginx.conf":                                 "the test writes ups.conf, sif.conf, lif.conf, lmt.conf at run time",
	"nginx-tests/map/nginx.conf":                                          "the test writes map.conf at run time",
	"nginx-tests/stream_geo/nginx.conf":                                   "the test writes geo.conf and geo-ranges.conf at run time",
	"nginx-tests/stream_geo_binary/nginx.conf":                            "the test writes base.conf at run time",
}

func nextcloudWeb(setup string) string {
	return "nextcloud-docker/.examples/docker-compose/" + setup + "/fpm/web/nginx.conf"
}

// symlinkPlaceholder reports whether a file is a symbolic link that was
// copied as a plain file holding the link's target (as git does with
// core.symlinks=false): one line naming an existing file.
func symlinkPlaceholder(path string, data []byte) bool {
	target := string(data)
	if len(data) == 0 || len(data) > 256 || bytes.ContainsAny(data, " \t\n;{}") || !strings.Contains(target, "/") {
		return false
	}
	if filepath.IsAbs(target) {
		return true // resolves under a root we do not know here
	}
	_, err := os.Stat(filepath.Join(filepath.Dir(path), target))
	return err == nil
}

// corpusFiles lists the files of corpus/nginx, relative to it.
func corpusFiles(t testing.TB) (dir string, files []string) {
	dir = filepath.Join(sharedDir(t), "corpus", "nginx")
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() && p != filepath.Join(dir, "MANIFEST.tsv") {
			rel, _ := filepath.Rel(dir, p)
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	return dir, files
}

func TestCorpusParse(t *testing.T) {
	dir, files := corpusFiles(t)
	var ok, failed, placeholders int
	for _, rel := range files {
		path := filepath.Join(dir, rel)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if symlinkPlaceholder(path, data) {
			placeholders++
			t.Logf("skipped %s: a symbolic link stored as a plain file (-> %s)", rel, data)
			continue
		}
		_, _, err = Parse(path, data)
		reason, expected := corpusParseFailures[rel]
		switch {
		case err != nil && expected:
			failed++
		case err != nil:
			t.Errorf("%s: %v", rel, err)
		case expected:
			t.Errorf("%s parses, but is listed as failing (%s)", rel, reason)
		default:
			ok++
		}
	}
	t.Logf("corpus/nginx: %d files: %d parsed, %d expected failures, %d symlink placeholders skipped", len(files), ok, failed, placeholders)
}

func TestCorpusLoad(t *testing.T) {
	dir, files := corpusFiles(t)
	empty := t.TempDir()
	var ok, failed int
	for _, rel := range files {
		if filepath.Base(rel) != "nginx.conf" {
			continue
		}
		// Absolute includes must not reach this machine's /etc/nginx: a tree
		// under .../etc/nginx gets its own root, any other an empty one.
		fsys := &source.FS{Root: empty}
		main := filepath.Join(dir, rel)
		if i := strings.Index(rel, "etc/nginx/"); i >= 0 {
			fsys.Root = rootWithLinks(t, filepath.Join(dir, rel[:i]))
			main = fsys.Path("/" + rel[i:])
		}
		n, _, err := Load(fsys, main)
		if n == nil || n.Root.IsZero() {
			t.Fatalf("%s: no model", rel)
		}
		reason, expected := corpusLoadFailures[rel]
		if !expected {
			reason, expected = corpusParseFailures[rel]
		}
		switch {
		case err != nil && expected:
			failed++
		case err != nil:
			t.Errorf("%s: %v", rel, err)
		case expected:
			t.Errorf("%s loads, but is listed as failing (%s)", rel, reason)
		default:
			ok++
		}
	}
	t.Logf("corpus/nginx: %d nginx.conf loaded with includes, %d expected failures", ok, failed)
}

// TestDebianSysroot loads Debian 12's /etc/nginx under --root: every include
// resolves inside the root, sites-enabled/default through its absolute link.
func TestDebianSysroot(t *testing.T) {
	fsys := &source.FS{Root: rootWithLinks(t, filepath.Join(sharedDir(t), "corpus", "debian-bookworm-sysroot"))}
	n, sources, err := Load(fsys, fsys.Path("/etc/nginx/nginx.conf"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range sources {
		got = append(got, fsys.Unroot(s.Path)+" = "+fsys.Unroot(s.RealPath))
	}
	want := "/etc/nginx/nginx.conf = /etc/nginx/nginx.conf\n" +
		"/etc/nginx/mime.types = /etc/nginx/mime.types\n" +
		"/etc/nginx/sites-enabled/default = /etc/nginx/sites-available/default"
	if strings.Join(got, "\n") != want {
		t.Errorf("sources:\n%s\nwant:\n%s", strings.Join(got, "\n"), want)
	}
	if n.User.Name != "www-data" || n.User.Group != "www-data" {
		t.Errorf("user = %+v", n.User)
	}
	server := n.Root.Child("http").Child("server")
	if server.IsZero() || fsys.Unroot(server.Pos().File) != "/etc/nginx/sites-enabled/default" {
		t.Fatalf("default server = %v", server)
	}
	if inc := server.Include(); inc.IsZero() || inc.Arg(0) != "/etc/nginx/sites-enabled/*" {
		t.Errorf("server.Include() = %v", inc)
	}
	if len(n.Hops) != 0 {
		t.Errorf("hops = %v: the PHP location ships commented out", n.Hops)
	}
}

// rootWithLinks returns root, or a copy of its etc/nginx with symbolic
// links restored where they were stored as plain files.
func rootWithLinks(t *testing.T, root string) string {
	t.Helper()
	placeholder := false
	err := filepath.WalkDir(filepath.Join(root, "etc/nginx"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		if data, err := os.ReadFile(p); err == nil && symlinkPlaceholder(p, data) {
			placeholder = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !placeholder {
		return root
	}
	return copyWithLinks(t, root, "etc/nginx")
}

// copyWithLinks copies dir/sub to a temporary root, turning symlink
// placeholders back into symbolic links.
func copyWithLinks(t *testing.T, dir, sub string) string {
	t.Helper()
	root := t.TempDir()
	err := filepath.WalkDir(filepath.Join(dir, sub), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		dst := filepath.Join(root, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if symlinkPlaceholder(p, data) {
			return os.Symlink(string(data), dst)
		}
		return os.WriteFile(dst, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return root
}
