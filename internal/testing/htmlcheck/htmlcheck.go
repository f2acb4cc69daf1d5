// Package htmlcheck checks HTML in tests with small CSS selectors, as
// pkgsite's htmlcheck does: parse once with golang.org/x/net/html, then
// assert that elements exist, hold text or carry attributes.
//
// Selectors are compound selectors joined by descendant (space) or child
// (>) combinators; a compound is an optional tag name followed by any of
// #id, .class, [attr], [attr=value], [attr^=prefix] and [attr*=part].
//
//	htmlcheck.Run(body, htmlcheck.In("table.heat td.cell-red", htmlcheck.HasText("0.81")))
package htmlcheck

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/net/html"
)

// A Checker checks a node (the document, or an element a selector found).
type Checker func(*html.Node) error

// Run parses r as HTML and runs the checkers on the document.
func Run(r io.Reader, checkers ...Checker) error {
	doc, err := html.Parse(r)
	if err != nil {
		return err
	}
	return check(doc, checkers)
}

// Parse parses HTML, for callers that run many checks on one document.
func Parse(s string) (*html.Node, error) { return html.Parse(strings.NewReader(s)) }

func check(n *html.Node, checkers []Checker) error {
	var errs []error
	for _, c := range checkers {
		if err := c(n); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// In runs the checkers on the first element matching selector under the
// node, and fails when there is none.
func In(selector string, checkers ...Checker) Checker {
	sel := mustCompile(selector)
	return func(n *html.Node) error {
		m := sel.first(n)
		if m == nil {
			return fmt.Errorf("no element matches %q", selector)
		}
		if err := check(m, checkers); err != nil {
			return fmt.Errorf("%s: %w", selector, err)
		}
		return nil
	}
}

// InAll runs the checkers on every element matching selector, and fails when
// there is none.
func InAll(selector string, checkers ...Checker) Checker {
	sel := mustCompile(selector)
	return func(n *html.Node) error {
		ms := sel.all(n)
		if len(ms) == 0 {
			return fmt.Errorf("no element matches %q", selector)
		}
		for i, m := range ms {
			if err := check(m, checkers); err != nil {
				return fmt.Errorf("%s [%d]: %w", selector, i, err)
			}
		}
		return nil
	}
}

// NotIn fails when any element matches selector.
func NotIn(selector string) Checker {
	sel := mustCompile(selector)
	return func(n *html.Node) error {
		if m := sel.first(n); m != nil {
			return fmt.Errorf("unexpected element matching %q: %.80q", selector, Text(m))
		}
		return nil
	}
}

// Count fails unless exactly want elements match selector.
func Count(selector string, want int) Checker {
	sel := mustCompile(selector)
	return func(n *html.Node) error {
		if got := len(sel.all(n)); got != want {
			return fmt.Errorf("%d elements match %q, want %d", got, selector, want)
		}
		return nil
	}
}

// HasText fails unless the node's text (whitespace collapsed) contains s.
func HasText(s string) Checker {
	return func(n *html.Node) error {
		if t := Text(n); !strings.Contains(t, s) {
			return fmt.Errorf("text %.200q does not contain %q", t, s)
		}
		return nil
	}
}

// HasAttr fails unless the node has attribute name with value.
func HasAttr(name, value string) Checker {
	return func(n *html.Node) error {
		v, ok := Attr(n, name)
		if !ok {
			return fmt.Errorf("no attribute %s", name)
		}
		if v != value {
			return fmt.Errorf("%s=%q, want %q", name, v, value)
		}
		return nil
	}
}

// Text returns the text under n with runs of whitespace collapsed to one space.
func Text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		if n.Type == html.ElementNode && (n.Data == "script" || n.Data == "style") {
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

// Attr returns the value of attribute name of n.
func Attr(n *html.Node, name string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val, true
		}
	}
	return "", false
}

// All returns the elements under n matching selector.
func All(n *html.Node, selector string) []*html.Node { return mustCompile(selector).all(n) }

// Texts returns the text of every element under n matching selector.
func Texts(n *html.Node, selector string) []string {
	var out []string
	for _, m := range All(n, selector) {
		out = append(out, Text(m))
	}
	return out
}

// selector is a chain of compounds; comb[i] joins part i-1 and part i.
type selector struct {
	parts []compound
	child []bool // child[i]: part i must be a child (not any descendant) of part i-1
}

type compound struct {
	tag     string
	id      string
	classes []string
	attrs   []attrSel
}

type attrSel struct {
	name, op, value string // op "", "=", "^=", "*="
}

func mustCompile(s string) *selector {
	sel, err := compile(s)
	if err != nil {
		panic(fmt.Sprintf("htmlcheck: selector %q: %v", s, err))
	}
	return sel
}

func compile(s string) (*selector, error) {
	sel := &selector{}
	fields := strings.Fields(strings.ReplaceAll(s, ">", " > "))
	// Attribute values with spaces are not supported: keep selectors simple.
	child := false
	for _, f := range fields {
		if f == ">" {
			child = true
			continue
		}
		c, err := parseCompound(f)
		if err != nil {
			return nil, err
		}
		sel.parts = append(sel.parts, c)
		sel.child = append(sel.child, child)
		child = false
	}
	if len(sel.parts) == 0 {
		return nil, errors.New("empty selector")
	}
	return sel, nil
}

func parseCompound(s string) (compound, error) {
	var c compound
	i := 0
	name := func() string {
		j := i
		for j < len(s) && !strings.ContainsRune("#.[", rune(s[j])) {
			j++
		}
		n := s[i:j]
		i = j
		return n
	}
	c.tag = name()
	for i < len(s) {
		switch s[i] {
		case '#':
			i++
			c.id = name()
		case '.':
			i++
			c.classes = append(c.classes, name())
		case '[':
			j := strings.IndexByte(s[i:], ']')
			if j < 0 {
				return c, errors.New("unclosed [")
			}
			body := s[i+1 : i+j]
			i += j + 1
			a := attrSel{name: body}
			for _, op := range []string{"^=", "*=", "="} {
				if k := strings.Index(body, op); k >= 0 {
					a = attrSel{name: body[:k], op: op, value: strings.Trim(body[k+len(op):], `"'`)}
					break
				}
			}
			c.attrs = append(c.attrs, a)
		default:
			return c, fmt.Errorf("unexpected %q", s[i])
		}
	}
	return c, nil
}

func (c *compound) match(n *html.Node) bool {
	if n.Type != html.ElementNode {
		return false
	}
	if c.tag != "" && c.tag != "*" && n.Data != c.tag {
		return false
	}
	if c.id != "" {
		if v, _ := Attr(n, "id"); v != c.id {
			return false
		}
	}
	if len(c.classes) > 0 {
		v, _ := Attr(n, "class")
		have := strings.Fields(v)
		for _, want := range c.classes {
			found := false
			for _, h := range have {
				if h == want {
					found = true
					break
				}
			}
			if !found {
				return false
			}
		}
	}
	for _, a := range c.attrs {
		v, ok := Attr(n, a.name)
		if !ok {
			return false
		}
		switch a.op {
		case "=":
			ok = v == a.value
		case "^=":
			ok = strings.HasPrefix(v, a.value)
		case "*=":
			ok = strings.Contains(v, a.value)
		}
		if !ok {
			return false
		}
	}
	return true
}

// matches reports whether n matches the selector up to part i, looking up
// its ancestors for the earlier parts.
func (s *selector) matches(n *html.Node, i int) bool {
	if !s.parts[i].match(n) {
		return false
	}
	if i == 0 {
		return true
	}
	if s.child[i] {
		return n.Parent != nil && s.matches(n.Parent, i-1)
	}
	for p := n.Parent; p != nil; p = p.Parent {
		if s.matches(p, i-1) {
			return true
		}
	}
	return false
}

func (s *selector) all(root *html.Node) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if s.matches(c, len(s.parts)-1) && within(c, root) {
				out = append(out, c)
			}
			walk(c)
		}
	}
	walk(root)
	return out
}

func (s *selector) first(root *html.Node) *html.Node {
	if all := s.all(root); len(all) > 0 {
		return all[0]
	}
	return nil
}

func within(n, root *html.Node) bool {
	for p := n; p != nil; p = p.Parent {
		if p == root {
			return true
		}
	}
	return false
}
