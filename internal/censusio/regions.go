package censusio

import (
	"fmt"
	"strings"

	"github.com/dudao-edu/dudao/internal/census"
)

// maxRegionErrors caps the errors ReadRegions lists; the last one says how
// many more there were.
const maxRegionErrors = 50

// ReadRegions reads the administrative division list (行政区划名单) of the
// region an installation serves: a CSV or .xlsx with a column of 6-digit
// codes (代码, 区划代码 or code; the 12-digit 统计用区划代码 is read by its
// first six digits when the other six are zeros) and one of names (名称,
// 区划名称 or name), with or without a header row (without one, column A is
// the code and B the name).
//
// The structure of every code is checked against served (a province,
// city or county with its code and name): each must lie inside it; a code
// ending in 0000 is a province, one ending in 00 a city (地级), any other
// a county (县级); a county's city must be listed too (or be the served
// city), as the official list has 省直辖县级行政区划 for the counties a
// province governs directly; no code twice. The result is served first,
// then its province when served is a city, then the cities and the
// counties in the file's order, each with its level and parent. Every
// problem is an Error naming the file, row, column and what to fix, and
// nothing is returned with them.
func ReadRegions(name string, data []byte, served census.Region) ([]census.Region, error) {
	name = baseName(name)
	var errs Errors
	bad := func(row int, col, letter, value, problem, fix string) {
		if len(errs) < maxRegionErrors {
			errs = append(errs, &Error{File: name, Row: row, Column: col, Letter: letter, Value: value, Problem: problem, Fix: fix})
		} else {
			errs[maxRegionErrors-1] = &Error{File: name, Problem: "错误太多，只列出前面的部分", Fix: "请改正上面的错误后重新导入"}
		}
	}
	prefix := census.CountyPrefix(served.Code)
	type row struct {
		n          int
		code, name string
	}
	var rows []row
	codeCol, nameCol := -1, -1
	codeHead, nameHead := "代码", "名称"
	seen := false
	err := EachRow(name, data, func(n int, cells []string) bool {
		if blank(cells) {
			return true
		}
		if !seen {
			seen = true
			for i, c := range cells {
				h := fold(trim(c))
				switch {
				case codeCol < 0 && (strings.Contains(h, "代码") || strings.Contains(h, "code")):
					codeCol, codeHead = i, trim(c)
				case nameCol < 0 && (strings.Contains(h, "名称") || strings.Contains(h, "name") || h == "地区" || h == "区划"):
					nameCol, nameHead = i, trim(c)
				}
			}
			if codeCol >= 0 || nameCol >= 0 {
				if codeCol < 0 || nameCol < 0 {
					bad(n, "", "", "", "表头需要“代码”和“名称”两列，找到的是："+strings.Join(trimAll(cells), "、"),
						"请把第一行写成“代码,名称”，或删去表头，让 A 列是代码、B 列是名称")
					return false
				}
				return true
			}
			if _, ok := regionCode(trim(cell(cells, 0))); !ok {
				bad(n, "", "", "", "表头需要“代码”和“名称”两列，找到的是："+strings.Join(trimAll(cells), "、"),
					"请把第一行写成“代码,名称”，或删去表头，让 A 列是代码、B 列是名称")
				return false
			}
			codeCol, nameCol = 0, 1
		}
		rows = append(rows, row{n: n, code: trim(cell(cells, codeCol)), name: trim(cell(cells, nameCol))})
		return len(rows) <= 100000
	})
	if err != nil {
		return nil, err
	}
	if len(errs) > 0 {
		return nil, errs
	}
	cl, nl := letter(codeCol), letter(nameCol)
	where := map[string]int{} // code → its row
	var cities, counties []census.Region
	listed := map[string]bool{}
	for _, r := range rows {
		code, ok := regionCode(r.code)
		switch {
		case !ok:
			bad(r.n, codeHead, cl, r.code, "不是 6 位行政区划代码", "请填写 6 位数字代码，如 340102（12 位统计用区划代码只用前 6 位）")
			continue
		case r.name == "":
			bad(r.n, nameHead, nl, "", "名称为空", "请填写这个地区的名称，如“瑶海区”")
			continue
		case !strings.HasPrefix(code, prefix):
			bad(r.n, codeHead, cl, r.code, fmt.Sprintf("不在本系统服务的%s（%s）之内", served.Name, served.Code),
				fmt.Sprintf("只列出代码以 %s 开头的地区，或在上面改正本系统服务的地区", prefix))
			continue
		}
		if p, dup := where[code]; dup {
			bad(r.n, codeHead, cl, r.code, fmt.Sprintf("与第 %d 行重复", p), "每个代码只列一次，删去重复的一行")
			continue
		}
		where[code] = r.n
		switch {
		case code == served.Code:
			// The served region itself: its name is the one given above.
		case strings.HasSuffix(code, "0000"):
			bad(r.n, codeHead, cl, r.code, "是省级代码", "名单只列地级和县级区划；省由上面“本系统服务的地区”给出")
		case strings.HasSuffix(code, "00"):
			cities = append(cities, census.Region{Code: code, Name: r.name, Level: census.LevelCity, Parent: census.ProvinceCode(code)})
			listed[code] = true
		default:
			counties = append(counties, census.Region{Code: code, Name: r.name, Level: census.LevelCounty, Parent: census.CityCode(code)})
		}
	}
	for _, c := range counties {
		if city := c.Parent; !listed[city] && city != served.Code {
			bad(where[c.Code], codeHead, cl, c.Code, fmt.Sprintf("所属的地级区划 %s 不在名单中", city),
				fmt.Sprintf("请加一行 %s 及其名称（省直辖的县级市写“省直辖县级行政区划”）", city))
		}
	}
	if served.Level != census.LevelCounty && len(errs) == 0 && len(counties) == 0 {
		bad(0, "", "", "", "名单里没有县级区划", "请列出本地区的全部县（市、区）及其地级市，代码在 A 列、名称在 B 列")
	}
	if len(errs) > 0 {
		return nil, errs
	}
	out := []census.Region{served}
	if served.Level == census.LevelCity {
		p := census.ProvinceCode(served.Code)
		out = append(out, census.Region{Code: p, Name: census.ProvinceNames[p[:2]], Level: census.LevelProvince})
	}
	out = append(out, cities...)
	return append(out, counties...), nil
}

