package turbohttp_test

import (
	"os/exec"
	"strings"
	"testing"
)

// layer gives each of the module's packages its place in the import order of
// shared/DESIGN.md: a package may depend (directly or not) only on packages of
// a strictly lower layer, with internal/… packages free to use each other.
func layer(pkg string) (rank int, ok bool) {
	switch {
	case strings.HasPrefix(pkg, "turbohttp/internal/"):
		return 0, true
	case pkg == "turbohttp/hpack":
		return 1, true
	case pkg == "turbohttp/h1", pkg == "turbohttp/h2":
		return 2, true
	case pkg == "turbohttp":
		return 3, true
	case pkg == "turbohttp/nethttp", pkg == "turbohttp/turbotest", pkg == "turbohttp/cookiejar":
		// Side by side above the root package: none imports another,
		// and only nethttp imports net/http.
		return 4, true
	case strings.HasPrefix(pkg, "turbohttp/cmd/"):
		return 5, true
	}
	return 0, false
}

// TestImportLayers keeps the import direction of DESIGN.md true: imports
// point down only, h1 and h2 never import each other, hpack imports nothing
// of ours, and only nethttp and the command may depend on net/http — and
// cookiejar, but only through golang.org/x/net/publicsuffix (which imports
// net/http/cookiejar to check that its List fits it; see
// TestCookiejarImports).
func TestImportLayers(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Deps \" \"}}", "turbohttp/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg, deps := fields[0], fields[1:]
		rank, ok := layer(pkg)
		if !ok {
			t.Errorf("package %s has no layer: add it to layer() and DESIGN.md", pkg)
			continue
		}
		for _, dep := range deps {
			if dep == "net/http" && (rank < 4 || pkg == "turbohttp/turbotest") {
				t.Errorf("%s depends on net/http; only nethttp and cmd may", pkg)
			}
			if !strings.HasPrefix(dep, "turbohttp") {
				continue
			}
			depRank, ok := layer(dep)
			if !ok {
				continue // reported on its own line
			}
			switch {
			case pkg == "turbohttp/hpack":
				t.Errorf("hpack depends on %s; it must import nothing of ours", dep)
			case rank == 0 && depRank == 0:
				// internal packages may share helpers
			case depRank >= rank:
				t.Errorf("%s depends on %s: imports must point down", pkg, dep)
			}
		}
	}
}

// TestCookiejarImports: package cookiejar reaches net/http only through
// golang.org/x/net/publicsuffix, never by an import of its own.
func TestCookiejarImports(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{join .Imports \" \"}}", "turbohttp/cookiejar").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, imp := range strings.Fields(string(out)) {
		if strings.HasPrefix(imp, "net/http") {
			t.Errorf("cookiejar imports %s", imp)
		}
	}
}
