package web

import (
	"bytes"
	"net/http"
	"strings"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/censusio"
)

// unitTemplate serves GET /data/template/{kind}.xlsx: the import template of
// kind school, kindergarten or county.
func (s *Server) unitTemplate(w http.ResponseWriter, r *http.Request) error {
	kind, ok := censusio.ParseKind(strings.TrimSuffix(r.PathValue("file"), ".xlsx"))
	if !ok || !strings.HasSuffix(r.PathValue("file"), ".xlsx") {
		return store404()
	}
	var buf bytes.Buffer
	if err := censusio.WriteTemplate(&buf, string(kind)); err != nil {
		return err
	}
	names := map[census.Kind]string{census.KindSchool: "学校数据模板.xlsx", census.KindKindergarten: "幼儿园数据模板.xlsx", census.KindCounty: "县级数据模板.xlsx"}
	attach(w, names[kind], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	_, err := w.Write(buf.Bytes())
	return err
}
