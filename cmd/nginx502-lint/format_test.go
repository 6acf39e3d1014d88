package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// The golden files hold each format's output for the bundled example, run
// from the repository's root (SARIF without the rules' documentation):
//
//	nginx502-lint --root testdata/example --format F /etc/nginx /etc/php
//
// go test ./cmd/nginx502-lint -update rewrites them; review the diff.
const goldenDir = "testdata/cli/golden" // from the repository's root

var (
	elapsedText = regexp.MustCompile(`\((\d+ms|\d+\.\d+s)\)`)
	elapsedJSON = regexp.MustCompile(`"elapsed_ms": \d+`)
)

// normalize removes what changes from run to run: the elapsed time and the
// version of the binary.
func normalize(out string) string {
	out = elapsedText.ReplaceAllString(out, "(ELAPSED)")
	out = elapsedJSON.ReplaceAllString(out, `"elapsed_ms": 0`)
	if v := version(); v != "devel" {
		out = strings.ReplaceAll(out, v, "devel")
	}
	return out
}

// inRepoRoot makes the repository's root the current directory, so that the
// paths in the outputs are the ones a user sees (testdata/example/…).
func inRepoRoot(t *testing.T) {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(root)
}

func exampleRun(t *testing.T, format string, extra ...string) cliResult {
	t.Helper()
	args := append([]string{"--no-config", "--color", "never", "--format", format}, extra...)
	r := runCLI(t, "", append(args, "--root", "testdata/example", "/etc/nginx", "/etc/php")...)
	wantCode(t, r, 1)
	if r.stderr != "" {
		t.Errorf("stderr: %q", r.stderr)
	}
	return r
}

// shortSARIF keeps of driver.rules only each rule's id and level: the
// documentation in them is the rules' (tested with the rules), and would
// make every edit of a rule's text an edit of this golden file.
func shortSARIF(t *testing.T, out string) string {
	t.Helper()
	var log map[string]any
	if err := json.Unmarshal([]byte(out), &log); err != nil {
		t.Fatalf("SARIF output is not JSON: %v", err)
	}
	runs, _ := log["runs"].([]any)
	for _, run := range runs {
		driver, _ := run.(map[string]any)["tool"].(map[string]any)["driver"].(map[string]any)
		rules, _ := driver["rules"].([]any)
		for i, r := range rules {
			rule := r.(map[string]any)
			rules[i] = map[string]any{"id": rule["id"], "defaultConfiguration": rule["defaultConfiguration"]}
		}
	}
	b, err := json.MarshalIndent(log, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b) + "\n"
}

func TestFormatsGolden(t *testing.T) {
	inRepoRoot(t)
	for _, format := range []string{"text", "gcc", "json", "sarif", "github"} {
		t.Run(format, func(t *testing.T) {
			got := normalize(exampleRun(t, format).stdout)
			if format == "sarif" {
				got = shortSARIF(t, got)
			}
			golden := filepath.Join(goldenDir, format+".golden")
			if *update {
				if err := os.MkdirAll(goldenDir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./cmd/nginx502-lint -update)", err)
			}
			if format == "json" || format == "sarif" {
				// compared as decoded JSON: key order and spacing do not matter
				var g, w any
				if err := json.Unmarshal([]byte(got), &g); err != nil {
					t.Fatalf("output is not JSON: %v", err)
				}
				if err := json.Unmarshal(want, &w); err != nil {
					t.Fatalf("%s is not JSON: %v", golden, err)
				}
				if !reflect.DeepEqual(g, w) {
					t.Errorf("%s output differs from %s (go test ./cmd/nginx502-lint -update, then review the diff):\n%s", format, golden, got)
				}
				return
			}
			if got != string(want) {
				t.Errorf("%s output differs from %s (go test ./cmd/nginx502-lint -update, then review the diff):\n%s", format, golden, got)
			}
		})
	}
}

