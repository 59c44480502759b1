// Command turbohttp is turbohttp's command-line tool.
//
//	turbohttp serve [flags]       a test and file server
//	turbohttp get [flags] URL     send a request, like curl
//	turbohttp load [flags] URL    generate load, like hey and h2load
//
// Run "turbohttp COMMAND -h" for a command's flags.
package main

import (
	"fmt"
	"io"
	"os"
)

// command is one subcommand: it parses args and runs, writing its normal
// output to stdout and diagnostics to stderr, and returns the exit status.
type command struct {
	name, summary string
	run           func(args []string, stdout, stderr io.Writer) int
}

var commands = []command{
	{"serve", "run a test and file server", runServe},
	{"get", "send a request, like curl", runGet},
	{"load", "generate load, like hey and h2load", runLoad},
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		return 2
	}
	for _, c := range commands {
		if c.name == args[0] {
			return c.run(args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "turbohttp: unknown command %q\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: turbohttp COMMAND [flags]")
	fmt.Fprintln(w, "\ncommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'turbohttp COMMAND -h' for a command's flags.")
}
