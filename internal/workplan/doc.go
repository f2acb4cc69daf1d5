// Package workplan reads a bureau's 年度工作要点 (annual work plan) into
// numbered items, finds the quantitative targets (量化指标) in each item,
// and computes each task's light (红黄绿灯) from the facts of its progress.
// It is pure: no database, no web, no clock of its own — the time is
// always passed in — so that storage and pages can be built on top of it
// and every rule here can be tested with a fixed clock.
//
// # Outline
//
// Parse reads a plan from .txt (UTF-8, UTF-8 with BOM, UTF-16 with BOM, or
// GB18030/GBK, detected in that order), .docx (the paragraphs of
// word/document.xml, their w:t runs joined; simple automatic list
// numbering from word/numbering.xml rendered as Word shows it) or .xlsx
// (the first sheet, a row per line, a 序号 cell joined to the text next to
// it). The content decides over the extension: a zip is a document or a
// workbook whatever it is called, and a .docx that is not a zip is refused.
//
// The outline is the one Chinese plans use:
//
//   - 一、二、… and （一）（二）… are sections (大标题, 小标题);
//   - 10. / 10、 / （10） starting a line are items (条目), the unit that
//     becomes a tracked task; the first Arabic style met is the items'
//     style;
//   - inside an item, a line starting with ① or with the other Arabic style
//     is a sub-item; in the items' own style, a 1 or the next number of an
//     open sub-list is a sub-item, while the next item number in sequence
//     always starts a new item;
//   - lines starting with # are comments.
//
// An item keeps its number, its title (the first sentence up to the first
// 。 when it is a short heading sentence, as in "10.持续扩增基础教育优质资源。
// 落实…"; otherwise the start of the text), its full text, its section and
// where it was found (行, 段). A gap in the numbering is a warning, not an
// error. A file without numbered items, over 10 MB, with more than 5 000
// items, or that does not decode is refused with an *Error naming the file,
// the line, paragraph or row, and what to do.
//
// # Targets
//
// Targets finds numbers with units — 80所, 7.7万个, 93%, 3个百分点, 八十所,
// 百分之五十 — and keeps those that a verb in the same clause (新建, 改扩建,
// 提供, 培养, 达到, 不低于, 控制在…), a rate before a percentage (普惠率,
// 覆盖率), or a bound after the unit (以上, 以内) makes a target. The verb
// gives the Kind: build, provide, at_least or at_most. Values are
// normalized (7.7万个 → 77000 个, 3.5亿元 → 350000000 元) and each target
// carries its byte span in the text, to be highlighted for the user to
// confirm or correct before anything is saved. Years (2023年), dates
// (9月1日), ordinals (第二批), rankings (前10名), article numbers (第三十条),
// durations (3个月), and anything inside quotation or title marks
// (《…三年行动计划》, "十四五", 〔2017〕6号) are not targets. A lone 一 is
// never a count (一批, 一所, 一体化). Recognition is deliberately
// conservative: a missed target is added by the user, a false one would
// have to be noticed.
//
// # Lights
//
// Light computes a task's light at a given time from its dates, target,
// reported value or percent and milestones; lights are never set by hand.
// Expected progress is linear between milestones (from 0% at the start to
// 100% at the due date); a task behind by YellowBehind to RedBehind points,
// both included, is yellow, further behind red; not started
// NotStartedRedMonths after its start, or past due and not done, red; done,
// green with a tick. The Reason says why in Chinese with the numbers:
// "应完成 58%，实际 20%，落后 38 个百分点". The numbers are rounded to 0.1
// point before they are compared, so the reason never contradicts the
// colour.
package workplan
