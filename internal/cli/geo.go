package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/dudao-edu/dudao/internal/geo"
	"github.com/dudao-edu/dudao/internal/i18n"
	"github.com/dudao-edu/dudao/internal/store"
)

// runGeo: dudao geo import FILE — the installation's map, as the web
// page /map imports it.
func runGeo(e *env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(e.stdout, geoUsage)
		if len(args) == 0 {
			return usagef("缺少子命令：import")
		}
		return nil
	}
	if args[0] != "import" {
		return usagef("未知子命令 %q：可用 import", args[0])
	}
	fs := newFlags(e, "geo import", "FILE.geojson [--db DSN]")
	db := dbFlag(e, fs)
	files, err := parse(fs, args[1:])
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return usagef("请给出一个 GeoJSON 文件")
	}
	f, err := os.Open(files[0])
	if err != nil {
		return fmt.Errorf("读取 %s 失败：%w", files[0], err)
	}
	data, err := io.ReadAll(io.LimitReader(f, geo.MaxFileSize+1))
	f.Close()
	if err != nil {
		return fmt.Errorf("读取 %s 失败：%w", files[0], err)
	}
	st, err := openStore(e, *db, false)
	if err != nil {
		return err
	}
	defer st.Close()
	regions, err := st.Regions(e.ctx)
	if err != nil {
		return err
	}
	known := map[string]string{}
	for _, r := range regions {
		known[r.Code] = r.Name
	}
	name := filepath.Base(files[0])
	m, err := geo.Parse(name, data, func(code string) (string, bool) { n, ok := known[code]; return n, ok })
	var ge *geo.Error
	if errors.As(err, &ge) {
		return errors.New(ge.Message(i18n.ZH) + "（未导入任何内容）")
	}
	if err != nil {
		return err
	}
	if err := st.ImportMap(e.ctx, name, "cli", m); err != nil {
		return err
	}
	if err := st.Audit(e.ctx, store.AuditEntry{Username: "cli", Action: store.AuditImport, Target: name, Detail: fmt.Sprintf("map: %d regions", len(m.Features))}); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "已导入地图 %s：%d 个区域（替换原有地图）\n", name, len(m.Features))
	return nil
}

const geoUsage = `用法：
  dudao geo import 地图.geojson [--db DSN]

导入本系统所服务地区的地图（GeoJSON FeatureCollection），总览页据此按认定结论给县区着色。
每个要素是一个县区（或市）的面（Polygon 或 MultiPolygon），属性 code（或 adcode）为 6 位行政区划代码，
且须在行政区划表中。再次导入会替换原有地图；有任何错误时什么也不导入。网页上的“地图”页（/map）做同样的事。
`