// ServedRegion checks the region an installation serves, as the set-up
// page gives it: a 6-digit code whose shape says its level (xx0000 a
// province, xxxx00 a city, any other a county) and a name. Its first two
// digits must be a province's, or 9x, which no province has and which the
// demo and test installations use (the demo's 南江省 is 980000). A city's parent
// is its province, a county's its city.
func ServedRegion(code, name string) (census.Region, error) {
	c, ok := regionCode(strings.TrimSpace(code))
	name = strings.TrimSpace(name)
	switch {
	case !ok:
		return census.Region{}, fmt.Errorf("“%s”不是 6 位行政区划代码；请填写如 340000（省）、340100（市）或 340102（县、区）", code)
	case census.ProvinceNames[c[:2]] == "" && c[:2] != "98" && c[:2] != "99":
		return census.Region{}, fmt.Errorf("代码 %s 的前两位 %s 不是任何省级区划", c, c[:2])
	case name == "":
		return census.Region{}, fmt.Errorf("请填写地区名称，如“安徽省”")
	case strings.HasSuffix(c, "0000"):
		return census.Region{Code: c, Name: name, Level: census.LevelProvince}, nil
	case strings.HasSuffix(c, "00"):
		return census.Region{Code: c, Name: name, Level: census.LevelCity, Parent: census.ProvinceCode(c)}, nil
	}
	return census.Region{Code: c, Name: name, Level: census.LevelCounty, Parent: census.CityCode(c)}, nil
}

// regionCode reads a 6-digit division code, or the first six digits of a
// 12-digit 统计用区划代码 whose last six are zeros; a number Excel wrote
// with a decimal point (340102.0) is read too.
func regionCode(v string) (string, bool) {
	v = strings.TrimSuffix(narrow(v), ".0")
	if len(v) == 12 && strings.HasSuffix(v, "000000") {
		v = v[:6]
	}
	if len(v) != 6 || strings.Trim(v, "0123456789") != "" || v[:2] == "00" {
		return "", false
	}
	return v, true
}

func trimAll(cells []string) []string {
	out := make([]string, 0, len(cells))
	for _, c := range cells {
		if c = trim(c); c != "" {
			out = append(out, c)
		}
	}
	return out
}
