package census

import "strings"

// Region levels. The nation is above the provinces: an account of the
// nation (a read-only one of the Ministry's supervision office) sees every
// province.
const (
	LevelNation   = "nation"
	LevelProvince = "province"
	LevelCity     = "city"
	LevelCounty   = "county"
)

// Region is a province, city or county with its 6-digit administrative code.
type Region struct {
	Code   string
	Name   string
	Level  string
	Parent string // the code of the enclosing region; "" for a province
}

// NationCode is the code of the nation: the region of a national account.
const NationCode = "000000"

// Nation is the region above the provinces.
func Nation() Region { return Region{Code: NationCode, Name: "全国", Level: LevelNation} }

// CityCode returns the code of the city (地级) that contains county code c:
// its first four digits followed by 00.
func CityCode(c string) string {
	if len(c) != 6 {
		return ""
	}
	return c[:4] + "00"
}

// ProvinceCode returns the code of the province that contains code c.
func ProvinceCode(c string) string {
	if len(c) != 6 {
		return ""
	}
	return c[:2] + "0000"
}

// ProvinceNames maps the two leading digits of a code to the province's name.
var ProvinceNames = map[string]string{
	"11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区",
	"21": "辽宁省", "22": "吉林省", "23": "黑龙江省",
	"31": "上海市", "32": "江苏省", "33": "浙江省", "34": "安徽省", "35": "福建省", "36": "江西省", "37": "山东省",
	"41": "河南省", "42": "湖北省", "43": "湖南省", "44": "广东省", "45": "广西壮族自治区", "46": "海南省",
	"50": "重庆市", "51": "四川省", "52": "贵州省", "53": "云南省", "54": "西藏自治区",
	"61": "陕西省", "62": "甘肃省", "63": "青海省", "64": "宁夏回族自治区", "65": "新疆维吾尔自治区",
	"71": "台湾省", "81": "香港特别行政区", "82": "澳门特别行政区",
}

// CountyPrefix is the prefix that the codes of the counties within region
// code share: none for the nation (000000), 2 digits for a province
// (xx0000), 4 for a city (xxxx00), all 6 for a county.
func CountyPrefix(code string) string {
	switch {
	case code == NationCode:
		return ""
	case len(code) != 6:
		return code
	case strings.HasSuffix(code, "0000"):
		return code[:2]
	case strings.HasSuffix(code, "00"):
		return code[:4]
	}
	return code
}
