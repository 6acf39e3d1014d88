// Command gen-fixture writes a large, realistic nginx + PHP-FPM
// configuration tree for benchmarks: N site files, M pools across PHP 8.1
// and 8.2, /etc/passwd and /etc/group, some of them broken so that rules
// fire. It is a development tool, not part of nginx502-lint.
//
//	gen-fixture -sites 10000 -pools 1000 -out /tmp/tree
//	nginx502-lint --root /tmp/tree /etc/nginx /etc/php
//	nginx -t -p /tmp/tree/ -c /tmp/tree/etc/nginx/nginx.conf
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/nginx502-lint/nginx502-lint/bench/fixture"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("gen-fixture", flag.ContinueOnError)
	fl.SetOutput(stderr)
	sites := fl.Int("sites", 100, "number of nginx sites `N`")
	pools := fl.Int("pools", 0, "number of PHP-FPM pools `M` (default: N/10, at least 1)")
	out := fl.String("out", "", "write the tree into `DIR` (must not exist, or be empty)")
	prefix := fl.String("nginx-prefix", "", "absolute `PREFIX` nginx -p will be given; socket paths are written under it (default: DIR made absolute)")
	seed := fl.Uint64("seed", 1, "random `SEED`: the same flags give the same tree")
	fl.Usage = func() {
		fmt.Fprintf(stderr, "usage: gen-fixture -sites N [-pools M] -out DIR [-nginx-prefix PREFIX] [-seed S]\n\n")
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if *out == "" || fl.NArg() > 0 {
		fl.Usage()
		return 2
	}
	if *pools == 0 {
		*pools = max(1, *sites/10)
	}
	if entries, err := os.ReadDir(*out); err == nil && len(entries) > 0 {
		fmt.Fprintf(stderr, "gen-fixture: %s is not empty\n", *out)
		return 2
	}
	if *prefix != "" && !filepath.IsAbs(*prefix) {
		fmt.Fprintf(stderr, "gen-fixture: -nginx-prefix %s: must be an absolute path\n", *prefix)
		return 2
	}
	st, err := fixture.Generate(*out, fixture.Config{Sites: *sites, Pools: *pools, Seed: *seed, Prefix: *prefix})
	if err != nil {
		fmt.Fprintf(stderr, "gen-fixture: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "%s: %d sites, %d pools: %d files, %d symlinks, %.1f MB\n",
		*out, *sites, *pools, st.Files, st.Links, float64(st.Bytes)/1e6)
	return 0
}