// exampleFindings are the findings of the bundled example, in order.
var exampleFindings = []struct {
	rule, file string
	line, col  int
	severity   string
}{
	{"timeout-chain-inverted", "testdata/example/etc/nginx/nginx.conf", 20, 2, "warning"},
	{"buffer-size-default", "testdata/example/etc/nginx/sites-enabled/blog.conf", 9, 3, "note"},
	{"fastcgi-pass-unmatched", "testdata/example/etc/nginx/sites-enabled/default", 15, 3, "error"},
	{"proxy-keepalive-unused", "testdata/example/etc/nginx/sites-enabled/shop.conf", 12, 3, "note"},
	{"buffer-startup-relation", "testdata/example/etc/nginx/sites-enabled/shop.conf", 17, 3, "error"},
	{"socket-permission-denied", "testdata/example/etc/php/8.2/fpm/pool.d/shop.conf", 7, 1, "error"},
}

// TestFormatsParse reads each format back as its consumers would.
func TestFormatsParse(t *testing.T) {
	inRepoRoot(t)

	t.Run("gcc", func(t *testing.T) {
		var ids []string
		for _, line := range strings.Split(strings.TrimSuffix(exampleRun(t, "gcc").stdout, "\n"), "\n") {
			m := gccLine.FindStringSubmatch(line)
			if m == nil {
				t.Errorf("not file:line:col: severity: message: %q", line)
				continue
			}
			if m[5] != "" {
				ids = append(ids, m[5])
			}
		}
		var want []string
		for _, f := range exampleFindings {
			want = append(want, f.rule)
		}
		if !reflect.DeepEqual(ids, want) {
			t.Errorf("rules %q, want %q", ids, want)
		}
	})

	t.Run("github", func(t *testing.T) {
		annotation := regexp.MustCompile(`^::(error|warning|notice) file=([^,]+),line=(\d+),col=(\d+)(,endLine=\d+)?(,endColumn=\d+)?,title=([^:]+)%3A [^:]*::(.+)$`)
		lines := strings.Split(strings.TrimSuffix(exampleRun(t, "github").stdout, "\n"), "\n")
		if len(lines) != len(exampleFindings) {
			t.Fatalf("%d annotations, want %d", len(lines), len(exampleFindings))
		}
		for i, line := range lines {
			m := annotation.FindStringSubmatch(line)
			if m == nil {
				t.Errorf("not a workflow command: %q", line)
				continue
			}
			if m[7] != exampleFindings[i].rule {
				t.Errorf("annotation %d is %s, want %s", i, m[7], exampleFindings[i].rule)
			}
			if strings.Contains(m[8], "\n") || strings.HasPrefix(m[2], "/") {
				t.Errorf("annotation %d: multi-line message or absolute path: %q", i, line)
			}
		}
	})

	t.Run("json", func(t *testing.T) {
		var out struct {
			Version  int `json:"version"`
			Findings []struct {
				Rule     string `json:"rule"`
				Severity string `json:"severity"`
				Message  string `json:"message"`
				Location struct {
					File string `json:"file"`
					Line int    `json:"line"`
					Col  int    `json:"column"`
				} `json:"location"`
			} `json:"findings"`
			Summary struct {
				Errors, Warnings, Notes, Files int
			} `json:"summary"`
		}
		if err := json.Unmarshal([]byte(exampleRun(t, "json").stdout), &out); err != nil {
			t.Fatal(err)
		}
		if out.Version != 1 || len(out.Findings) != len(exampleFindings) {
			t.Fatalf("version %d, %d findings", out.Version, len(out.Findings))
		}
		for i, f := range out.Findings {
			w := exampleFindings[i]
			if f.Rule != w.rule || f.Severity != w.severity || f.Location.File != w.file || f.Location.Line != w.line || f.Location.Col != w.col || f.Message == "" {
				t.Errorf("finding %d = %+v, want %+v", i, f, w)
			}
		}
		if out.Summary.Errors != 3 || out.Summary.Warnings != 1 || out.Summary.Notes != 2 || out.Summary.Files != 16 {
			t.Errorf("summary = %+v", out.Summary)
		}
	})

	t.Run("sarif", func(t *testing.T) {
		var log struct {
			Version string `json:"version"`
			Runs    []struct {
				Tool struct {
					Driver struct {
						Name  string `json:"name"`
						Rules []struct {
							ID string `json:"id"`
						} `json:"rules"`
					} `json:"driver"`
				} `json:"tool"`
				Results []struct {
					RuleID    string `json:"ruleId"`
					Level     string `json:"level"`
					Locations []struct {
						PhysicalLocation struct {
							ArtifactLocation struct {
								URI string `json:"uri"`
							} `json:"artifactLocation"`
							Region struct {
								StartLine   int `json:"startLine"`
								StartColumn int `json:"startColumn"`
							} `json:"region"`
						} `json:"physicalLocation"`
					} `json:"locations"`
				} `json:"results"`
			} `json:"runs"`
		}
		if err := json.Unmarshal([]byte(exampleRun(t, "sarif").stdout), &log); err != nil {
			t.Fatal(err)
		}
		if log.Version != "2.1.0" || len(log.Runs) != 1 {
			t.Fatalf("version %q, %d runs", log.Version, len(log.Runs))
		}
		run := log.Runs[0]
		rules := map[string]bool{}
		for _, r := range run.Tool.Driver.Rules {
			rules[r.ID] = true
		}
		if len(run.Results) != len(exampleFindings) {
			t.Fatalf("%d results, want %d", len(run.Results), len(exampleFindings))
		}
		for _, r := range run.Results {
			if !rules[r.RuleID] {
				t.Errorf("result of rule %q, which driver.rules lacks", r.RuleID)
			}
			if len(r.Locations) != 1 {
				t.Errorf("%s: %d locations", r.RuleID, len(r.Locations))
				continue
			}
			loc := r.Locations[0].PhysicalLocation
			// code scanning shows the repository's file: the real one, relative
			if !strings.HasPrefix(loc.ArtifactLocation.URI, "testdata/example/etc/") || strings.Contains(loc.ArtifactLocation.URI, "sites-enabled") {
				t.Errorf("%s: uri %q", r.RuleID, loc.ArtifactLocation.URI)
			}
			if loc.Region.StartLine < 1 || loc.Region.StartColumn < 1 {
				t.Errorf("%s: region %+v", r.RuleID, loc.Region)
			}
		}
	})
}

