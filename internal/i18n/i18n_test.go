package i18n

import (
	"regexp"
	"strings"
	"testing"
)

// TestParity checks that every key is in both catalogs, with the same
// format verbs, and that no message is empty.
func TestParity(t *testing.T) {
	zh, en := Keys(ZH), Keys(EN)
	if len(zh) == 0 {
		t.Fatal("empty zh-CN catalog")
	}
	verbs := regexp.MustCompile(`%[-+# 0]*[0-9.]*[a-zA-Z%]`)
	for k, v := range zh {
		e, ok := en[k]
		if !ok {
			t.Errorf("en.json is missing %q", k)
			continue
		}
		if strings.TrimSpace(v) == "" || strings.TrimSpace(e) == "" {
			t.Errorf("%q is empty in a catalog", k)
		}
		if a, b := strings.Join(verbs.FindAllString(v, -1), " "), strings.Join(verbs.FindAllString(e, -1), " "); a != b {
			t.Errorf("%q: verbs differ: zh-CN %q, en %q", k, a, b)
		}
	}
	for k := range en {
		if _, ok := zh[k]; !ok {
			t.Errorf("zh-CN.json is missing %q", k)
		}
	}
}

func TestMatch(t *testing.T) {
	for _, tc := range []struct {
		header string
		want   Lang
	}{
		{"", ZH},
		{"zh-CN,zh;q=0.9,en;q=0.8", ZH},
		{"en-US,en;q=0.9", EN},
		{"en-GB,zh-CN;q=0.5", EN},
		{"fr-FR", ZH},
		{"fr-FR,en;q=0.5", EN},
		{"zh-TW", ZH},
		{"garbage;;;", ZH},
	} {
		if got := Match(tc.header); got != tc.want {
			t.Errorf("Match(%q) = %s, want %s", tc.header, got, tc.want)
		}
	}
}

func TestT(t *testing.T) {
	if got := T(EN, "no.such.key"); got != "no.such.key" {
		t.Errorf("missing key gives %q", got)
	}
	if got := T(ZH, "nav.overview"); got == "nav.overview" {
		t.Errorf("nav.overview is not translated")
	}
	if l, ok := Parse("en-US"); !ok || l != EN {
		t.Errorf("Parse(en-US) = %v, %v", l, ok)
	}
	if _, ok := Parse("de"); ok {
		t.Errorf("Parse(de) ok")
	}
}
