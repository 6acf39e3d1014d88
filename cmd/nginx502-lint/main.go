// Command nginx502-lint finds, before deploy, the nginx and PHP-FPM
// configuration mistakes that end in 502 Bad Gateway and 504 Gateway Timeout.
package main

import "os"

func main() {
	os.Exit(run(os.Args, os.Stdin, os.Stdout, os.Stderr))
}
