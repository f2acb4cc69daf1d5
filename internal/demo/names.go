package demo

import (
	"math/rand/v2"
	"strconv"
)

// The province is fictional: 98 is not a real province code, so demo data can
// never be mistaken for a real county's figures.
const (
	ProvinceCode = "980000"
	ProvinceName = "南江省"
)

// cityNames are the 16 prefecture-level cities of 南江省, capital first.
var cityNames = []string{
	"江州", "云岭", "青溪", "安平", "石城", "永宁", "丰源", "南屏",
	"金沙", "凤台", "嘉禾", "泰和", "鹿鸣", "白鹭", "桐江", "梅川",
}

// Two-character place names are drawn from these halves, as many real
// county names are (青阳, 永丰, 安仁).
var (
	countyFirst  = []rune("青临安清永东西新长平宁泰丰华龙凤云石金玉白黄宜兴嘉和广乐德福崇桃柳松梅兰莲汉湘沅浦鹤文武仁")
	countySecond = []rune("阳川江山河源城溪水丰宁安平林湖泉岭台谷州浦口关田坪都昌兴化陵沙")
	townFirst    = []rune("石杨柳高大小马龙凤花桥黄白红新老上下双三五七九官太和罗周陈樟枫竹桂茶沙")
	townSecond   = []rune("桥坪岭塘湾口铺坝集店寨溪岗庙墩冲埠渡圩头河港场关市源")
	surnames     = []rune("李王张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯董程曹袁邓许傅沈曾彭吕")
	clanSuffix   = []rune("家庄湾坪岗塘屋寨")
	natureNames  = []string{
		"桃园", "柳林", "石门", "枫树", "竹林", "梅岭", "新屋", "上屋", "下洞", "高坪",
		"清水", "白沙", "大塘", "小溪", "松山", "杉木", "茶园", "荷塘", "牛角", "鹅公",
		"龙潭", "凤凰", "金竹", "银杏", "长冲", "水口", "板桥", "古井", "石狮", "双溪",
	}
)

// namer draws place names that are unique within its scope.
type namer struct {
	r    *rand.Rand
	used map[string]bool
}

func newNamer(r *rand.Rand, reserved ...string) *namer {
	n := &namer{r: r, used: map[string]bool{}}
	for _, s := range reserved {
		n.used[s] = true
	}
	return n
}

// pair returns an unused two-character name from two halves.
func (n *namer) pair(first, second []rune) string {
	for {
		a, b := first[n.r.IntN(len(first))], second[n.r.IntN(len(second))]
		if a == b {
			continue
		}
		s := string([]rune{a, b})
		if !n.used[s] {
			n.used[s] = true
			return s
		}
	}
}

// village returns an unused village name: a clan name (王家, 李庄) or a
// landscape name (桃园, 石门).
func (n *namer) village() string {
	for {
		var s string
		if n.r.IntN(10) < 6 {
			s = string([]rune{surnames[n.r.IntN(len(surnames))], clanSuffix[n.r.IntN(len(clanSuffix))]})
		} else {
			s = natureNames[n.r.IntN(len(natureNames))]
		}
		if !n.used[s] {
			n.used[s] = true
			return s
		}
	}
}

var digitsZH = []string{"零", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十"}

// ordinalZH writes 1…99 the way school names do: 一, 十, 十二, 二十一.
func ordinalZH(i int) string {
	switch {
	case i <= 10:
		return digitsZH[i]
	case i < 20:
		return "十" + digitsZH[i-10]
	case i%10 == 0:
		return digitsZH[i/10] + "十"
	case i < 100:
		return digitsZH[i/10] + "十" + digitsZH[i%10]
	}
	return strconv.Itoa(i)
}
