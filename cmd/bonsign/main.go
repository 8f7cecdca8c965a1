// Command bonsign is the command line of bonsign, for automation and batch
// use: list the certificates on this computer, sign a file into a CMS,
// verify one, and re-encrypt an old NPKI key file. Run "bonsign help".
package main

import (
	"os"

	"github.com/bonsign/bonsign/cmd/bonsign/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], cli.System()))
}
