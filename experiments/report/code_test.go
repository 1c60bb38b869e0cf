package report

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"twolayer/experiments/store"
	"twolayer/network"
)

// callGraph is what the program's source (the module, tests left out)
// says refers to what, by name: each function, method and package-level
// variable ("pkg.F", "pkg.T.M", "pkg.V") and the functions, methods and
// variables its body or initializer names. A call through a method name
// (x.M(), or x.M as a value) counts as naming every method M of the
// module: without types, that is as close as the names get.
type callGraph struct {
	funcs   map[string]bool     // the functions and methods declared
	refs    map[string][]string // what each declaration names
	methods map[string][]string // method name → its declarations "pkg.T.M"
}

// parseModule builds the call graph of the Go files under root, but for
// tests and testdata.
func parseModule(t *testing.T, root string) *callGraph {
	t.Helper()
	type decl struct {
		key  string
		node ast.Node
		file *ast.File
		pkg  string
	}
	var decls []decl
	known := map[string]bool{} // functions, methods and package variables
	g := &callGraph{funcs: map[string]bool{}, refs: map[string][]string{}, methods: map[string][]string{}}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		pkg := f.Name.Name
		for _, dl := range f.Decls {
			switch dl := dl.(type) {
			case *ast.FuncDecl:
				key := pkg + "." + dl.Name.Name
				if dl.Recv != nil && len(dl.Recv.List) == 1 {
					typ := dl.Recv.List[0].Type
					if star, ok := typ.(*ast.StarExpr); ok {
						typ = star.X
					}
					if ix, ok := typ.(*ast.IndexExpr); ok { // a generic type's method
						typ = ix.X
					}
					if id, ok := typ.(*ast.Ident); ok {
						key = pkg + "." + id.Name + "." + dl.Name.Name
						g.methods[dl.Name.Name] = append(g.methods[dl.Name.Name], key)
					}
				}
				g.funcs[key], known[key] = true, true
				decls = append(decls, decl{key, dl, f, pkg})
			case *ast.GenDecl:
				for _, spec := range dl.Specs {
					if vs, ok := spec.(*ast.ValueSpec); ok {
						for _, name := range vs.Names {
							key := pkg + "." + name.Name
							known[key] = true
							decls = append(decls, decl{key, vs, f, pkg})
						}
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, dl := range decls {
		imports := map[string]string{} // the file's name for a package → the package's name
		for _, im := range dl.file.Imports {
			path, _ := strconv.Unquote(im.Path.Value)
			name := path[strings.LastIndex(path, "/")+1:]
			local := name
			if im.Name != nil {
				local = im.Name.Name
			}
			imports[local] = name
		}
		ast.Inspect(dl.node, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.SelectorExpr:
				if id, ok := n.X.(*ast.Ident); ok {
					if pkg, ok := imports[id.Name]; ok {
						if key := pkg + "." + n.Sel.Name; known[key] {
							g.refs[dl.key] = append(g.refs[dl.key], key)
						}
						return false
					}
				}
				g.refs[dl.key] = append(g.refs[dl.key], g.methods[n.Sel.Name]...)
			case *ast.Ident:
				if key := dl.pkg + "." + n.Name; known[key] && key != dl.key {
					g.refs[dl.key] = append(g.refs[dl.key], key)
				}
			}
			return true
		})
	}
	return g
}

// reaches reports whether the declaration to is named, directly or through
// others, by from (or is from).
func (g *callGraph) reaches(from, to string) bool {
	seen := map[string]bool{from: true}
	for next := []string{from}; len(next) > 0; {
		key := next[len(next)-1]
		next = next[:len(next)-1]
		if key == to {
			return true
		}
		for _, r := range g.refs[key] {
			if !seen[r] {
				seen[r] = true
				next = append(next, r)
			}
		}
	}
	return false
}

// codeLines returns the Go functions named beside each heading of d, each
// heading's names with the first name of its section (the heading of
// level 2 it belongs to) first: the function that ran the section.
func codeLines(d *document) (lines [][]string) {
	section := ""
	for _, bl := range d.blocks {
		if bl.heading == "" || len(bl.code) == 0 {
			continue
		}
		if bl.level == 2 {
			section = bl.code[0]
		}
		lines = append(lines, append([]string{section}, bl.code...))
	}
	return lines
}

// everySection returns what a report with every section shows: a summary
// of each kind, as little as each section needs to be drawn.
func everySection() *store.AllResult {
	in := &store.Insight{Classes: make([]string, 10), Confusion: make([][]int, 10), ClassAccuracy: make([]float64, 10),
		Mistakes: []store.Mistake{{True: 1}}, Units: 50}
	for i := range in.Confusion {
		in.Confusion[i] = make([]int, 10)
	}
	head := func(name string) store.Header {
		return store.Header{Experiment: name, Hyperparams: &store.Hyperparams{}, Final: &store.FinalMetrics{Test: &network.Metrics{}}}
	}
	best := []store.SearchRun{{Lambda: 0.001}}
	row := store.BonusRow{Setting: store.BonusSetting{Ensemble: 1}}
	a := &store.AllResult{}
	for _, s := range []store.Summary{
		&store.GradCheck{Header: head("gradcheck")},
		&store.Run{Header: head("one-cycle")}, &store.Run{Header: head("one-cycle-all")},
		&store.Run{Header: head("three-cycles")}, &store.Run{Header: head("three-cycles-all")},
		&store.Search{Header: head("coarse"), Best: best}, &store.Search{Header: head("fine"), Best: best},
		&store.Final{Header: head("final"), Insight: in},
		&store.Bonus{Header: head("bonus"), Insight: in, Ablation: &store.Ablation{Rows: []store.BonusRow{row}}},
		&store.LRRange{Header: head("lr-range"), RangeTest: &store.RangeTest{}},
	} {
		a.Add(s)
	}
	return a
}

// TestReportCodeNamesRun: every Go function the report and the show page
// name beside a heading is a function or method of the program, and one
// that runs: the function of the heading's section (the first it names,
// e.g. experiments.OneCycle) is called from main, and every other name is
// called, directly or through others, from it or from the heading's own
// first name. A function the program never calls (say one kept for the
// tests or the examples) cannot be credited with a section.
func TestReportCodeNamesRun(t *testing.T) {
	d := build(everySection())
	in := everySection().Results[7].(*store.Final).Insight
	show := showDocument(&network.Model{Params: network.NewParams(3072, 2, 10)}, "m.bin", in)
	lines := append(codeLines(d), codeLines(show)...)
	var names []string
	for _, l := range lines {
		names = append(names, l[1:]...)
	}
	for _, want := range []string{"experiments.GradCheck", "experiments.OneCycle", "experiments.Coarse", "experiments.Final",
		"experiments.ClassTemplates", "experiments.Bonus", "experiments.LRRange", "experiments.Show", "network.MiniBatchGD"} {
		if !slices.Contains(names, want) {
			t.Errorf("the report does not name %s", want)
		}
	}
	g := parseModule(t, filepath.Join("..", ".."))
	for _, l := range lines {
		section, own := l[0], l[1]
		for _, root := range []string{section, own} {
			if g.funcs[root] && !g.reaches("main.main", root) {
				t.Errorf("%s, the function of a section, is not called from main", root)
			}
		}
		for _, name := range l[1:] {
			switch {
			case !g.funcs[name]:
				t.Errorf("the report names %s, which is not a function or method of the program", name)
			case !g.reaches(section, name) && !g.reaches(own, name):
				t.Errorf("the report names %s beside the section of %s, which never calls it", name, section)
			}
		}
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 5000: "5,000", 45000: "45,000", 1234567: "1,234,567", -1234: "-1,234", -999: "-999"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}
