package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"turbohttp"
)

// Command-line parsing shared by get and load. Both accept Go's flag style
// and curl's: -X POST, --max-time 5, -max-time=5, clusters of one-letter
// flags (-sSL, -XPOST, -d@file), and the URL before, between or after the
// flags.

// normalizeArgs rewrites args for fs.Parse: clusters of one-letter flags are
// split, and every argument that is not a flag (nor a flag's value) moves
// to the end, after a "--", so that a URL given first does not stop the
// parsing of the flags after it.
func normalizeArgs(fs *flag.FlagSet, args []string) []string {
	var flags, rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			rest = append(rest, args[i+1:]...)
			i = len(args)
		case len(a) < 2 || a[0] != '-':
			rest = append(rest, a)
		default:
			split, wantsValue := splitCluster(fs, a)
			flags = append(flags, split...)
			if wantsValue && i+1 < len(args) {
				i++
				flags = append(flags, args[i])
			}
		}
	}
	return append(append(flags, "--"), rest...)
}

// flagName returns the name of the flag argument a: without its dashes
// and "=value".
func flagName(a string) string {
	name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
	return name
}

// takesValue reports whether the flag argument a reads the next argument
// as its value: it names a flag that is not boolean and has no "=value".
func takesValue(fs *flag.FlagSet, a string) bool {
	f := fs.Lookup(flagName(a))
	return f != nil && !isBool(f) && !strings.Contains(a, "=")
}

func isBool(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// splitCluster splits curl's "-sSL" into "-s", "-S", "-L" and "-XPOST"
// into "-X", "POST", and reports whether the last flag still wants the
// next argument as its value ("-vX" then "PUT"). An argument that names a
// flag, or is not made of one-letter flags, is returned unchanged.
func splitCluster(fs *flag.FlagSet, a string) ([]string, bool) {
	name := a[1:]
	if a[1] == '-' || len(name) < 2 || fs.Lookup(flagName(a)) != nil {
		return []string{a}, takesValue(fs, a)
	}
	var out []string
	for i := 0; i < len(name); i++ {
		f := fs.Lookup(name[i : i+1])
		if f == nil {
			return []string{a}, false
		}
		out = append(out, "-"+name[i:i+1])
		if !isBool(f) {
			if i+1 < len(name) {
				return append(out, name[i+1:]), false
			}
			return out, true
		}
	}
	return out, false
}

// headerList is a repeatable -H 'Name: value' flag, in curl's forms:
// "Name: value" sends the field, "Name:" removes a field the command would
// send by default, "Name;" sends it with an empty value.
type headerList []headerArg

type headerArg struct {
	name, value string
	remove      bool
}

// errHeaderArg is returned for a -H argument that is not "Name: value",
// "Name:" or "Name;".
var errHeaderArg = errors.New(`want "Name: value", "Name:" (remove) or "Name;" (empty value)`)

func (h *headerList) String() string { return fmt.Sprint(*h) }

func (h *headerList) Set(s string) error {
	name, value, ok := strings.Cut(s, ":")
	remove := ok && strings.TrimSpace(value) == ""
	if !ok {
		if name, ok = strings.CutSuffix(s, ";"); !ok {
			return errHeaderArg
		}
	}
	name, value = strings.TrimSpace(name), strings.TrimSpace(value)
	if name == "" || strings.ContainsAny(name, " \t") {
		return errHeaderArg
	}
	*h = append(*h, headerArg{name: name, value: value, remove: remove})
	return nil
}

// applyHeaders applies the -H arguments to req: the first field of a
// name replaces the command's default one, later ones are added; "Name:"
// removes the field; Host sets req.Host.
func applyHeaders(req *turbohttp.Request, list headerList) {
	seen := map[string]bool{}
	for _, a := range list {
		key := strings.ToLower(a.name)
		switch {
		case a.remove:
			req.Header.Del(a.name)
		case key == "host":
			req.Host = []byte(a.value)
		case !seen[key]:
			req.Header.Set(a.name, a.value)
		default:
			req.Header.Add(a.name, a.value)
		}
		seen[key] = true
	}
}

// secondsFlag is a duration given as curl gives it, in seconds ("5",
// "0.5"), or in Go's form ("500ms").
type secondsFlag time.Duration

func (s *secondsFlag) String() string { return time.Duration(*s).String() }

func (s *secondsFlag) Set(v string) error {
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		if f < 0 || f > maxSeconds {
			return errors.New("out of range")
		}
		*s = secondsFlag(f * float64(time.Second))
		return nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return errors.New("want seconds (5, 0.5) or a duration (500ms)")
	}
	*s = secondsFlag(d)
	return nil
}

// maxSeconds bounds a duration given in seconds, so that it fits a
// time.Duration.
const maxSeconds = 1e9

// readArgFile reads the file named by a "@file" argument; "@-" reads
// standard input.
func readArgFile(name string) ([]byte, error) {
	if name == "-" {
		return io.ReadAll(stdin)
	}
	return os.ReadFile(name)
}

// stdin is the standard input of "@-" arguments; tests replace it.
var stdin io.Reader = os.Stdin
