package main

import (
	"io"
	"slices"
	"strings"
	"testing"
)

// FuzzArgs feeds arbitrary command lines (arguments separated by NUL) to
// the parsers of get and load: they must return options or an error,
// never panic, and normalizeArgs must keep every argument, in order within
// the flags and within the rest.
func FuzzArgs(f *testing.F) {
	for _, seed := range []string{
		"http://u/\x00-X\x00POST",
		"-sSL\x00u",
		"-XPOST\x00-d@f\x00u\x00--\x00-x",
		"-H\x00A: b\x00-H\x00C;\x00-H\x00D:\x00u",
		"--max-time\x001.5\x00-vk\x00https://u/",
		"-c\x004\x00-n\x0010\x00u",
		"-d\x0010s\x00-json\x00-B\x00@-\x00u",
		"-\x00--\x00---x\x00-=\x00-v=\x00u",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, line string) {
		args := strings.Split(line, "\x00")
		for _, args := range [][]string{args, slices.Clone(args)} {
			parseGet(args, io.Discard)
			parseLoad(args, io.Discard)
		}
		fs := getFlags(&getOptions{}, io.Discard)
		out := normalizeArgs(fs, args)
		checkNormalized(t, args, out)
	})
}

// checkNormalized checks that out holds every byte of args: joined, the
// arguments before and after the added "--" contain the input's
// characters, cluster splitting only removing dashes.
func checkNormalized(t *testing.T, args, out []string) {
	t.Helper()
	i := slices.Index(out, "--")
	if i < 0 {
		t.Fatalf("normalizeArgs(%q) = %q: no --", args, out)
	}
	strip := func(ss []string) string { return strings.ReplaceAll(strings.Join(ss, ""), "-", "") }
	if got, want := strip(out), strip(args); len(got) != len(want) {
		t.Fatalf("normalizeArgs(%q) = %q: characters lost or added", args, out)
	}
}
