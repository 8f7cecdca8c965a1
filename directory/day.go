package directory

import (
	"fmt"
	"time"
)

// kst is Korea Standard Time (UTC+9, no daylight saving). The dates at which
// institutions come into force or are abolished are Korean calendar days.
var kst = time.FixedZone("KST", 9*60*60)

// Day is a calendar day in Korea, written as the number yyyymmdd (20260701
// is 1 July 2026), so that days compare with < and >. The zero Day means "no
// particular day": a query on it ignores when institutions are in force.
type Day int32

// DayOf returns the Korean calendar day of t, whatever t's location.
func DayOf(t time.Time) Day {
	y, m, d := t.In(kst).Date()
	return Day(y*10000 + int(m)*100 + d)
}

// ParseDay reads a day written YYYY-MM-DD. The empty string is the zero Day.
func ParseDay(s string) (Day, error) {
	if s == "" {
		return 0, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return 0, fmt.Errorf("directory: day %q is not YYYY-MM-DD", s)
	}
	return DayOf(time.Date(t.Year(), t.Month(), t.Day(), 12, 0, 0, 0, kst)), nil
}

// String writes d as YYYY-MM-DD, or "" for the zero Day.
func (d Day) String() string {
	if d == 0 {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d/10000, d/100%100, d%100)
}

// open-ended bounds of an entry's validity.
const (
	dayMin Day = 0
	dayMax Day = 99991231
)
