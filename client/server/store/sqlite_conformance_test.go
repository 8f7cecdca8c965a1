package store_test

import (
	"testing"

	"github.com/bonsign/bonsign/client/server/store/storetest"
)

func TestSQLiteConformance(t *testing.T) { storetest.Run(t, storetest.SQLite) }
