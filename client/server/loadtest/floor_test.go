package loadtest

import (
	"testing"
	"time"
)

func TestMeasureFloor(t *testing.T) {
	f, err := MeasureFloor(t.TempDir(), 100*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if f.Verify <= 0 || f.Sign <= 0 || f.Fsync <= 0 || f.PerSec <= 0 || f.Limited == "" {
		t.Fatalf("floor = %+v", f)
	}
	t.Log(f)
}