// TestSecondOutput writes SARIF and JSON files next to the gcc output.
func TestSecondOutput(t *testing.T) {
	inRepoRoot(t)
	dir := t.TempDir()
	sarifFile, jsonFile := filepath.Join(dir, "out.sarif"), filepath.Join(dir, "out.json")
	// -o twice (urfave/cli refuses -o mixed with --output: "Cannot use two forms of the same flag")
	r := exampleRun(t, "gcc", "-o", "sarif="+sarifFile, "-o", "json="+jsonFile)
	if !strings.Contains(r.stdout, "[fastcgi-pass-unmatched]") || strings.HasPrefix(r.stdout, "{") {
		t.Errorf("stdout is not the gcc format:\n%s", r.stdout)
	}
	for file, format := range map[string]string{sarifFile: "sarif", jsonFile: "json"} {
		var got, want any
		if err := json.Unmarshal([]byte(normalize(readFile(t, file))), &got); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if err := json.Unmarshal([]byte(normalize(exampleRun(t, format).stdout)), &want); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("-o %s=FILE differs from --format %s", format, format)
		}
	}

	r = runCLI(t, "", "--no-config", "-o", "sarif="+filepath.Join(dir, "no/such/dir/out.sarif"), "--root", "testdata/example", "/etc")
	wantCode(t, r, 2)
	wantContains(t, "stderr", r.stderr, "no/such/dir/out.sarif")
}

func TestColor(t *testing.T) {
	for _, c := range []struct {
		flag string
		ansi bool
	}{{"always", true}, {"never", false}, {"auto", false}} { // auto: a buffer is no terminal
		r := lintTree(t, "--color", c.flag, "--root", shopTree, "/etc")
		wantCode(t, r, 1)
		if got := strings.Contains(r.stdout, "\x1b["); got != c.ansi {
			t.Errorf("--color %s: ANSI escapes %v, want %v", c.flag, got, c.ansi)
		}
	}
	r := lintTree(t, "--color", "always", "--format", "gcc", "--root", shopTree, "/etc")
	if strings.Contains(r.stdout, "\x1b[") {
		t.Errorf("--color always colours the gcc format")
	}
}
