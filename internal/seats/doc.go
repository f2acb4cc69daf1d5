// Package seats forecasts 学位 (school places) against the school-age
// population, catchment by catchment and school by school, the way
// education planners do, and warns where places will run short.
//
// It is a pure package: plain Go structs in (Input), figures out (Result,
// BacktestResult); no database, no web, no clock. The caller gives the
// years, the class size of the profile and the thresholds.
//
// # Inputs
//
// One stage at a time (Primary 小学, Junior 初中, Kindergarten 幼儿园): births
// by catchment (学区, the area whose children a school admits; a township,
// 乡镇, where births are only known by township) and birth year, with the
// household-registered (户籍) and resident (常住) children of each birth year
// where known; each school's catchment and places (a stated number, or
// classes × the class size); enrolment by school, year and grade (the
// history); and planned projects (新建/改扩建, new schools and extensions)
// with their opening year and places.
//
// # Method: cohort progression (队列推算)
//
// For each catchment, from its history:
//
//   - the entry ratio (入学率) of a year y is the catchment's grade-1 intake
//     in y over its base cohort born EntryAge years before (6 for primary,
//     12 for junior, 3 for kindergarten's 小班); the base is the births by
//     default, or the registered or resident children (Options.Base);
//   - the progression ratio (升级率) from grade g in year y is grade g+1 in
//     y+1 over grade g in y, summed over the catchment's schools, for every
//     two consecutive years of the history.
//
// A year of the history whose base cohort is not given, or is zero with
// no intake, gives no entry observation; a zero base with intake, or a
// grade with students whose grade below had none the year before, is an
// error. Each ratio is estimated over its last Options.Window
// observations (3 by default): the central variant takes their mean (the
// plain mean of the yearly ratios, each year weighing the same, not the
// ratio of the sums), the low variant their lowest and the high variant
// their highest, all exact (math/big.Rat). A
// generated history with constant ratios is recovered exactly. Migration
// is not modelled apart: it is what the ratios carry, the observed
// residual of children arriving and leaving; the spread between low and
// high shows how much the forecast depends on which recent year is
// typical.
//
// The forecast of year y: grade 1 = entry ratio × base cohort born
// y−EntryAge; grade g+1 = progression ratio × grade g of y−1, starting from
// the last year of the history. A school's grade 1 is its catchment's
// times the school's share of the catchment's grade-1 intake over the years
// of the entry estimate; its later grades progress at the catchment's
// ratios, so the schools of a catchment add up to the catchment exactly.
// Where the base cohort of a future year is not given (births not yet
// happened for a forecast more than EntryAge years ahead), it is held at
// the last one given and the year is marked BirthsAssumed; a cohort missing
// inside the given years is an error.
//
// Figures stay exact rationals until a unit's total of a year is rounded
// (half up) to whole children; the light is decided on that whole number.
//
// # Warnings (预警)
//
// A unit (school or catchment) in a year is red when students ≥ places ×
// Red (1 by default) and amber when students ≥ places × Amber (0.9), both
// compared exactly in integers (students × 10 against places × 9). A check
// gives the margin to amber and to red in children, the shortfall in places
// (children beyond the places) and in classes (rounded up), the places of
// the unit's projects opening in or before the year and the light with
// them, and whether they close a red gap in time (Cover, ClosedFrom). A
// school's projects are its extensions; a catchment's are all its projects,
// new schools included. The places of a project are not in the unit's
// present places. Result.Warnings lists every unit and year whose central
// or high variant is not green.
//
// # Backtest (回测)
//
// Backtest forecasts a year already known from the years before it only,
// and returns the central forecast next to the enrolment given, per school
// and catchment, with the mean absolute error (MAE, in children) and the
// mean absolute percentage error (MAPE, over the units with students that
// year), so users see how far to trust the forecast.
//
// # Limits
//
// Junior schools are forecast like the others, from the births twelve
// years before; the package does not chain them to the primary forecast's
// grade 6, because junior catchments seldom match primary ones. Repeaters,
// boarders from outside the area and special classes are whatever the
// ratios carry. A school's share of its catchment's intake is taken over
// the whole window, so a school opened within it, or a boundary redrawn,
// is under- or over-weighted until the window has passed.
//
// # Using it
//
// A caller (the store and the pages) builds an Input from the records of
// one stage of an area, with the class size of the profile, reads the
// thresholds from the profile's settings with ParseShare, and calls
// Forecast: Result.Warnings are the rows to show and to raise as findings,
// each with its low, central and high Check; Result.Catchments and
// Result.Schools carry every year, grade and ratio for the tables and
// charts; Result.Method says how, in Chinese. Backtest gives the accuracy
// to show beside it. Bad input comes back as an *InputError (errors.Is
// ErrInput) naming the catchment or school, the year and the field.
//
// Generate makes a deterministic demo area for the demo command and the
// tests.
package seats
