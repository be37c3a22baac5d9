package modelarts_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Every Go snippet of the README and docs/ is code the tests compile and
// run: a function of a test file (a test, an Example, or a helper they
// call), character for character, or the body of an Example. A snippet
// that drifts from the code fails here.
func TestEveryGoSnippetInTheDocsIsCodeTheTestsRun(t *testing.T) {
	known := snippetSources(t, ".", "auth", "modelartstest")
	docs := []string{"README.md"}
	more, _ := filepath.Glob("docs/*.md")
	docs = append(docs, more...)
	blocks := 0
	for _, doc := range docs {
		text, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range goBlock.FindAllStringSubmatch(string(text), -1) {
			blocks++
			snippet := strings.TrimRight(m[1], "\n")
			if !known[snippet] {
				first, _, _ := strings.Cut(snippet, "\n")
				t.Errorf("%s: the Go block beginning %q is not a function or Example body of the tests; copy it from one, as it is", doc, first)
			}
		}
	}
	if blocks == 0 {
		t.Fatal("no Go block found: the README lost its snippets, or the pattern is wrong")
	}
}

var goBlock = regexp.MustCompile("(?s)```go\n(.*?)```")

// snippetSources are the texts a snippet may be: each function of the
// test files of dirs, from "func" to its closing brace, and the body of
// each Example, one tab less indented, without its Output comment.
func snippetSources(t *testing.T, dirs ...string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, dir := range dirs {
		files, _ := filepath.Glob(filepath.Join(dir, "*_test.go"))
		for _, f := range files {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			fset := token.NewFileSet()
			file, err := parser.ParseFile(fset, f, src, parser.ParseComments)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range file.Decls {
				fd, ok := d.(*ast.FuncDecl)
				if !ok || fd.Body == nil {
					continue
				}
				out[string(src[fset.Position(fd.Pos()).Offset:fset.Position(fd.End()).Offset])] = true
				if strings.HasPrefix(fd.Name.Name, "Example") {
					body := string(src[fset.Position(fd.Body.Lbrace).Offset+2 : fset.Position(fd.Body.Rbrace).Offset])
					out[exampleBody(body)] = true
				}
			}
		}
	}
	return out
}

// exampleBody dedents an Example's body by one tab and drops its Output
// comment.
func exampleBody(body string) string {
	lines := strings.Split(strings.TrimRight(body, "\n"), "\n")
	var kept []string
	for _, l := range lines {
		l = strings.TrimPrefix(l, "\t")
		if strings.HasPrefix(l, "// Output:") || strings.HasPrefix(l, "// Unordered output:") {
			break
		}
		kept = append(kept, l)
	}
	return strings.TrimRight(strings.Join(kept, "\n"), "\n")
}
