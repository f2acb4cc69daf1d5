package htmlcheck

import (
	"strings"
	"testing"
)

const page = `<!doctype html><html><body>
<nav><a href="/" class="brand">督导</a></nav>
<main id="m"><table class="heat"><tr data-school="1"><td class="v red">0.81</td><td class="v green">1.2</td></tr></table>
<p>one <b>two</b>   three</p><ul><li>a</li><li>b</li></ul></main></body></html>`

func TestSelectors(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    Checker
		ok   bool
	}{
		{"tag", In("p", HasText("one two three")), true},
		{"class", In("td.red", HasText("0.81")), true},
		{"two classes", In("td.v.green", HasText("1.2")), true},
		{"descendant", In("table.heat td.green"), true},
		{"child", In("main > table"), true},
		{"not child", In("body > table"), false},
		{"id", In("#m p b", HasText("two")), true},
		{"attr", In("tr[data-school=1] td"), true},
		{"attr prefix", In("a[href^=/]", HasAttr("class", "brand")), true},
		{"attr contains", In("td[class*=gre]"), true},
		{"missing", In("td.amber"), false},
		{"wrong text", In("td.red", HasText("0.9")), false},
		{"count", Count("li", 2), true},
		{"count wrong", Count("li", 3), false},
		{"not in", NotIn("td.amber"), true},
		{"not in fails", NotIn("td.red"), false},
		{"in all", InAll("td", HasAttr("class", "v red")), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Run(strings.NewReader(page), tc.c)
			if (err == nil) != tc.ok {
				t.Errorf("err = %v, want ok=%v", err, tc.ok)
			}
		})
	}
	doc, _ := Parse(page)
	if got := strings.Join(Texts(doc, "li"), ","); got != "a,b" {
		t.Errorf("Texts = %q", got)
	}
}
