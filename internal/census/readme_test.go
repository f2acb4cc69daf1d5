package census

import (
	"os"
	"strings"
	"testing"
)

// TestReadmeDocumentsColumns checks that the README documents every column
// of the kindergarten and county records, as interfaces.md documents the
// school columns: key and Chinese name on one table row.
func TestReadmeDocumentsColumns(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Skip("README.md not beside the package:", err)
	}
	readme := string(b)
	for _, tab := range []*Table{&KindergartenTable, &CountyTable} {
		for _, c := range tab.Num {
			if !strings.Contains(readme, "| `"+c.Key+"` | "+c.ZH+" | "+c.Unit+" |") {
				t.Errorf("README lacks the %s column %s %s (%s)", tab.Kind, c.Key, c.ZH, c.Unit)
			}
		}
		for _, c := range tab.Text {
			if !strings.Contains(readme, "| `"+c.Key+"` | "+c.ZH+" |") {
				t.Errorf("README lacks the %s column %s %s", tab.Kind, c.Key, c.ZH)
			}
		}
	}
}
